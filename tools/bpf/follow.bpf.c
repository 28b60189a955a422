// SPDX-License-Identifier: GPL-2.0
/*
 * tracenetctl follow --exec PATH: the tracepoint programs that keep the
 * map of followed tasks (follow.h), built when tracenetctl is built and
 * embedded in it as a skeleton.
 *
 * Classic tracepoint programs, not tp_btf: they read the tracepoint's raw
 * record, with the field offsets tracenetctl took from the events' tracefs
 * formats (set in .rodata before the load), so they need no kernel BTF.
 * They run synchronously at the tracepoint, before the event reaches
 * tracenet's producer (perf_trace_run_bpf_submit runs them first): a
 * child is in the map before it can run, whatever CPU its first events
 * are delivered on, and the start and exit times they write are never
 * later than the time tracenet gives the exec, fork or exit event.
 *
 * Every program returns 1: a tracepoint program that returns 0 takes the
 * event away from every perf consumer, tracenet's included.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "follow.h"

/* Field offsets in the raw records, from tracefs (tracenetctl fills them). */
const volatile __u32 exec_filename_off;	/* __data_loc char[] filename */
const volatile __u32 exec_pid_off;
const volatile __u32 exec_old_pid_off;
const volatile __u32 fork_parent_pid_off;
const volatile __u32 fork_child_pid_off;
const volatile __u32 exit_pid_off;
const volatile __u32 free_pid_off;
/* CLOCK_TAI - CLOCK_REALTIME, whole seconds: BPF reads the fast TAI
 * clock, tracenet stamps events with the fast realtime one, both the
 * same monotonic clock plus an offset.
 */
const volatile __u64 tai_offset_ns;
/* The path to follow, without its NUL, and its length. */
const volatile __u32 path_len;
const volatile char path[TN_FOLLOW_PATH_MAX];

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TN_FOLLOW_MAX_TASKS);
	__type(key, __u32);
	__type(value, struct tn_follow_val);
} tn_follow SEC(".maps");

static __always_inline __u64 now(void)
{
	return bpf_ktime_get_tai_ns() - tai_offset_ns;
}

static __always_inline int field32(void *ctx, __u32 off, __u32 *val)
{
	return bpf_probe_read_kernel(val, sizeof(*val), (char *)ctx + off);
}

/* The exec'd filename is the path, byte for byte. */
static __always_inline int is_path(void *ctx)
{
	char buf[TN_FOLLOW_PATH_MAX];
	__u32 loc, i;
	long n;

	if (field32(ctx, exec_filename_off, &loc))
		return 0;
	/* __data_loc: length (NUL included) << 16 | offset in the record */
	if ((loc >> 16) != path_len + 1)
		return 0;
	n = bpf_probe_read_kernel_str(buf, sizeof(buf), (char *)ctx + (loc & 0xffff));
	if (n != (long)path_len + 1)
		return 0;
	for (i = 0; i < TN_FOLLOW_PATH_MAX && i < path_len; i++)
		if (buf[i] != path[i])
			return 0;
	return 1;
}

SEC("tracepoint/sched/sched_process_exec")
int tn_follow_exec(void *ctx)
{
	struct tn_follow_val v = { .start_ts = now() };
	__u32 pid, old_pid;

	if (field32(ctx, exec_pid_off, &pid) ||
	    field32(ctx, exec_old_pid_off, &old_pid))
		return 1;
	/* A followed task stays followed whatever it execs. */
	if (old_pid == pid && bpf_map_lookup_elem(&tn_follow, &pid))
		return 1;
	if (old_pid != pid && bpf_map_lookup_elem(&tn_follow, &old_pid)) {
		/* A followed thread that execs takes its leader's pid
		 * (de_thread): the leader has exited, its entry starts afresh,
		 * its events still queued passing as they did.
		 */
		bpf_map_delete_elem(&tn_follow, &old_pid);
		v.start_ts = 0;
	} else if (!is_path(ctx)) {
		return 1;
	}
	bpf_map_update_elem(&tn_follow, &pid, &v, BPF_ANY);
	return 1;
}

SEC("tracepoint/sched/sched_process_fork")
int tn_follow_fork(void *ctx)
{
	struct tn_follow_val v = { .start_ts = now() };
	__u32 parent, child;

	if (field32(ctx, fork_parent_pid_off, &parent) ||
	    field32(ctx, fork_child_pid_off, &child))
		return 1;
	if (bpf_map_lookup_elem(&tn_follow, &parent))
		bpf_map_update_elem(&tn_follow, &child, &v, BPF_ANY);
	else
		/* A pid reused before the free of its followed owner. */
		bpf_map_delete_elem(&tn_follow, &child);
	return 1;
}

SEC("tracepoint/sched/sched_process_exit")
int tn_follow_exit(void *ctx)
{
	struct tn_follow_val *v;
	__u32 pid;

	if (field32(ctx, exit_pid_off, &pid))
		return 1;
	v = bpf_map_lookup_elem(&tn_follow, &pid);
	if (v && !(v->flags & TN_FOLLOW_EXITED)) {
		v->exit_ts = now();
		v->flags |= TN_FOLLOW_EXITED;
	}
	return 1;
}

/* After the task was reaped and an RCU grace period: its events are
 * long delivered. An entry that is not marked exited belongs to a new
 * task that got the pid meanwhile.
 */
SEC("tracepoint/sched/sched_process_free")
int tn_follow_free(void *ctx)
{
	struct tn_follow_val *v;
	__u32 pid;

	if (field32(ctx, free_pid_off, &pid))
		return 1;
	v = bpf_map_lookup_elem(&tn_follow, &pid);
	if (v && (v->flags & TN_FOLLOW_EXITED))
		bpf_map_delete_elem(&tn_follow, &pid);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
