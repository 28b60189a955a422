// SPDX-License-Identifier: GPL-2.0
/*
 * tracenetctl: command dispatch, help and the error helpers every command
 * uses, so that all messages look alike: "tracenetctl: what went wrong".
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tracenetctl.h"

struct tn_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *summary;
	const char *help;
};

static const struct tn_cmd cmds[] = {
	{ "list", cmd_list, "[-v] [PATTERN]", "trace events that can be attached",
	  "List the trace events of tracefs whose \"system:name\" matches the glob\n"
	  "PATTERN (default: all). A PATTERN without ':' matches the event name or\n"
	  "the system name. Prints \"system:name id=N\" per event.\n"
	  "\n"
	  "  -v, --verbose  also print each event's fields (those a frame carries,\n"
	  "                 in TLV type order): type, name, offset, size, signed\n" },
	{ "attach", cmd_attach, "DEV EVENT...", "deliver events as frames on DEV",
	  "Deliver every EVENT (\"system:name\" or \"system/name\", as in tracefs)\n"
	  "as frames on the tracenet device DEV. The events' formats are read from\n"
	  "tracefs and handed to the kernel; nothing is attached unless every EVENT\n"
	  "exists. Needs CAP_PERFMON or CAP_SYS_ADMIN.\n" },
	{ "detach", cmd_detach, "DEV EVENT... | DEV --all", "stop delivering events",
	  "Stop delivering EVENT (\"system:name\" or a numeric event id) on DEV,\n"
	  "or every event with --all. Needs CAP_PERFMON or CAP_SYS_ADMIN.\n" },
	{ "status", cmd_status, "[DEV]", "attached events and counters",
	  "Show the events attached to DEV (default: every tracenet device) and\n"
	  "the per-CPU counters, and check produced == delivered + dropped.\n" },
	{ "dump", cmd_dump, "[-i IFACE | -r FILE] [-c COUNT] [-w FILE] [-k | -K] [-R] [-H]",
	  "print frames as trace-cmd report prints events",
	  "Print the events of tracenet frames, one line per event, as\n"
	  "'trace-cmd report' prints them. Metadata frames in the stream describe\n"
	  "the events, so a capture file decodes anywhere. Sequence gaps print\n"
	  "\"CPU:N [M EVENTS DROPPED]\". Events are printed in arrival order;\n"
	  "the name before the pid is the task's comm when the event fired.\n"
	  "\n"
	  "  -i, --interface IFACE  capture live on IFACE (default trace0)\n"
	  "  -r, --read FILE        read a pcap/pcapng file instead ('-' is stdin)\n"
	  "  -c, --count COUNT      stop after COUNT events\n"
	  "  -w, --write FILE       also write the frames to the pcap FILE, each\n"
	  "                         stamped with its first event's time (a file's\n"
	  "                         sorted by it), forwarded ones out of VXLAN:\n"
	  "                         'mergecap' of several hosts' is one timeline\n"
	  "  -H, --hosts            start each line with its host (host frames'\n"
	  "                         name, else the sender's MAC address)\n"
	  "  -k, --symbols          name kernel functions (%ps) and strings with this\n"
	  "                         machine's /proc/kallsyms and printk_formats\n"
	  "                         (the default for a live capture)\n"
	  "  -K, --no-symbols       print kernel addresses raw (the default for -r)\n"
	  "  -R, --raw              print each event's fields as name=value, as\n"
	  "                         'trace-cmd report -R' does, not its print fmt\n" },
	{ "formats", cmd_formats, "[-o FILE] [-t DIR] [EVENT...]",
	  "event formats for the Wireshark dissector",
	  "Write the tracefs formats of EVENT (\"system:name\", globs allowed;\n"
	  "default: every event) to FILE, for dissector/tracenet.lua: the events\n"
	  "it describes get named filter fields (tracenet.EVENT.FIELD), also on a\n"
	  "machine without this tracefs. Per event, the file has a line\n"
	  "\"system: SYSTEM\" and the event's format text as tracefs prints it.\n"
	  "\n"
	  "  -o, --output FILE  write to FILE (default: standard output); FILE is\n"
	  "                     replaced only when every format was read\n"
	  "  -t, --tracefs DIR  read the events of the tracefs at DIR (a copy of\n"
	  "                     another machine's, say) instead of the mounted one\n" },
	{ "filter", cmd_filter,
	  "DEV 'SYSTEM:EVENT: EXPR'... | DEV --show | DEV --clear [EVENT...]\n"
	  "       tracenetctl filter --pcap 'SYSTEM:EVENT: EXPR'\n"
	  "       tracenetctl filter --run FILE [-w OUT] 'SYSTEM:EVENT: EXPR'...",
	  "filter events with ftrace's filter language, compiled to XDP",
	  "Filter the events delivered on DEV with ftrace's event filter language\n"
	  "(the text of tracefs' events/SYSTEM/EVENT/filter): comparisons of fields\n"
	  "with == != < <= > >= & (numbers) or == != ~ (strings, ~ takes a glob),\n"
	  "joined with && || ! and parentheses; common_pid, comm and cpu work on\n"
	  "every event. The expressions are compiled to one eBPF program that\n"
	  "runs as native XDP on DEV and drops the events they reject; events\n"
	  "without a filter pass. A filter replaces the event's earlier one, the\n"
	  "others stay. A bad expression is refused with its position and changes\n"
	  "nothing. Needs CAP_BPF and CAP_NET_ADMIN (or root).\n"
	  "\n"
	  "  -s, --show         print the filters in force on DEV\n"
	  "  -c, --clear        remove the filters of the EVENTs (all without one)\n"
	  "  -p, --pcap         print the expression as a pcap-filter expression\n"
	  "                     (tcpdump, Wireshark capture filters) that selects\n"
	  "                     the frames the XDP program passes, or say why not\n"
	  "  -r, --run FILE     run the program on the frames of a capture file\n"
	  "                     (BPF_PROG_TEST_RUN) and count what it passes\n"
	  "  -w, --write OUT    with --run: write the frames it passes to OUT\n" },
	{ "follow", cmd_follow, "DEV --exec PATH | DEV --off | DEV",
	  "only the events of the processes that exec PATH, and their children",
	  "Deliver on DEV only the events of the processes that exec PATH (the\n"
	  "filename as given to execve, as in sched_process_exec), of the tasks\n"
	  "they fork, and so on, from the exec until each exits; the events of\n"
	  "every other task are dropped in DEV's XDP program, with the filters\n"
	  "of 'tracenetctl filter', which keep working alongside. Tracepoint\n"
	  "programs on sched_process_exec/fork/exit/free keep the set of\n"
	  "followed tasks in a BPF map, pinned with them under\n"
	  "/sys/fs/bpf/tracenet/DEV; sched:sched_process_exec and _exit are\n"
	  "attached to DEV if they are not. One follow per device. Needs CAP_BPF and\n"
	  "CAP_PERFMON (or CAP_SYS_ADMIN), CAP_NET_ADMIN, and bpffs on\n"
	  "/sys/fs/bpf. Without an option, prints the follow in force and the\n"
	  "tasks it follows.\n"
	  "\n"
	  "  -e, --exec PATH    follow the processes that exec PATH (absolute)\n"
	  "  -o, --off          stop following: remove the programs and pins,\n"
	  "                     keep the filters\n" },
	{ "forward", cmd_forward,
	  "DEV dev IFACE [dst MAC] | DEV udp ADDR[:PORT] [--vni N]\n"
	  "       [--host NAME] [--raw-pointers] [--no-local] | DEV --off | DEV",
	  "send a copy of DEV's frames to a collector",
	  "Send a copy of every frame DEV delivers (after its filters; metadata\n"
	  "frames too) out of another device, so that a collector on a link or\n"
	  "across routers needs only tcpdump or Wireshark. With 'dev', the\n"
	  "frames go out of the Ethernet device IFACE as they are, to MAC\n"
	  "(default: DEV's own address). With 'udp', they are encapsulated in\n"
	  "VXLAN (RFC 7348) to ADDR, UDP port PORT (default 4789, which\n"
	  "Wireshark and tcpdump decode), in the VXLAN device tn-DEV this\n"
	  "creates. Frames that cannot be sent (a full queue, a link down)\n"
	  "count in fwd_drop_frames and fwd_drop_events ('ethtool -S DEV'), and\n"
	  "the collector sees them as sequence gaps. Host frames name the host\n"
	  "(and its boot id) and sample its clocks. Kernel addresses in event\n"
	  "fields go as DEV has them ('tracenetctl pointers'), hashed unless\n"
	  "--raw-pointers. One forward per device. Needs CAP_PERFMON or\n"
	  "CAP_SYS_ADMIN, and CAP_NET_ADMIN. Without an option, prints the\n"
	  "forward in force.\n"
	  "\n"
	  "  --host NAME      the name host frames give (default: this host's)\n"
	  "  --raw-pointers   keep DEV's raw kernel addresses (DEV must have them)\n"
	  "  --no-local       forward only: no delivery on DEV itself\n"
	  "  --vni N          VXLAN network identifier (default 1)\n"
	  "  --off            stop forwarding (and delete tn-DEV)\n" },
	{ "pointers", cmd_pointers, "DEV [raw | hashed]",
	  "raw kernel addresses on DEV's frames, or keyed hashes",
	  "Address fields (pointer types, call_site, ip, parent_ip) reach DEV's\n"
	  "frames as a keyed hash of the kernel's value (SipHash, a key per\n"
	  "device: equal addresses hash equal, NULL stays 0), so that capturing\n"
	  "(CAP_NET_RAW) reveals no kernel address. 'raw' gives the values as\n"
	  "perf gives them; it needs CAP_PERFMON or CAP_SYS_ADMIN, as perf does.\n"
	  "Every frame says which it carries; dump and the dissector show it.\n"
	  "Without an argument, prints which DEV has.\n" },
	{ "help", NULL, "[COMMAND]", "this text, or COMMAND's",
	  "Show help for tracenetctl or for COMMAND.\n" },
};

#define NCMDS ARRAY_SIZE(cmds)

static void verror(const char *prefix, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: %s", PROG, prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void tn_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror("", fmt, ap);
	va_end(ap);
}

void tn_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror("warning: ", fmt, ap);
	va_end(ap);
}

static const struct tn_cmd *find_cmd(const char *name)
{
	unsigned int i;

	for (i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static void print_main_usage(FILE *f)
{
	unsigned int i;

	fprintf(f, "Usage: %s COMMAND [ARGS]\n\n"
		"Control tracenet devices (trace events as network frames) and\n"
		"print their frames.\n\nCommands:\n", PROG);
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %-7s %s\n          %s\n", cmds[i].name,
			cmds[i].args, cmds[i].summary);
	fprintf(f, "\n'%s COMMAND --help' describes a command.\n", PROG);
}

static void print_cmd_usage(FILE *f, const struct tn_cmd *c, bool full)
{
	fprintf(f, "Usage: %s %s %s\n", PROG, c->name, c->args);
	if (full)
		fprintf(f, "\n%s", c->help);
}

/* For "CMD --help": the command's usage and description on stdout. */
int tn_help(const char *cmd)
{
	print_cmd_usage(stdout, find_cmd(cmd), true);
	return 0;
}

int tn_usage_error(const char *cmd, const char *fmt, ...)
{
	const struct tn_cmd *c = cmd ? find_cmd(cmd) : NULL;
	va_list ap;

	va_start(ap, fmt);
	verror("", fmt, ap);
	va_end(ap);
	if (c)
		print_cmd_usage(stderr, c, false);
	else
		print_main_usage(stderr);
	return EXIT_USAGE;
}

bool tn_is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

/* getopt_long() returned @c, not an option of @cmd; opterr is 0 and the
 * optstring starts with ':', so that the message is ours.
 */
int tn_opt_error(const char *cmd, int c, char **argv)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		return tn_usage_error(cmd, "option '%s' needs an argument", arg);
	if (optopt && strncmp(arg, "--", 2))
		return tn_usage_error(cmd, "unknown option '-%c'", optopt);
	return tn_usage_error(cmd, "unknown option '%s'", arg);
}

bool tn_parse_count(const char *s, unsigned long long *val)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*val = strtoull(s, &end, 0);
	return !errno && !*end;
}

int tn_ifindex(const char *dev, unsigned int *ifindex)
{
	*ifindex = strlen(dev) < IF_NAMESIZE ? if_nametoindex(dev) : 0;
	if (!*ifindex) {
		tn_error("device '%s' not found", dev);
		return -1;
	}
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	const struct tn_cmd *c;

	if (argc < 2) {
		print_main_usage(stdout);
		return 0;
	}
	if (argc > 2)
		return tn_usage_error("help", "too many arguments");
	c = find_cmd(argv[1]);
	if (!c)
		return tn_usage_error(NULL, "unknown command '%s'", argv[1]);
	print_cmd_usage(stdout, c, true);
	return 0;
}

int main(int argc, char **argv)
{
	const struct tn_cmd *c;

	if (argc < 2)
		return tn_usage_error(NULL, "no command given");
	if (tn_is_help(argv[1])) {
		print_main_usage(stdout);
		return 0;
	}
	if (argv[1][0] == '-')
		return tn_usage_error(NULL, "unknown option '%s'", argv[1]);
	c = find_cmd(argv[1]);
	if (!c)
		return tn_usage_error(NULL, "unknown command '%s'", argv[1]);
	if (!c->fn)
		return cmd_help(argc - 1, argv + 1);
	return c->fn(argc - 1, argv + 1);
}
