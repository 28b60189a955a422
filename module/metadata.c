// SPDX-License-Identifier: GPL-2.0
/*
 * Metadata and host frames, in process context: each event's format when
 * it is attached and when the device comes up, and again every
 * meta_interval seconds for captures that start later, with the host
 * frame (identity and clock samples). They are delivered at once, outside
 * the NAPI poll, and forwarded with the event frames.
 */
#include <linux/netdevice.h>
#include "tracenet.h"

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
