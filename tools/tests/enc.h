/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny frame encoder for the tests, written from
 * include/uapi/linux/tracenet.h alone (not from the decoder), byte for
 * byte: big-endian framing, TLV values padded to 4 with zeros.
 */
#ifndef _TN_ENC_H
#define _TN_ENC_H

#include <stddef.h>
#include <stdint.h>
#include <uapi/linux/tracenet.h>

struct enc {
	uint8_t buf[65536 + 128];
	size_t len;
};

extern const uint8_t enc_mac[6];

void enc_init(struct enc *e);
void enc_eth(struct enc *e, const uint8_t *src);
size_t enc_hdr(struct enc *e, uint8_t type, uint8_t flags, uint16_t cpu,
	       uint16_t count, uint64_t seq);
size_t enc_event(struct enc *e, uint32_t id, uint64_t ts, uint32_t pid,
		 const char *comm, uint16_t nfields);
void enc_tlv(struct enc *e, uint16_t type, const void *val, uint16_t len);
void enc_tlv_le32(struct enc *e, uint16_t type, uint32_t val);
void enc_end(struct enc *e, size_t start);
size_t enc_meta(struct enc *e, uint32_t id);
void enc_meta_str(struct enc *e, uint16_t type, const char *s);
void enc_meta_field(struct enc *e, uint16_t offset, uint16_t size,
		    uint32_t flags, const char *name, const char *type);
void enc_put16(uint8_t *p, uint16_t v);
void enc_put32(uint8_t *p, uint32_t v);

#endif /* _TN_ENC_H */
