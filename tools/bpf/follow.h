/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tracenetctl follow: what the tracepoint programs (follow.bpf.c) and the
 * XDP program (ctl/fbpf.c) share, the map of followed tasks.
 *
 * Key: the task's pid as tracefs' common_pid has it (a thread id).
 * Value: struct tn_follow_val, written by the tracepoint programs only:
 * they insert a task at the exec of the followed path or at its fork from
 * a followed parent (start_ts), mark it exited at its sched_process_exit
 * (exit_ts) and delete it at its sched_process_free. The XDP program reads
 * it and drops the task's events from before the start and after the exit.
 * The times are CLOCK_REALTIME, the frames' clock, taken at the tracepoint
 * before tracenet's producer takes the event's time.
 */
#ifndef _TRACENET_FOLLOW_H
#define _TRACENET_FOLLOW_H

#include <linux/types.h>

struct tn_follow_val {
	__u64 start_ts;		/* time of the exec or fork */
	__u64 exit_ts;		/* time of the exit, 0 before */
	__u32 flags;		/* TN_FOLLOW_* */
	__u32 reserved;
};

#define TN_FOLLOW_EXITED	0x1	/* sched_process_exit has fired */

#define TN_FOLLOW_VAL_START_TS	0	/* offsets for the XDP code */
#define TN_FOLLOW_VAL_EXIT_TS	8

#define TN_FOLLOW_PATH_MAX	256	/* bytes of the path, its NUL included */
#define TN_FOLLOW_MAX_TASKS	32768	/* tasks followed at once */
#define TN_FOLLOW_MAP_NAME	"tn_follow"

#endif /* _TRACENET_FOLLOW_H */
