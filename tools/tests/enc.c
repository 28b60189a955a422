// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "enc.h"

const uint8_t enc_mac[6] = { 0x02, 0x74, 0x6e, 0x00, 0x00, 0x01 };

void enc_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void enc_put32(uint8_t *p, uint32_t v)
{
	enc_put16(p, (uint16_t)(v >> 16));
	enc_put16(p + 2, (uint16_t)v);
}

static void put64(uint8_t *p, uint64_t v)
{
	enc_put32(p, (uint32_t)(v >> 32));
	enc_put32(p + 4, (uint32_t)v);
}

static uint8_t *grab(struct enc *e, size_t n)
{
	uint8_t *p = e->buf + e->len;

	memset(p, 0, n);
	e->len += n;
	return p;
}

void enc_init(struct enc *e)
{
	e->len = 0;
}

void enc_eth(struct enc *e, const uint8_t *src)
{
	uint8_t *p = grab(e, 14);

	memcpy(p, src, 6);		/* h_dest: the device's own address */
	memcpy(p + 6, src, 6);		/* h_source */
	enc_put16(p + 12, TRACENET_ETH_P);
}

/* struct tracenet_hdr */
size_t enc_hdr(struct enc *e, uint8_t type, uint8_t flags, uint16_t cpu,
	       uint16_t count, uint64_t seq)
{
	size_t start = e->len;
	uint8_t *p = grab(e, 16);

	p[0] = TRACENET_WIRE_VERSION;
	p[1] = type;
	p[2] = flags;
	p[3] = 16;
	enc_put16(p + 4, cpu);
	enc_put16(p + 6, count);
	put64(p + 8, seq);
	return start;
}

/* struct tracenet_event; its len is patched by enc_end() */
size_t enc_event(struct enc *e, uint32_t id, uint64_t ts, uint32_t pid,
		 const char *comm, uint16_t nfields)
{
	size_t start = e->len;
	uint8_t *p = grab(e, 40);

	enc_put16(p + 2, nfields);
	enc_put32(p + 4, id);
	put64(p + 8, ts);
	enc_put32(p + 16, pid);
	p[20] = 0;			/* common_flags */
	p[21] = 0;			/* preempt_count */
	strncpy((char *)p + 24, comm, 16);
	return start;
}

/* struct tracenet_tlv + value + zero padding */
void enc_tlv(struct enc *e, uint16_t type, const void *val, uint16_t len)
{
	uint8_t *p = grab(e, 4 + TRACENET_TLV_ALIGN((size_t)len));

	enc_put16(p, type);
	enc_put16(p + 2, len);
	memcpy(p + 4, val, len);
}

/* Field values keep the producer's byte order: little-endian here. */
void enc_tlv_le32(struct enc *e, uint16_t type, uint32_t val)
{
	uint8_t v[4] = { (uint8_t)val, (uint8_t)(val >> 8),
			 (uint8_t)(val >> 16), (uint8_t)(val >> 24) };

	enc_tlv(e, type, v, 4);
}

/* Patch the __be16 len that starts an event or metadata record. */
void enc_end(struct enc *e, size_t start)
{
	enc_put16(e->buf + start, (uint16_t)(e->len - start));
}

/* struct tracenet_meta */
size_t enc_meta(struct enc *e, uint32_t id)
{
	size_t start = e->len;
	uint8_t *p = grab(e, 8);

	enc_put32(p + 4, id);
	return start;
}

void enc_meta_str(struct enc *e, uint16_t type, const char *s)
{
	enc_tlv(e, type, s, (uint16_t)(strlen(s) + 1));
}

/* TRACENET_META_FIELD: struct tracenet_meta_field + "name\0type\0" */
void enc_meta_field(struct enc *e, uint16_t offset, uint16_t size,
		    uint32_t flags, const char *name, const char *type)
{
	size_t nl = strlen(name) + 1, tl = strlen(type) + 1;
	uint8_t v[256];

	enc_put16(v, offset);
	enc_put16(v + 2, size);
	enc_put32(v + 4, flags);
	memcpy(v + 8, name, nl);
	memcpy(v + 8 + nl, type, tl);
	enc_tlv(e, TRACENET_META_FIELD, v, (uint16_t)(8 + nl + tl));
}
