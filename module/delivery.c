// SPDX-License-Identifier: GPL-2.0
/*
 * Delivery: one NAPI context per CPU drains that CPU's buffer, packs the
 * records into frames and hands them to the stack as received packets. It
 * runs on a delivery CPU, so the traced code does not pay for it.
 * Producers kick it with an irq_work, the only way to get from NMI or from
 * inside the scheduler to softirq, and that hands it over.
 *
 * Sequence numbers: every produced event takes exactly one number of its
 * CPU's sequence, delivered or not, except those an XDP program drops: a
 * filter is not a loss. The poll folds the producer's drop counters into
 * the sequence before numbering the next frame, and events it drops itself
 * consume their number, so the gaps a reader sees add up to the drop (and
 * XDP redirect) counters exactly (their position is approximate).
 */
#include <linux/etherdevice.h>
#include <linux/filter.h>
#include <linux/sched/isolation.h>
#include <linux/slab.h>
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
static void tn_kick_sync(struct tn_queue *q)
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
static s64 tn_backlog(struct tn_queue *q)
{
	return local64_read(&per_cpu_ptr(q->td->pcpu, q->cpu)->produced) -
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
static void tn_tail_mute(struct tn_queue *q)
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

void tn_fold_producer_drops(struct tn_queue *q)
{
	struct tn_pcpu *pc = per_cpu_ptr(q->td->pcpu, q->cpu);
	u64 drops = local64_read(&pc->drop_full) + local64_read(&pc->drop_toobig);

	WRITE_ONCE(q->seq, q->seq + drops - q->drops_seen);
	q->drops_seen = drops;
}

void tn_count(struct tn_queue *q, u64_stats_t *stat, u64 n)
{
	u64_stats_update_begin(&q->syncp);
	u64_stats_add(stat, n);
	u64_stats_update_end(&q->syncp);
}

/* Drop the record at the head of the buffer; it keeps its sequence number. */
void tn_drop_head(struct tn_queue *q, u64_stats_t *reason)
{
	tn_queue_pop(q);
	WRITE_ONCE(q->seq, q->seq + 1);
	tn_count(q, reason, 1);
}

/* A frame sized for the events waiting now, each taken as long as the
 * first, up to the MTU: with init_on_alloc (Debian's default) every byte
 * allocated is cleared, and a frame sized for a full batch cost more to
 * clear than to fill. What does not fit starts the next frame. A single
 * event larger than the MTU still goes, as the receive path does not
 * enforce it.
 */
static struct sk_buff *tn_frame_alloc(struct tn_queue *q, unsigned int len,
				      unsigned int batch)
{
	unsigned int room = min_t(unsigned int, q->td->dev->mtu, SZ_16K);
	s64 n = min_t(s64, tn_backlog(q), batch);
	struct sk_buff *skb;

	if (n > 1)
		len = max(len, (unsigned int)min_t(s64, n * len, room));
	skb = napi_alloc_skb(&q->napi, TN_HDRS_LEN + len);
	if (skb)
		skb_reserve(skb, TN_HDRS_LEN);
	return skb;
}

/* How many events the next frame may carry: rx-frames, or with adaptive-rx
 * one while delivery keeps up and rx-frames once a backlog builds, so that
 * a reader sees one event per frame but under load, where one skb and one
 * receive path per event would lose events (the frame carries what waits:
 * no event waits for a frame to fill).
 */
static unsigned int tn_frame_batch(struct tn_queue *q)
{
	unsigned int batch = READ_ONCE(q->td->batch);

	if (READ_ONCE(q->td->adaptive) && tn_backlog(q) < TN_BATCH_BACKLOG)
		return 1;
	return batch;
}

/* Build one frame from the head of the buffer, or return NULL when there
 * is nothing (more) to deliver now.
 */
static struct sk_buff *tn_frame_events(struct tn_queue *q)
{
	struct tn_dev *td = q->td;
	unsigned int batch = tn_frame_batch(q);
	/* Batches fill up to the MTU, not to the tailroom, which allocation
	 * rounds up: a forward to a link of that MTU would drop them.
	 */
	unsigned int room = READ_ONCE(td->dev->mtu) - sizeof(struct tracenet_hdr);
	bool raw = READ_ONCE(td->raw_pointers);
	struct sk_buff *skb = NULL;
	unsigned int count = 0, dropped = 0;
	struct tn_record *rec;
	u64 seq = 0, ts = 0;

	tn_fold_producer_drops(q);
	while (count < batch && (rec = tn_queue_head(q))) {
		struct tn_event *ev = xa_load(&td->events, rec->id);
		int len = ev ? tn_frame_event_len(ev, rec) : 0;

		if (!ev || len < 0) {
			/* Keep the frame's sequence numbers contiguous. */
			if (skb)
				break;
			tn_drop_head(q, ev ? &q->drop_layout : &q->drop_detached);
			/* Bounded work per call; the poll comes back for more. */
			if (++dropped == NAPI_POLL_WEIGHT)
				return NULL;
			continue;
		}
		if (!skb) {
			skb = tn_frame_alloc(q, len, batch);
			if (!skb) {
				tn_drop_head(q, &q->drop_nomem);
				return NULL;
			}
			seq = q->seq;
			ts = rec->ts;
		} else if (skb->len + len > room || skb_tailroom(skb) < len) {
			break;
		}
		tn_frame_write_event(skb_put(skb, len), ev, rec, raw);
		tn_queue_pop(q);
		WRITE_ONCE(q->seq, q->seq + 1);
		count++;
	}
	if (!skb)
		return NULL;

	tn_frame_put_hdr(skb, td->dev, TRACENET_FRAME_EVENTS, raw, q->cpu, count,
			 seq);
	skb->tstamp = ns_to_ktime(ts);
	return skb;
}

/* With an XDP program attached, each event is a frame of its own, and
 * each verdict counts against the budget, dropped or not.
 */
static int tn_poll(struct napi_struct *napi, int budget)
{
	struct tn_queue *q = container_of(napi, struct tn_queue, napi);
	struct bpf_prog *prog;
	struct tn_fwd *fwd;
	struct sk_buff *skb;
	LIST_HEAD(rx);
	int done = 0;

	/* Delivery happens here, inside the window, and not from a GRO
	 * flush after the poll returns: what it fires is suppressed.
	 */
	tn_delivery_begin();
	rcu_read_lock();
	prog = rcu_dereference(q->td->xdp_prog);
	fwd = rcu_dereference(q->td->fwd);
	while (done < budget) {
		skb = NULL;
		if (prog) {
			if (!tn_xdp_event(q, prog, &skb))
				break;
		} else {
			skb = tn_frame_events(q);
			if (!skb)
				break;
		}
		done++;
		if (!skb)
			continue;
		if (fwd && !tn_fwd_events(q, fwd, skb)) {
			tn_count(q, &q->fwd_only, tn_frame_events_in(skb));
			consume_skb(skb);
			continue;
		}
		/* Counted as they reach trace0's stack. */
		u64_stats_update_begin(&q->syncp);
		u64_stats_add(&q->delivered, tn_frame_events_in(skb));
		u64_stats_inc(&q->frames);
		u64_stats_add(&q->bytes, skb->len + ETH_HLEN);
		u64_stats_update_end(&q->syncp);
		skb_record_rx_queue(skb, q->cpu);
		list_add_tail(&skb->list, &rx);
	}
	netif_receive_skb_list(&rx);
	if (q->xdp_flush) {
		xdp_do_flush();
		q->xdp_flush = false;
	}
	rcu_read_unlock();
	tn_delivery_end();

	if (done < budget && napi_complete_done(napi, done) &&
	    !tn_queue_empty(q))
		napi_schedule(napi);
	tn_tail_mute(q);
	tn_delivery_tail();
	return done;
}

int tn_queues_init(struct tn_dev *td)
{
	unsigned int cpu, prev;
	int err;

	td->queues = kvcalloc(nr_cpu_ids, sizeof(*td->queues), GFP_KERNEL);
	if (!td->queues)
		return -ENOMEM;

	for_each_possible_cpu(cpu) {
		struct tn_queue *q = &td->queues[cpu];

		q->td = td;
		q->cpu = cpu;
		init_irq_work(&q->kick, tn_kick_fn);
		q->kick_lazy = IRQ_WORK_INIT_LAZY(tn_kick_lazy_fn);
		INIT_CSD(&q->handover, tn_handover_fn, q);
		u64_stats_init(&q->syncp);
		netif_napi_add(td->dev, &q->napi, tn_poll);
		err = tn_queue_page_alloc(q);
		/* -ENODEV: no buffer yet, its CPU was never online. */
		if (err && err != -ENODEV) {
			netif_napi_del(&q->napi);
			goto err_unwind;
		}
		err = tn_xdp_rxq_init(q);
		if (err) {
			tn_queue_page_free(q);
			netif_napi_del(&q->napi);
			goto err_unwind;
		}
	}
	return 0;

err_unwind:
	/* No poll ran: NAPI is enabled only at ndo_open. */
	for_each_possible_cpu(prev) {
		if (prev == cpu)
			break;
		tn_xdp_rxq_free(&td->queues[prev]);
		tn_queue_page_free(&td->queues[prev]);
		__netif_napi_del(&td->queues[prev].napi);
	}
	synchronize_net();
	kvfree(td->queues);
	td->queues = NULL;
	return err;
}

void tn_queues_free(struct tn_dev *td)
{
	unsigned int cpu;

	if (!td->queues)
		return;
	for_each_possible_cpu(cpu) {
		struct tn_queue *q = &td->queues[cpu];

		tn_kick_sync(q);
		tn_xdp_rxq_free(q);
		/* One grace period for all, not one per CPU (as veth does). */
		__netif_napi_del(&q->napi);
	}
	synchronize_net();
	/* What a hand-over's function queued on PREEMPT_RT. */
	for_each_possible_cpu(cpu) {
		irq_work_sync(&td->queues[cpu].kick);
		tn_queue_page_free(&td->queues[cpu]);
	}
	kvfree(td->queues);
	td->queues = NULL;
}

/* ndo_open, under RTNL. */
void tn_queues_start(struct tn_dev *td)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		napi_enable(&td->queues[cpu].napi);
	WRITE_ONCE(td->running, true);
}

/* ndo_stop, under RTNL: stop producing, then count what is still buffered
 * as dropped so that produced == delivered + dropped holds at rest, and
 * empty the buffers at once rather than record by record (up to 64 MiB per
 * CPU).
 */
void tn_queues_stop(struct tn_dev *td)
{
	unsigned int cpu;

	WRITE_ONCE(td->running, false);
	synchronize_net();	/* handlers that saw running == true are done */

	for_each_possible_cpu(cpu) {
		struct tn_queue *q = &td->queues[cpu];
		unsigned long left;

		tn_kick_sync(q);
		napi_disable(&q->napi);
		tn_fold_producer_drops(q);
		left = tn_queue_entries(q);
		WRITE_ONCE(q->seq, q->seq + left);
		tn_count(q, &q->drop_down, left);
	}
	tn_buffer_reset(td);
}

/* Process context, BH off for the stack's receive path. */
static void tn_meta_deliver(struct tn_dev *td, struct sk_buff *skb)
{
	struct tn_pcpu *pc;

	local_bh_disable();
	pc = this_cpu_ptr(td->pcpu);
	tn_delivery_begin();
	if (tn_fwd_meta(td, skb)) {
		local64_inc(&pc->meta_frames);
		local64_add(skb->len + ETH_HLEN, &pc->meta_bytes);
		netif_receive_skb(skb);
	} else {
		consume_skb(skb);
	}
	tn_delivery_end();
	local_bh_enable();
}

/* Process context. Metadata is delivered right away, before the attach
 * creates the counters, so no event of the id can reach a reader first.
 */
void tn_meta_send(struct tn_dev *td, const struct tn_event *ev)
{
	unsigned int cpu = raw_smp_processor_id();
	unsigned int mtu = READ_ONCE(td->dev->mtu);
	struct sk_buff_head parts;
	struct sk_buff *skb;

	if (!READ_ONCE(td->running))
		return;
	skb = tn_frame_meta(td->dev, ev, cpu, GFP_KERNEL);
	if (!skb)
		return;
	if (skb->len <= mtu) {
		tn_meta_deliver(td, skb);
		return;
	}
	__skb_queue_head_init(&parts);
	if (tn_frame_meta_split(td->dev, skb, mtu, cpu, &parts, GFP_KERNEL))
		return;
	while ((skb = __skb_dequeue(&parts)))
		tn_meta_deliver(td, skb);
}

/* Under tn_mutex (the identity). */
void tn_host_send(struct tn_dev *td)
{
	struct sk_buff *skb;

	lockdep_assert_held(&tn_mutex);
	if (!READ_ONCE(td->running))
		return;
	skb = tn_frame_host(td, raw_smp_processor_id(), GFP_KERNEL);
	if (skb)
		tn_meta_deliver(td, skb);
}

/* Records a poll's tail left (producer.c) wait for the next kick; this
 * bounds their wait.
 */
static void tn_flush(struct tn_dev *td)
{
	unsigned int cpu;

	if (!READ_ONCE(td->running))
		return;
	for_each_possible_cpu(cpu)
		if (!tn_queue_empty(&td->queues[cpu]))
			tn_kick_cpu(td, cpu);
}

/* The host frame and metadata again every tn_meta_interval seconds, for
 * captures that start after the attach (and clock samples for all), and
 * the flush of what poll tails left.
 */
void tn_meta_work(struct work_struct *work)
{
	struct tn_dev *td = container_of(to_delayed_work(work), struct tn_dev,
					 meta_work);
	struct tn_event *ev;
	unsigned long id;

	mutex_lock(&tn_mutex);
	if (td->nevents)
		tn_host_send(td);
	xa_for_each(&td->events, id, ev)
		tn_meta_send(td, ev);
	mutex_unlock(&tn_mutex);
	tn_flush(td);

	if (READ_ONCE(td->running) && tn_meta_interval)
		schedule_delayed_work(&td->meta_work, tn_meta_interval * HZ);
}
