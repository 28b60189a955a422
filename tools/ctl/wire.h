/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoding of tracenet frames (include/uapi/linux/tracenet.h).
 *
 * Pure functions over byte buffers: no libpcap, no tracefs, no allocation,
 * so that they can be fed hostile input in unit tests. Every function that
 * can fail returns a negative value and leaves a message in a struct
 * tn_werr; none of them reads outside the buffer it was given.
 */
#ifndef _TRACENETCTL_WIRE_H
#define _TRACENETCTL_WIRE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <uapi/linux/tracenet.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define TN_WIRE_HDR_MIN		16	/* struct tracenet_hdr */
#define TN_WIRE_EVENT_MIN	40	/* struct tracenet_event */
#define TN_WIRE_META_MIN	8	/* struct tracenet_meta */
#define TN_WIRE_META_FIELD_MIN	8	/* struct tracenet_meta_field */
#define TN_WIRE_TLV_HDR		4	/* struct tracenet_tlv */

struct tn_werr {
	char msg[192];
};

/* Say what was wrong in @err; returns -1 for "return tn_werr_fail(...)". */
__attribute__((format(printf, 2, 3)))
static inline int tn_werr_fail(struct tn_werr *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* A frame's header and the bytes that follow it. */
struct tn_frame {
	uint8_t version;
	uint8_t type;
	uint8_t flags;
	uint8_t hdr_len;
	uint16_t cpu;
	uint16_t count;
	uint64_t seq;
	const uint8_t *body;
	size_t body_len;
};

/* Walks the @count events or metadata records of a frame body. */
struct tn_cursor {
	const uint8_t *p;
	size_t left;
	unsigned int index;
	unsigned int count;
};

struct tn_tlv {
	uint16_t type;
	uint16_t len;
	const uint8_t *val;
};

struct tn_wevent {
	uint16_t len;
	uint16_t nfields;
	uint32_t id;
	uint64_t ts;
	uint32_t pid;
	uint8_t common_flags;
	uint8_t preempt_count;
	char comm[17];		/* always NUL-terminated */
	const uint8_t *tlvs;
	size_t tlvs_len;
};

struct tn_wfield {
	uint16_t offset;
	uint16_t size;
	uint32_t flags;		/* TRACENET_FIELD_* */
	const char *name;
	const char *type;
};

struct tn_wmeta {
	uint32_t id;
	const char *system;
	const char *name;
	const char *format;
	size_t format_len;	/* without the NUL */
	unsigned int nfields;
	struct tn_wfield fields[TRACENET_MAX_FIELDS];
};

/* A host frame's TLVs; unknown ones skipped. */
struct tn_whost {
	const char *name;
	const uint8_t *boot_id;		/* 16 bytes, or NULL */
	bool has_clock;
	uint64_t realtime, tai, monotonic, boottime;
};

int tn_wire_host(const struct tn_frame *f, struct tn_whost *h,
		 struct tn_werr *err);
int tn_wire_vxlan(const uint8_t *pkt, size_t len, const uint8_t **inner,
		  size_t *ilen, struct tn_werr *err);
int tn_wire_eth(const uint8_t *pkt, size_t len, const uint8_t **payload,
		size_t *plen, struct tn_werr *err);
int tn_wire_hdr(const uint8_t *buf, size_t len, struct tn_frame *f,
		struct tn_werr *err);
void tn_wire_items(const struct tn_frame *f, struct tn_cursor *c);
int tn_wire_next_event(struct tn_cursor *c, struct tn_wevent *ev,
		       struct tn_werr *err);
int tn_wire_event_tlvs(const struct tn_wevent *ev, struct tn_tlv *tlvs,
		       unsigned int max, struct tn_werr *err);
int tn_wire_next_meta(struct tn_cursor *c, struct tn_wmeta *m,
		      struct tn_werr *err);

#endif /* _TRACENETCTL_WIRE_H */
