// SPDX-License-Identifier: GPL-2.0
/*
 * The producer: one in-kernel perf counter per online CPU on a tracefs event
 * id. perf calls tn_perf_overflow() for every event with the raw record that
 * the event's tracefs "format" describes, in whatever context the event
 * fired: task, softirq, hardirq or NMI, possibly nested. So the handler only
 * copies into the lockless per-CPU buffer and raises an irq_work; it never
 * sleeps, allocates, locks or touches the network stack.
 */
#include <linux/cred.h>
#include <linux/kernel_stat.h>
#include <linux/slab.h>
#include <linux/trace_events.h>
#include "tracenet.h"

/* Who is inside a delivery window on a CPU: a task at a context level.
 * Not a flag: on PREEMPT_RT a softirq is preemptible, and the task that
 * preempts it is no part of the delivery; an interrupt inside the window
 * (a higher level) is not either.
 */
struct tn_ctx {
	struct task_struct *task;
	u8 level;
};

static u8 tn_context_level(void)
{
	/* Not interrupt_context_level(): PREEMPT_RT keeps the softirq count
	 * in the task, not in preempt_count.
	 */
	if (in_nmi())
		return 3;
	if (in_hardirq())
		return 2;
	return in_serving_softirq() ? 1 : 0;
}

static bool tn_ctx_is_current(const struct tn_ctx *c)
{
	return READ_ONCE(c->task) == current && c->level == tn_context_level();
}

/* Set while a tracenet NAPI poll delivers frames on this CPU: events fired
 * from inside it (net:*, skb:*, sched wakeups of capturing readers...) are
 * caused by tracenet itself and would feed back into trace0.
 */
static DEFINE_PER_CPU(struct tn_ctx, tn_in_poll);

bool tn_delivering(void)
{
	return tn_ctx_is_current(this_cpu_ptr(&tn_in_poll));
}

void tn_delivery_begin(void)
{
	struct tn_ctx *c = this_cpu_ptr(&tn_in_poll);

	c->level = tn_context_level();
	WRITE_ONCE(c->task, current);
}

void tn_delivery_end(void)
{
	WRITE_ONCE(this_cpu_ptr(&tn_in_poll)->task, NULL);
}

/* The tail of a poll: what fires after tn_poll returned, in the rest of
 * that softirq pass (napi:napi_poll, the NET_RX softirq's exit, the RCU
 * softirq freeing what the poll freed) or the NAPI thread switching out.
 * These events are real and are kept, but if they kicked at once, every
 * poll would schedule the next: a self-IPI loop with rx-usecs 0. They kick
 * at the next tick instead, and not at all after a poll that no other
 * event kicked (tn_kick()). The tail is the same task at the same
 * context level, with no softirq vector up to NET_RX started since: a
 * pass runs the vectors in order, and kstat counts each as it starts, so
 * a new pass (or batch) that runs TIMER or NET_RX ends it.
 *
 * One pass more when a kick raised NET_RX inside a pass, before that
 * pass's NET_RX ran: the poll runs in it, but the raise leaves NET_RX
 * pending, so an empty NET_RX pass follows. It is the poll's tail too: its
 * softirq_entry would kick, the kick's interrupt lands inside the next pass
 * before its NET_RX runs, and so on for ever (06_recursion, 6.12).
 */
struct tn_tail {
	struct tn_ctx ctx;
	unsigned int softirqs;
	bool raised;		/* a kick raised NET_RX inside a pass */
	bool spare;		/* the NET_RX pass that raise left pending */
};

static DEFINE_PER_CPU(struct tn_tail, tn_tail);

static unsigned int tn_softirqs_started(void)
{
	const unsigned int *n = this_cpu_ptr(&kstat)->softirqs;
	unsigned int i, sum = 0;

	for (i = 0; i <= NET_RX_SOFTIRQ; i++)
		sum += READ_ONCE(n[i]);
	return sum;
}

/* Hardirq, before the kick's napi_schedule(). */
void tn_delivery_raise(void)
{
	if (in_serving_softirq())
		this_cpu_ptr(&tn_tail)->raised = true;
}

void tn_delivery_tail(void)
{
	struct tn_tail *t = this_cpu_ptr(&tn_tail);

	t->spare = t->raised &&
		   (local_softirq_pending() & BIT(NET_RX_SOFTIRQ));
	t->raised = false;
	t->softirqs = tn_softirqs_started();
	t->ctx.level = tn_context_level();
	WRITE_ONCE(t->ctx.task, current);
}

static bool tn_in_tail(void)
{
	struct tn_tail *t = this_cpu_ptr(&tn_tail);
	u8 level;

	if (likely(!READ_ONCE(t->ctx.task)))
		return false;
	level = tn_context_level();
	/* An interrupt inside the tail: the tail resumes after it. */
	if (level > t->ctx.level)
		return false;
	if (tn_ctx_is_current(&t->ctx) &&
	    tn_softirqs_started() - t->softirqs <= t->spare)
		return true;
	WRITE_ONCE(t->ctx.task, NULL);
	return false;
}

static void tn_perf_overflow(struct perf_event *pe,
			     struct perf_sample_data *data,
			     struct pt_regs *regs)
{
	struct tn_event *ev = pe->overflow_handler_context;
	struct tn_dev *td = ev->td;
	struct tn_pcpu *pc;
	int err;

	if (!READ_ONCE(td->running))
		return;

	pc = this_cpu_ptr(td->pcpu);
	if (tn_delivering()) {
		local64_inc(&pc->suppressed);
		return;
	}

	local64_inc(&pc->produced);
	local64_inc(this_cpu_ptr(ev->count));

	/* Since 6.14 (and 6.12.13) data->raw is valid only with the flag. */
	if (!(data->sample_flags & PERF_SAMPLE_RAW) || !data->raw) {
		local64_inc(&pc->drop_toobig);
		return;
	}

	if (!tn_verdict_pass(ev, data->raw, regs)) {
		local64_inc(&pc->filtered);
		return;
	}

	err = tn_buffer_write(td, ev, data->raw);
	if (err == -E2BIG)
		local64_inc(&pc->drop_toobig);
	else if (err)
		local64_inc(&pc->drop_full);

	/* Kick even after a drop: the poll folds drops into the sequence. */
	tn_kick(td, tn_in_tail());
}

int tn_event_open_cpu(struct tn_event *ev, unsigned int cpu)
{
	struct perf_event_attr attr = {
		.type		= PERF_TYPE_TRACEPOINT,
		.size		= sizeof(attr),
		.config		= ev->id,
		.sample_period	= 1,
		.sample_type	= PERF_SAMPLE_RAW,
		.pinned		= 1,
	};
	unsigned int offlines = tn_cpu_offlines(cpu);
	struct perf_event *pe;

	if (ev->perf[cpu] && ev->opened[cpu] == offlines)
		return 0;
	/* Its CPU went down since: perf removed it (hotplug.c). */
	tn_event_close_cpu(ev, cpu);

	pe = perf_event_create_kernel_counter(&attr, cpu, NULL,
					      tn_perf_overflow, ev);
	if (IS_ERR(pe))
		return PTR_ERR(pe);
	ev->perf[cpu] = pe;
	ev->opened[cpu] = offlines;
	return 0;
}

void tn_event_close_cpu(struct tn_event *ev, unsigned int cpu)
{
	if (!ev->perf[cpu])
		return;
	perf_event_release_kernel(ev->perf[cpu]);
	ev->perf[cpu] = NULL;
}

static void tn_event_close(struct tn_event *ev)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		tn_event_close_cpu(ev, cpu);
}

void tn_event_free(struct tn_event *ev)
{
	u16 i;

	if (!ev)
		return;
	for (i = 0; i < ev->nfields; i++) {
		kfree(ev->fields[i].name);
		kfree(ev->fields[i].type);
	}
	kfree(ev->fields);
	kfree(ev->system);
	kfree(ev->name);
	kfree(ev->format);
	free_percpu(ev->count);
	if (ev->cred)
		put_cred(ev->cred);
	tn_verdict_release(ev);
	kfree(ev->perf);
	kfree(ev->opened);
	kfree(ev);
}

/* The id user space sent must be the event it described: the metadata that
 * decoders trust names it, and a mismatched layout would mislabel every
 * field.
 */
static bool tn_event_matches(const struct tn_event *ev,
			     const struct perf_event *pe)
{
	struct trace_event_call *call = pe->tp_event;

	return call && call->class && call->class->system &&
	       !strcmp(call->class->system, ev->system) &&
	       !strcmp(trace_event_name(call), ev->name);
}

/* perf says -EINVAL or -ENOENT for an id no tracepoint PMU claims. */
static int tn_open_error(struct netlink_ext_ack *extack, int err)
{
	if (err == -ENOENT || err == -EINVAL) {
		NL_SET_ERR_MSG_MOD(extack, "no such tracefs event id");
		return -ENOENT;
	}
	if (err == -EACCES || err == -EPERM)
		NL_SET_ERR_MSG_MOD(extack, "perf refused the event: needs CAP_PERFMON");
	else
		NL_SET_ERR_MSG_MOD(extack, "cannot create a perf counter for the event");
	return err;
}

/* Under tn_mutex. Counters are created in the requesting task's context:
 * perf checks the caller's credentials for raw tracepoint samples.
 */
int tn_event_attach(struct tn_dev *td, struct tn_event *ev,
		    struct netlink_ext_ack *extack)
{
	unsigned int cpu;
	bool checked = false;
	int err;

	lockdep_assert_held(&tn_mutex);

	if (td->dead) {
		NL_SET_ERR_MSG_MOD(extack, "device is being deleted");
		return -ENODEV;
	}
	if (xa_load(&td->events, ev->id)) {
		NL_SET_ERR_MSG_MOD(extack, "event already attached to this device");
		return -EEXIST;
	}
	if (td->nevents >= TRACENET_MAX_EVENTS) {
		NL_SET_ERR_MSG_MOD(extack, "too many events attached to this device");
		return -ENOSPC;
	}

	/* Published before the counters exist so that delivery never sees a
	 * record whose event it cannot find.
	 */
	err = xa_insert(&td->events, ev->id, ev, GFP_KERNEL);
	if (err)
		return err;
	/* Metadata ahead of the first event: a capture running already
	 * decodes from its first frame (other CPUs' NAPIs may still win).
	 * The host frame with the first event: without events it says
	 * nothing anyone needs.
	 */
	if (!td->nevents)
		tn_host_send(td);
	tn_meta_send(td, ev);

	for_each_cpu(cpu, tn_cpus()) {
		err = tn_event_open_cpu(ev, cpu);
		/* A CPU going down under us: hotplug.c reconciles. */
		if (err == -ENODEV)
			continue;
		if (err) {
			err = tn_open_error(extack, err);
			goto err_close;
		}
		if (!checked && !tn_event_matches(ev, ev->perf[cpu])) {
			NL_SET_ERR_MSG_MOD(extack, "event id is not the named system:event");
			err = -EINVAL;
			goto err_close;
		}
		checked = true;
	}

	td->nevents++;
	return 0;

err_close:
	tn_event_close(ev);
	xa_erase(&td->events, ev->id);
	/* Handlers may still run on other CPUs with ev as their context. */
	synchronize_rcu();
	return err;
}

static struct tn_event *tn_event_unpublish(struct tn_dev *td, u32 id)
{
	struct tn_event *ev = xa_erase(&td->events, id);

	if (ev) {
		tn_event_close(ev);
		td->nevents--;
	}
	return ev;
}

/* Under tn_mutex. Records still buffered for the event are dropped at
 * delivery and counted as detached.
 */
void tn_event_detach(struct tn_dev *td, u32 id)
{
	struct tn_event *ev;

	lockdep_assert_held(&tn_mutex);
	ev = tn_event_unpublish(td, id);
	if (!ev)
		return;
	/* perf frees its events by RCU: a handler that started before the
	 * release may still be running with ev as context, and NAPI may hold
	 * ev from xa_load().
	 */
	synchronize_rcu();
	tn_event_free(ev);
}

void tn_event_detach_all(struct tn_dev *td)
{
	struct tn_event *ev, *tmp;
	unsigned long id;
	LIST_HEAD(gone);

	lockdep_assert_held(&tn_mutex);
	xa_for_each(&td->events, id, ev) {
		tn_event_unpublish(td, id);
		list_add(&ev->gc, &gone);
	}
	if (list_empty(&gone))
		return;
	synchronize_rcu();	/* as in tn_event_detach(), once for all */
	list_for_each_entry_safe(ev, tmp, &gone, gc)
		tn_event_free(ev);
}
