// SPDX-License-Identifier: GPL-2.0
/*
 * The decoder behind "tracenetctl dump": metadata frames teach it event
 * formats, event frames become one trace-cmd report line per event.
 *
 * State is kept per source MAC address (the producing device), because a
 * capture may mix devices or machines: event ids, formats, byte order and
 * per-CPU sequence numbers all belong to one producer.
 *
 * A capture that starts late sees events of an id before the metadata
 * frame for it (the module repeats metadata every few seconds). Such an
 * event frame is held back, copied, and so is every event frame after it,
 * of any CPU or source, until metadata for the ids of the oldest has
 * arrived: the frames are decoded in capture order, sequence gaps
 * included, as if the metadata had come first. Metadata frames never
 * wait. Past a bound, and at the end of the capture, the held frames are
 * decoded with what is known, and events still without metadata are
 * skipped and counted as before.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <event-parse.h>
#include "decode.h"
#include "formatguard.h"
#include "record.h"
#include "wire.h"

#define MAX_ID		UINT16_MAX	/* common_type is 16 bits */
#define MAX_WARNINGS	50		/* malformed frames named one by one */

/* What a source told us about one event id. */
struct tn_evinfo {
	struct tep_event *event;	/* NULL: no usable metadata yet */
	char sysname[2 * TRACENET_MAX_NAME + 2];
	char *format;			/* as received: redefinitions differ */
	bool warned;
	bool gave_up;			/* skipped once: its events no longer wait */
	int has_addr;			/* has_addresses(): -1 not known yet */
	struct tn_layout lay;
};

struct tn_cpuseq {
	uint64_t next;
	bool valid;
};

struct tn_source {
	struct tn_source *next;
	uint8_t mac[6];
	uint8_t flags;			/* TRACENET_F_* of its first frame */
	bool said_pointers;
	bool raw_pointers;		/* as last said */
	bool warned_id;
	struct tep_handle *tep;
	struct tep_plugin_list *plugins;
	struct tn_evinfo **ids;		/* [nids], by event id */
	unsigned int nids;
	struct tn_cpuseq *cpus;		/* [ncpus], by CPU */
	unsigned int ncpus;
	char host[TRACENET_MAX_NAME + 2];	/* its host frames' name, or its MAC */
	uint8_t *part;			/* a metadata record in parts, so far */
	size_t part_len;
	bool in_parts;
};

/* An event frame waiting for metadata: a copy, as libpcap reuses its buffer. */
struct tn_held {
	struct tn_held *next;
	unsigned long long frame;
	size_t len;
	uint8_t mac[6];
	uint8_t buf[];
};

static struct tn_wmeta meta_buf;	/* 4 KiB: not on the stack */

__attribute__((format(printf, 3, 4)))
static void dwarn(struct tn_decoder *d, unsigned long long frame,
		  const char *fmt, ...)
{
	va_list ap;

	fflush(d->out);
	fprintf(d->err, "tracenetctl: warning: frame %llu: ", frame);
	va_start(ap, fmt);
	vfprintf(d->err, fmt, ap);
	va_end(ap);
	fputc('\n', d->err);
}

static void malformed(struct tn_decoder *d, unsigned long long frame,
		      const char *msg)
{
	d->malformed++;
	if (d->malformed <= MAX_WARNINGS)
		dwarn(d, frame, "malformed: %s", msg);
	if (d->malformed == MAX_WARNINGS)
		fprintf(d->err, "tracenetctl: warning: further malformed frames are only counted\n");
}

int tn_decoder_init(struct tn_decoder *d, FILE *out, FILE *err)
{
	memset(d, 0, sizeof(*d));
	d->out = out;
	d->err = err;
	/* zeros past the record: see formatguard.h */
	d->rec = calloc(1, TN_PRINT_BUF);
	d->hold_max_frames = TN_HOLD_MAX_FRAMES;
	d->hold_max_bytes = TN_HOLD_MAX_BYTES;
	trace_seq_init(&d->seq);
	return d->rec ? 0 : -1;
}

static void free_source(struct tn_source *src)
{
	unsigned int i;

	for (i = 0; i < src->nids; i++) {
		if (src->ids[i])
			free(src->ids[i]->format);
		free(src->ids[i]);
	}
	free(src->ids);
	free(src->cpus);
	free(src->part);
	if (src->plugins)
		tep_unload_plugins(src->plugins, src->tep);
	tep_free(src->tep);
	free(src);
}

static void drop_held(struct tn_decoder *d)
{
	struct tn_held *next;

	for (; d->held; d->held = next) {
		next = d->held->next;
		free(d->held);
	}
	d->held_tail = NULL;
	d->held_frames = 0;
	d->held_bytes = 0;
}

void tn_decoder_free(struct tn_decoder *d)
{
	struct tn_source *next;

	drop_held(d);

	for (; d->sources; d->sources = next) {
		next = d->sources->next;
		free_source(d->sources);
	}
	trace_seq_destroy(&d->seq);
	free(d->rec);
	free(d->kallsyms);
	free(d->printk_formats);
	d->rec = NULL;
	d->kallsyms = d->printk_formats = NULL;
}

/* A tep handle set up as the producer wrote its records, with
 * libtraceevent's plugins loaded, as trace-cmd does (the sched_switch
 * plugin, for one, prints that event its own way), and the kernel symbols
 * and printk formats if we were given them, as trace-cmd report uses
 * those it saved in trace.dat.
 */
static struct tn_source *new_source(struct tn_decoder *d, const uint8_t *mac,
				     uint8_t flags)
{
	struct tn_source *src = calloc(1, sizeof(*src));

	if (!src)
		return NULL;
	src->tep = tep_alloc();
	if (!src->tep) {
		free(src);
		return NULL;
	}
	memcpy(src->mac, mac, sizeof(src->mac));
	snprintf(src->host, sizeof(src->host), "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	src->flags = flags;
	tep_set_file_bigendian(src->tep, flags & TRACENET_F_BIG_ENDIAN ?
			       TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(src->tep, tep_is_local_bigendian(src->tep) ?
				TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_set_long_size(src->tep, flags & TRACENET_F_LONG64 ? 8 : 4);
	tep_set_page_size(src->tep, 4096);
	src->plugins = tep_load_plugins(src->tep);
	if (d->kallsyms)
		tep_parse_kallsyms(src->tep, d->kallsyms);
	if (d->printk_formats)
		tep_parse_printk_formats(src->tep, d->printk_formats);
	return src;
}

static struct tn_source *get_source(struct tn_decoder *d, const uint8_t *mac,
				    uint8_t flags)
{
	struct tn_source *src;

	for (src = d->sources; src; src = src->next)
		if (!memcmp(src->mac, mac, sizeof(src->mac)))
			return src;
	src = new_source(d, mac, flags);
	if (src) {
		src->next = d->sources;
		d->sources = src;
	}
	return src;
}

/* Grow the array at @*arr of @*n elements of @size so that index @i
 * exists; @arr is the address of the array pointer.
 */
static bool grow(void *arr, unsigned int *n, unsigned int i, size_t size)
{
	unsigned int want = i + 1 > *n * 2 ? i + 1 : *n * 2;
	char *old, *a;

	if (i < *n)
		return true;
	memcpy(&old, arr, sizeof(old));
	a = realloc(old, (size_t)want * size);
	if (!a)
		return false;
	memset(a + (size_t)*n * size, 0, (size_t)(want - *n) * size);
	memcpy(arr, &a, sizeof(a));
	*n = want;
	return true;
}

static struct tn_evinfo *get_info(struct tn_source *src, uint32_t id)
{
	if (id > MAX_ID || !grow(&src->ids, &src->nids, id, sizeof(*src->ids)))
		return NULL;
	if (!src->ids[id])
		src->ids[id] = calloc(1, sizeof(**src->ids));
	return src->ids[id];
}

static bool same_meta(const struct tn_evinfo *info, const char *sysname,
		      const struct tn_wmeta *m)
{
	return info->format && !strcmp(info->sysname, sysname) &&
	       !strcmp(info->format, m->format);
}

/* libtraceevent files the event under the format's own ID line; one that
 * disagrees with the record would shadow another event of the source.
 */
static bool format_says_id(const char *format, uint32_t id)
{
	const char *p = strstr(format, "\nID: ");

	return p && strtoul(p + 5, NULL, 10) == id;
}

/* The text comes from the capture: libtraceevent parses it only if a
 * child that parsed it first survived, and prints with its print fmt only
 * what that cannot crash on (formatguard.c).
 */
static void parse_meta(struct tn_decoder *d, struct tn_source *src,
		       struct tn_evinfo *info, const struct tn_wmeta *m,
		       unsigned long long frame)
{
	struct tep_event *event;
	enum tep_errno ret;
	struct tn_werr err;

	if (!format_says_id(m->format, m->id)) {
		dwarn(d, frame, "cannot parse the format of %s (id %u): no line \"ID: %u\"",
		      info->sysname, m->id, m->id);
		return;
	}
	if (tn_fguard_parse_event(src->tep, src->plugins != NULL, m->format,
				  m->format_len, m->system, &ret, &err)) {
		d->refused++;
		dwarn(d, frame, "refusing the format of %s (id %u): %s",
		      info->sysname, m->id, err.msg);
		return;
	}
	event = tep_find_event(src->tep, (int)m->id);
	if (!event) {
		dwarn(d, frame, "cannot parse the format of %s (id %u)",
		      info->sysname, m->id);
		return;
	}
	if (tn_layout_init(&info->lay, event, m->fields, m->nfields,
			   src->flags & TRACENET_F_BIG_ENDIAN, &err)) {
		dwarn(d, frame, "event %s (id %u): %s", info->sysname, m->id,
		      err.msg);
		return;
	}
	if (tn_fguard_print(event, &err)) {
		d->raw++;
		dwarn(d, frame, "event %s (id %u): %s: printing its fields instead",
		      info->sysname, m->id, err.msg);
	} else if (event->flags & TEP_EVENT_FL_FAILED) {
		d->raw++;
		dwarn(d, frame, "event %s (id %u): libtraceevent cannot parse all of its format: printing its fields instead",
		      info->sysname, m->id);
	}
	info->event = event;
	info->has_addr = -1;
}

static void register_meta(struct tn_decoder *d, struct tn_source *src,
			  const struct tn_wmeta *m, unsigned long long frame)
{
	char sysname[sizeof(((struct tn_evinfo *)0)->sysname)];
	struct tn_evinfo *info = get_info(src, m->id);

	if (!info) {
		dwarn(d, frame, "metadata for event id %u ignored (out of range or no memory)",
		      m->id);
		return;
	}
	snprintf(sysname, sizeof(sysname), "%s:%s", m->system, m->name);
	/* Metadata is repeated for late joiners: known means done. */
	if (same_meta(info, sysname, m))
		return;
	if (info->format) {
		if (!info->warned)
			dwarn(d, frame, "event id %u redefined as %s (was %s): keeping the first",
			      m->id, sysname, info->sysname);
		info->warned = true;
		return;
	}
	info->format = strdup(m->format);
	memcpy(info->sysname, sysname, sizeof(sysname));
	info->warned = false;
	if (info->format)
		parse_meta(d, src, info, m, frame);
}

/* A part of a metadata record too big for the sender's MTU: the record
 * so far, and the whole of it (in @whole) once its last part came.
 */
static bool meta_part(struct tn_decoder *d, struct tn_source *src,
		      const struct tn_frame *f, struct tn_frame *whole,
		      unsigned long long frame)
{
	if (!f->seq) {
		src->part_len = 0;
		src->in_parts = true;
	} else if (!src->in_parts || f->seq != src->part_len) {
		dwarn(d, frame, "metadata part at byte %llu, %zu expected: record dropped",
		      (unsigned long long)f->seq, src->in_parts ? src->part_len : 0);
		src->in_parts = false;
		return false;
	}
	if (src->part_len + f->body_len > UINT16_MAX) {
		dwarn(d, frame, "metadata record in parts over 64 KiB: dropped");
		src->in_parts = false;
		return false;
	}
	if (!src->part && !(src->part = malloc(UINT16_MAX))) {
		src->in_parts = false;
		return false;
	}
	memcpy(src->part + src->part_len, f->body, f->body_len);
	src->part_len += f->body_len;
	if (f->flags & TRACENET_F_MORE)
		return false;
	src->in_parts = false;
	*whole = *f;
	whole->body = src->part;
	whole->body_len = src->part_len;
	whole->count = 1;
	return true;
}

static void meta_frame(struct tn_decoder *d, struct tn_source *src,
		       const struct tn_frame *f, unsigned long long frame)
{
	struct tn_frame whole;
	struct tn_cursor c;
	struct tn_werr err;
	int ret;

	if ((f->flags & TRACENET_F_MORE) || f->seq) {
		if (!meta_part(d, src, f, &whole, frame))
			return;
		f = &whole;
	}
	tn_wire_items(f, &c);
	while ((ret = tn_wire_next_meta(&c, &meta_buf, &err)) > 0)
		register_meta(d, src, &meta_buf, frame);
	if (ret < 0)
		malformed(d, frame, err.msg);
}

/* The host of a source: its name, as its host frames give it. */
static void host_frame(struct tn_decoder *d, struct tn_source *src,
		       const struct tn_frame *f, unsigned long long frame)
{
	struct tn_whost h;
	struct tn_werr err;

	char *c;

	if (tn_wire_host(f, &h, &err))
		return malformed(d, frame, err.msg);
	snprintf(src->host, sizeof(src->host), "%s", h.name[0] ? h.name : "?");
	/* One word on a line: a name from the wire is not trusted. */
	for (c = src->host; *c; c++)
		if (*c <= ' ' || *c > '~')
			*c = '?';
}

/* "host " before each line, with -H: a capture of several hosts. */
static void print_host(struct tn_decoder *d, const struct tn_source *src)
{
	if (d->print_host)
		fprintf(d->out, "%s ", src->host);
}

/* Gaps print as trace-cmd prints the ring buffer's lost events. */
static void check_seq(struct tn_decoder *d, struct tn_source *src,
		      const struct tn_frame *f, unsigned long long frame)
{
	struct tn_cpuseq *cs;
	uint64_t lost;

	if (!grow(&src->cpus, &src->ncpus, f->cpu, sizeof(*src->cpus)))
		return;
	cs = &src->cpus[f->cpu];
	if (cs->valid && f->seq > cs->next) {
		lost = f->seq - cs->next;
		print_host(d, src);
		fprintf(d->out, "CPU:%u [%llu EVENTS DROPPED]\n", f->cpu,
			(unsigned long long)lost);
		d->lost += lost;
	} else if (cs->valid && f->seq < cs->next) {
		dwarn(d, frame, "CPU %u sequence went back from %llu to %llu (device restarted?)",
		      f->cpu, (unsigned long long)cs->next,
		      (unsigned long long)f->seq);
	}
	cs->next = f->seq + f->count;
	cs->valid = true;
}

static void unknown_event(struct tn_decoder *d, struct tn_source *src,
			  uint32_t id, unsigned long long frame)
{
	struct tn_evinfo *info = get_info(src, id);
	bool *warned = info ? &info->warned : &src->warned_id;

	d->unknown++;
	if (!*warned && info && info->format)
		dwarn(d, frame, "no usable metadata for event id %u (%s): skipping its events",
		      id, info->sysname);
	else if (!*warned)
		dwarn(d, frame, "no metadata for event id %u (yet): skipping its events",
		      id);
	*warned = true;
	if (info)
		info->gave_up = true;
}

static void set_comm(struct tep_handle *tep, const struct tn_wevent *ev)
{
	int pid = (int)ev->pid;

	/* pid 0 is "<idle>" by libtraceevent's convention: leave it. */
	if (pid && strcmp(tep_data_comm_from_pid(tep, pid), ev->comm))
		tep_override_comm(tep, ev->comm, pid);
}

/* The line of trace-cmd 3.1's trace_show_data() (tracecmd/trace-read.c)
 * with its defaults: "%16s-%-5d [%03d]", then " %6.1000d:" (seconds and
 * rounded microseconds), then print_event_name()'s " %s: " padded to 20,
 * then @info: TEP_PRINT_INFO (the print fmt) or TEP_PRINT_INFO_RAW (every
 * field as name=value, as "trace-cmd report -R" prints).
 */
static void format_event(struct trace_seq *s, struct tep_handle *tep,
			 struct tep_event *event, struct tep_record *rec,
			 const char *info)
{
	static const char spaces[] = "                    ";
	size_t len = strlen(event->name);

	trace_seq_reset(s);
	tep_print_event(tep, s, rec, "%16s-%-5d [%03d]", TEP_PRINT_COMM,
			TEP_PRINT_PID, TEP_PRINT_CPU);
	tep_print_event(tep, s, rec, " %6.1000d:", TEP_PRINT_TIME);
	trace_seq_printf(s, " %s: ", event->name);
	if (len < 20)
		trace_seq_printf(s, "%.*s", (int)(20 - len), spaces);
	tep_print_event(tep, s, rec, "%s", info);
	if (s->len && s->buffer[s->len - 1] == '\n')
		s->len--;
	trace_seq_terminate(s);
}

void tn_format_event(struct trace_seq *s, struct tep_handle *tep,
		     struct tep_event *event, struct tep_record *rec)
{
	format_event(s, tep, event, rec, TEP_PRINT_INFO);
}

/* Has the event a field the producer hashes unless raw: a pointer, or a
 * code address by name (the module's pointers.c)?
 */
static bool has_addresses(struct tn_evinfo *info)
{
	static const char *const names[] = { "call_site", "ip", "parent_ip" };
	struct tep_format_field *fld;
	unsigned int i;

	if (info->has_addr >= 0)
		return info->has_addr;
	info->has_addr = 0;
	for (fld = info->event->format.fields; fld; fld = fld->next) {
		if (fld->flags & TEP_FIELD_IS_DYNAMIC)
			continue;
		if ((fld->flags & TEP_FIELD_IS_POINTER) || strchr(fld->type, '*'))
			info->has_addr = 1;
		for (i = 0; i < ARRAY_SIZE(names); i++)
			if (!strcmp(fld->name, names[i]) && !strcmp(fld->type, "unsigned long"))
				info->has_addr = 1;
	}
	return info->has_addr;
}

/* Whether the addresses that follow are the kernel's or keyed hashes
 * (TRACENET_F_RAW_POINTERS): said, on stderr as the values cannot say it,
 * before a source's first event with an address field, and again
 * whenever it changes.
 */
static void note_pointers(struct tn_decoder *d, struct tn_source *src,
			  const struct tn_frame *f, unsigned long long frame)
{
	bool raw = f->flags & TRACENET_F_RAW_POINTERS;

	if (src->said_pointers && raw == src->raw_pointers)
		return;
	src->said_pointers = true;
	src->raw_pointers = raw;
	fflush(d->out);
	fprintf(d->err, "tracenetctl: frame %llu on: %s's kernel addresses are %s\n",
		frame, src->host, raw ? "raw" : "keyed hashes");
}

static void one_event(struct tn_decoder *d, struct tn_source *src,
		      const struct tn_frame *f, const struct tn_wevent *ev,
		      unsigned long long frame)
{
	struct tn_tlv tlvs[TRACENET_MAX_FIELDS];
	struct tn_evinfo *info = NULL;
	struct tep_record rec;
	struct tn_werr err;
	int n, size;

	if (ev->id <= MAX_ID && ev->id < src->nids)
		info = src->ids[ev->id];
	if (!info || !info->event)
		return unknown_event(d, src, ev->id, frame);
	n = tn_wire_event_tlvs(ev, tlvs, TRACENET_MAX_FIELDS, &err);
	size = n < 0 ? -1 : tn_record_build(&info->lay, ev, tlvs, (unsigned int)n,
					    d->rec, TN_RECORD_MAX, &err);
	if (size < 0) {
		/* it may have written anywhere up to TN_RECORD_MAX */
		memset(d->rec, 0, TN_RECORD_MAX);
		return malformed(d, frame, err.msg);
	}
	memset(&rec, 0, sizeof(rec));
	rec.ts = ev->ts;
	rec.cpu = f->cpu;
	rec.data = d->rec;
	rec.size = rec.record_size = size;
	set_comm(src->tep, ev);
	format_event(&d->seq, src->tep, info->event, &rec,
		     d->print_fields ? TEP_PRINT_INFO_RAW : TEP_PRINT_INFO);
	memset(d->rec, 0, (size_t)size + 8);	/* zeros again past any record */
	if (has_addresses(info))
		note_pointers(d, src, f, frame);
	print_host(d, src);
	fprintf(d->out, "%s\n", d->seq.buffer);
	d->printed++;
	if (d->max_events && d->printed >= d->max_events)
		d->done = true;
}

static void event_frame(struct tn_decoder *d, struct tn_source *src,
			const struct tn_frame *f, unsigned long long frame)
{
	struct tn_cursor c;
	struct tn_wevent ev;
	struct tn_werr err;
	int ret;

	check_seq(d, src, f, frame);
	tn_wire_items(f, &c);
	while (!d->done && (ret = tn_wire_next_event(&c, &ev, &err)) > 0)
		one_event(d, src, f, &ev, frame);
	if (!d->done && ret < 0)
		malformed(d, frame, err.msg);
}

/* One frame, in capture order. */
static void decode_frame(struct tn_decoder *d, const uint8_t *src_mac,
			 const uint8_t *buf, size_t len,
			 unsigned long long frame)
{
	struct tn_source *src;
	struct tn_frame f;
	struct tn_werr err;

	if (tn_wire_hdr(buf, len, &f, &err))
		return malformed(d, frame, err.msg);
	src = get_source(d, src_mac, f.flags);
	if (!src) {
		dwarn(d, frame, "out of memory");
		return;
	}
	if (f.type == TRACENET_FRAME_META)
		meta_frame(d, src, &f, frame);
	else if (f.type == TRACENET_FRAME_HOST)
		host_frame(d, src, &f, frame);
	else
		event_frame(d, src, &f, frame);
}

/* Can metadata still come for @id? Not for ids out of range, nor for
 * ids whose metadata came (usable or not), nor once events of the id were
 * skipped: from then on they are skipped as they come, not held.
 */
static bool id_waits(const struct tn_source *src, uint32_t id)
{
	const struct tn_evinfo *info;

	if (id > MAX_ID)
		return false;
	info = id < src->nids ? src->ids[id] : NULL;
	return !info || (!info->format && !info->gave_up);
}

/* Has the event frame at @buf an event whose metadata may still come?
 * Malformed frames do not wait for anything (but wait their turn).
 */
static bool frame_waits(struct tn_decoder *d, const uint8_t *src_mac,
			const uint8_t *buf, size_t len)
{
	struct tn_source *src;
	struct tn_cursor c;
	struct tn_wevent ev;
	struct tn_frame f;
	struct tn_werr err;

	if (tn_wire_hdr(buf, len, &f, &err) || f.type != TRACENET_FRAME_EVENTS)
		return false;
	src = get_source(d, src_mac, f.flags);
	if (!src)
		return false;
	tn_wire_items(&f, &c);
	while (tn_wire_next_event(&c, &ev, &err) > 0)
		if (id_waits(src, ev.id))
			return true;
	return false;
}

/* Decode held frames, oldest first, up to the first that still waits for
 * metadata, or (@all) every one of them.
 */
static void release(struct tn_decoder *d, bool all)
{
	struct tn_held *h;

	while ((h = d->held) && !d->done &&
	       (all || !frame_waits(d, h->mac, h->buf, h->len))) {
		d->held = h->next;
		if (!d->held)
			d->held_tail = NULL;
		d->held_frames--;
		d->held_bytes -= h->len;
		decode_frame(d, h->mac, h->buf, h->len, h->frame);
		free(h);
	}
	if (d->done)
		drop_held(d);	/* -c reached: nothing more is printed */
}

static bool hold_fits(const struct tn_decoder *d, size_t len)
{
	return d->held_frames < d->hold_max_frames &&
	       len <= d->hold_max_bytes - d->held_bytes;
}

static bool hold(struct tn_decoder *d, const uint8_t *src_mac,
		 const uint8_t *buf, size_t len, unsigned long long frame)
{
	struct tn_held *h = malloc(sizeof(*h) + len);

	if (!h)
		return false;
	h->next = NULL;
	h->frame = frame;
	h->len = len;
	memcpy(h->mac, src_mac, sizeof(h->mac));
	memcpy(h->buf, buf, len);
	if (d->held_tail)
		d->held_tail->next = h;
	else
		d->held = h;
	d->held_tail = h;
	d->held_frames++;
	d->held_bytes += len;
	return true;
}

/* Decode all held frames now: events without metadata are skipped. */
void tn_decoder_flush(struct tn_decoder *d)
{
	release(d, true);
}

/* @src: the producer's MAC address, 6 bytes. */
void tn_decode_payload(struct tn_decoder *d, const uint8_t *src_mac,
		       const uint8_t *buf, size_t len,
		       unsigned long long frame)
{
	struct tn_frame f;
	struct tn_werr err;

	if (d->done)
		return;
	d->frames++;
	if (!tn_wire_hdr(buf, len, &f, &err)) {
		/* Sources are made in capture order, from their first frame. */
		get_source(d, src_mac, f.flags);
		if (f.type == TRACENET_FRAME_META || f.type == TRACENET_FRAME_HOST) {
			decode_frame(d, src_mac, buf, len, frame);
			release(d, false);
			return;
		}
	}
	if (!d->held && !frame_waits(d, src_mac, buf, len))
		return decode_frame(d, src_mac, buf, len, frame);
	if (d->held && !hold_fits(d, len)) {
		d->overflows++;
		dwarn(d, frame, "%lu frames (%zu bytes) held back waiting for metadata: decoding them without it",
		      d->held_frames, d->held_bytes);
		release(d, true);
		if (d->done)
			return;
		if (!frame_waits(d, src_mac, buf, len))
			return decode_frame(d, src_mac, buf, len, frame);
	}
	if (hold_fits(d, len) && hold(d, src_mac, buf, len, frame))
		return;
	/* Too big to hold, or no memory: no more waiting. */
	release(d, true);
	if (!d->done)
		decode_frame(d, src_mac, buf, len, frame);
}

void tn_decode_eth(struct tn_decoder *d, const uint8_t *pkt, size_t len,
		   unsigned long long frame)
{
	const uint8_t *payload;
	struct tn_werr err;
	size_t plen;

	if (tn_wire_eth(pkt, len, &payload, &plen, &err)) {
		/* Forwarded across routers: the frame inside VXLAN. */
		if (tn_wire_vxlan(pkt, len, &pkt, &len, &err) ||
		    tn_wire_eth(pkt, len, &payload, &plen, &err)) {
			d->foreign++;
			return;
		}
	}
	tn_decode_payload(d, pkt + 6, payload, plen, frame);
}

void tn_decoder_summary(struct tn_decoder *d)
{
	tn_decoder_flush(d);
	fflush(d->out);
	if (d->lost)
		fprintf(d->err, "tracenetctl: %llu events lost (sequence gaps)\n",
			d->lost);
	if (d->unknown)
		fprintf(d->err, "tracenetctl: %llu events skipped: no metadata for their event id\n",
			d->unknown);
	if (d->refused)
		fprintf(d->err, "tracenetctl: %llu event formats refused: libtraceevent crashed parsing them\n",
			d->refused);
	if (d->raw)
		fprintf(d->err, "tracenetctl: %llu event formats printed as fields: their print fmt was unusable\n",
			d->raw);
	if (d->malformed)
		fprintf(d->err, "tracenetctl: %llu malformed frames or events\n",
			d->malformed);
	if (d->foreign)
		fprintf(d->err, "tracenetctl: %llu frames were not tracenet frames\n",
			d->foreign);
}
