// SPDX-License-Identifier: GPL-2.0
/*
 * Delivery: one NAPI context per CPU drains that CPU's buffer, packs the
 * records into frames and hands them to the stack as received packets.
 * Producers kick it with an irq_work, the only way to get from NMI or from
 * inside the scheduler to softirq.
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
#include <linux/slab.h>
#include "tracenet.h"

static void tn_kick_cpu_fn(void *napi)
{
	napi_schedule(napi);
}

/* Process context: poll @cpu's queue, on that CPU while it is online. A
 * queue polled from two CPUs hands its frames to two CPUs' backlogs, and a
 * forward through a device without NAPI would reorder them. A dead CPU's
 * queue (records left at offline) is polled here, as BH opens again. The
 * call waits, so that no kick is in flight once the caller returns (device
 * deletion, unload); the hotplug lock keeps @cpu as it was seen.
 */
void tn_kick_cpu(struct tn_dev *td, unsigned int cpu)
{
	struct napi_struct *napi = &td->queues[cpu].napi;

	cpus_read_lock();
	local_bh_disable();
	if (cpu_online(cpu))
		smp_call_function_single(cpu, tn_kick_cpu_fn, napi, 1);
	else
		napi_schedule(napi);
	local_bh_enable();
	cpus_read_unlock();
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
	s64 backlog;

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
	/* The producer may interrupt the poll on this CPU mid-update. */
	backlog = local64_read(&pc->produced) - READ_ONCE(q->seq) -
		  u64_stats_read(&q->xdp_drop);
	if (!READ_ONCE(td->coalesce) || backlog >= TN_KICK_BACKLOG)
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

/* irq_work runs with IRQs off: in hardirq, or on a dying CPU from
 * smpcfd_dying_cpu() inside stop_machine, where a BH section must not be
 * opened (closing it would run softirqs with IRQs on). On PREEMPT_RT it
 * runs in a kthread instead: there the NET_RX softirq it raises would
 * wait for some later BH section, so it opens one and the poll runs as it
 * closes. What the kthread fires after that (its switch out) is the
 * poll's tail too.
 */
static void tn_kick_napi(struct napi_struct *napi)
{
	if (irqs_disabled()) {
		napi_schedule(napi);
		return;
	}
	local_bh_disable();
	napi_schedule(napi);
	local_bh_enable();
	tn_delivery_tail();
}

static void tn_kick_fn(struct irq_work *work)
{
	tn_kick_napi(&container_of(work, struct tn_queue, kick)->napi);
}

static void tn_kick_lazy_fn(struct irq_work *work)
{
	tn_kick_napi(&container_of(work, struct tn_queue, kick_lazy)->napi);
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
	tn_buffer_consume(q->td, q->cpu);
	WRITE_ONCE(q->seq, q->seq + 1);
	tn_count(q, reason, 1);
}

static struct sk_buff *tn_frame_alloc(struct tn_queue *q, unsigned int len,
				      unsigned int batch)
{
	struct net_device *dev = q->td->dev;
	unsigned int size = TN_HDRS_LEN + len;
	struct sk_buff *skb;

	/* Batches fill up to the MTU; a single event larger than it still
	 * goes, as the receive path does not enforce the MTU.
	 */
	if (batch > 1)
		size = max(size, min_t(unsigned int, dev->mtu + ETH_HLEN, SZ_16K));
	skb = napi_alloc_skb(&q->napi, size);
	if (skb)
		skb_reserve(skb, TN_HDRS_LEN);
	return skb;
}

/* Build one frame from the head of the buffer, or return NULL when there
 * is nothing (more) to deliver now.
 */
static struct sk_buff *tn_frame_events(struct tn_queue *q)
{
	struct tn_dev *td = q->td;
	unsigned int batch = READ_ONCE(td->batch);
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
	while (count < batch && (rec = tn_buffer_peek(td, q->cpu))) {
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
		tn_buffer_consume(td, q->cpu);
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
	    !tn_buffer_empty(q->td, q->cpu))
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
		u64_stats_init(&q->syncp);
		netif_napi_add(td->dev, &q->napi, tn_poll);
		err = tn_xdp_rxq_init(q);
		if (err) {
			netif_napi_del(&q->napi);
			goto err_unwind;
		}
	}
	return 0;

err_unwind:
	for_each_possible_cpu(prev) {
		if (prev == cpu)
			break;
		tn_xdp_rxq_free(&td->queues[prev]);
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

		irq_work_sync(&q->kick);
		irq_work_sync(&q->kick_lazy);
		tn_xdp_rxq_free(q);
		/* One grace period for all, not one per CPU (as veth does). */
		__netif_napi_del(&q->napi);
	}
	synchronize_net();
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

		irq_work_sync(&q->kick);
		irq_work_sync(&q->kick_lazy);
		napi_disable(&q->napi);
		tn_fold_producer_drops(q);
		left = tn_buffer_entries(td, cpu);
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
		if (!tn_buffer_empty(td, cpu))
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
