// SPDX-License-Identifier: GPL-2.0
/*
 * IP reassembly for "tracenetctl dump": frames forwarded in VXLAN
 * (forward DEV udp) that are larger than the path MTU (metadata frames
 * carry whole format files) arrive as IPv4 or IPv6 fragments. Wireshark
 * reassembles them itself; the decoder gets the datagram rebuilt here, as
 * an Ethernet frame with the first fragment's headers.
 *
 * Bounded: a few datagrams at once (the oldest is given up), 64 fragments
 * each, 64 KiB. Overlapping fragments give the datagram up.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "reasm.h"

#define MAX_FRAGS	64

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

struct tn_dgram {
	bool used;
	unsigned long long age;
	uint8_t key[37];		/* version, addresses, id */
	uint8_t hdr[TN_REASM_HDR];	/* Ethernet (+VLANs) and IP headers */
	size_t hdr_len, ip_off;
	bool v6;
	uint8_t next;			/* IPv6: the upper protocol */
	size_t total;			/* 0 until the last fragment came */
	size_t have;
	unsigned int nfrags;
	uint16_t frag_off[MAX_FRAGS], frag_len[MAX_FRAGS];
	uint8_t data[TN_REASM_MAX];
};

static struct tn_dgram *find(struct tn_reasm *r, const uint8_t *key)
{
	struct tn_dgram *d, *oldest = NULL;
	unsigned int i;

	for (i = 0; i < TN_REASM_SLOTS; i++) {
		d = r->slots[i];
		if (d && d->used && !memcmp(d->key, key, sizeof(d->key)))
			return d;
	}
	for (i = 0; i < TN_REASM_SLOTS; i++) {
		if (!r->slots[i]) {
			r->slots[i] = calloc(1, sizeof(struct tn_dgram));
			if (!r->slots[i])
				return NULL;
		}
		d = r->slots[i];
		if (!d->used)
			break;
		if (!oldest || d->age < oldest->age)
			oldest = d;
	}
	if (i == TN_REASM_SLOTS) {
		d = oldest;
		r->given_up++;
	}
	memset(d, 0, offsetof(struct tn_dgram, data));
	d->used = true;
	memcpy(d->key, key, sizeof(d->key));
	return d;
}

/* Add one fragment: its payload at byte @off, @more fragments after. */
static int add(struct tn_reasm *r, struct tn_dgram *d, size_t off,
	       const uint8_t *p, size_t len, bool more)
{
	unsigned int i;

	d->age = ++r->clock;
	if (off + len > TN_REASM_MAX || d->nfrags == MAX_FRAGS)
		goto give_up;
	for (i = 0; i < d->nfrags; i++)
		if (off < (size_t)d->frag_off[i] + d->frag_len[i] &&
		    d->frag_off[i] < off + len)
			goto give_up;
	d->frag_off[d->nfrags] = (uint16_t)off;
	d->frag_len[d->nfrags++] = (uint16_t)len;
	memcpy(d->data + off, p, len);
	d->have += len;
	if (!more)
		d->total = off + len;
	return d->total && d->have == d->total;

give_up:
	d->used = false;
	r->given_up++;
	return -1;
}

/* The datagram rebuilt: the first fragment's headers, then the payload. */
static void rebuild(struct tn_reasm *r, struct tn_dgram *d,
		    const uint8_t **out, size_t *olen)
{
	size_t ip = d->ip_off, n = d->hdr_len;

	memcpy(r->buf, d->hdr, n);
	if (d->v6) {
		r->buf[ip + 6] = d->next;
		put16(r->buf + ip + 4, (uint16_t)d->total);
	} else {
		put16(r->buf + ip + 2, (uint16_t)(n - ip + d->total));
		put16(r->buf + ip + 6, 0);
		put16(r->buf + ip + 10, 0);	/* checksum: nobody reads it */
	}
	memcpy(r->buf + n, d->data, d->total);
	*out = r->buf;
	*olen = n + d->total;
	d->used = false;
	r->done++;
}

int tn_reasm_add(struct tn_reasm *r, const uint8_t *pkt, size_t len,
		 const uint8_t **out, size_t *olen)
{
	uint8_t key[37] = { 0 };
	struct tn_dgram *d;
	size_t ip = 12, hl, off;
	uint16_t proto, fo;
	bool more;
	int ret;

	if (len < 14)
		return 0;
	proto = get16(pkt + ip);
	while ((proto == 0x8100 || proto == 0x88a8) && ip + 6 <= len && ip < 12 + 16) {
		ip += 4;
		proto = get16(pkt + ip);
	}
	ip += 2;
	if (proto == 0x0800) {
		if (len < ip + 20 || pkt[ip] >> 4 != 4)
			return 0;
		hl = 4 * (pkt[ip] & 0xf);
		fo = get16(pkt + ip + 6);
		if (hl < 20 || len < ip + hl || !(fo & 0x3fff))
			return 0;
		if (get16(pkt + ip + 2) < hl || ip + get16(pkt + ip + 2) > len)
			return 0;
		key[0] = 4;
		memcpy(key + 1, pkt + ip + 12, 8);	/* addresses */
		memcpy(key + 33, pkt + ip + 4, 2);	/* id */
		key[35] = pkt[ip + 9];
		d = find(r, key);
		if (!d)
			return -1;
		off = 8 * (size_t)(fo & 0x1fff);
		more = fo & 0x2000;
		if (!off) {
			memcpy(d->hdr, pkt, ip + hl);
			d->hdr_len = ip + hl;
			d->ip_off = ip;
		}
		ret = add(r, d, off, pkt + ip + hl, get16(pkt + ip + 2) - hl, more);
	} else if (proto == 0x86dd) {
		if (len < ip + 48 || pkt[ip] >> 4 != 6 || pkt[ip + 6] != 44)
			return 0;
		if (ip + 40 + get16(pkt + ip + 4) > len || get16(pkt + ip + 4) < 8)
			return 0;
		key[0] = 6;
		memcpy(key + 1, pkt + ip + 8, 32);	/* addresses */
		memcpy(key + 33, pkt + ip + 44, 4);	/* id */
		d = find(r, key);
		if (!d)
			return -1;
		fo = get16(pkt + ip + 42);
		off = fo & 0xfff8;
		more = fo & 1;
		if (!off) {
			memcpy(d->hdr, pkt, ip + 40);
			d->hdr_len = ip + 40;
			d->ip_off = ip;
			d->v6 = true;
			d->next = pkt[ip + 40];
		}
		ret = add(r, d, off, pkt + ip + 48, get16(pkt + ip + 4) - 8, more);
	} else {
		return 0;
	}
	if (ret <= 0)
		return ret < 0 ? -1 : 1;
	/* Complete: byte 0, the first fragment and its headers, is in. */
	rebuild(r, d, out, olen);
	return 2;
}

void tn_reasm_free(struct tn_reasm *r)
{
	unsigned int i;

	for (i = 0; i < TN_REASM_SLOTS; i++)
		free(r->slots[i]);
	memset(r, 0, sizeof(*r));
}
