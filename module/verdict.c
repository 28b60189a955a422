// SPDX-License-Identifier: GPL-2.0
/*
 * The producer's verdict: a filter run on the raw record before it is
 * buffered, so that an event the filter rejects costs no buffer space, no
 * sequence number, no poll and no frame. It is a BPF program of type
 * tracepoint (whose context is that record, as perf_trace_run_bpf_submit()
 * gives it), loaded by user space (tracenetctl filter compiles ftrace's
 * filter language into one) and handed down by fd for one event of one
 * device. Not attached to the tracepoint itself: a program there decides
 * for every perf user of the host, this one for trace0 alone.
 */
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/trace_events.h>
#include "tracenet.h"

/* Under tn_mutex. @fd < 0 removes the event's program. */
int tn_verdict_set(struct tn_event *ev, int fd, struct netlink_ext_ack *extack)
{
	struct bpf_prog *prog = NULL, *old;

	lockdep_assert_held(&tn_mutex);
	if (fd >= 0) {
		prog = bpf_prog_get_type_dev(fd, BPF_PROG_TYPE_TRACEPOINT, false);
		if (IS_ERR(prog)) {
			NL_SET_ERR_MSG_MOD(extack, "not a BPF program of type tracepoint");
			return PTR_ERR(prog);
		}
	}
	old = rcu_replace_pointer(ev->verdict, prog, lockdep_is_held(&tn_mutex));
	if (old) {
		/* Handlers on other CPUs may be running it. */
		synchronize_rcu();
		bpf_prog_put(old);
	}
	return 0;
}

/* When @ev is freed, after the grace period that follows its detach. */
void tn_verdict_release(struct tn_event *ev)
{
	struct bpf_prog *prog = rcu_dereference_protected(ev->verdict, true);

	if (prog)
		bpf_prog_put(prog);
}

u32 tn_verdict_id(const struct tn_event *ev)
{
	struct bpf_prog *prog = rcu_dereference_protected(ev->verdict,
						lockdep_is_held(&tn_mutex));

	return prog ? prog->aux->id : 0;
}

/* From the overflow handler, any context. The program reads the record as
 * a tracepoint program does: from offset 8 (the common header holds the
 * pt_regs pointer its helpers take the registers from) up to
 * PERF_MAX_TRACE_SIZE, which perf's record buffers have. The header is
 * put back for the perf users after us: perf_tp_event() wrote it for them.
 */
bool tn_verdict_pass(struct tn_event *ev, struct perf_raw_record *raw,
		     struct pt_regs *regs)
{
	struct bpf_prog *prog;
	bool pass = true;
	void *rec;
	u64 hdr;

	if (!rcu_access_pointer(ev->verdict))
		return true;
	rcu_read_lock();
	prog = rcu_dereference(ev->verdict);
	/* One fragment: a tracepoint's record in perf's buffer. */
	if (prog && perf_raw_frag_last(&raw->frag) &&
	    raw->frag.size >= sizeof(struct trace_entry)) {
		rec = raw->frag.data;
		hdr = *(u64 *)rec;
		*(struct pt_regs **)rec = regs;
		pass = bpf_prog_run(prog, rec);
		*(u64 *)rec = hdr;
	}
	rcu_read_unlock();
	return pass;
}
