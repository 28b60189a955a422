// SPDX-License-Identifier: GPL-2.0
/*
 * Raw record rebuilding. A frame carries an event's fields cut out of the
 * kernel's record; libtraceevent wants the record itself, laid out as the
 * tracefs format file says. Putting each value back at its offset (and the
 * dynamic data after the fixed part, behind a rebuilt __data_loc word) lets
 * the one printer that trace-cmd uses print our events too, plugins and all.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <event-parse.h>
#include "record.h"

unsigned int tn_field_flags(unsigned long tep_flags)
{
	static const struct {
		unsigned long tep;
		unsigned int tn;
	} map[] = {
		{ TEP_FIELD_IS_SIGNED,   TRACENET_FIELD_SIGNED },
		{ TEP_FIELD_IS_DYNAMIC,  TRACENET_FIELD_DYNAMIC },
		{ TEP_FIELD_IS_RELATIVE, TRACENET_FIELD_RELATIVE },
		{ TEP_FIELD_IS_STRING,   TRACENET_FIELD_STRING },
		{ TEP_FIELD_IS_ARRAY,    TRACENET_FIELD_ARRAY },
		{ TEP_FIELD_IS_POINTER,  TRACENET_FIELD_POINTER },
	};
	unsigned int i, flags = 0;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (tep_flags & map[i].tep)
			flags |= map[i].tn;
	return flags;
}

/* Within a record of at most 64 KiB, without overflowing an int. */
static bool field_in_range(const struct tep_format_field *f)
{
	return f->offset >= 0 && f->size >= 0 &&
	       f->offset <= UINT16_MAX - f->size;
}

/* libtraceevent reads every field of the format at its offset: none may
 * lie past the fixed part that tn_record_build() writes and clears, which
 * a format from the network could otherwise put anywhere.
 */
static int check_format(struct tep_event *event, struct tn_werr *err)
{
	struct tep_format_field *lists[] = {
		event->format.common_fields, event->format.fields,
	};
	struct tep_format_field *f;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lists); i++)
		for (f = lists[i]; f; f = f->next)
			if (!field_in_range(f))
				return tn_werr_fail(err, "format of %s:%s: field %s out of range (offset %d size %d)",
					    event->system, event->name, f->name,
					    f->offset, f->size);
	return 0;
}

static int common_slot(struct tep_event *event, const char *name,
		       struct tn_slot *slot, bool required, struct tn_werr *err)
{
	struct tep_format_field *f = tep_find_common_field(event, name);

	slot->offset = slot->size = 0;
	if (!f)
		return required ? tn_werr_fail(err, "format of %s:%s has no %s",
				       event->system, event->name, name) : 0;
	if (!field_in_range(f) || f->size == 0 || f->size > 8)
		return tn_werr_fail(err, "format of %s:%s: bad %s offset %d size %d",
			    event->system, event->name, name, f->offset, f->size);
	slot->offset = (uint16_t)f->offset;
	slot->size = (uint16_t)f->size;
	return 0;
}

/* The fixed part ends after the last field of the format or of @lay;
 * check_format() has put every field of the format within 64 KiB.
 */
static uint32_t fixed_size(struct tep_event *event, const struct tn_layout *lay)
{
	struct tep_format_field *f;
	uint32_t end = 0;
	unsigned int i;

	for (f = event->format.common_fields; f; f = f->next)
		if ((uint32_t)(f->offset + f->size) > end)
			end = (uint32_t)(f->offset + f->size);
	for (f = event->format.fields; f; f = f->next)
		if ((uint32_t)(f->offset + f->size) > end)
			end = (uint32_t)(f->offset + f->size);
	for (i = 0; i < lay->nfields; i++)
		if ((uint32_t)lay->fields[i].offset + lay->fields[i].size > end)
			end = (uint32_t)lay->fields[i].offset + lay->fields[i].size;
	return end;
}

/* Without field records from the producer, trust the format's own order:
 * it is the order tracenetctl attach sent.
 */
static int fields_from_format(struct tn_layout *lay, struct tep_event *event,
			      struct tn_werr *err)
{
	struct tep_format_field *f;

	lay->nfields = 0;
	for (f = event->format.fields; f; f = f->next) {
		if (lay->nfields >= TRACENET_MAX_FIELDS)
			return tn_werr_fail(err, "%s:%s has more than %d fields",
				    event->system, event->name,
				    TRACENET_MAX_FIELDS);
		lay->fields[lay->nfields].offset = (uint16_t)f->offset;
		lay->fields[lay->nfields].size = (uint16_t)f->size;
		lay->fields[lay->nfields].flags = tn_field_flags(f->flags);
		lay->nfields++;
	}
	return 0;
}

/* libtraceevent takes a __data_loc or __rel_loc word of the record as it
 * finds it, and reads what it points to past the record for a __rel_loc
 * one it did not write: the word of every dynamic field of the format must
 * come from tn_record_build(), from a table field that is that same
 * dynamic field, never from the bytes of a TLV.
 */
static int check_table(struct tep_event *event, const struct tn_wfield *t,
		       unsigned int i, struct tn_werr *err)
{
	struct tep_format_field *f;
	bool rel;

	for (f = event->format.fields; f; f = f->next) {
		if (!(f->flags & TEP_FIELD_IS_DYNAMIC) ||
		    t->offset >= f->offset + f->size ||
		    t->offset + t->size <= f->offset)
			continue;
		rel = f->flags & TEP_FIELD_IS_RELATIVE;
		if (t->offset != f->offset || t->size != f->size ||
		    !(t->flags & TRACENET_FIELD_DYNAMIC) ||
		    !(t->flags & TRACENET_FIELD_RELATIVE) != !rel)
			return tn_werr_fail(err, "field %u (offset %u size %u) is not the format's %s field %s",
				    i, t->offset, t->size,
				    rel ? "__rel_loc" : "__data_loc", f->name);
	}
	return 0;
}

static int fields_from_meta(struct tn_layout *lay, struct tep_event *event,
			    const struct tn_wfield *fields,
			    unsigned int nfields, struct tn_werr *err)
{
	unsigned int i;

	if (nfields > TRACENET_MAX_FIELDS)
		return tn_werr_fail(err, "%u fields, more than %d", nfields,
			    TRACENET_MAX_FIELDS);
	for (i = 0; i < nfields; i++) {
		if (check_table(event, &fields[i], i, err))
			return -1;
		if ((fields[i].flags & TRACENET_FIELD_DYNAMIC) &&
		    fields[i].size != 4)
			return tn_werr_fail(err, "dynamic field %u of size %u", i,
				    fields[i].size);
		lay->fields[i].offset = fields[i].offset;
		lay->fields[i].size = fields[i].size;
		lay->fields[i].flags = fields[i].flags;
	}
	lay->nfields = nfields;
	return 0;
}

int tn_layout_init(struct tn_layout *lay, struct tep_event *event,
		   const struct tn_wfield *fields, unsigned int nfields,
		   bool big_endian, struct tn_werr *err)
{
	int ret;

	memset(lay, 0, offsetof(struct tn_layout, fields));
	lay->id = (uint32_t)event->id;
	lay->big_endian = big_endian;
	if (check_format(event, err) ||
	    common_slot(event, "common_type", &lay->type, true, err) ||
	    common_slot(event, "common_flags", &lay->flags, false, err) ||
	    common_slot(event, "common_preempt_count", &lay->preempt, false, err) ||
	    common_slot(event, "common_pid", &lay->pid, true, err))
		return -1;
	if (nfields)
		ret = fields_from_meta(lay, event, fields, nfields, err);
	else
		ret = fields_from_format(lay, event, err);
	if (ret)
		return ret;
	lay->fixed = fixed_size(event, lay);
	return 0;
}

/* Store @val in @size bytes at @p in the producer's byte order. */
static void put_uint(uint8_t *p, unsigned int size, uint64_t val, bool big)
{
	unsigned int i;

	for (i = 0; i < size; i++) {
		unsigned int shift = 8 * (big ? size - 1 - i : i);

		p[i] = (uint8_t)(shift < 64 ? val >> shift : 0);
	}
}

static void put_slot(uint8_t *buf, const struct tn_slot *s, uint64_t val,
		     bool big)
{
	if (s->size)
		put_uint(buf + s->offset, s->size, val, big);
}

static int put_dynamic(const struct tn_layout *lay, const struct tn_lfield *f,
		       const struct tn_tlv *tlv, uint8_t *buf, size_t bufsize,
		       uint32_t *end, struct tn_werr *err)
{
	uint32_t off = (*end + 3U) & ~3U;
	uint32_t loc = off;

	if (off > UINT16_MAX)
		return tn_werr_fail(err, "field %u: dynamic data at offset %u, past 16 bits",
			    tlv->type, off);
	if (off + tlv->len > bufsize)
		return tn_werr_fail(err, "field %u: record too large", tlv->type);
	memcpy(buf + off, tlv->val, tlv->len);
	if (f->flags & TRACENET_FIELD_RELATIVE)
		loc -= (uint32_t)f->offset + f->size;
	put_uint(buf + f->offset, 4, (uint32_t)tlv->len << 16 | loc,
		 lay->big_endian);
	*end = off + tlv->len;
	return 0;
}

static int put_field(const struct tn_layout *lay, const struct tn_tlv *tlv,
		     uint8_t *buf, size_t bufsize, uint32_t *end,
		     struct tn_werr *err)
{
	const struct tn_lfield *f;

	if (tlv->type >= lay->nfields)
		return tn_werr_fail(err, "field %u: the event has only %u fields",
			    tlv->type, lay->nfields);
	f = &lay->fields[tlv->type];
	if (f->flags & TRACENET_FIELD_DYNAMIC)
		return put_dynamic(lay, f, tlv, buf, bufsize, end, err);
	if (tlv->len > f->size)
		return tn_werr_fail(err, "field %u: %u bytes for a field of %u",
			    tlv->type, tlv->len, f->size);
	memcpy(buf + f->offset, tlv->val, tlv->len);
	return 0;
}

/* Returns the size of the record built in @buf. The bytes after it, up to
 * the next 8, are zero, so a string that lost its NUL still ends.
 */
int tn_record_build(const struct tn_layout *lay, const struct tn_wevent *ev,
		    const struct tn_tlv *tlvs, unsigned int ntlvs,
		    uint8_t *buf, size_t bufsize, struct tn_werr *err)
{
	uint32_t end = lay->fixed;
	unsigned int i;
	bool big = lay->big_endian;

	if (bufsize < TN_RECORD_MAX)
		return tn_werr_fail(err, "record buffer too small");
	memset(buf, 0, lay->fixed + 8);
	put_slot(buf, &lay->type, ev->id, big);
	put_slot(buf, &lay->flags, ev->common_flags, big);
	put_slot(buf, &lay->preempt, ev->preempt_count, big);
	put_slot(buf, &lay->pid, ev->pid, big);
	for (i = 0; i < ntlvs; i++) {
		if (put_field(lay, &tlvs[i], buf, bufsize - 8, &end, err))
			return -1;
		/* Dynamic data lands after the fixed part: clear as we go. */
		memset(buf + end, 0, 8);
	}
	return (int)end;
}
