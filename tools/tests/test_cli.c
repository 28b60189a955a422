// SPDX-License-Identifier: GPL-2.0
/*
 * The tracenetctl binary: argument errors (exit 2 with usage), the errors
 * that name what was wrong (exit 1), list against the host's tracefs when
 * there is one, and dump -r on pcap files written here.
 */
#include <fcntl.h>
#include <pcap/pcap.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <tracefs.h>
#include "enc.h"
#include "tap.h"
#include "wire.h"

#define TS	1700000000123456789ULL

static char tmpdir[] = "/tmp/tracenetctl-test.XXXXXX";

/* Exit status @status and @needle on stderr (or stdout if @on_out). */
static void expect(struct ctl_result r, int status, const char *needle,
		   bool on_out, const char *desc)
{
	const char *text = on_out ? r.out : r.err;
	bool pass = r.status == status && strstr(text, needle);

	tap_ok(pass, "%s", desc);
	if (!pass)
		tap_diag("exit %d (want %d), stdout '%s', stderr '%s', want '%s'",
			 r.status, status, r.out, r.err, needle);
	ctl_result_free(&r);
}

static void test_usage(void)
{
	expect(ctl_run(tmpdir, NULL), 2, "Usage: tracenetctl COMMAND", false,
	       "no command: usage on stderr, exit 2");
	expect(ctl_run(tmpdir, "--help", NULL), 0, "Commands:", true, "--help: exit 0");
	expect(ctl_run(tmpdir, "help", "dump", NULL), 0, "Usage: tracenetctl dump", true,
	       "help dump");
	expect(ctl_run(tmpdir, "attach", "-h", NULL), 0, "Usage: tracenetctl attach DEV EVENT...",
	       true, "attach -h");
	expect(ctl_run(tmpdir, "bogus", NULL), 2, "tracenetctl: unknown command 'bogus'", false,
	       "unknown command: exit 2");
	expect(ctl_run(tmpdir, "--bogus", NULL), 2, "unknown option '--bogus'", false,
	       "unknown global option: exit 2");
	expect(ctl_run(tmpdir, "attach", NULL), 2,
	       "tracenetctl: no device given\nUsage: tracenetctl attach DEV EVENT...",
	       false, "attach without a device: usage, exit 2");
	expect(ctl_run(tmpdir, "attach", "lo", NULL), 2, "tracenetctl: no event given", false,
	       "attach without an event: exit 2");
	expect(ctl_run(tmpdir, "attach", "-x", "lo", "a:b", NULL), 2, "unknown option '-x'",
	       false, "attach -x: exit 2");
	expect(ctl_run(tmpdir, "detach", "lo", NULL), 2, "no event given (or --all)", false,
	       "detach without events or --all: exit 2");
	expect(ctl_run(tmpdir, "detach", "lo", "--all", "sched:sched_switch", NULL), 2,
	       "events given with --all", false, "detach --all with events: exit 2");
	expect(ctl_run(tmpdir, "status", "a", "b", NULL), 2, "too many arguments", false,
	       "status with two devices: exit 2");
	expect(ctl_run(tmpdir, "list", "--bogus", NULL), 2, "unknown option '--bogus'", false,
	       "list --bogus: exit 2");
	expect(ctl_run(tmpdir, "dump", "-c", "0", NULL), 2, "bad count '0'", false,
	       "dump -c 0: exit 2");
	expect(ctl_run(tmpdir, "dump", "-c", NULL), 2, "option '-c' needs an argument", false,
	       "dump -c without a count: exit 2");
	expect(ctl_run(tmpdir, "dump", "-i", "x", "-r", "y", NULL), 2,
	       "-i and -r exclude each other", false, "dump -i with -r: exit 2");
}

static void test_errors(bool have_tracefs)
{
	expect(ctl_run(tmpdir, "attach", "trace9", "sched:sched_switch", NULL), 1,
	       "tracenetctl: device 'trace9' not found\n", false,
	       "attach to a missing device: named, exit 1");
	expect(ctl_run(tmpdir, "detach", "trace9", "--all", NULL), 1,
	       "tracenetctl: device 'trace9' not found\n", false,
	       "detach from a missing device: named, exit 1");
	expect(ctl_run(tmpdir, "status", "trace9", NULL), 1,
	       "tracenetctl: device 'trace9' not found\n", false,
	       "status of a missing device: named, exit 1");
	expect(ctl_run(tmpdir, "attach", "lo", "nocolon", NULL), 1,
	       "tracenetctl: invalid event 'nocolon' (expected system:name)", false,
	       "attach with a malformed event name: named, exit 1");
	expect(ctl_run(tmpdir, "attach", "lo", "sched/../..", NULL), 1,
	       "invalid event 'sched/../..'", false,
	       "attach refuses paths out of tracefs' events/");
	expect(ctl_run(tmpdir, "dump", "-r", "/nonexistent.pcap", NULL), 1,
	       "/nonexistent.pcap", false, "dump -r of a missing file: exit 1");
	expect(ctl_run(tmpdir, "dump", "-i", "nosuchdev0", NULL), 1,
	       "tracenetctl: device 'nosuchdev0' not found", false,
	       "dump -i of a missing device: named, exit 1");
	if (!have_tracefs) {
		tap_skip("no tracefs", "attach lo sched:nosuch: unknown event");
		tap_skip("no tracefs", "attach: the second event is checked too");
		return;
	}
	expect(ctl_run(tmpdir, "attach", "lo", "sched:nosuch", NULL), 1,
	       "tracenetctl: unknown event 'sched:nosuch'\n", false,
	       "attach lo sched:nosuch: unknown event, exit 1");
	expect(ctl_run(tmpdir, "attach", "lo", "sched:sched_switch", "sched/nosuch2", NULL), 1,
	       "tracenetctl: unknown event 'sched:nosuch2'\n", false,
	       "attach: every event is checked before anything is sent");
	expect(ctl_run(tmpdir, "attach", "lo", "sched:sched_switch", "sched/sched_switch", NULL), 1,
	       "event 'sched:sched_switch' given twice", false,
	       "attach: the same event twice is refused");
}

static bool have_family(void)
{
	struct ctl_result r = ctl_run(tmpdir, "status", NULL);
	bool missing = strstr(r.err, "tracenet module not loaded");

	ctl_result_free(&r);
	return !missing;
}

static void test_no_module(bool have_tracefs)
{
	if (have_family()) {
		tap_skip("the tracenet module is loaded", "no module: named");
		return;
	}
	if (have_tracefs)
		expect(ctl_run(tmpdir, "attach", "lo", "sched:sched_switch", NULL), 1,
		       "tracenetctl: tracenet module not loaded (no generic netlink family 'tracenet')",
		       false, "attach without the module: named, exit 1");
	else
		expect(ctl_run(tmpdir, "status", NULL), 1, "tracenet module not loaded",
		       false, "status without the module: named, exit 1");
}

static void test_list(bool have_tracefs)
{
	if (!have_tracefs) {
		tap_skip("no tracefs", "list sched:sched_switch");
		tap_skip("no tracefs", "list -v sched/sched_process_exec");
		tap_skip("no tracefs", "list of nothing");
		return;
	}
	expect(ctl_run(tmpdir, "list", "sched:sched_switch", NULL), 0, "sched:sched_switch id=",
	       true, "list sched:sched_switch: one line with its id");
	expect(ctl_run(tmpdir, "list", "-v", "sched/sched_process_exec", NULL), 0,
	       "\t__data_loc char[]        filename                 offset=8 size=4 signed=0 dynamic string array\n",
	       true, "list -v sched/sched_process_exec: its __data_loc field");
	expect(ctl_run(tmpdir, "list", "nosuch*event", NULL), 1,
	       "tracenetctl: no event matches 'nosuch*event'", false,
	       "list of nothing: named, exit 1");
}

/* ---- dump -r ------------------------------------------------------- */

static void dump_frame(pcap_dumper_t *d, const struct enc *e, uint64_t ts)
{
	struct pcap_pkthdr h = { .caplen = (bpf_u_int32)e->len,
				 .len = (bpf_u_int32)e->len };

	h.ts.tv_sec = (time_t)(ts / 1000000000ULL);
	h.ts.tv_usec = (suseconds_t)(ts % 1000000000ULL);	/* nanosecond file */
	pcap_dump((u_char *)d, &h, e->buf);
}

static void meta_frame(struct enc *e)
{
	char *fmt = read_fixture("sched_process_exec.format", NULL);
	size_t m;

	enc_init(e);
	enc_eth(e, enc_mac);
	enc_hdr(e, TRACENET_FRAME_META, TRACENET_F_LONG64, 0, 1, 0);
	m = enc_meta(e, 365);
	enc_meta_str(e, TRACENET_META_SYSTEM, "sched");
	enc_meta_str(e, TRACENET_META_NAME, "sched_process_exec");
	enc_meta_str(e, TRACENET_META_FORMAT, fmt ? fmt : "");
	enc_end(e, m);	/* no field records: the format's order */
	free(fmt);
}

static void event_frame(struct enc *e, uint64_t seq, uint32_t pid)
{
	size_t ev;

	enc_init(e);
	enc_eth(e, enc_mac);
	enc_hdr(e, TRACENET_FRAME_EVENTS, TRACENET_F_LONG64, 1, 1, seq);
	ev = enc_event(e, 365, TS, pid, "true", 3);
	enc_tlv(e, 0, "/bin/true", 10);
	enc_tlv_le32(e, 1, pid);
	enc_tlv_le32(e, 2, pid);
	enc_end(e, ev);
}

/* @late: the metadata after the first two event frames, as a capture
 * that starts between two metadata frames sees it.
 */
static bool write_pcap(const char *path, bool late)
{
	pcap_t *p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 262144,
							 PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *d = p ? pcap_dump_open(p, path) : NULL;
	struct enc *e = calloc(1, sizeof(*e));

	if (!d || !e) {
		free(e);
		return false;
	}
	if (!late) {
		meta_frame(e);
		dump_frame(d, e, TS);
	}
	event_frame(e, 0, 5);
	dump_frame(d, e, TS);
	event_frame(e, 1, 6);
	dump_frame(d, e, TS);
	if (late) {
		meta_frame(e);
		dump_frame(d, e, TS);
	}
	event_frame(e, 4, 7);
	dump_frame(d, e, TS);
	e->len = 20;				/* truncated */
	dump_frame(d, e, TS);
	pcap_dump_close(d);
	pcap_close(p);
	free(e);
	return true;
}

#define LINE(pid) "            true-" #pid "     [001] 1700000000.123457: " \
	"sched_process_exec:   filename=/bin/true pid=" #pid " old_pid=" #pid "\n"

static void test_dump(void)
{
	char file[256], copy[256], late[256];
	struct ctl_result r;

	snprintf(file, sizeof(file), "%s/frames.pcap", tmpdir);
	snprintf(copy, sizeof(copy), "%s/copy.pcap", tmpdir);
	snprintf(late, sizeof(late), "%s/late.pcap", tmpdir);
	if (!tap_ok(write_pcap(file, false) && write_pcap(late, true),
		    "pcap files of tracenet frames written"))
		return;
	r = ctl_run(tmpdir, "dump", "-r", file, "-w", copy, NULL);
	tap_is_str(r.out, LINE(5) LINE(6) "CPU:1 [2 EVENTS DROPPED]\n" LINE(7),
		   "dump -r: events as trace-cmd lines, the gap as trace-cmd marks it");
	tap_ok(r.status == 0 &&
	       strstr(r.err, "warning: frame 5: malformed: truncated tracenet header (6 of 16 bytes)") &&
	       strstr(r.err, "tracenetctl: 2 events lost (sequence gaps)"),
	       "dump -r: exit 0, warnings and the loss summary on stderr");
	ctl_result_free(&r);
	r = ctl_run(tmpdir, "dump", "-r", copy, "-c", "2", NULL);
	tap_is_str(r.out, LINE(5) LINE(6), "dump -w wrote the frames; -c 2 stops after two events");
	ctl_result_free(&r);
	r = ctl_run(tmpdir, "dump", "-r", late, NULL);
	tap_is_str(r.out, LINE(5) LINE(6) "CPU:1 [2 EVENTS DROPPED]\n" LINE(7),
		   "dump -r, metadata after events: they wait for it, same lines");
	tap_ok(r.status == 0 && !strstr(r.err, "no metadata") &&
	       strstr(r.err, "warning: frame 5: malformed: truncated tracenet header"),
	       "dump -r, metadata after events: nothing skipped");
	ctl_result_free(&r);
	r = ctl_run(tmpdir, "dump", "-r", late, "-c", "1", NULL);
	tap_is_str(r.out, LINE(5), "dump -r -c 1, metadata after events: one line");
	ctl_result_free(&r);
}

/* A capture whose metadata crashes libtraceevent: a format cut inside a
 * field (its parser), a print fmt that divides by a field that is 0 (its
 * printer), amid good frames.
 */
static bool write_hostile_pcap(const char *path)
{
	pcap_t *p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 262144,
							 PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *d = p ? pcap_dump_open(p, path) : NULL;
	struct enc *e = calloc(1, sizeof(*e));
	char *cut = hostile_format(400, "cut", NULL, "field:char comm[");
	char *div = hostile_format(402, "div", "\"prio=%d\", REC->prio / REC->target_cpu",
				   NULL);
	bool ok = d && e && cut && div;

	if (ok) {
		meta_frame(e);
		dump_frame(d, e, TS);
		enc_meta_frame(e, enc_mac, 400, "cut", cut);
		dump_frame(d, e, TS);
		enc_meta_frame(e, enc_mac, 402, "div", div);
		dump_frame(d, e, TS);
		event_frame(e, 0, 5);
		dump_frame(d, e, TS);
		enc_wakeup_frame(e, enc_mac, 400, 0, 8, 0);
		dump_frame(d, e, TS);
		enc_wakeup_frame(e, enc_mac, 402, 1, 9, 0);
		dump_frame(d, e, TS);
		event_frame(e, 1, 6);
		dump_frame(d, e, TS);
	}
	if (d)
		pcap_dump_close(d);
	if (p)
		pcap_close(p);
	free(cut);
	free(div);
	free(e);
	return ok;
}

static void test_dump_hostile(void)
{
	char file[256];
	struct ctl_result r;

	snprintf(file, sizeof(file), "%s/hostile.pcap", tmpdir);
	if (!tap_ok(write_hostile_pcap(file), "pcap file with hostile formats written"))
		return;
	r = ctl_run(tmpdir, "dump", "-r", file, NULL);
	tap_ok(r.status == 0, "dump -r, hostile formats: no crash, exit 0 (got %d)",
	       r.status);
	tap_is_str(r.out, LINE(5)
		   "            bash-9     [002] 1700000000.123457: div:                   comm=kworker/1:2 pid=9 prio=120 target_cpu=0\n"
		   LINE(6),
		   "dump -r, hostile formats: the other events print, the dividing one as fields");
	tap_is_str(r.err,
		   "tracenetctl: warning: frame 2: refusing the format of x:cut (id 400): libtraceevent crashed parsing it (Segmentation fault)\n"
		   "tracenetctl: warning: frame 3: event x:div (id 402): its print fmt divides by target_cpu, which can be 0: printing its fields instead\n"
		   "tracenetctl: warning: frame 5: no usable metadata for event id 400 (x:cut): skipping its events\n"
		   "tracenetctl: 1 events skipped: no metadata for their event id\n"
		   "tracenetctl: 1 event formats refused: libtraceevent crashed parsing them\n"
		   "tracenetctl: 1 event formats printed as fields: their print fmt was unusable\n",
		   "dump -r, hostile formats: warnings name the events and why");
	ctl_result_free(&r);
}

static void cleanup(void)
{
	char path[256];
	static const char *const files[] = {
		"stdout", "stderr", "frames.pcap", "copy.pcap", "late.pcap",
		"hostile.pcap",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
		unlink(path);
	}
	rmdir(tmpdir);
}

void test_cli(void)
{
	bool have_tracefs;

	tap_diag("tracenetctl: command line");
	if (!mkdtemp(tmpdir)) {
		tap_ok(false, "temporary directory");
		return;
	}
	have_tracefs = tracefs_tracing_dir() &&
		       tracefs_event_file_exists(NULL, "sched", "sched_switch", "format");
	test_usage();
	test_errors(have_tracefs);
	test_no_module(have_tracefs);
	test_list(have_tracefs);
	test_dump();
	test_dump_hostile();
	cleanup();
}
