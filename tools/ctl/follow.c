// SPDX-License-Identifier: GPL-2.0
/*
 * tracenetctl follow: only the events of the processes that exec'd a
 * program, and of their children, until they exit.
 *
 *   follow DEV --exec PATH     start following on DEV
 *   follow DEV --off           stop
 *   follow DEV                 the follow in force and its tasks
 *
 * Two halves (Documentation/tracenet.rst, "Follow"):
 *
 * - tracepoint programs on sched_process_exec/fork/exit/free (built from
 *   tools/bpf/follow.bpf.c with tracenetctl, embedded as a skeleton) keep
 *   a hash map of the followed tasks, synchronously at the tracepoints;
 *   their links and the map are pinned under /sys/fs/bpf/tracenet/DEV, so
 *   they outlive this process;
 * - the filter program of DEV (filter.c, fbpf.c) gets a prologue that
 *   drops the events of tasks not in the map, and those of a task from
 *   before its exec or fork and after its exit. follow attaches
 *   sched_process_exec and sched_process_exit to DEV if they are not: a
 *   reader sees where each followed task starts and ends.
 *
 * The follow is recorded in the filter program's map, so that filter
 * commands rebuild the program keeping it and --show prints it.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <event-parse.h>
#include "tracenetctl.h"
#include "filter.h"
#include "fdev.h"
#include "query.h"
#include "../bpf/follow.h"
#include "follow.skel.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON	38
#endif
#ifndef CAP_BPF
#define CAP_BPF		39
#endif
#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC	0xcafe4a11
#endif

#define BPFFS		"/sys/fs/bpf"
#define PIN_ROOT	BPFFS "/tracenet"
#define EXIT_EVENT	"sched:sched_process_exit"
#define EXEC_EVENT	"sched:sched_process_exec"

/* The pins of a follow: the map, then one link per tracepoint. */
static const char *const pin_names[] = { "pids", "exec", "fork", "exit", "free" };
static const char *const tracepoints[] = {
	"sched_process_exec", "sched_process_fork", "sched_process_exit",
	"sched_process_free",
};

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level != LIBBPF_WARN)
		return 0;
	fprintf(stderr, "libbpf: ");
	return vfprintf(stderr, fmt, ap);
}

static bool has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return d[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap);
}

/* Said up front, rather than as the EPERM of whichever step fails first. */
static int check_caps(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { { 0 } };
	char missing[64] = "";
	bool admin;

	if (syscall(SYS_capget, &h, d))
		return 0;		/* the kernel will say */
	admin = has_cap(d, CAP_SYS_ADMIN);
	if (!admin && !has_cap(d, CAP_BPF))
		strcat(missing, " CAP_BPF");
	if (!admin && !has_cap(d, CAP_PERFMON))
		strcat(missing, " CAP_PERFMON");
	if (!has_cap(d, CAP_NET_ADMIN))
		strcat(missing, " CAP_NET_ADMIN");
	if (!missing[0])
		return 0;
	tn_error("permission denied: follow needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN), and CAP_NET_ADMIN; missing:%s",
		 missing);
	return -1;
}

static int check_bpffs(void)
{
	struct statfs st;

	if (statfs(BPFFS, &st) || st.f_type != BPF_FS_MAGIC) {
		tn_error("no BPF file system on %s, where follow pins its programs (mount -t bpf bpf %s)",
			 BPFFS, BPFFS);
		return -1;
	}
	return 0;
}

/* ---- the tracepoints' formats ------------------------------------------ */

struct offsets {
	uint32_t exec_filename, exec_pid, exec_old_pid;
	uint32_t fork_parent, fork_child;
	uint32_t exit_pid, free_pid;
	uint32_t exit_id, exec_id;
};

/* CLOCK_TAI - CLOCK_REALTIME, a whole number of seconds (adjtimex). */
static uint64_t tai_offset_ns(void)
{
	struct timespec real, tai;
	int64_t d;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_TAI, &tai);
	d = (int64_t)(tai.tv_sec - real.tv_sec) * 1000000000 +
	    (tai.tv_nsec - real.tv_nsec);
	return (uint64_t)((d + 500000000) / 1000000000 * 1000000000);
}

static int field_off(const struct tn_evdesc *d, const char *field, bool dyn,
		     uint32_t *off)
{
	struct tep_format_field *f = tep_find_field(d->event, field);

	if (!f || f->size != 4 || !(f->flags & TEP_FIELD_IS_DYNAMIC) != !dyn ||
	    f->offset < 8 || f->offset > 0xfff0) {
		tn_error("'%s:%s' has no %s field '%s' in its tracefs format: cannot follow",
			 d->system, d->name, dyn ? "__data_loc" : "4-byte",
			 field);
		return -1;
	}
	*off = (uint32_t)f->offset;
	return 0;
}

static int read_offsets(struct offsets *o)
{
	struct tep_handle *tep = tn_tep_new();
	struct tn_evdesc d[4];
	unsigned int i, n = 0;
	int ret = -1;

	if (!tep)
		return -1;
	for (n = 0; n < 4; n++)
		if (tn_event_load(tep, "sched", tracepoints[n], &d[n]))
			goto out;
	if (field_off(&d[0], "filename", true, &o->exec_filename) ||
	    field_off(&d[0], "pid", false, &o->exec_pid) ||
	    field_off(&d[0], "old_pid", false, &o->exec_old_pid) ||
	    field_off(&d[1], "parent_pid", false, &o->fork_parent) ||
	    field_off(&d[1], "child_pid", false, &o->fork_child) ||
	    field_off(&d[2], "pid", false, &o->exit_pid) ||
	    field_off(&d[3], "pid", false, &o->free_pid))
		goto out;
	o->exit_id = (uint32_t)d[2].event->id;
	o->exec_id = (uint32_t)d[0].event->id;
	ret = 0;
out:
	for (i = 0; i < n; i++)
		tn_event_release(&d[i]);
	tep_free(tep);
	return ret;
}

/* ---- the tracepoint programs and their pins ---------------------------- */

static void unpin_dir(const char *dir)
{
	char p[128];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pin_names); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, pin_names[i]);
		if (unlink(p) && errno != ENOENT)
			tn_warn("cannot remove %s: %s", p, strerror(errno));
	}
	if (rmdir(dir) && errno != ENOENT)
		tn_warn("cannot remove %s: %s", dir, strerror(errno));
	rmdir(PIN_ROOT);	/* if it is empty now */
}

/* Load, attach and pin the tracepoint programs; the map's fd, or -1. */
static int load_follow(const char *path, const struct offsets *o,
		       const char *dir)
{
	struct bpf_link *links[ARRAY_SIZE(tracepoints)] = { NULL };
	struct bpf_program *progs[ARRAY_SIZE(tracepoints)];
	struct follow_bpf *skel;
	unsigned int i;
	int map_fd = -1;
	char p[128];

	libbpf_set_print(libbpf_print);
	skel = follow_bpf__open();
	if (!skel) {
		tn_error("cannot open the follow programs: %s", strerror(errno));
		return -1;
	}
	skel->rodata->exec_filename_off = o->exec_filename;
	skel->rodata->exec_pid_off = o->exec_pid;
	skel->rodata->exec_old_pid_off = o->exec_old_pid;
	skel->rodata->fork_parent_pid_off = o->fork_parent;
	skel->rodata->fork_child_pid_off = o->fork_child;
	skel->rodata->exit_pid_off = o->exit_pid;
	skel->rodata->free_pid_off = o->free_pid;
	skel->rodata->tai_offset_ns = tai_offset_ns();
	skel->rodata->path_len = (uint32_t)strlen(path);
	memcpy((char *)skel->rodata->path, path, strlen(path));
	if (follow_bpf__load(skel)) {
		tn_error("cannot load the follow programs: %s%s", strerror(errno),
			 errno == EPERM ? " (needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)" : "");
		goto fail;
	}
	if (mkdir(PIN_ROOT, 0700) && errno != EEXIST) {
		tn_error("cannot create %s: %s", PIN_ROOT, strerror(errno));
		goto fail;
	}
	if (mkdir(dir, 0700)) {
		if (errno == EEXIST)
			tn_error("%s exists: the pins of another follow of a device of that name (deleted, renamed, or in another netns); remove them with 'rm -r %s'",
				 dir, dir);
		else
			tn_error("cannot create %s: %s", dir, strerror(errno));
		goto fail;
	}
	progs[0] = skel->progs.tn_follow_exec;
	progs[1] = skel->progs.tn_follow_fork;
	progs[2] = skel->progs.tn_follow_exit;
	progs[3] = skel->progs.tn_follow_free;
	for (i = 0; i < ARRAY_SIZE(tracepoints); i++) {
		links[i] = bpf_program__attach_tracepoint(progs[i], "sched",
							  tracepoints[i]);
		if (!links[i]) {
			tn_error("cannot attach the follow program to sched:%s: %s",
				 tracepoints[i], strerror(errno));
			goto unpin;
		}
		snprintf(p, sizeof(p), "%s/%s", dir, pin_names[i + 1]);
		if (bpf_link__pin(links[i], p)) {
			tn_error("cannot pin %s: %s", p, strerror(errno));
			goto unpin;
		}
	}
	snprintf(p, sizeof(p), "%s/%s", dir, pin_names[0]);
	if (bpf_map__pin(skel->maps.tn_follow, p)) {
		tn_error("cannot pin %s: %s", p, strerror(errno));
		goto unpin;
	}
	map_fd = dup(bpf_map__fd(skel->maps.tn_follow));
	if (map_fd < 0) {
		tn_error("dup: %s", strerror(errno));
		goto unpin;
	}
	/* The pins hold the links now: closing ours must not detach them. */
	for (i = 0; i < ARRAY_SIZE(links); i++) {
		bpf_link__disconnect(links[i]);
		bpf_link__destroy(links[i]);
	}
	follow_bpf__destroy(skel);
	return map_fd;
unpin:
	for (i = 0; i < ARRAY_SIZE(links); i++)
		bpf_link__destroy(links[i]);
	unpin_dir(dir);
fail:
	follow_bpf__destroy(skel);
	return -1;
}

/* ---- the commands ------------------------------------------------------ */

struct ctx {
	const char *dev;
	unsigned int ifindex;
	struct tn_nl nl;
	bool nl_open;
	struct tn_devinfo *info;
	struct tn_fdev *fdev;
};

/* A tracenet device (the kernel says so), the privileges, bpffs, and the
 * program on it.
 */
static int open_dev(struct ctx *c, bool need_caps)
{
	int err;

	if (tn_nl_open(&c->nl))
		return -1;
	c->nl_open = true;
	err = tn_query_events(&c->nl, c->ifindex, &c->info);
	if (err) {
		tn_nl_report(&c->nl, err, c->dev, "listing");
		return -1;
	}
	if (!c->info || c->info->ifindex != c->ifindex) {
		tn_error("%s is not a tracenet device", c->dev);
		return -1;
	}
	if (need_caps && (check_caps() || check_bpffs()))
		return -1;
	c->fdev = tn_fdev_open(c->dev, c->ifindex);
	return c->fdev ? 0 : -1;
}

static void close_dev(struct ctx *c)
{
	tn_fdev_close(c->fdev);
	tn_devinfo_free(c->info);
	if (c->nl_open)
		tn_nl_close(&c->nl);
}

static bool event_attached(const struct ctx *c, uint32_t id)
{
	const struct tn_devinfo *i;
	unsigned int k;

	for (i = c->info; i; i = i->next)
		for (k = 0; k < i->nevents; k++)
			if (i->events[k].id == id)
				return true;
	return false;
}

static int do_exec(struct ctx *c, const char *path)
{
	const struct tn_ffollow *cur;
	struct tn_ffollow fl;
	struct offsets o;
	unsigned int attached = 0;
	int map_fd = -1, ret = 1;

	if (open_dev(c, true))
		return 1;
	cur = tn_fdev_follow(c->fdev, NULL);
	if (cur) {
		tn_error("%s already follows --exec %s: '%s follow %s --off' first",
			 c->dev, cur->path, PROG, c->dev);
		return 1;
	}
	if (access(path, X_OK))
		tn_warn("%s: %s (followed when something execs it)", path,
			strerror(errno));
	if (read_offsets(&o))
		return 1;
	memset(&fl, 0, sizeof(fl));
	snprintf(fl.path, sizeof(fl.path), "%s", path);
	snprintf(fl.pins, sizeof(fl.pins), "%s/%s", PIN_ROOT, c->dev);
	fl.exit_id = o.exit_id;
	fl.exec_id = o.exec_id;
	map_fd = load_follow(path, &o, fl.pins);
	if (map_fd < 0)
		return 1;
	if (!event_attached(c, o.exec_id)) {
		if (tn_attach_event(c->dev, c->ifindex, EXEC_EVENT))
			goto undo;
		attached |= TN_FFOLLOW_ATTACHED_EXEC;
	}
	if (!event_attached(c, o.exit_id)) {
		if (tn_attach_event(c->dev, c->ifindex, EXIT_EVENT))
			goto undo;
		attached |= TN_FFOLLOW_ATTACHED_EXIT;
	}
	fl.flags |= attached;
	if (tn_fdev_install(c->fdev, &fl, map_fd))
		goto undo;
	if (attached)
		fprintf(stderr, "%s: attached%s%s to %s: follow starts a task at its exec event and ends it at its exit event\n",
			PROG, attached & TN_FFOLLOW_ATTACHED_EXEC ? " " EXEC_EVENT : "",
			attached & TN_FFOLLOW_ATTACHED_EXIT ? " " EXIT_EVENT : "",
			c->dev);
	ret = 0;
	goto out;
undo:
	if (attached & TN_FFOLLOW_ATTACHED_EXEC)
		tn_detach_event(&c->nl, c->dev, c->ifindex, o.exec_id);
	if (attached & TN_FFOLLOW_ATTACHED_EXIT)
		tn_detach_event(&c->nl, c->dev, c->ifindex, o.exit_id);
	unpin_dir(fl.pins);
out:
	close(map_fd);
	return ret;
}

static int do_off(struct ctx *c)
{
	const struct tn_ffollow *cur;
	struct tn_ffollow fl;
	char dir[sizeof(fl.pins)];

	if (open_dev(c, true))
		return 1;
	cur = tn_fdev_follow(c->fdev, NULL);
	if (!cur) {
		snprintf(dir, sizeof(dir), "%s/%s", PIN_ROOT, c->dev);
		if (access(dir, F_OK)) {
			tn_error("%s has no follow", c->dev);
			return 1;
		}
		unpin_dir(dir);
		fprintf(stderr, "%s: %s has no follow; removed the stale pins in %s\n",
			PROG, c->dev, dir);
		return 0;
	}
	fl = *cur;
	if (tn_fdev_install(c->fdev, NULL, -1))
		return 1;
	unpin_dir(fl.pins);
	if ((fl.flags & TN_FFOLLOW_ATTACHED_EXEC) &&
	    tn_detach_event(&c->nl, c->dev, c->ifindex, fl.exec_id))
		return 1;
	if ((fl.flags & TN_FFOLLOW_ATTACHED_EXIT) &&
	    tn_detach_event(&c->nl, c->dev, c->ifindex, fl.exit_id))
		return 1;
	if (fl.flags & (TN_FFOLLOW_ATTACHED_EXEC | TN_FFOLLOW_ATTACHED_EXIT))
		fprintf(stderr, "%s: detached%s%s from %s, which follow had attached\n",
			PROG, fl.flags & TN_FFOLLOW_ATTACHED_EXEC ? " " EXEC_EVENT : "",
			fl.flags & TN_FFOLLOW_ATTACHED_EXIT ? " " EXIT_EVENT : "",
			c->dev);
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int do_show(struct ctx *c)
{
	const struct tn_ffollow *cur;
	uint32_t *pids = NULL, key, next, n = 0, i;
	void *prev = NULL;
	int map_fd;

	if (open_dev(c, false))
		return 1;
	cur = tn_fdev_follow(c->fdev, &map_fd);
	if (!cur)
		return 0;
	pids = calloc(TN_FOLLOW_MAX_TASKS, sizeof(*pids));
	if (!pids) {
		tn_error("out of memory");
		return 1;
	}
	while (n < TN_FOLLOW_MAX_TASKS && !bpf_map_get_next_key(map_fd, prev, &next)) {
		pids[n++] = next;
		key = next;
		prev = &key;
	}
	qsort(pids, n, sizeof(*pids), cmp_u32);
	printf("follow --exec %s\n", cur->path);
	printf("pins: %s%s\n", cur->pins,
	       access(cur->pins, F_OK) ? " (missing: nothing feeds the map)" : "");
	printf("tasks: %u", n);
	for (i = 0; i < n; i++)
		printf(" %u", pids[i]);
	printf("\n");
	free(pids);
	return 0;
}

int cmd_follow(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "exec", required_argument, NULL, 'e' },
		{ "off", no_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctx c = { .dev = NULL };
	const char *path = NULL;
	bool off = false;
	int ch, ret;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":he:o", opts, NULL)) != -1) {
		switch (ch) {
		case 'h': return tn_help("follow");
		case 'e': path = optarg; break;
		case 'o': off = true; break;
		default: return tn_opt_error("follow", ch, argv);
		}
	}
	if (path && off)
		return tn_usage_error("follow", "--exec and --off exclude each other");
	if (optind >= argc)
		return tn_usage_error("follow", "no device given");
	if (optind + 1 < argc)
		return tn_usage_error("follow", "unexpected argument '%s'", argv[optind + 1]);
	if (path && !path[0])
		return tn_usage_error("follow", "--exec: empty path");
	if (path && path[0] != '/')
		return tn_usage_error("follow", "--exec: '%s' is not an absolute path (the exec'd filename is matched as given to execve, e.g. /usr/bin/wget)",
				      path);
	if (path && strlen(path) >= TN_FOLLOW_PATH_MAX)
		return tn_usage_error("follow", "--exec: path longer than %d bytes",
				      TN_FOLLOW_PATH_MAX - 1);
	c.dev = argv[optind];
	if (tn_ifindex(c.dev, &c.ifindex))
		return 1;
	if (path)
		ret = do_exec(&c, path);
	else if (off)
		ret = do_off(&c);
	else
		ret = do_show(&c);
	close_dev(&c);
	return ret;
}
