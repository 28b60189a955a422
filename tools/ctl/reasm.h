/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IPv4/IPv6 reassembly of fragmented frames for tracenetctl dump.
 */
#ifndef _TRACENETCTL_REASM_H
#define _TRACENETCTL_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TN_REASM_SLOTS	8		/* datagrams reassembled at once */
#define TN_REASM_MAX	65535		/* bytes of a datagram's payload */
#define TN_REASM_HDR	(14 + 16 + 60)	/* Ethernet, 4 VLAN tags, IPv4 options */

struct tn_dgram;

struct tn_reasm {
	struct tn_dgram *slots[TN_REASM_SLOTS];
	unsigned long long clock, done, given_up;
	uint8_t buf[TN_REASM_HDR + TN_REASM_MAX];
};

/* An Ethernet frame: 0 if it is no IP fragment (decode it as it is), 1 if
 * it was kept, 2 if it completed a datagram, rebuilt in *out (valid until
 * the next call), -1 if its datagram was given up (overlap, too big, no
 * memory).
 */
int tn_reasm_add(struct tn_reasm *r, const uint8_t *pkt, size_t len,
		 const uint8_t **out, size_t *olen);
void tn_reasm_free(struct tn_reasm *r);

#endif /* _TRACENETCTL_REASM_H */
