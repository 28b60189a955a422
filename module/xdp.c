// SPDX-License-Identifier: GPL-2.0
/*
 * Native XDP: an attached program (ip link set trace0 xdp ..., or the one
 * tracenetctl filter compiles) sees each event as a frame of its own, built
 * in a page fragment before any skb exists, as a NIC's RX ring would hand
 * it over. XDP_DROP frees the fragment and costs the event no sequence
 * number, since a filtered event is not a lost one; XDP_PASS builds the skb
 * around the same fragment; XDP_REDIRECT sends it on, if the program's
 * attacher had the privilege forwarding needs (CAP_PERFMON; CAP_NET_ADMIN
 * it had to attach): otherwise the event is lost, counted as an XDP error,
 * as a failed redirect is. Metadata frames come
 * from process context and do not go through the program, so a capture
 * can always decode what passes.
 */
#include <linux/etherdevice.h>
#include <linux/filter.h>
#include <linux/skbuff.h>
#include <trace/events/xdp.h>
#include "tracenet.h"

int tn_xdp_rxq_init(struct tn_queue *q)
{
	int err;

	/* The NAPI id served AF_XDP busy polling only. Since 6.13 a NAPI gets
	 * its id at napi_enable(), not here ("net: napi: Add napi_config"),
	 * so it is 0 then; and since 6.13 the kernel ignores the argument
	 * ("xsk: Bring back busy polling support" takes the id from the
	 * queue's NAPI at bind). Valid before, unused after: nothing to adapt.
	 */
	err = xdp_rxq_info_reg(&q->xdp_rxq, q->td->dev, q->cpu,
			       q->napi.napi_id);
	if (err)
		return err;
	err = xdp_rxq_info_reg_mem_model(&q->xdp_rxq, MEM_TYPE_PAGE_SHARED,
					 NULL);
	if (err)
		xdp_rxq_info_unreg(&q->xdp_rxq);
	return err;
}

void tn_xdp_rxq_free(struct tn_queue *q)
{
	xdp_rxq_info_unreg(&q->xdp_rxq);
}

/* ndo_bpf, under RTNL. The core hands us a reference to the new program
 * and uninstalls it (prog == NULL) before the device is unregistered;
 * polls still running the old one hold the RCU read lock, and a program
 * is freed only after a grace period.
 */
int tn_xdp_setup(struct net_device *dev, struct netdev_bpf *bpf)
{
	struct tn_dev *td = tn_priv(dev);
	struct bpf_prog *old;

	if (bpf->command != XDP_SETUP_PROG)
		return -EINVAL;
	/* Only compared with the program a poll runs, never dereferenced. */
	WRITE_ONCE(td->xdp_redirector,
		   bpf->prog && perfmon_capable() ? bpf->prog : NULL);
	old = rcu_replace_pointer(td->xdp_prog, bpf->prog,
				  lockdep_rtnl_is_held());
	if (old)
		bpf_prog_put(old);
	return 0;
}

static struct sk_buff *tn_xdp_skb(struct tn_queue *q, struct xdp_buff *xdp,
				  u64 ts)
{
	unsigned int metasize = xdp->data - xdp->data_meta;
	struct sk_buff *skb;

	skb = napi_build_skb(xdp->data_hard_start, xdp->frame_sz);
	if (!skb)
		return NULL;
	skb_reserve(skb, xdp->data - xdp->data_hard_start);
	__skb_put(skb, xdp->data_end - xdp->data);
	if (metasize)
		skb_metadata_set(skb, metasize);
	skb->protocol = eth_type_trans(skb, q->td->dev);
	skb->tstamp = ns_to_ktime(ts);
	return skb;
}

/* Run @prog on the event at the head of the buffer. Returns false when the
 * buffer is empty; else the event is consumed, and *skb is set if it is to
 * be delivered.
 */
bool tn_xdp_event(struct tn_queue *q, struct bpf_prog *prog,
		  struct sk_buff **skb)
{
	struct tn_dev *td = q->td;
	unsigned int frame_len, bufsz;
	u64_stats_t *reason;
	struct tn_record *rec;
	struct tn_event *ev;
	struct xdp_buff xdp;
	void *buf;
	bool raw;
	u32 act;
	int len;
	u64 ts;

	rec = tn_queue_head(q);
	if (!rec)
		return false;
	ev = xa_load(&td->events, rec->id);
	len = ev ? tn_frame_event_len(ev, rec) : 0;
	if (!ev || len < 0) {
		tn_drop_head(q, ev ? &q->drop_layout : &q->drop_detached);
		return true;
	}

	frame_len = TN_HDRS_LEN + len;
	bufsz = SKB_DATA_ALIGN(XDP_PACKET_HEADROOM + frame_len) +
		SKB_DATA_ALIGN(sizeof(struct skb_shared_info));
	buf = napi_alloc_frag(bufsz);
	if (!buf) {
		tn_drop_head(q, &q->drop_nomem);
		return true;
	}
	raw = READ_ONCE(td->raw_pointers);
	tn_frame_write_hdr(buf + XDP_PACKET_HEADROOM, td->dev,
			   TRACENET_FRAME_EVENTS, raw, q->cpu, 1, q->seq);
	tn_frame_write_event(buf + XDP_PACKET_HEADROOM + TN_HDRS_LEN, ev, rec,
			     raw);
	ts = rec->ts;
	tn_queue_pop(q);

	xdp_init_buff(&xdp, bufsz, &q->xdp_rxq);
	xdp_prepare_buff(&xdp, buf, XDP_PACKET_HEADROOM, frame_len, true);
	act = bpf_prog_run_xdp(prog, &xdp);
	switch (act) {
	case XDP_DROP:
		skb_free_frag(buf);
		tn_count(q, &q->xdp_drop, 1);
		return true;
	case XDP_PASS:
		*skb = tn_xdp_skb(q, &xdp, ts);
		if (!*skb) {
			reason = &q->drop_nomem;
			break;
		}
		WRITE_ONCE(q->seq, q->seq + 1);
		return true;
	case XDP_REDIRECT:
		if (prog == READ_ONCE(td->xdp_redirector) &&
		    !xdp_do_redirect(td->dev, &xdp, prog)) {
			q->xdp_flush = true;
			WRITE_ONCE(q->seq, q->seq + 1);
			tn_count(q, &q->xdp_redirect, 1);
			return true;
		}
		reason = &q->drop_xdp_error;
		break;
	default:
		/* XDP_TX too: trace0 has nothing to transmit on. */
		bpf_warn_invalid_xdp_action(td->dev, prog, act);
		fallthrough;
	case XDP_ABORTED:
		trace_xdp_exception(td->dev, prog, act);
		reason = &q->drop_xdp_error;
		break;
	}
	/* Lost, not filtered: the event keeps its sequence number. */
	skb_free_frag(buf);
	WRITE_ONCE(q->seq, q->seq + 1);
	tn_count(q, reason, 1);
	return true;
}
