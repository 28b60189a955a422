// SPDX-License-Identifier: GPL-2.0
/*
 * XDP programs for 17_xdp.sh, one per section, loaded with
 * "ip link set DEV xdp obj F sec S". Built at test time by clang with
 * -DEVENT_ID (the tracefs id whose events the "drop_event" and
 * "rewrite_comm" programs act on) and -DREDIRECT_IFINDEX.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "../../include/uapi/linux/tracenet.h"

/* The one event of a frame, or NULL if this is not an event frame. */
static __always_inline struct tracenet_event *first_event(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct tracenet_hdr *h = (void *)(eth + 1);
	struct tracenet_event *ev = (void *)(h + 1);

	if ((void *)(ev + 1) > end)
		return NULL;
	if (eth->h_proto != bpf_htons(TRACENET_ETH_P) ||
	    h->type != TRACENET_FRAME_EVENTS || h->count != bpf_htons(1))
		return NULL;
	return ev;
}

SEC("pass")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("drop")
int xdp_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("aborted")
int xdp_aborted(struct xdp_md *ctx)
{
	return XDP_ABORTED;
}

SEC("tx")
int xdp_tx(struct xdp_md *ctx)
{
	return XDP_TX;
}

SEC("drop_event")
int xdp_drop_event(struct xdp_md *ctx)
{
	struct tracenet_event *ev = first_event(ctx);

	return ev && ev->id == bpf_htonl(EVENT_ID) ? XDP_DROP : XDP_PASS;
}

/* What the program wrote is what the stack receives. */
SEC("rewrite_comm")
int xdp_rewrite_comm(struct xdp_md *ctx)
{
	struct tracenet_event *ev = first_event(ctx);

	if (ev && ev->id == bpf_htonl(EVENT_ID))
		__builtin_memcpy(ev->comm, "xdp-rewritten\0\0", 16);
	return XDP_PASS;
}

SEC("redirect")
int xdp_redirect(struct xdp_md *ctx)
{
	return bpf_redirect(REDIRECT_IFINDEX, 0);
}

char _license[] SEC("license") = "GPL";
