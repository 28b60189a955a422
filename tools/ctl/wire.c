// SPDX-License-Identifier: GPL-2.0
/*
 * Frame decoding. Frames come from the network, so nothing in them is
 * trusted: every length is checked against the bytes that are really
 * there before anything is read, and a bad frame is an error message,
 * never a crash.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "wire.h"

#define ETH_HDR_LEN	14
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88a8

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* The EtherType past the 802.1Q/802.1ad tags a real link may add, and
 * the offset of the payload.
 */
static int eth_proto(const uint8_t *pkt, size_t len, uint16_t *proto,
		     size_t *payload, struct tn_werr *err)
{
	size_t off = ETH_HDR_LEN - 2;

	if (len < ETH_HDR_LEN)
		return tn_werr_fail(err, "truncated Ethernet header (%zu bytes)", len);
	*proto = get16(pkt + off);
	while (*proto == ETH_P_8021Q || *proto == ETH_P_8021AD) {
		off += 4;
		if (len < off + 2)
			return tn_werr_fail(err, "truncated VLAN tag");
		*proto = get16(pkt + off);
	}
	*payload = off + 2;
	return 0;
}

int tn_wire_eth(const uint8_t *pkt, size_t len, const uint8_t **payload,
		size_t *plen, struct tn_werr *err)
{
	size_t off = 0;
	uint16_t proto = 0;

	if (eth_proto(pkt, len, &proto, &off, err))
		return -1;
	if (proto != TRACENET_ETH_P)
		return tn_werr_fail(err, "not a tracenet frame (EtherType 0x%04x)", proto);
	*payload = pkt + off;
	*plen = len - off;
	return 0;
}

/* A tracenet frame forwarded in VXLAN (tracenetctl forward DEV udp):
 * Ethernet, IPv4 or IPv6 without extension headers, UDP on any port, a
 * VXLAN header with its I flag, then the frame. IP fragments are not
 * reassembled.
 */
int tn_wire_vxlan(const uint8_t *pkt, size_t len, const uint8_t **inner,
		  size_t *ilen, struct tn_werr *err)
{
	size_t ip = 0, udp;
	uint16_t proto = 0;

	if (eth_proto(pkt, len, &proto, &ip, err))
		return -1;
	if (proto == 0x0800) {
		if (len < ip + 20 || pkt[ip] >> 4 != 4 || (pkt[ip] & 0xf) < 5)
			return tn_werr_fail(err, "bad IPv4 header");
		if (get16(pkt + ip + 6) & 0x3fff)
			return tn_werr_fail(err, "IPv4 fragment: not reassembled");
		if (pkt[ip + 9] != 17)
			return tn_werr_fail(err, "not UDP");
		udp = ip + 4 * (pkt[ip] & 0xf);
	} else if (proto == 0x86dd) {
		if (len < ip + 40 || pkt[ip] >> 4 != 6)
			return tn_werr_fail(err, "bad IPv6 header");
		if (pkt[ip + 6] == 44)
			return tn_werr_fail(err, "IPv6 fragment: not reassembled");
		if (pkt[ip + 6] != 17)
			return tn_werr_fail(err, "not UDP");
		udp = ip + 40;
	} else {
		return tn_werr_fail(err, "not a tracenet frame (EtherType 0x%04x)", proto);
	}
	if (len < udp + 8 + 8)
		return tn_werr_fail(err, "truncated UDP or VXLAN header");
	if (!(pkt[udp + 8] & 0x08))
		return tn_werr_fail(err, "not VXLAN");
	*inner = pkt + udp + 16;
	*ilen = len - udp - 16;
	return 0;
}

int tn_wire_hdr(const uint8_t *buf, size_t len, struct tn_frame *f,
		struct tn_werr *err)
{
	if (len < TN_WIRE_HDR_MIN)
		return tn_werr_fail(err, "truncated tracenet header (%zu of %d bytes)",
			    len, TN_WIRE_HDR_MIN);
	f->version = buf[0];
	f->type = buf[1];
	f->flags = buf[2];
	f->hdr_len = buf[3];
	f->cpu = get16(buf + 4);
	f->count = get16(buf + 6);
	f->seq = get64(buf + 8);
	if (f->version != TRACENET_WIRE_VERSION)
		return tn_werr_fail(err, "unsupported wire version %u (expected %u)",
			    f->version, TRACENET_WIRE_VERSION);
	if (f->hdr_len < TN_WIRE_HDR_MIN)
		return tn_werr_fail(err, "header length %u shorter than %d",
			    f->hdr_len, TN_WIRE_HDR_MIN);
	if (f->hdr_len > len)
		return tn_werr_fail(err, "header length %u past the end of the frame (%zu bytes)",
			    f->hdr_len, len);
	if (f->type != TRACENET_FRAME_EVENTS && f->type != TRACENET_FRAME_META &&
	    f->type != TRACENET_FRAME_HOST)
		return tn_werr_fail(err, "unknown frame type %u", f->type);
	f->body = buf + f->hdr_len;
	f->body_len = len - f->hdr_len;
	return 0;
}

void tn_wire_items(const struct tn_frame *f, struct tn_cursor *c)
{
	c->p = f->body;
	c->left = f->body_len;
	c->index = 0;
	c->count = f->count;
}

/* Cut the next item of @c whose first __be16 is its own length.
 * Returns 1 and the item, 0 at the end, -1 on error.
 */
static int next_item(struct tn_cursor *c, size_t min, const char *what,
		     const uint8_t **item, size_t *len, struct tn_werr *err)
{
	unsigned int n = c->index + 1;

	if (c->index >= c->count)
		return 0;
	if (c->left < min)
		return tn_werr_fail(err, "%s %u of %u: truncated (%zu bytes left, header is %zu)",
			    what, n, c->count, c->left, min);
	*len = get16(c->p);
	if (*len < min)
		return tn_werr_fail(err, "%s %u of %u: length %zu shorter than its header (%zu)",
			    what, n, c->count, *len, min);
	if (*len > c->left)
		return tn_werr_fail(err, "%s %u of %u: length %zu past the end of the frame (%zu bytes left)",
			    what, n, c->count, *len, c->left);
	*item = c->p;
	c->p += *len;
	c->left -= *len;
	c->index++;
	return 1;
}

int tn_wire_next_event(struct tn_cursor *c, struct tn_wevent *ev,
		       struct tn_werr *err)
{
	const uint8_t *p;
	size_t len;
	int ret;

	ret = next_item(c, TN_WIRE_EVENT_MIN, "event", &p, &len, err);
	if (ret <= 0)
		return ret;
	ev->len = (uint16_t)len;
	ev->nfields = get16(p + 2);
	ev->id = get32(p + 4);
	ev->ts = get64(p + 8);
	ev->pid = get32(p + 16);
	ev->common_flags = p[20];
	ev->preempt_count = p[21];
	memcpy(ev->comm, p + 24, 16);
	ev->comm[16] = '\0';
	ev->tlvs = p + TN_WIRE_EVENT_MIN;
	ev->tlvs_len = len - TN_WIRE_EVENT_MIN;
	return 1;
}

/* Cut one TLV off the front of @p. The padding belongs to the TLV, so a
 * TLV whose padded value runs past the end is as broken as a short one.
 */
static int cut_tlv(const uint8_t **p, size_t *left, struct tn_tlv *tlv,
		   struct tn_werr *err)
{
	size_t need;

	if (*left < TN_WIRE_TLV_HDR)
		return tn_werr_fail(err, "truncated TLV header (%zu bytes left)", *left);
	tlv->type = get16(*p);
	tlv->len = get16(*p + 2);
	need = TN_WIRE_TLV_HDR + TRACENET_TLV_ALIGN((size_t)tlv->len);
	if (need > *left)
		return tn_werr_fail(err, "TLV type %u length %u past the end (%zu bytes left)",
			    tlv->type, tlv->len, *left - TN_WIRE_TLV_HDR);
	tlv->val = *p + TN_WIRE_TLV_HDR;
	*p += need;
	*left -= need;
	return 0;
}

/* All TLVs of @ev into @tlvs, which has room for @max; returns how many. */
int tn_wire_event_tlvs(const struct tn_wevent *ev, struct tn_tlv *tlvs,
		       unsigned int max, struct tn_werr *err)
{
	const uint8_t *p = ev->tlvs;
	size_t left = ev->tlvs_len;
	struct tn_werr e;
	unsigned int i;

	if (ev->nfields > max)
		return tn_werr_fail(err, "event id %u: %u fields, more than %u",
			    ev->id, ev->nfields, max);
	for (i = 0; i < ev->nfields; i++) {
		if (cut_tlv(&p, &left, &tlvs[i], &e))
			return tn_werr_fail(err, "event id %u: field %u of %u: %s",
				    ev->id, i, ev->nfields, e.msg);
	}
	if (left)
		return tn_werr_fail(err, "event id %u: %zu bytes after its %u fields",
			    ev->id, left, ev->nfields);
	return (int)ev->nfields;
}

/* A string TLV must hold its NUL within its declared length. */
static int tlv_string(const struct tn_tlv *tlv, const char **s, size_t *slen,
		      const char *what, struct tn_werr *err)
{
	const void *nul;

	if (*s)
		return tn_werr_fail(err, "%s given twice", what);
	nul = tlv->len ? memchr(tlv->val, '\0', tlv->len) : NULL;
	if (!nul)
		return tn_werr_fail(err, "%s not NUL-terminated", what);
	*s = (const char *)tlv->val;
	if (slen)
		*slen = (size_t)((const uint8_t *)nul - tlv->val);
	return 0;
}

static int meta_field(struct tn_wmeta *m, const struct tn_tlv *tlv,
		      struct tn_werr *err)
{
	const uint8_t *v = tlv->val, *end = v + tlv->len, *nul;
	struct tn_wfield *f;

	if (m->nfields >= TRACENET_MAX_FIELDS)
		return tn_werr_fail(err, "more than %d fields", TRACENET_MAX_FIELDS);
	if (tlv->len < TN_WIRE_META_FIELD_MIN + 2)
		return tn_werr_fail(err, "field %u: length %u too short", m->nfields,
			    tlv->len);
	f = &m->fields[m->nfields];
	f->offset = get16(v);
	f->size = get16(v + 2);
	f->flags = get32(v + 4);
	f->name = (const char *)v + TN_WIRE_META_FIELD_MIN;
	nul = memchr(f->name, '\0', (size_t)(end - (const uint8_t *)f->name));
	if (!nul || nul + 1 == end)
		return tn_werr_fail(err, "field %u: name without NUL or type", m->nfields);
	f->type = (const char *)nul + 1;
	if (!memchr(f->type, '\0', (size_t)(end - (const uint8_t *)f->type)))
		return tn_werr_fail(err, "field %u: type not NUL-terminated", m->nfields);
	if ((uint32_t)f->offset + f->size > UINT16_MAX)
		return tn_werr_fail(err, "field '%s' past the largest record", f->name);
	if ((f->flags & TRACENET_FIELD_DYNAMIC) && f->size != 4)
		return tn_werr_fail(err, "dynamic field '%s' of size %u (must be 4)",
			    f->name, f->size);
	m->nfields++;
	return 0;
}

static int meta_tlv(struct tn_wmeta *m, const struct tn_tlv *tlv,
		    struct tn_werr *err)
{
	switch (tlv->type) {
	case TRACENET_META_SYSTEM:
		return tlv_string(tlv, &m->system, NULL, "system", err);
	case TRACENET_META_NAME:
		return tlv_string(tlv, &m->name, NULL, "name", err);
	case TRACENET_META_FORMAT:
		return tlv_string(tlv, &m->format, &m->format_len, "format", err);
	case TRACENET_META_FIELD:
		return meta_field(m, tlv, err);
	}
	return 0;	/* newer producers may add attributes: skip them */
}

static int meta_check(const struct tn_wmeta *m, struct tn_werr *err)
{
	if (!m->system)
		return tn_werr_fail(err, "no system");
	if (!m->name)
		return tn_werr_fail(err, "no name");
	if (!m->format)
		return tn_werr_fail(err, "no format");
	return 0;
}

int tn_wire_host(const struct tn_frame *f, struct tn_whost *h,
		 struct tn_werr *err)
{
	const uint8_t *p = f->body;
	size_t left = f->body_len;
	struct tn_tlv tlv;
	unsigned int i;

	memset(h, 0, sizeof(*h));
	for (i = 0; i < f->count; i++) {
		if (cut_tlv(&p, &left, &tlv, err))
			return -1;
		switch (tlv.type) {
		case TRACENET_HOST_NAME:
			if (tlv_string(&tlv, &h->name, NULL, "host name", err))
				return -1;
			break;
		case TRACENET_HOST_BOOT_ID:
			if (tlv.len != 16)
				return tn_werr_fail(err, "boot id of %u bytes, not 16", tlv.len);
			h->boot_id = tlv.val;
			break;
		case TRACENET_HOST_CLOCK:
			if (tlv.len != 32)
				return tn_werr_fail(err, "clock sample of %u bytes, not 32", tlv.len);
			h->has_clock = true;
			h->realtime = get64(tlv.val);
			h->tai = get64(tlv.val + 8);
			h->monotonic = get64(tlv.val + 16);
			h->boottime = get64(tlv.val + 24);
			break;
		}
	}
	if (!h->name)
		return tn_werr_fail(err, "host frame without a name");
	return 0;
}

int tn_wire_next_meta(struct tn_cursor *c, struct tn_wmeta *m,
		      struct tn_werr *err)
{
	const uint8_t *p;
	struct tn_tlv tlv;
	struct tn_werr e;
	size_t len;
	int ret;

	ret = next_item(c, TN_WIRE_META_MIN, "metadata record", &p, &len, err);
	if (ret <= 0)
		return ret;
	memset(m, 0, offsetof(struct tn_wmeta, fields));
	m->id = get32(p + 4);
	p += TN_WIRE_META_MIN;
	len -= TN_WIRE_META_MIN;
	while (len) {
		if (cut_tlv(&p, &len, &tlv, &e) || meta_tlv(m, &tlv, &e))
			return tn_werr_fail(err, "metadata for id %u: %s", m->id, e.msg);
	}
	if (meta_check(m, &e))
		return tn_werr_fail(err, "metadata for id %u: %s", m->id, e.msg);
	return 1;
}
