// SPDX-License-Identifier: GPL-2.0
/*
 * decode.c: streams of frames, as "tracenetctl dump" sees them, into
 * lines on one stream and warnings on another.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decode.h"
#include "enc.h"
#include "formatguard.h"
#include "tap.h"

#define TS	1700000000123456789ULL

static const uint8_t other_mac[6] = { 0x02, 0x74, 0x6e, 0x00, 0x00, 0x02 };

struct run {
	struct tn_decoder d;
	char *out, *err;
	size_t out_len, err_len;
	FILE *fout, *ferr;
	unsigned long long frame;
};

static void run_start(struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->fout = open_memstream(&r->out, &r->out_len);
	r->ferr = open_memstream(&r->err, &r->err_len);
	tn_decoder_init(&r->d, r->fout, r->ferr);
}

static void run_frame(struct run *r, const struct enc *e)
{
	tn_decode_eth(&r->d, e->buf, e->len, ++r->frame);
}

static void run_stop(struct run *r)
{
	tn_decoder_summary(&r->d);
	tn_decoder_free(&r->d);
	fclose(r->fout);
	fclose(r->ferr);
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static void meta_exec(struct enc *e, const uint8_t *mac)
{
	char *fmt = read_fixture("sched_process_exec.format", NULL);
	size_t m;

	enc_init(e);
	enc_eth(e, mac);
	enc_hdr(e, TRACENET_FRAME_META, TRACENET_F_LONG64, 0, 1, 0);
	m = enc_meta(e, 365);
	enc_meta_str(e, TRACENET_META_SYSTEM, "sched");
	enc_meta_str(e, TRACENET_META_NAME, "sched_process_exec");
	enc_meta_str(e, TRACENET_META_FORMAT, fmt ? fmt : "");
	enc_meta_field(e, 8, 4, TRACENET_FIELD_DYNAMIC | TRACENET_FIELD_STRING |
		       TRACENET_FIELD_ARRAY, "filename", "__data_loc char[]");
	enc_meta_field(e, 12, 4, TRACENET_FIELD_SIGNED, "pid", "pid_t");
	enc_meta_field(e, 16, 4, TRACENET_FIELD_SIGNED, "old_pid", "pid_t");
	enc_end(e, m);
	free(fmt);
}

/* @n exec events of pids 100, 101, ... in one frame. */
static void events_exec(struct enc *e, const uint8_t *mac, uint16_t cpu,
			uint64_t seq, uint16_t n)
{
	char path[32];
	uint16_t i;
	size_t ev;

	enc_init(e);
	enc_eth(e, mac);
	enc_hdr(e, TRACENET_FRAME_EVENTS, TRACENET_F_LONG64, cpu, n, seq);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/bin/p%u", 100 + i);
		ev = enc_event(e, 365, TS + i * 1000ULL, 100 + i, "exe", 3);
		enc_tlv(e, 0, path, (uint16_t)(strlen(path) + 1));
		enc_tlv_le32(e, 1, 100 + i);
		enc_tlv_le32(e, 2, 100 + i);
		enc_end(e, ev);
	}
}

static void test_basic(struct enc *e)
{
	struct run r;

	run_start(&r);
	meta_exec(e, enc_mac);
	run_frame(&r, e);
	events_exec(e, enc_mac, 1, 0, 2);
	run_frame(&r, e);
	meta_exec(e, enc_mac);
	run_frame(&r, e);		/* repeated metadata: nothing to say */
	run_stop(&r);
	tap_is_str(r.out,
		   "             exe-100   [001] 1700000000.123457: sched_process_exec:   filename=/bin/p100 pid=100 old_pid=100\n"
		   "             exe-101   [001] 1700000000.123458: sched_process_exec:   filename=/bin/p101 pid=101 old_pid=101\n",
		   "metadata, then a frame of two events: two lines");
	tap_is_str(r.err, "", "no warnings");
	run_free(&r);
}

static void meta_wakeup(struct enc *e, const uint8_t *mac)
{
	char *fmt = read_fixture("sched_wakeup.format", NULL);
	size_t m;

	enc_init(e);
	enc_eth(e, mac);
	enc_hdr(e, TRACENET_FRAME_META, TRACENET_F_LONG64, 0, 1, 0);
	m = enc_meta(e, 374);
	enc_meta_str(e, TRACENET_META_SYSTEM, "sched");
	enc_meta_str(e, TRACENET_META_NAME, "sched_wakeup");
	enc_meta_str(e, TRACENET_META_FORMAT, fmt ? fmt : "");
	enc_end(e, m);		/* no field records: the format's order */
	free(fmt);
}

/* A frame of events of @kinds, 'x' sched_process_exec (id 365), 'w'
 * sched_wakeup (id 374), of pids @pid, @pid + 1, ...
 */
static void mixed(struct enc *e, uint16_t cpu, uint64_t seq,
		  const char *kinds, uint32_t pid)
{
	char path[32];
	size_t ev;

	enc_init(e);
	enc_eth(e, enc_mac);
	enc_hdr(e, TRACENET_FRAME_EVENTS, TRACENET_F_LONG64, cpu,
		(uint16_t)strlen(kinds), seq);
	for (; *kinds; kinds++, pid++) {
		if (*kinds == 'w') {
			ev = enc_event(e, 374, TS + pid * 1000ULL, pid, "bash", 4);
			enc_tlv(e, 0, "kworker/1:2\0\0\0\0", 16);
			enc_tlv_le32(e, 1, pid);
			enc_tlv_le32(e, 2, 120);
			enc_tlv_le32(e, 3, cpu);
		} else {
			snprintf(path, sizeof(path), "/bin/p%u", pid);
			ev = enc_event(e, 365, TS + pid * 1000ULL, pid, "exe", 3);
			enc_tlv(e, 0, path, (uint16_t)(strlen(path) + 1));
			enc_tlv_le32(e, 1, pid);
			enc_tlv_le32(e, 2, pid);
		}
		enc_end(e, ev);
	}
}

/* What "dump" prints when the metadata comes first: the reference for
 * the captures that start late. @frames: "cpu seq kinds pid" per frame.
 */
static char *reference(struct enc *e, const char *const *frames,
		       unsigned int n, bool wakeup)
{
	unsigned int i, cpu, pid;
	unsigned long long seq;
	char kinds[16];
	struct run r;
	char *out;

	run_start(&r);
	meta_exec(e, enc_mac);
	run_frame(&r, e);
	if (wakeup) {
		meta_wakeup(e, enc_mac);
		run_frame(&r, e);
	}
	for (i = 0; i < n; i++) {
		if (sscanf(frames[i], "%u %llu %15s %u", &cpu, &seq, kinds, &pid) != 4)
			continue;
		mixed(e, (uint16_t)cpu, seq, kinds, pid);
		run_frame(&r, e);
	}
	run_stop(&r);
	out = r.out;
	free(r.err);
	return out;
}

static void feed(struct run *r, struct enc *e, const char *frame)
{
	unsigned int cpu, pid;
	unsigned long long seq;
	char kinds[16];

	if (sscanf(frame, "%u %llu %15s %u", &cpu, &seq, kinds, &pid) != 4)
		return;
	mixed(e, (uint16_t)cpu, seq, kinds, pid);
	run_frame(r, e);
}

/* Events of an id before its metadata wait for it, then print in order. */
static void test_late_meta(struct enc *e)
{
	static const char *const frames[] = {
		"0 0 xx 100", "0 2 x 102", "0 3 x 103", "0 4 xx 104",
	};
	char *want = reference(e, frames, 4, false);
	unsigned long held;
	struct run r;

	run_start(&r);
	feed(&r, e, frames[0]);
	feed(&r, e, frames[1]);
	held = r.d.held_frames;
	tap_ok(held == 2 && r.d.printed == 0 && r.d.held_bytes > 0,
	       "late metadata: events before it are held (%lu frames), not skipped",
	       held);
	meta_exec(e, enc_mac);
	run_frame(&r, e);
	tap_ok(r.d.held_frames == 0 && r.d.printed == 3,
	       "late metadata: its arrival prints the held events at once");
	feed(&r, e, frames[2]);
	feed(&r, e, frames[3]);
	run_stop(&r);
	tap_is_str(r.out, want, "late metadata: the same lines as with metadata first");
	tap_ok(r.d.printed == 6 && !r.d.unknown && !r.d.lost,
	       "late metadata: 6 printed, nothing unknown or lost");
	tap_is_str(r.err, "", "late metadata: no warnings");
	run_free(&r);
	free(want);
}

/* Two CPUs, a gap on one, an id known and one not (yet), batched frames
 * mixing both: gaps print where they would with the metadata first.
 */
static void test_late_meta_gaps(struct enc *e)
{
	static const char *const frames[] = {
		"0 0 x 100",		/* printed at once */
		"1 0 w 200",		/* waits for 374 */
		"0 1 x 101",		/* waits behind it */
		"1 4 xw 201",		/* 1..3 of CPU 1 lost */
		"0 2 x 102",
		"1 6 w 203",		/* after the metadata */
		"0 5 xx 103",		/* 3, 4 of CPU 0 lost */
	};
	char *want = reference(e, frames, 7, true);
	unsigned int i;
	struct run r;

	run_start(&r);
	meta_exec(e, enc_mac);
	run_frame(&r, e);
	for (i = 0; i < 5; i++)
		feed(&r, e, frames[i]);
	tap_ok(r.d.printed == 1 && r.d.held_frames == 4 && !r.d.lost,
	       "late metadata, two CPUs: the gap waits with its frame");
	meta_wakeup(e, enc_mac);
	run_frame(&r, e);
	tap_ok(r.d.printed == 6 && !r.d.held_frames && r.d.lost == 3,
	       "late metadata, two CPUs: all released, the gap counted");
	for (; i < 7; i++)
		feed(&r, e, frames[i]);
	run_stop(&r);
	tap_is_str(r.out, want, "late metadata, two CPUs: gap lines where they are with metadata first");
	tap_ok(strstr(r.out, "pid=101 old_pid=101\nCPU:1 [3 EVENTS DROPPED]\n") &&
	       strstr(r.out, "kworker/1:2:203 [120] CPU:001\nCPU:0 [2 EVENTS DROPPED]\n") &&
	       r.d.lost == 5 && !r.d.unknown,
	       "late metadata, two CPUs: CPU:1 [3 EVENTS DROPPED] before frame 4");
	tap_is_str(r.err, "tracenetctl: 5 events lost (sequence gaps)\n",
		   "late metadata, two CPUs: only the loss summary on stderr");
	run_free(&r);
	free(want);
}

/* Metadata that never comes: the events of that id are skipped at the end
 * as before, the others print in order.
 */
static void test_never_meta(struct enc *e)
{
	static const char *const exec_only[] = {
		"0 0 x 100", "0 1 x 101", "0 2 xx 102", "0 4 x 104",
	};
	char *want = reference(e, exec_only, 4, false);
	struct run r;

	run_start(&r);
	meta_exec(e, enc_mac);
	run_frame(&r, e);
	feed(&r, e, "0 0 x 100");
	feed(&r, e, "1 0 w 200");		/* frame 3 */
	feed(&r, e, "0 1 x 101");
	feed(&r, e, "1 1 w 201");
	/* a malformed frame waits its turn too */
	mixed(e, 0, 9, "x", 999);
	e->buf[14] = 7;
	run_frame(&r, e);
	feed(&r, e, "0 2 xx 102");
	feed(&r, e, "1 2 ww 202");
	feed(&r, e, "0 4 x 104");
	tap_ok(r.d.printed == 1 && r.d.held_frames == 7 && !r.d.malformed,
	       "no metadata for 374: every frame from its first waits");
	tn_decoder_flush(&r.d);
	tap_ok(r.d.printed == 5 && !r.d.held_frames && r.d.unknown == 4,
	       "no metadata for 374: the flush prints the rest, skips its 4 events");
	feed(&r, e, "1 4 w 204");		/* skipped at once now */
	tap_ok(!r.d.held_frames && r.d.unknown == 5,
	       "no metadata for 374: after a flush, its events no longer wait");
	run_stop(&r);
	tap_is_str(r.out, want, "no metadata for 374: the other events print, in order");
	tap_is_str(r.err,
		   "tracenetctl: warning: frame 3: no metadata for event id 374 (yet): skipping its events\n"
		   "tracenetctl: warning: frame 6: malformed: unsupported wire version 7 (expected 1)\n"
		   "tracenetctl: 5 events skipped: no metadata for their event id\n"
		   "tracenetctl: 1 malformed frames or events\n",
		   "no metadata for 374: one warning for the id, in frame order, and the summary");
	run_free(&r);
	free(want);
}

/* More waiting frames than the bound: flushed, with the warnings. */
static void test_hold_bound(struct enc *e)
{
	unsigned long max_held = 0;
	unsigned int i;
	static const uint8_t big[60000];
	size_t max_bytes = 0, ev;
	char frame[64];
	struct run r;

	run_start(&r);
	r.d.hold_max_frames = 10;
	meta_exec(e, enc_mac);
	run_frame(&r, e);
	feed(&r, e, "1 0 w 200");		/* frame 2 */
	for (i = 0; i < 25; i++) {		/* frames 3..27 */
		snprintf(frame, sizeof(frame), "0 %u x %u", i, 100 + i);
		feed(&r, e, frame);
		if (r.d.held_frames > max_held)
			max_held = r.d.held_frames;
	}
	tap_ok(max_held == 10 && r.d.overflows == 1 && !r.d.held_frames &&
	       r.d.printed == 25 && r.d.unknown == 1,
	       "bound of 10 frames: held %lu at most, flushed once, the rest printed",
	       max_held);
	meta_wakeup(e, enc_mac);
	run_frame(&r, e);
	feed(&r, e, "1 1 w 201");
	run_stop(&r);
	tap_ok(r.d.printed == 26 && strstr(r.out, "kworker/1:2:201 [120]"),
	       "bound: metadata after the flush still teaches the id");
	tap_ok(r.err && strstr(r.err, "frame 12: 10 frames (") &&
	       strstr(r.err, "held back waiting for metadata: decoding them without it\n"
			     "tracenetctl: warning: frame 2: no metadata for event id 374 (yet): skipping its events\n"),
	       "bound of 10 frames: a warning, then the unknown id's");
	run_free(&r);

	/* The default bounds: 100000 frames, then 64 MiB. */
	run_start(&r);
	max_held = 0;
	for (i = 0; i < 100005; i++) {
		mixed(e, 1, i, "w", 200);
		run_frame(&r, e);
		if (r.d.held_frames > max_held)
			max_held = r.d.held_frames;
	}
	run_stop(&r);
	tap_ok(max_held == TN_HOLD_MAX_FRAMES && r.d.overflows == 1 &&
	       r.d.unknown == 100005 && !r.d.printed,
	       "default bound: %lu frames held at most, then flushed", max_held);
	run_free(&r);

	run_start(&r);
	max_held = 0;
	for (i = 0; i < 1200; i++) {
		enc_init(e);
		enc_eth(e, enc_mac);
		enc_hdr(e, TRACENET_FRAME_EVENTS, TRACENET_F_LONG64, 1, 1, i);
		ev = enc_event(e, 374, TS, 1, "big", 1);
		enc_tlv(e, 0, big, 60000);	/* never decoded */
		enc_end(e, ev);
		run_frame(&r, e);
		if (r.d.held_frames > max_held)
			max_held = r.d.held_frames;
		if (r.d.held_bytes > max_bytes)
			max_bytes = r.d.held_bytes;
	}
	run_stop(&r);
	tap_ok(max_bytes <= TN_HOLD_MAX_BYTES && max_bytes > TN_HOLD_MAX_BYTES - 70000 &&
	       r.d.overflows == 1 && r.d.unknown == 1200 &&
	       strstr(r.err, "no metadata for event id 374") &&
	       !strstr(strstr(r.err, "no metadata for event id 374") + 1, "no metadata for event id"),
	       "default bound: %zu bytes in %lu frames held at most, then flushed, one warning",
	       max_bytes, max_held);
	run_free(&r);
}

/* -c counts printed events, also those released by late metadata. */
static void test_late_count(struct enc *e)
{
	struct run r;

	run_start(&r);
	r.d.max_events = 3;
	feed(&r, e, "0 0 xx 100");
	feed(&r, e, "0 2 xx 102");
	meta_exec(e, enc_mac);
	run_frame(&r, e);
	tap_ok(r.d.done && r.d.printed == 3 && !r.d.held_frames,
	       "-c 3 with late metadata: done after 3 events, the rest dropped");
	run_stop(&r);
	tap_ok(strstr(r.out, "pid=102 old_pid=102\n") && !strstr(r.out, "pid=103") &&
	       !r.d.unknown && !*r.err,
	       "-c 3 with late metadata: the first three events");
	run_free(&r);
}

static void test_gaps(struct enc *e)
{
	struct run r;
	run_start(&r);
	meta_exec(e, enc_mac);
	run_frame(&r, e);
	events_exec(e, enc_mac, 3, 10, 2);
	run_frame(&r, e);
	events_exec(e, enc_mac, 5, 0, 1);	/* another CPU: its own sequence */
	run_frame(&r, e);
	events_exec(e, enc_mac, 3, 15, 1);	/* 12, 13, 14 lost */
	run_frame(&r, e);
	events_exec(e, other_mac, 3, 0, 1);	/* another device */
	run_frame(&r, e);
	events_exec(e, enc_mac, 3, 16, 1);
	run_frame(&r, e);
	run_stop(&r);
	tap_is_str(r.out,
		   "             exe-100   [003] 1700000000.123457: sched_process_exec:   filename=/bin/p100 pid=100 old_pid=100\n"
		   "             exe-101   [003] 1700000000.123458: sched_process_exec:   filename=/bin/p101 pid=101 old_pid=101\n"
		   "             exe-100   [005] 1700000000.123457: sched_process_exec:   filename=/bin/p100 pid=100 old_pid=100\n"
		   "CPU:3 [3 EVENTS DROPPED]\n"
		   "             exe-100   [003] 1700000000.123457: sched_process_exec:   filename=/bin/p100 pid=100 old_pid=100\n"
		   "             exe-100   [003] 1700000000.123457: sched_process_exec:   filename=/bin/p100 pid=100 old_pid=100\n",
		   "a sequence gap prints CPU:3 [3 EVENTS DROPPED] before the frame");
	tap_ok(r.d.lost == 3 && r.d.unknown == 1 &&
	       strstr(r.err, "frame 5: no metadata for event id 365"),
	       "another source MAC has its own metadata and sequences");
	tap_ok(strstr(r.err, "tracenetctl: 3 events lost (sequence gaps)\n") != NULL,
	       "lost events summarized on stderr");
	run_free(&r);
}

static void test_malformed(struct enc *e)
{
	struct run r;

	run_start(&r);
	meta_exec(e, enc_mac);
	run_frame(&r, e);
	events_exec(e, enc_mac, 0, 0, 2);
	enc_put16(e->buf + 14 + 6, 3);		/* count 3, two events */
	run_frame(&r, e);
	events_exec(e, enc_mac, 0, 3, 1);
	e->buf[14] = 7;				/* version 7 */
	run_frame(&r, e);
	events_exec(e, enc_mac, 0, 4, 1);
	run_frame(&r, e);
	e->buf[12] = 0x08;
	e->buf[13] = 0x00;			/* an IPv4 frame */
	run_frame(&r, e);
	run_stop(&r);
	tap_ok(r.d.printed == 3 && r.d.malformed == 2 && r.d.foreign == 1,
	       "malformed frames: the good events still print");
	tap_ok(strstr(r.err, "warning: frame 2: malformed: event 3 of 3: truncated") &&
	       strstr(r.err, "warning: frame 3: malformed: unsupported wire version 7") &&
	       strstr(r.err, "2 malformed frames or events") &&
	       strstr(r.err, "1 frames were not tracenet frames"),
	       "malformed frames: warnings name the frame and the fault");
	run_free(&r);
}

static void test_count(struct enc *e)
{
	struct run r;

	run_start(&r);
	r.d.max_events = 3;
	meta_exec(e, enc_mac);
	run_frame(&r, e);
	events_exec(e, enc_mac, 0, 0, 2);
	run_frame(&r, e);
	tap_ok(!r.d.done, "-c 3: not done after 2 events");
	events_exec(e, enc_mac, 0, 2, 2);
	run_frame(&r, e);
	events_exec(e, enc_mac, 0, 4, 2);
	run_frame(&r, e);
	run_stop(&r);
	tap_ok(r.d.done && r.d.printed == 3, "-c 3: done after 3 events, mid-frame");
	run_free(&r);
}

static void test_redefined(struct enc *e)
{
	struct run r;
	size_t m;

	run_start(&r);
	meta_exec(e, enc_mac);
	run_frame(&r, e);
	enc_init(e);
	enc_eth(e, enc_mac);
	enc_hdr(e, TRACENET_FRAME_META, TRACENET_F_LONG64, 0, 1, 0);
	m = enc_meta(e, 365);
	enc_meta_str(e, TRACENET_META_SYSTEM, "kprobes");
	enc_meta_str(e, TRACENET_META_NAME, "other");
	enc_meta_str(e, TRACENET_META_FORMAT, "name: other\nID: 365\n");
	enc_end(e, m);
	run_frame(&r, e);
	run_frame(&r, e);
	events_exec(e, enc_mac, 0, 0, 1);
	run_frame(&r, e);
	run_stop(&r);
	tap_ok(r.d.printed == 1 &&
	       strstr(r.err, "frame 2: event id 365 redefined as kprobes:other (was sched:sched_process_exec): keeping the first") &&
	       !strstr(r.err, "frame 3"),
	       "a redefined id is reported once, the first definition kept");
	run_free(&r);
}

static void test_bad_format(struct enc *e)
{
	struct run r;
	size_t m;

	run_start(&r);
	enc_init(e);
	enc_eth(e, enc_mac);
	enc_hdr(e, TRACENET_FRAME_META, TRACENET_F_LONG64, 0, 1, 0);
	m = enc_meta(e, 400);
	enc_meta_str(e, TRACENET_META_SYSTEM, "x");
	enc_meta_str(e, TRACENET_META_NAME, "garbage");
	enc_meta_str(e, TRACENET_META_FORMAT, "this is not a format");
	enc_end(e, m);
	run_frame(&r, e);
	run_frame(&r, e);
	meta_exec(e, enc_mac);
	enc_put32(e->buf + 14 + 16 + 4, 401);	/* the format says ID: 365 */
	run_frame(&r, e);
	events_exec(e, enc_mac, 0, 0, 1);
	run_frame(&r, e);
	run_stop(&r);
	tap_ok(strstr(r.err, "frame 1: cannot parse the format of x:garbage (id 400)") &&
	       !strstr(r.err, "frame 2"),
	       "an unparsable format is reported once");
	tap_ok(strstr(r.err, "frame 3: cannot parse the format of sched:sched_process_exec (id 401): no line \"ID: 401\"") &&
	       r.d.unknown == 1,
	       "a format naming another id than its record is refused");
	run_free(&r);
}

/* An exec event whose filename fills the record buffer up to @len bytes
 * of dynamic data, for the records after it to find there.
 */
static void exec_long(struct enc *e, uint64_t seq, size_t len)
{
	char path[256];
	size_t ev;

	memset(path, 'A', sizeof(path));
	path[len - 1] = '\0';
	enc_init(e);
	enc_eth(e, enc_mac);
	enc_hdr(e, TRACENET_FRAME_EVENTS, TRACENET_F_LONG64, 1, 1, seq);
	ev = enc_event(e, 365, TS, 99, "exe", 3);
	enc_tlv(e, 0, path, (uint16_t)len);
	enc_tlv_le32(e, 1, 99);
	enc_tlv_le32(e, 2, 99);
	enc_end(e, ev);
}

/* Formats from a capture that crash libtraceevent: refused, or printed as
 * fields, each with a warning that names the event; the rest still
 * prints. (Each was found to crash 1.7.1: tools/fuzz, TN_FUZZ_UNGUARDED=1.)
 */
static const struct {
	uint32_t id;
	const char *name, *print, *cut;
} hostile[] = {
	/* the parser: strcmp(NULL) on a field cut inside its [] */
	{ 400, "cut", NULL, "field:char comm[" },
	/* the parser: SIGFPE folding "_ % I", a print fmt cut after + */
	{ 401, "fold", "\"pid=%d\", REC->pid,_%I+", NULL },
	/* the printer: SIGFPE when target_cpu is 0 */
	{ 402, "div", "\"comm=%s pid=%d prio=%d\", REC->comm, REC->pid, REC->prio / REC->target_cpu", NULL },
	/* the printer: a read of pid bytes from comm, past any buffer */
	{ 403, "hex", "\"%s\", __print_hex(REC->comm, REC->pid)", NULL },
	/* bounded: 40 bytes from offset 8 of a 36-byte record, zeros past it */
	{ 404, "tail", "\"%s\", __print_hex(REC->comm, 40)", NULL },
};

static void hostile_run(struct run *r, struct enc *e)
{
	unsigned int i;
	char *fmt;

	run_start(r);
	meta_exec(e, enc_mac);
	run_frame(r, e);				/* frame 1 */
	for (i = 0; i < ARRAY_SIZE(hostile); i++) {	/* frames 2-6 */
		fmt = hostile_format(hostile[i].id, hostile[i].name,
				     hostile[i].print, hostile[i].cut);
		enc_meta_frame(e, enc_mac, hostile[i].id, hostile[i].name, fmt);
		run_frame(r, e);
		free(fmt);
	}
	events_exec(e, enc_mac, 1, 0, 1);
	run_frame(r, e);				/* frame 7 */
	for (i = 0; i < 4; i++) {			/* frames 8-11 */
		enc_wakeup_frame(e, enc_mac, hostile[i].id, i, 100000, 0);
		run_frame(r, e);
	}
	exec_long(e, 1, 200);				/* frame 12 */
	run_frame(r, e);
	enc_wakeup_frame(e, enc_mac, 404, 4, 7, 0);	/* frame 13 */
	run_frame(r, e);
	fmt = hostile_format(400, "cut", NULL, "field:char comm[");
	enc_meta_frame(e, enc_mac, 400, "cut", fmt);	/* frame 14: again */
	run_frame(r, e);
	free(fmt);
	events_exec(e, enc_mac, 1, 2, 1);		/* frame 15 */
	run_frame(r, e);
	run_stop(r);
}

static void test_hostile(struct enc *e)
{
	static const char hex[] =
		"6b 77 6f 72 6b 65 72 2f 31 3a 32 00 00 00 00 00 "	/* comm */
		"07 00 00 00 78 00 00 00 00 00 00 00 "		/* pid prio cpu */
		"00 00 00 00 00 00 00 00 00 00 00 00";		/* past it */
	unsigned long long forks;
	struct run r;

	tn_fguard_forget();
	forks = tn_fguard_stats.forks;
	hostile_run(&r, e);
	tap_ok(r.d.refused == 2 && r.d.raw == 2 && r.d.printed == 6 &&
	       r.d.unknown == 2 && !r.d.malformed,
	       "hostile formats: 2 refused, 2 printed as fields, the 6 other events printed");
	tap_ok(strstr(r.err, "frame 2: refusing the format of x:cut (id 400): libtraceevent crashed parsing it (") &&
	       strstr(r.err, "frame 3: refusing the format of x:fold (id 401): libtraceevent crashed parsing it (") &&
	       strstr(r.err, "frame 8: no usable metadata for event id 400 (x:cut): skipping its events\n") &&
	       strstr(r.err, "frame 9: no usable metadata for event id 401 (x:fold): skipping its events\n") &&
	       strstr(r.err, "tracenetctl: 2 event formats refused: libtraceevent crashed parsing them\n"),
	       "hostile formats: a crash of libtraceevent's parser refuses the format, named");
	tap_ok(strstr(r.err, "frame 4: event x:div (id 402): its print fmt divides by target_cpu, which can be 0: printing its fields instead\n") &&
	       strstr(r.err, "frame 5: event x:hex (id 403): its print fmt has __print_hex() of a length (pid) that can exceed a record: printing its fields instead\n") &&
	       strstr(r.err, "tracenetctl: 2 event formats printed as fields: their print fmt was unusable\n"),
	       "hostile formats: a print fmt that would crash the printer is named");
	tap_ok(strstr(r.out, "] 1700000000.123457: div:                   comm=kworker/1:2 pid=100000 prio=120 target_cpu=0\n") &&
	       strstr(r.out, "] 1700000000.123457: hex:                   comm=kworker/1:2 pid=100000 prio=120 target_cpu=0\n"),
	       "hostile formats: those events print their fields");
	tap_ok(strstr(r.out, hex) != NULL,
	       "hostile formats: __print_hex() past the record prints zeros, not the record before");
	tap_ok(!strstr(r.err, "frame 14"),
	       "hostile formats: the repeated metadata says nothing more");
	tap_ok(tn_fguard_stats.forks - forks == 6,
	       "hostile formats: one child per distinct text (%llu)",
	       tn_fguard_stats.forks - forks);
	run_free(&r);

	/* Another decoder, the same texts: the verdicts are kept. */
	forks = tn_fguard_stats.forks;
	hostile_run(&r, e);
	tap_ok(tn_fguard_stats.forks == forks && r.d.refused == 2 &&
	       r.d.raw == 2 && r.d.printed == 6,
	       "hostile formats again: no child, the same verdicts");
	run_free(&r);
}

/* Print fmts that libtraceevent 1.7.1 parses, then crashes on (or loops
 * on) when it prints an event with pid 0x7fffffff and target_cpu 0: each
 * event prints its fields, with a warning that says why.
 */
static void test_hostile_print(struct enc *e)
{
	static const struct {
		const char *print, *why;
	} cases[] = {
		{ "\"%d\", REC->prio % REC->target_cpu",
		  "its print fmt takes a remainder by target_cpu, which can be 0" },
		{ "\"%d\", REC->prio / (u8)256",
		  "its print fmt divides by an expression, which can be 0" },
		{ "\"%s\", __print_hex(REC->pid + REC->prio, 4)",
		  "its print fmt has __print_hex() of an expression, not of a field" },
		{ "\"%s\", __print_array(REC->pid + 1, 2, 4)",
		  "its print fmt has __print_array() of an expression, not of a field" },
		{ "\"%s\", __print_array(REC->comm, REC->prio * REC->pid, 4)",
		  "its print fmt has __print_array() of a length (an expression) that can exceed a record" },
		{ "\"%s\", __get_cpumask(nosuch)",
		  "its print fmt names no field 'nosuch'" },
		{ "\"%d\", REC->comm[REC->pid]",
		  "its print fmt indexes comm with pid, which can exceed 16383" },
		{ "\"%d\", __le16_to_cpup(REC->pid)",
		  "its print fmt calls a plugin function with pid, which it may read through" },
		{ "\"%*d\", REC->pid, REC->prio",
		  "its print fmt takes a field width (*) from pid, which can exceed 4096" },
		{ "\"%999999999d\", REC->prio",
		  "its print fmt has a field width of 999999999" },
		{ "\"%s\", __get_bitmask(common_type)",
		  "its print fmt reads field common_type, of 2 bytes, as a __data_loc word" },
	};
	char *fmt, *rel, want[512], *p;
	unsigned int i, n = ARRAY_SIZE(cases);
	struct run r;
	size_t ev;

	run_start(&r);
	for (i = 0; i < n; i++) {
		fmt = hostile_format(500 + i, "p", cases[i].print, NULL);
		enc_meta_frame(e, enc_mac, 500 + i, "p", fmt);
		run_frame(&r, e);
		free(fmt);
		enc_wakeup_frame(e, enc_mac, 500 + i, i, 0x7fffffff, 0);
		run_frame(&r, e);
	}
	/* bounded: printed as the print fmt says */
	fmt = hostile_format(600, "ok", "\"prio/2=%d %-4096s|\", REC->prio / 2, \"\"", NULL);
	enc_meta_frame(e, enc_mac, 600, "ok", fmt);
	run_frame(&r, e);
	free(fmt);
	enc_wakeup_frame(e, enc_mac, 600, n, 5, 0);
	run_frame(&r, e);
	/* dynamic_offset_field() writes through NULL for a __rel_loc field */
	fmt = read_fixture("tn_rel_test.format", NULL);
	p = fmt ? strstr(fmt, "print fmt: ") : NULL;
	if (p)
		*p = '\0';
	if (asprintf(&rel, "%sprint fmt: \"%%d\", __get_dynamic_array_len(msg)\n",
		     fmt ? fmt : "") < 0)
		rel = NULL;
	free(fmt);
	enc_meta_frame(e, enc_mac, 2000, "tn_rel_test", rel);
	run_frame(&r, e);
	free(rel);
	enc_init(e);
	enc_eth(e, enc_mac);
	enc_hdr(e, TRACENET_FRAME_EVENTS, TRACENET_F_LONG64, 2, 1, n + 1);
	ev = enc_event(e, 2000, TS, 1, "rel", 3);
	enc_tlv_le32(e, 0, 7);
	enc_tlv(e, 1, "hello", 6);
	enc_tlv(e, 2, "\x10\0\0\0\0\0\0\0", 8);
	enc_end(e, ev);
	run_frame(&r, e);
	run_stop(&r);

	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "event x:p (id %u): %s: printing its fields instead\n",
			 500 + i, cases[i].why);
		if (!tap_ok(strstr(r.err, want) != NULL, "print fmt %s: named, fields printed",
			    cases[i].print))
			tap_diag("want '%s'", want);
	}
	tap_ok(strstr(r.err, "event x:tn_rel_test (id 2000): its print fmt takes the length of __rel_loc field msg: printing its fields instead\n") &&
	       strstr(r.out, "tn_rel_test:           value=7 msg=hello addr=0x10\n"),
	       "__get_dynamic_array_len() of a __rel_loc field: named, fields printed");
	tap_ok(r.d.printed == n + 2 && r.d.raw == n + 1 && !r.d.refused &&
	       !r.d.unknown && !r.d.malformed && !strstr(r.err, "x:ok"),
	       "hostile print fmts: %u events printed, none skipped", n + 2);
	tap_ok(strstr(r.out, "comm=kworker/1:2 pid=2147483647 prio=120 target_cpu=0\n") &&
	       strstr(r.out, "ok:                   prio/2=60      ") &&
	       strstr(r.out, "     |\n"),
	       "hostile print fmts: fields printed; a bounded print fmt as it says");
	run_free(&r);
}

/* Random damage to the bytes of good event frames, after good metadata:
 * the decoder warns or prints, and ASan sees no bad access in record
 * rebuilding or in libtraceevent's printing of what we rebuilt.
 */
static void test_fuzz(struct enc *e)
{
	unsigned int seed = 777, i, j;
	struct enc *good = malloc(sizeof(*good));
	struct run r;

	run_start(&r);
	meta_exec(e, enc_mac);
	run_frame(&r, e);
	events_exec(good, enc_mac, 0, 0, 3);
	for (i = 0; i < 5000; i++) {
		memcpy(e, good, sizeof(*e));
		for (j = 0; j < 1 + i % 4; j++) {
			seed = seed * 1103515245 + 12345;
			e->buf[14 + (seed >> 8) % (e->len - 14)] = (uint8_t)(seed >> 20);
		}
		run_frame(&r, e);
	}
	run_stop(&r);
	tap_ok(r.d.printed > 1000 && r.d.malformed > 100,
	       "5000 damaged event frames: %llu events printed, %llu malformed, no crash",
	       r.d.printed, r.d.malformed);
	run_free(&r);
	free(good);
}

/* The metadata frame in @e cut into parts of @chunk record bytes, as the
 * module cuts one larger than the MTU; part @skip left out.
 */
static void run_meta_parts(struct run *r, const struct enc *e, size_t chunk,
			   int skip)
{
	size_t hdr = 14 + 16, len = e->len - hdr, off, n;
	struct enc *p = calloc(1, sizeof(*p));
	int k = 0;

	for (off = 0; off < len; off += n, k++) {
		n = len - off < chunk ? len - off : chunk;
		memcpy(p->buf, e->buf, hdr);
		memcpy(p->buf + hdr, e->buf + hdr + off, n);
		p->len = hdr + n;
		p->buf[14 + 2] |= off + n < len ? TRACENET_F_MORE : 0;
		enc_put32(p->buf + 14 + 8, 0);
		enc_put32(p->buf + 14 + 12, (uint32_t)off);
		if (k != skip)
			run_frame(r, p);
	}
	free(p);
}

static void test_meta_parts(struct enc *e)
{
	struct run r;

	run_start(&r);
	meta_exec(e, enc_mac);
	run_meta_parts(&r, e, 100, -1);
	events_exec(e, enc_mac, 1, 0, 2);
	run_frame(&r, e);
	run_stop(&r);
	tap_ok(strstr(r.out, "sched_process_exec:   filename=/bin/p101") && !*r.err,
	       "a metadata record in parts of 100 bytes, then events: decoded");
	run_free(&r);

	run_start(&r);
	meta_exec(e, enc_mac);
	run_meta_parts(&r, e, 100, 1);
	events_exec(e, enc_mac, 1, 0, 2);
	run_frame(&r, e);
	run_stop(&r);
	tap_ok(!strstr(r.out, "sched_process_exec:") &&
	       strstr(r.err, "metadata part at byte 200, 100 expected: record dropped"),
	       "a part lost: the record is dropped with a warning, its events skipped");
	run_free(&r);
}

/* netif_receive_skb (skbaddr is a pointer) in frames of flags @flags. */
static void skb_frames(struct run *r, struct enc *e, uint8_t flags, uint64_t seq)
{
	char *fmt = read_fixture("netif_receive_skb.format", NULL);
	static const uint8_t skb[8] = { 0x00, 0xf7, 0xb5, 0x04, 0x80, 0x88, 0xff, 0xff };
	size_t m, ev;

	enc_init(e);
	enc_eth(e, enc_mac);
	enc_hdr(e, TRACENET_FRAME_META, TRACENET_F_LONG64 | flags, 0, 1, 0);
	m = enc_meta(e, 2303);
	enc_meta_str(e, TRACENET_META_SYSTEM, "net");
	enc_meta_str(e, TRACENET_META_NAME, "netif_receive_skb");
	enc_meta_str(e, TRACENET_META_FORMAT, fmt ? fmt : "");
	enc_meta_field(e, 8, 8, TRACENET_FIELD_POINTER, "skbaddr", "void *");
	enc_meta_field(e, 16, 4, 0, "len", "unsigned int");
	enc_meta_field(e, 20, 4, TRACENET_FIELD_DYNAMIC | TRACENET_FIELD_STRING |
		       TRACENET_FIELD_ARRAY, "name", "__data_loc char[]");
	enc_end(e, m);
	free(fmt);
	run_frame(r, e);
	enc_init(e);
	enc_eth(e, enc_mac);
	enc_hdr(e, TRACENET_FRAME_EVENTS, TRACENET_F_LONG64 | flags, 0, 1, seq);
	ev = enc_event(e, 2303, TS + seq, 42, "ping", 3);
	enc_tlv(e, 0, skb, 8);
	enc_tlv_le32(e, 1, 84);
	enc_tlv(e, 2, "va", 3);
	enc_end(e, ev);
	run_frame(r, e);
}

/* Addresses raw or hashed: said before the first event that has one,
 * and when it changes; not for events without any.
 */
static void test_pointers(struct enc *e)
{
	struct run r;

	run_start(&r);
	meta_exec(e, enc_mac);
	run_frame(&r, e);
	events_exec(e, enc_mac, 0, 0, 1);
	run_frame(&r, e);
	skb_frames(&r, e, 0, 1);
	skb_frames(&r, e, 0, 2);
	skb_frames(&r, e, TRACENET_F_RAW_POINTERS, 3);
	run_stop(&r);
	tap_is_str(r.err,
		   "tracenetctl: frame 4 on: 02:74:6e:00:00:01's kernel addresses are keyed hashes\n"
		   "tracenetctl: frame 8 on: 02:74:6e:00:00:01's kernel addresses are raw\n",
		   "pointers: said before the first event with one, and at the change");
	tap_ok(r.out && strstr(r.out, "skbaddr=0xffff888004b5f700"),
	       "pointers: the event printed");
	run_free(&r);
}

void test_decode(void)
{
	struct enc *e = calloc(1, sizeof(*e));

	tap_diag("decode.c: frame streams to trace-cmd lines");
	test_basic(e);
	test_pointers(e);
	test_meta_parts(e);
	test_late_meta(e);
	test_late_meta_gaps(e);
	test_never_meta(e);
	test_hold_bound(e);
	test_late_count(e);
	test_gaps(e);
	test_malformed(e);
	test_count(e);
	test_redefined(e);
	test_bad_format(e);
	test_hostile(e);
	test_hostile_print(e);
	test_fuzz(e);
	free(e);
}
