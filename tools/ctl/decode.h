/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Turning a stream of tracenet frames into trace-cmd report lines.
 */
#ifndef _TRACENETCTL_DECODE_H
#define _TRACENETCTL_DECODE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <traceevent/trace-seq.h>

struct tn_source;
struct tn_held;

/* Event frames wait, in capture order, for the metadata of their ids;
 * beyond either bound the decoder stops waiting (tn_decoder_flush()).
 */
#define TN_HOLD_MAX_FRAMES	100000
#define TN_HOLD_MAX_BYTES	(64UL << 20)

struct tn_decoder {
	FILE *out;			/* event lines, drop lines */
	FILE *err;			/* warnings */
	struct tn_source *sources;
	uint8_t *rec;			/* TN_PRINT_BUF bytes (formatguard.h) */
	struct trace_seq seq;
	unsigned long long max_events;	/* stop after this many; 0: never */
	bool print_fields;		/* name=value, not the print fmt (-R) */
	bool print_host;		/* each line starts with its host (-H) */
	char *kallsyms;			/* /proc/kallsyms text, or NULL */
	char *printk_formats;		/* tracefs printk_formats, or NULL */
	bool done;			/* max_events printed */
	/* frames held back until their ids' metadata arrives */
	struct tn_held *held, *held_tail;
	unsigned long held_frames;
	size_t held_bytes;
	unsigned long hold_max_frames;	/* TN_HOLD_MAX_FRAMES by default */
	size_t hold_max_bytes;		/* TN_HOLD_MAX_BYTES by default */
	/* what happened, for the summary */
	unsigned long long frames;
	unsigned long long printed;
	unsigned long long lost;
	unsigned long long unknown;
	unsigned long long malformed;
	unsigned long long foreign;
	unsigned long long refused;	/* formats libtraceevent crashed on */
	unsigned long long raw;		/* formats printing their fields */
	unsigned long long overflows;	/* held frames flushed at the bound */
};

int tn_decoder_init(struct tn_decoder *d, FILE *out, FILE *err);
void tn_decoder_free(struct tn_decoder *d);
void tn_decode_eth(struct tn_decoder *d, const uint8_t *pkt, size_t len,
		   unsigned long long frame_no);
void tn_decode_payload(struct tn_decoder *d, const uint8_t *src,
		       const uint8_t *buf, size_t len,
		       unsigned long long frame_no);
void tn_decoder_flush(struct tn_decoder *d);
void tn_decoder_summary(struct tn_decoder *d);

struct tep_handle;
struct tep_event;
struct tep_record;
void tn_format_event(struct trace_seq *s, struct tep_handle *tep,
		     struct tep_event *event, struct tep_record *rec);

#endif /* _TRACENETCTL_DECODE_H */
