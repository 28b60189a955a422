/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rebuilding the raw trace record of an event from its TLVs, so that
 * libtraceevent prints it exactly as it prints ftrace's own records.
 */
#ifndef _TRACENETCTL_RECORD_H
#define _TRACENETCTL_RECORD_H

#include <stdbool.h>
#include "wire.h"

struct tep_event;

/* Where a value goes in the raw record. */
struct tn_slot {
	uint16_t offset;
	uint16_t size;
};

struct tn_lfield {
	uint16_t offset;
	uint16_t size;
	uint32_t flags;		/* TRACENET_FIELD_* */
};

/* Everything needed to lay out records of one event id. */
struct tn_layout {
	uint32_t id;
	bool big_endian;	/* producer's byte order */
	struct tn_slot type, flags, preempt, pid;	/* common_* */
	uint32_t fixed;		/* bytes before any dynamic data */
	unsigned int nfields;
	struct tn_lfield fields[TRACENET_MAX_FIELDS];	/* by TLV type */
};

/* The largest record tn_record_build() can produce. */
#define TN_RECORD_MAX	(2 * 65536 + 64)

unsigned int tn_field_flags(unsigned long tep_flags);
int tn_layout_init(struct tn_layout *lay, struct tep_event *event,
		   const struct tn_wfield *fields, unsigned int nfields,
		   bool big_endian, struct tn_werr *err);
int tn_record_build(const struct tn_layout *lay, const struct tn_wevent *ev,
		    const struct tn_tlv *tlvs, unsigned int ntlvs,
		    uint8_t *buf, size_t bufsize, struct tn_werr *err);

#endif /* _TRACENETCTL_RECORD_H */
