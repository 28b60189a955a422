/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tracenetctl follow: what the tracepoint programs (follow.bpf.c) and the
 * XDP program (ctl/fbpf.c) share, the map of followed tasks.
 *
 * Key: the task's pid as tracefs' common_pid has it (a thread id).
 * Value: struct tn_follow_val. The tracepoint programs insert a task at
 * the exec of the followed path (pending) or at its fork from a followed
 * parent, set TN_FOLLOW_EXITED at its sched_process_exit and delete it at
 * its sched_process_free. The XDP program writes start_ts, the time of
 * the exec frame of a pending task, and exit_ts, that of the exit frame
 * of an exited one, and drops the task's events before and after.
 */
#ifndef _TRACENET_FOLLOW_H
#define _TRACENET_FOLLOW_H

#include <linux/types.h>

struct tn_follow_val {
	__u64 exit_ts;		/* XDP: ts of the exit frame, 0 before */
	__u32 flags;		/* TN_FOLLOW_*, written by the tracepoints */
	__u32 pending;		/* exec'd the path, exec frame not seen yet */
	__u64 start_ts;		/* XDP: ts of that exec frame, 0 for a child */
};

#define TN_FOLLOW_EXITED	0x1	/* sched_process_exit has fired */

#define TN_FOLLOW_VAL_EXIT_TS	0	/* offsets for the XDP code */
#define TN_FOLLOW_VAL_FLAGS	8
#define TN_FOLLOW_VAL_PENDING	12
#define TN_FOLLOW_VAL_START_TS	16

#define TN_FOLLOW_PATH_MAX	256	/* bytes of the path, its NUL included */
#define TN_FOLLOW_MAX_TASKS	32768	/* tasks followed at once */
#define TN_FOLLOW_MAP_NAME	"tn_follow"

#endif /* _TRACENET_FOLLOW_H */
