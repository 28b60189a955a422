// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the format handling of tracenetctl, from a tracefs
 * "format" text and a field table to printed events:
 *
 *   format text   -> the format guard and libtraceevent
 *                    (tn_fguard_parse_event(), tn_fguard_print()), as
 *                    decode.c does for a metadata frame
 *   field table   -> the FIELD TLVs of a metadata record, cut by
 *                    tn_wire_next_meta() with the wire's own checks
 *   both          -> tn_layout_init() (record.c)
 *   event TLVs    -> tn_record_build(), then tn_format_event(), the
 *                    printer of "dump", plugins and all
 *
 * Why: in a capture the format text and the field table come from the
 * frame, not from this machine's tracefs, so they are as hostile as the
 * rest of it, and they disagree with each other at will. fuzz_decode
 * reaches the same code, but spends most of its mutations on framing;
 * here the input (fuzz.h) is the format text itself, so that the
 * mutations (and the dictionary, format.dict) go into offsets, sizes,
 * types and print fmt arguments.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event-parse.h>
#include "decode.h"
#include "formatguard.h"
#include "fuzz.h"
#include "record.h"
#include "wire.h"

#define MAX_EVENTS	64	/* per input: enough for plugin and comm state */
/* The FORMAT TLV of meta_record(), after SYSTEM "fuzz" and NAME "fuzzing". */
#define FORMAT_AT	(TN_WIRE_META_MIN + 2 * (4 + 8))

static struct tn_wmeta meta;	/* 4 KiB: not on the stack */

/* Cut a __be16 length and that many bytes (fewer at the end) off @data. */
static const uint8_t *cut(const uint8_t **data, size_t *size, size_t *len)
{
	const uint8_t *p;

	if (*size < 2)
		return NULL;
	*len = (size_t)(*data)[0] << 8 | (*data)[1];
	*data += 2;
	*size -= 2;
	if (*len > *size)
		*len = *size;
	p = *data;
	*data += *len;
	*size -= *len;
	return p;
}

/* A string TLV of @slen bytes at @s and a NUL, zero-padded. */
static uint8_t *put_str(uint8_t *p, uint16_t type, const void *s, size_t slen)
{
	size_t len = slen + 1;

	p[0] = (uint8_t)(type >> 8);
	p[1] = (uint8_t)type;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	memcpy(p + 4, s, slen);
	memset(p + 4 + slen, 0, TRACENET_TLV_ALIGN(len) - slen);
	return p + 4 + TRACENET_TLV_ALIGN(len);
}

/* A metadata record as the module sends it: SYSTEM, NAME, FORMAT (the
 * text up to its first NUL), then the fuzzer's TLVs; NULL if it cannot
 * be one (its length is 16 bits), as the module never sends those.
 */
static uint8_t *meta_record(const uint8_t *fmt, size_t fmt_len,
			    const uint8_t *tlvs, size_t tlvs_len, size_t *len)
{
	const uint8_t *nul = memchr(fmt, '\0', fmt_len);
	uint8_t *rec, *p;

	if (nul)
		fmt_len = (size_t)(nul - fmt);
	if (fmt_len >= TRACENET_MAX_FORMAT)
		return NULL;
	*len = FORMAT_AT + 4 + TRACENET_TLV_ALIGN(fmt_len + 1) + tlvs_len;
	if (*len > UINT16_MAX)
		return NULL;
	rec = calloc(1, *len);
	if (!rec)
		return NULL;
	rec[0] = (uint8_t)(*len >> 8);
	rec[1] = (uint8_t)*len;
	p = put_str(rec + TN_WIRE_META_MIN, TRACENET_META_SYSTEM, "fuzz", 4);
	p = put_str(p, TRACENET_META_NAME, "fuzzing", 7);
	p = put_str(p, TRACENET_META_FORMAT, fmt, fmt_len);
	if (tlvs_len)
		memcpy(p, tlvs, tlvs_len);
	return rec;
}

/* What "attach" sends for a format: the fields in order, with their
 * flags in the wire's terms, never a flag the wire does not define.
 */
static void attach_fields(struct tep_event *event)
{
	struct tep_format_field **fields = tep_event_fields(event);
	unsigned int i, flags = 0;

	for (i = 0; fields && fields[i]; i++)
		flags |= tn_field_flags(fields[i]->flags);
	if (flags & ~TRACENET_FIELD_ALL)
		abort();
	free(fields);
}

/* decode.c's one_event(), for an event of a known layout, into a buffer
 * of TN_PRINT_BUF bytes that is zero past the record.
 */
static void events(struct tep_handle *tep, struct tep_event *event,
		   const struct tn_layout *lay, const uint8_t *data,
		   size_t size)
{
	struct tn_cursor c = { data, size, 0, MAX_EVENTS };
	struct tn_tlv tlvs[TRACENET_MAX_FIELDS];
	struct tep_record rec;
	struct trace_seq s;
	struct tn_wevent ev;
	struct tn_werr err;
	uint8_t *buf;
	int n, len;

	buf = calloc(1, TN_PRINT_BUF);
	if (!buf)
		return;
	trace_seq_init(&s);
	while (tn_wire_next_event(&c, &ev, &err) > 0) {
		n = tn_wire_event_tlvs(&ev, tlvs, TRACENET_MAX_FIELDS, &err);
		if (n < 0)
			continue;
		len = tn_record_build(lay, &ev, tlvs, (unsigned int)n, buf,
				      TN_RECORD_MAX, &err);
		if (len < 0) {
			memset(buf, 0, TN_RECORD_MAX);
			continue;
		}
		memset(&rec, 0, sizeof(rec));
		rec.ts = ev.ts;
		rec.cpu = (int)(c.index % 4);
		rec.data = buf;
		rec.size = rec.record_size = len;
		if (ev.pid && strcmp(tep_data_comm_from_pid(tep, (int)ev.pid),
				     ev.comm))
			tep_override_comm(tep, ev.comm, (int)ev.pid);
		tn_format_event(&s, tep, event, &rec);
		memset(buf, 0, (size_t)len + 8);
	}
	trace_seq_destroy(&s);
	free(buf);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_libtraceevent_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *fmt, *tlvs;
	struct tep_plugin_list *plugins = NULL;
	struct tep_event *event = NULL;
	struct tep_handle *tep;
	enum tep_errno ret;
	struct tn_cursor c;
	struct tn_layout lay;
	struct tn_werr err;
	size_t fmt_len, tlvs_len, mlen;
	uint8_t flags, *mrec;
	bool big;

	if (size < 1)
		return 0;
	flags = data[0];
	big = flags & FUZZ_FMT_BIG_ENDIAN;
	data++;
	size--;
	fmt = cut(&data, &size, &fmt_len);
	if (!fmt)
		return 0;
	tlvs = cut(&data, &size, &tlvs_len);
	if (!tlvs)
		tlvs_len = 0;

	mrec = meta_record(fmt, fmt_len, tlvs, tlvs_len, &mlen);
	if (!mrec)
		return 0;
	c = (struct tn_cursor){ mrec, mlen, 0, 1 };
	if (tn_wire_next_meta(&c, &meta, &err) != 1) {
		/* A bad field table: the format alone still deserves a go. */
		memset(&meta, 0, offsetof(struct tn_wmeta, fields));
		meta.format = (const char *)mrec + FORMAT_AT + 4;
		meta.format_len = strlen(meta.format);
	}

	/* decode.c's new_source() */
	tep = tep_alloc();
	if (!tep)
		goto out;
	tep_set_file_bigendian(tep, big ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(tep, tep_is_local_bigendian(tep) ?
				TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_set_long_size(tep, flags & FUZZ_FMT_LONG64 ? 8 : 4);
	tep_set_page_size(tep, 4096);
	if (flags & FUZZ_FMT_PLUGINS)
		plugins = tep_load_plugins(tep);

	/* decode.c's parse_meta(), without its check of the ID line: the
	 * handle has no other event for the text to shadow.
	 */
	if (tn_fguard_parse_event(tep, plugins != NULL, meta.format,
				  meta.format_len, "fuzz", &ret, &err))
		goto out_tep;
	event = tep_get_first_event(tep);
	if (!event)
		goto out_tep;
	attach_fields(event);
	if (tn_layout_init(&lay, event, meta.fields, meta.nfields, big, &err))
		goto out_tep;
	tn_fguard_print(event, &err);
	events(tep, event, &lay, data, size);
out_tep:
	if (plugins)
		tep_unload_plugins(plugins, tep);
	tep_free(tep);
out:
	free(mrec);
	return 0;
}
