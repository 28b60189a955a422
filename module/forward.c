// SPDX-License-Identifier: GPL-2.0
/*
 * Forwarding: a copy of every frame trace0 delivers (after XDP, metadata
 * included) is transmitted on another device, so that a collector with
 * only a capture tool sees the same frames. The other device may be a
 * link (veth, a NIC) or a tunnel (VXLAN, GRETAP) that carries them across
 * routers. The copy is queued with dev_queue_xmit() from the poll, which
 * never blocks; what the egress queue refuses, or a device that is down,
 * is counted (fwd_drop_frames, fwd_drop_events), and the collector sees
 * the gap in the per-CPU sequence numbers the frames keep. So is a frame
 * larger than the other device's MTU, which the link would drop: frames
 * fit when trace0's MTU does (tracenetctl forward sees to it; metadata
 * records larger than it go in parts), but for a single larger event.
 *
 * Kernel addresses do not leave the host unless asked for: a device with
 * raw addresses (pointers.c) forwards hashed copies unless the forward
 * keeps them too (TRACENET_FWD_RAW_POINTERS).
 *
 * The forwarding state is RCU-protected, written under RTNL: the netlink
 * command, the device notifier (the target going away or leaving the
 * netns) and trace0's own uninit.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include "tracenet.h"

struct tn_fwd {
	struct net_device *dev;
	netdevice_tracker tracker;
	u8 dst[ETH_ALEN];
	u32 flags;			/* TRACENET_FWD_* */
};

/* Send a copy of @skb, a frame of trace0 as received (data past the
 * Ethernet header). Returns false if it could not be sent. BH off.
 */
static bool tn_fwd_xmit(struct tn_dev *td, struct tn_fwd *fwd,
			const struct sk_buff *skb)
{
	struct sk_buff *out;
	int rc;

	if (!netif_running(fwd->dev) || !netif_carrier_ok(fwd->dev))
		return false;
	/* The link would drop it after us, uncounted (a tunnel with a large
	 * MTU fragments it instead).
	 */
	if (skb->len > fwd->dev->mtu)
		return false;
	out = skb_copy(skb, GFP_ATOMIC);
	if (!out)
		return false;
	skb_push(out, ETH_HLEN);
	skb_reset_mac_header(out);
	skb_set_network_header(out, ETH_HLEN);
	ether_addr_copy(eth_hdr(out)->h_dest, fwd->dst);
	if (!(fwd->flags & TRACENET_FWD_RAW_POINTERS) &&
	    (((const struct tracenet_hdr *)skb->data)->flags & TRACENET_F_RAW_POINTERS) &&
	    !tn_pointers_hash_frame(td, out->data + ETH_HLEN, out->len - ETH_HLEN)) {
		kfree_skb(out);
		return false;
	}
	/* The event time is no departure time: EDT qdiscs (fq) would hold
	 * the frame until a CLOCK_REALTIME instant on the monotonic clock.
	 */
	out->tstamp = 0;
	out->dev = fwd->dev;
	out->pkt_type = PACKET_OUTGOING;
	/* NET_XMIT_CN is queued (net_xmit_eval(), as the stack reads it),
	 * though fq_codel also says it when it dropped another frame of the
	 * flow for this one: that drop is the qdisc's to count. So, since
	 * 6.19 (100dfa74cad9), is every drop of a frame another CPU enqueues
	 * into a locked qdisc (fq, htb...): it is NET_XMIT_SUCCESS to us.
	 */
	rc = dev_queue_xmit(out);
	return !net_xmit_eval(rc);	/* a macro: @rc twice */
}

/* The poll, for an event frame, with the forward it read once. Returns
 * true if the frame is to be delivered on trace0 too.
 */
bool tn_fwd_events(struct tn_queue *q, struct tn_fwd *fwd,
		   const struct sk_buff *skb)
{
	unsigned int events = tn_frame_events_in(skb);
	bool sent;

	sent = tn_fwd_xmit(q->td, fwd, skb);
	u64_stats_update_begin(&q->syncp);
	u64_stats_inc(sent ? &q->fwd_frames : &q->fwd_drop_frames);
	u64_stats_add(sent ? &q->fwd_events : &q->fwd_drop_events, events);
	u64_stats_update_end(&q->syncp);
	return !(fwd->flags & TRACENET_FWD_NO_LOCAL);
}

/* A metadata frame, process context with BH off. */
bool tn_fwd_meta(struct tn_dev *td, const struct sk_buff *skb)
{
	struct tn_pcpu *pc = this_cpu_ptr(td->pcpu);
	struct tn_fwd *fwd;
	bool local = true;

	rcu_read_lock();
	fwd = rcu_dereference(td->fwd);
	if (fwd) {
		local64_inc(tn_fwd_xmit(td, fwd, skb) ? &pc->fwd_meta_frames :
			    &pc->fwd_meta_drops);
		local = !(fwd->flags & TRACENET_FWD_NO_LOCAL);
	}
	rcu_read_unlock();
	return local;
}

static void tn_fwd_replace(struct tn_dev *td, struct tn_fwd *fwd)
{
	struct tn_fwd *old = rtnl_dereference(td->fwd);

	rcu_assign_pointer(td->fwd, fwd);
	if (old) {
		/* Polls still sending to it hold the RCU read lock; the
		 * device's refcount waits for them through the tracker.
		 */
		synchronize_net();
		netdev_put(old->dev, &old->tracker);
		kfree(old);
	}
}

/* Under RTNL. @dst NULL: trace0's own address. */
int tn_fwd_set(struct tn_dev *td, struct net_device *to, const u8 *dst,
	       u32 flags, struct netlink_ext_ack *extack)
{
	struct tn_fwd *fwd;

	ASSERT_RTNL();
	if (to == td->dev || tn_is_tracenet(to)) {
		NL_SET_ERR_MSG_MOD(extack, "cannot forward to a tracenet device");
		return -EINVAL;
	}
	if (to->type != ARPHRD_ETHER || to->addr_len != ETH_ALEN) {
		NL_SET_ERR_MSG_MOD(extack, "forwarding needs an Ethernet device");
		return -EINVAL;
	}
	if ((flags & TRACENET_FWD_RAW_POINTERS) && !READ_ONCE(td->raw_pointers)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the device hashes kernel addresses: set raw pointers on it first");
		return -EINVAL;
	}
	if (dst && !is_valid_ether_addr(dst) && !is_broadcast_ether_addr(dst)) {
		NL_SET_ERR_MSG_MOD(extack, "destination MAC is multicast or zero");
		return -EINVAL;
	}
	fwd = kzalloc(sizeof(*fwd), GFP_KERNEL);
	if (!fwd)
		return -ENOMEM;
	fwd->dev = to;
	netdev_hold(to, &fwd->tracker, GFP_KERNEL);
	ether_addr_copy(fwd->dst, dst ? dst : td->dev->dev_addr);
	fwd->flags = flags;
	tn_fwd_replace(td, fwd);
	return 0;
}

void tn_fwd_clear(struct tn_dev *td)
{
	ASSERT_RTNL();
	if (rtnl_dereference(td->fwd))
		tn_fwd_replace(td, NULL);
}

/* Under RTNL: what the forwarding of @td is, for GET_FORWARD. */
struct net_device *tn_fwd_get(struct tn_dev *td, u8 *dst, u32 *flags)
{
	struct tn_fwd *fwd = rtnl_dereference(td->fwd);

	if (!fwd)
		return NULL;
	ether_addr_copy(dst, fwd->dst);
	*flags = fwd->flags;
	return fwd->dev;
}

/* Under RTNL: the target going away (or to another netns) ends the
 * forwarding to it.
 */
void tn_fwd_target_gone(struct net_device *dev)
{
	struct tn_dev *td;

	mutex_lock(&tn_mutex);
	list_for_each_entry(td, &tn_devs, node) {
		struct tn_fwd *fwd = rtnl_dereference(td->fwd);

		if (fwd && fwd->dev == dev) {
			netdev_info(td->dev, "forwarding to %s ended: device unregistered\n",
				    dev->name);
			tn_fwd_replace(td, NULL);
		}
	}
	mutex_unlock(&tn_mutex);
}
