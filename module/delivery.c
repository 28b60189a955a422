// SPDX-License-Identifier: GPL-2.0
/*
 * Delivery: one NAPI context per CPU drains that CPU's buffer, packs the
 * records into frames and hands them to the stack as received packets. It
 * runs on a delivery CPU (kick.c), so the traced code does not pay for it.
 *
 * Sequence numbers: every produced event takes exactly one number of its
 * CPU's sequence, delivered or not, except those an XDP program drops: a
 * filter is not a loss. The poll folds the producer's drop counters into
 * the sequence as it starts, before it numbers frames, and events it
 * drops itself consume their number, so the gaps a reader sees add up to
 * the drop (and XDP redirect) counters exactly (their position is
 * approximate).
 */
#include <linux/etherdevice.h>
#include <linux/filter.h>
#include <linux/slab.h>
#include "tracenet.h"
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
				      unsigned int batch, s64 waiting)
{
	unsigned int room = min_t(unsigned int, q->td->dev->mtu, SZ_16K);
	s64 n = min_t(s64, waiting, batch);
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
 *
 * @waiting, the events the poll found waiting less those it framed since,
 * is read again from the producer's counter while it is short of a
 * backlog: a flood that builds during a poll of single-event frames is
 * seen at the next frame, not at the next poll (a whole budget of frames
 * later, which lost events at 200,000 a second). A backlog needs no
 * reading until it is framed away.
 */
static unsigned int tn_frame_batch(struct tn_queue *q, s64 *waiting)
{
	unsigned int batch = READ_ONCE(q->td->batch);

	if (*waiting < TN_BATCH_BACKLOG)
		*waiting = tn_backlog(q);
	if (READ_ONCE(q->td->adaptive) && *waiting < TN_BATCH_BACKLOG)
		return 1;
	return batch;
}

/* Build one frame from the head of the buffer, or return NULL when there
 * is nothing (more) to deliver now.
 */
static struct sk_buff *tn_frame_events(struct tn_queue *q, s64 *waiting)
{
	struct tn_dev *td = q->td;
	unsigned int batch = tn_frame_batch(q, waiting);
	/* Batches fill up to the MTU, not to the tailroom, which allocation
	 * rounds up: a forward to a link of that MTU would drop them.
	 */
	unsigned int room = READ_ONCE(td->dev->mtu) - sizeof(struct tracenet_hdr);
	bool raw = READ_ONCE(td->raw_pointers);
	struct sk_buff *skb = NULL;
	unsigned int count = 0, dropped = 0;
	struct tn_record *rec;
	u64 seq = 0, ts = 0;

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
			skb = tn_frame_alloc(q, len, batch, *waiting);
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
	u64 events = 0, frames = 0, bytes = 0;
	struct sk_buff *skb;
	LIST_HEAD(rx);
	int done = 0;
	s64 waiting;

	/* The producer's counters once a poll (the backlog again only while
	 * it is short, tn_frame_batch()): the traced CPU writes their cache
	 * line at every event.
	 */
	tn_fold_producer_drops(q);
	waiting = tn_backlog(q);

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
			skb = tn_frame_events(q, &waiting);
			if (!skb)
				break;
		}
		done++;
		if (!skb)
			continue;
		waiting -= tn_frame_events_in(skb);
		if (fwd && !tn_fwd_events(q, fwd, skb)) {
			tn_count(q, &q->fwd_only, tn_frame_events_in(skb));
			consume_skb(skb);
			continue;
		}
		events += tn_frame_events_in(skb);
		frames++;
		bytes += skb->len + ETH_HLEN;
		skb_record_rx_queue(skb, q->cpu);
		list_add_tail(&skb->list, &rx);
	}
	/* Counted as they reach trace0's stack. */
	u64_stats_update_begin(&q->syncp);
	u64_stats_add(&q->delivered, events);
	u64_stats_add(&q->frames, frames);
	u64_stats_add(&q->bytes, bytes);
	u64_stats_update_end(&q->syncp);
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
		tn_kick_init(q);
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
