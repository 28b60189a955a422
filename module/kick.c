// SPDX-License-Identifier: GPL-2.0
/*
 * The kick: a producer, in any context on the CPU the event fired on,
 * gets its queue's NAPI polled on a delivery CPU. It goes through an
 * irq_work, the only way to get from NMI or from inside the scheduler to
 * softirq, and the irq_work hands the queue over with an IPI, as RPS hands
 * packets over; delivery_cpus says where.
 */
#include <linux/netdevice.h>
#include <linux/sched/isolation.h>
#include "tracenet.h"

static char *delivery_cpus = "";
module_param(delivery_cpus, charp, 0444);
MODULE_PARM_DESC(delivery_cpus, "CPUs that poll the buffers: a cpulist; empty (default): the highest online CPU not isolated; \"all\": each CPU its own");

static struct cpumask tn_delivery_mask;	/* empty: tn_default_cpu() */

/* At module load. */
int tn_delivery_init(void)
{
	if (!strcmp(delivery_cpus, "all")) {
		cpumask_copy(&tn_delivery_mask, cpu_possible_mask);
		return 0;
	}
	if (cpulist_parse(delivery_cpus, &tn_delivery_mask)) {
		pr_err("tracenet: delivery_cpus=%s: not a CPU list\n", delivery_cpus);
		return -EINVAL;
	}
	if (!cpumask_subset(&tn_delivery_mask, cpu_possible_mask)) {
		pr_err("tracenet: delivery_cpus=%s: CPUs past the possible ones (%*pbl)\n",
		       delivery_cpus, cpumask_pr_args(cpu_possible_mask));
		return -EINVAL;
	}
	return 0;
}

/* The highest online CPU that is not isolated (isolcpus=; on 7.x also
 * cpuset's isolated partitions): isolated CPUs are kept for the work
 * they were isolated for. All isolated: the highest online one.
 */
static unsigned int tn_default_cpu(void)
{
	unsigned int cpu, last = nr_cpu_ids;

	for_each_cpu_and(cpu, housekeeping_cpumask(HK_TYPE_DOMAIN), cpu_online_mask)
		last = cpu;
	return last < nr_cpu_ids ? last : cpumask_last(cpu_online_mask);
}

/* Where @cpu's queue is polled: a delivery CPU polls its own, any other
 * queue goes to the next delivery CPU online after it, wrapping (or to any
 * online CPU when none is). Keeping a delivery CPU's own queue local means
 * that what a poll fires goes to a queue polled right there: no poll kicks
 * one on another CPU that kicks back. The caller keeps the online mask as
 * read (IRQs off, or the hotplug lock): while it does not change, a queue
 * is polled on one CPU, so its frames stay in order.
 */
static unsigned int tn_delivery_cpu(unsigned int cpu)
{
	unsigned int to;

	if (cpumask_empty(&tn_delivery_mask))
		return tn_default_cpu();
	if (cpumask_test_cpu(cpu, &tn_delivery_mask) && cpu_online(cpu))
		return cpu;
	to = cpumask_next_and(cpu, &tn_delivery_mask, cpu_online_mask);
	if (to >= nr_cpu_ids)
		to = cpumask_first_and(&tn_delivery_mask, cpu_online_mask);
	if (to >= nr_cpu_ids)
		to = cpu_online(cpu) ? cpu : cpumask_first(cpu_online_mask);
	return to;
}

/* With IRQs off (hardirq, or a dying CPU): the raise may leave an empty
 * NET_RX pass behind, which tn_delivery_raise() makes part of the tail.
 */
static void tn_napi_schedule_irq(struct tn_queue *q)
{
	tn_delivery_raise();
	napi_schedule(&q->napi);
}

/* The delivery CPU's side of the hand-over, in hardirq (an IPI, or the
 * idle loop's flush of its call queue), as RPS hands packets over. On
 * PREEMPT_RT a softirq raised from the idle loop's flush is a bug the
 * kernel warns about; there the irq_work's kthread on this CPU schedules
 * the NAPI instead.
 */
static void tn_handover_fn(void *info)
{
	struct tn_queue *q = info;

	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		irq_work_queue(&q->kick);
	else
		tn_napi_schedule_irq(q);
}

/* No kick of @q runs or waits once this returns. The hand-over's lock is
 * released before its function runs: that one is an IRQs-off section, a
 * grace period waits for it, and on PREEMPT_RT the kick it may queue.
 */
void tn_kick_sync(struct tn_queue *q)
{
	irq_work_sync(&q->kick);
	irq_work_sync(&q->kick_lazy);
	/* Pairs with the release in csd_unlock(). */
	while (smp_load_acquire(&q->handover.node.u_flags) & CSD_FLAG_LOCK)
		cpu_relax();
}

/* Process context: poll @cpu's queue on its delivery CPU now (the flush,
 * and records left on a CPU that went down). It does not wait for the
 * kick it may queue (PREEMPT_RT): with events attached that fire at every
 * context switch, a kick may never be idle while producers run. The
 * device's stop and free wait for the kicks once producers stopped.
 */
void tn_kick_cpu(struct tn_dev *td, unsigned int cpu)
{
	cpus_read_lock();
	/* A local call runs with IRQs off: the NAPI runs at BH enable. */
	local_bh_disable();
	smp_call_function_single(tn_delivery_cpu(cpu), tn_handover_fn,
				 &td->queues[cpu], 1);
	local_bh_enable();
	cpus_read_unlock();
}

/* Events produced on @q's CPU and not yet delivered, dropped or filtered.
 * A hint: the producer may interrupt the poll mid-update, or run on
 * another CPU than the caller.
 */
s64 tn_backlog(struct tn_queue *q)
{
	struct tn_pcpu *pc = per_cpu_ptr(q->td->pcpu, q->cpu);

	/* What the verdict rejected was produced but never buffered. */
	return local64_read(&pc->produced) - local64_read(&pc->filtered) -
	       READ_ONCE(q->seq) - u64_stats_read(&q->xdp_drop);
}

/* Producer side, any context, on the CPU the event fired on.
 *
 * A self-IPI per event would cost more than the event itself, so by
 * default (ethtool -C rx-usecs != 0) NAPI is kicked at the next tick, or at
 * once when TN_KICK_BACKLOG events wait: interrupt coalescing, as a NIC
 * does it.
 *
 * An event of a poll's tail (producer.c) kicks at the next tick, so that
 * the events of the same softirq pass (a veth's poll after ours) are not
 * kept waiting; but not after a poll that no other event kicked: that one
 * ran for tails, or for what the kick itself fired (softirq_raise and
 * softirq_entry of NET_RX), and kicking for its tail would poll at every
 * tick for ever. Its tail waits for the next kick or the periodic flush.
 */
void tn_kick(struct tn_dev *td, bool tail)
{
	unsigned int cpu = smp_processor_id();
	struct tn_queue *q = &td->queues[cpu];
	struct tn_pcpu *pc = per_cpu_ptr(td->pcpu, cpu);

	/* Pairs with the barrier implied by napi_complete_done(): either the
	 * poll sees our record after completing, or we see NAPI idle and
	 * kick it.
	 */
	smp_mb();
	if (test_bit(NAPI_STATE_SCHED, &q->napi.state))
		return;
	if (tail) {
		if (!READ_ONCE(q->tail_mute))
			irq_work_queue(&q->kick_lazy);
		return;
	}
	local64_inc(&pc->kicks);
	if (!READ_ONCE(td->coalesce) || tn_backlog(q) >= TN_KICK_BACKLOG)
		irq_work_queue(&q->kick);
	else
		irq_work_queue(&q->kick_lazy);
}

/* At the end of a poll: did an event kick since the last one? */
void tn_tail_mute(struct tn_queue *q)
{
	u64 kicks = local64_read(&per_cpu_ptr(q->td->pcpu, q->cpu)->kicks);

	WRITE_ONCE(q->tail_mute, kicks == q->kicks_seen);
	q->kicks_seen = kicks;
}

/* The kick: the traced CPU hands its queue to the delivery CPU with an
 * async IPI (one in flight per queue: -EBUSY means the one in flight
 * will do), or schedules the NAPI itself when it is that CPU.
 *
 * irq_work runs with IRQs off: in hardirq, or on a dying CPU from
 * smpcfd_dying_cpu() inside stop_machine, where a BH section must not be
 * opened (closing it would run softirqs with IRQs on). On PREEMPT_RT it
 * runs in a kthread instead: there the NET_RX softirq it raises would
 * wait for some later BH section, so it opens one and the poll runs as it
 * closes. What the kthread fires after that (its switch out) is the
 * poll's tail too.
 */
static void tn_kick_napi(struct tn_queue *q)
{
	unsigned long flags;
	unsigned int to;
	bool local;

	if (!READ_ONCE(q->td->running))
		return;
	local_irq_save(flags);
	to = tn_delivery_cpu(q->cpu);
	local = to == smp_processor_id();
	if (!local)
		smp_call_function_single_async(to, &q->handover);
	local_irq_restore(flags);
	if (!local)
		return;

	if (irqs_disabled()) {
		tn_napi_schedule_irq(q);
		return;
	}
	local_bh_disable();
	napi_schedule(&q->napi);
	local_bh_enable();
	tn_delivery_tail();
}

static void tn_kick_fn(struct irq_work *work)
{
	tn_kick_napi(container_of(work, struct tn_queue, kick));
}

static void tn_kick_lazy_fn(struct irq_work *work)
{
	tn_kick_napi(container_of(work, struct tn_queue, kick_lazy));
}

/* Queue setup: the kicks and the hand-over of @q. */
void tn_kick_init(struct tn_queue *q)
{
	init_irq_work(&q->kick, tn_kick_fn);
	q->kick_lazy = IRQ_WORK_INIT_LAZY(tn_kick_lazy_fn);
	INIT_CSD(&q->handover, tn_handover_fn, q);
}
