// SPDX-License-Identifier: GPL-2.0
/*
 * wire.c: frames built by hand (enc.c), good and hostile. Hostile ones must
 * come back as an error with a message, and every parse runs on an exactly
 * sized heap copy so that AddressSanitizer catches any read past the end.
 */
#include <stdlib.h>
#include <string.h>
#include "enc.h"
#include "tap.h"
#include "wire.h"

static struct enc e;

/* Decode everything in @buf; returns 0, or -1 with the message in @err. */
static int parse_all(const uint8_t *pkt, size_t len, struct tn_werr *err,
		     unsigned int *nitems)
{
	static struct tn_wmeta m;
	struct tn_tlv tlvs[TRACENET_MAX_FIELDS];
	const uint8_t *payload;
	struct tn_wevent ev;
	struct tn_cursor c;
	struct tn_frame f;
	size_t plen;
	int ret;

	*nitems = 0;
	if (tn_wire_eth(pkt, len, &payload, &plen, err) ||
	    tn_wire_hdr(payload, plen, &f, err))
		return -1;
	tn_wire_items(&f, &c);
	if (f.type == TRACENET_FRAME_META) {
		while ((ret = tn_wire_next_meta(&c, &m, err)) > 0)
			(*nitems)++;
		return ret;
	}
	while ((ret = tn_wire_next_event(&c, &ev, err)) > 0) {
		if (tn_wire_event_tlvs(&ev, tlvs, TRACENET_MAX_FIELDS, err) < 0)
			return -1;
		(*nitems)++;
	}
	return ret;
}

/* Parse a heap copy of exactly @len bytes. */
static int parse_copy(const uint8_t *buf, size_t len, struct tn_werr *err,
		      unsigned int *nitems)
{
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	memcpy(copy, buf, len);
	ret = parse_all(copy, len, err, nitems);
	free(copy);
	return ret;
}

static bool fails_with(const char *what, const char *needle)
{
	struct tn_werr err = { "" };
	unsigned int n;
	int ret = parse_copy(e.buf, e.len, &err, &n);
	bool pass = ret < 0 && strstr(err.msg, needle);

	tap_ok(pass, "hostile: %s -> error", what);
	if (!pass)
		tap_diag("ret %d, message '%s', wanted '%s'", ret, err.msg, needle);
	return pass;
}

static size_t one_event_frame(uint16_t count)
{
	size_t ev;

	enc_init(&e);
	enc_eth(&e, enc_mac);
	enc_hdr(&e, TRACENET_FRAME_EVENTS, TRACENET_F_LONG64, 3, count, 42);
	ev = enc_event(&e, 365, 1700000000123456789ULL, 5, "true", 2);
	enc_tlv(&e, 0, "/bin/true", 10);
	enc_tlv_le32(&e, 1, 5);
	enc_end(&e, ev);
	return ev;
}

static void test_single_event(void)
{
	const uint8_t *payload;
	struct tn_tlv tlvs[4];
	struct tn_wevent ev;
	struct tn_cursor c;
	struct tn_frame f;
	struct tn_werr err;
	size_t plen;
	int n;

	one_event_frame(1);
	tap_ok(!tn_wire_eth(e.buf, e.len, &payload, &plen, &err) &&
	       plen == e.len - 14, "ethernet header stripped");
	tap_ok(!tn_wire_hdr(payload, plen, &f, &err) && f.version == 1 &&
	       f.type == TRACENET_FRAME_EVENTS && f.flags == TRACENET_F_LONG64 &&
	       f.cpu == 3 && f.count == 1 && f.seq == 42 && f.hdr_len == 16,
	       "header fields decoded");
	tn_wire_items(&f, &c);
	tap_ok(tn_wire_next_event(&c, &ev, &err) == 1 && ev.id == 365 &&
	       ev.ts == 1700000000123456789ULL && ev.pid == 5 &&
	       !strcmp(ev.comm, "true") && ev.nfields == 2 &&
	       ev.len == 40 + 4 + 12 + 4 + 4, "event header decoded");
	n = tn_wire_event_tlvs(&ev, tlvs, 4, &err);
	tap_ok(n == 2 && tlvs[0].type == 0 && tlvs[0].len == 10 &&
	       !memcmp(tlvs[0].val, "/bin/true", 10) && tlvs[1].type == 1 &&
	       tlvs[1].len == 4 && tlvs[1].val[0] == 5, "event TLVs decoded");
	tap_ok(tn_wire_next_event(&c, &ev, &err) == 0, "single event: then end");
}

static void test_several_events(void)
{
	struct tn_wevent ev;
	struct tn_cursor c;
	struct tn_frame f;
	struct tn_werr err;
	unsigned int i, ok = 0;
	size_t s;

	enc_init(&e);
	enc_hdr(&e, TRACENET_FRAME_EVENTS, 0, 0, 3, 7);
	for (i = 0; i < 3; i++) {
		s = enc_event(&e, 100 + i, 1000 + i, 10 + i, "many", 1);
		enc_tlv_le32(&e, 0, i);
		enc_end(&e, s);
	}
	tn_wire_hdr(e.buf, e.len, &f, &err);
	tn_wire_items(&f, &c);
	for (i = 0; tn_wire_next_event(&c, &ev, &err) == 1; i++)
		if (ev.id == 100 + i && ev.ts == 1000 + i && ev.pid == 10 + i)
			ok++;
	tap_ok(i == 3 && ok == 3, "three events in one frame, in order");
}

static void build_meta(void)
{
	size_t m;

	enc_init(&e);
	enc_eth(&e, enc_mac);
	enc_hdr(&e, TRACENET_FRAME_META, TRACENET_F_LONG64, 0, 1, 0);
	m = enc_meta(&e, 365);
	enc_meta_str(&e, TRACENET_META_SYSTEM, "sched");
	enc_meta_str(&e, TRACENET_META_NAME, "sched_process_exec");
	enc_meta_str(&e, TRACENET_META_FORMAT, "name: x\nID: 365\n");
	enc_meta_field(&e, 8, 4, TRACENET_FIELD_DYNAMIC | TRACENET_FIELD_STRING,
		       "filename", "__data_loc char[]");
	enc_meta_field(&e, 12, 4, TRACENET_FIELD_SIGNED, "pid", "pid_t");
	enc_end(&e, m);
}

static void test_meta(void)
{
	static struct tn_wmeta m;
	const uint8_t *payload;
	struct tn_cursor c;
	struct tn_frame f;
	struct tn_werr err;
	size_t plen;

	build_meta();
	tn_wire_eth(e.buf, e.len, &payload, &plen, &err);
	tn_wire_hdr(payload, plen, &f, &err);
	tn_wire_items(&f, &c);
	tap_ok(tn_wire_next_meta(&c, &m, &err) == 1 && m.id == 365 &&
	       !strcmp(m.system, "sched") && !strcmp(m.name, "sched_process_exec") &&
	       m.format_len == 16 && !strcmp(m.format, "name: x\nID: 365\n"),
	       "metadata record: id, system, name, format");
	tap_ok(m.nfields == 2 && m.fields[0].offset == 8 && m.fields[0].size == 4 &&
	       m.fields[0].flags == (TRACENET_FIELD_DYNAMIC | TRACENET_FIELD_STRING) &&
	       !strcmp(m.fields[0].name, "filename") &&
	       !strcmp(m.fields[0].type, "__data_loc char[]") &&
	       !strcmp(m.fields[1].name, "pid") && m.fields[1].flags == 1,
	       "metadata record: field table");
	tap_ok(tn_wire_next_meta(&c, &m, &err) == 0, "metadata: then end");
}

static void test_eth(void)
{
	uint8_t vlan[64];
	const uint8_t *payload;
	struct tn_werr err;
	size_t plen;

	one_event_frame(1);
	memcpy(vlan, e.buf, 12);
	enc_put16(vlan + 12, 0x8100);
	enc_put16(vlan + 14, 5);
	memcpy(vlan + 16, e.buf + 12, 40);
	tap_ok(!tn_wire_eth(vlan, 56, &payload, &plen, &err) &&
	       payload == vlan + 18 && payload[0] == 1, "802.1Q tag skipped");
	enc_put16(e.buf + 12, 0x0800);
	fails_with("EtherType 0x0800", "not a tracenet frame");
	e.len = 13;
	fails_with("13-byte Ethernet frame", "truncated Ethernet");
}

static void test_bad_headers(void)
{
	one_event_frame(1);
	e.len = 14 + 10;
	fails_with("truncated header", "truncated tracenet header");
	one_event_frame(1);
	e.buf[14 + 3] = 12;
	fails_with("hdr_len 12 < 16", "shorter than 16");
	one_event_frame(1);
	e.buf[14] = 2;
	fails_with("wire version 2", "unsupported wire version 2");
	one_event_frame(1);
	e.buf[14 + 3] = 255;
	fails_with("hdr_len 255 past the end", "past the end of the frame");
	one_event_frame(1);
	e.buf[14 + 1] = 9;
	fails_with("frame type 9", "unknown frame type 9");
}

static void test_bad_events(void)
{
	size_t ev;

	one_event_frame(2);
	fails_with("count 2, one event", "event 2 of 2: truncated");
	one_event_frame(65535);
	fails_with("count 65535", "event 2 of 65535: truncated");
	ev = one_event_frame(1);
	enc_put16(e.buf + ev, 0);
	fails_with("event len 0", "length 0 shorter than its header");
	ev = one_event_frame(1);
	enc_put16(e.buf + ev, 0xffff);
	fails_with("event len 65535 past the end", "past the end of the frame");
	ev = one_event_frame(1);
	enc_put16(e.buf + ev + 40 + 2, 11);	/* "/bin/true\0" is 10, padded 12 */
	enc_put16(e.buf + ev + 40 + 4 + 12 + 2, 0xffff);
	fails_with("TLV len 65535 past the event", "past the end");
	ev = one_event_frame(1);
	enc_put16(e.buf + ev + 40 + 4 + 12 + 2, 5);	/* padded to 8: 4 too far */
	fails_with("TLV padding past the event", "past the end");
	ev = one_event_frame(1);
	enc_put16(e.buf + ev + 2, 3);
	fails_with("nfields 3, two TLVs", "field 2 of 3: truncated TLV");
	ev = one_event_frame(1);
	enc_put16(e.buf + ev + 2, 1);
	fails_with("nfields 1, two TLVs", "8 bytes after its 1 fields");
	ev = one_event_frame(1);
	enc_put16(e.buf + ev + 2, 65535);
	fails_with("nfields 65535", "65535 fields, more than 128");
}

static void test_bad_meta(void)
{
	/* Offsets into build_meta()'s frame. */
	const size_t rec = 14 + 16, sys = rec + 8;

	build_meta();
	e.buf[sys + 4 + 5] = 'X';		/* "sched\0" loses its NUL */
	fails_with("system without NUL", "system not NUL-terminated");
	build_meta();
	enc_put16(e.buf + sys, 77);		/* system TLV of unknown type */
	fails_with("no system", "no system");
	build_meta();
	enc_put16(e.buf + sys, TRACENET_META_NAME);
	fails_with("name twice", "name given twice");
	build_meta();
	enc_put16(e.buf + rec, 9);
	fails_with("meta len 9", "truncated TLV header");
	build_meta();
	enc_init(&e);
	enc_eth(&e, enc_mac);
	enc_hdr(&e, TRACENET_FRAME_META, 0, 0, 1, 0);
	{
		size_t m = enc_meta(&e, 1);
		uint8_t v[9] = { 0, 8, 0, 4, 0, 0, 0, 2, 'x' };

		enc_meta_str(&e, TRACENET_META_SYSTEM, "s");
		enc_meta_str(&e, TRACENET_META_NAME, "n");
		enc_meta_str(&e, TRACENET_META_FORMAT, "f");
		enc_tlv(&e, TRACENET_META_FIELD, v, 9);
		enc_end(&e, m);
	}
	fails_with("field without NULs", "too short");
	enc_init(&e);
	enc_eth(&e, enc_mac);
	enc_hdr(&e, TRACENET_FRAME_META, 0, 0, 1, 0);
	{
		size_t m = enc_meta(&e, 1);

		enc_meta_str(&e, TRACENET_META_SYSTEM, "s");
		enc_meta_str(&e, TRACENET_META_NAME, "n");
		enc_meta_str(&e, TRACENET_META_FORMAT, "f");
		enc_meta_field(&e, 8, 8, TRACENET_FIELD_DYNAMIC, "d", "x");
		enc_end(&e, m);
	}
	fails_with("dynamic field of size 8", "must be 4");
}

/* Every prefix of good frames, and bytes flipped at random: no crash, no
 * read out of bounds (ASan), and a message whenever it fails.
 */
static void test_fuzz(void)
{
	unsigned int seed = 12345, i, n, bad = 0, ok = 0, silent = 0;
	struct tn_werr err;
	uint8_t frame[512];
	size_t len, cut;
	int ret;

	one_event_frame(1);
	len = e.len;
	memcpy(frame, e.buf, len);
	for (cut = 0; cut < len; cut++) {
		err.msg[0] = '\0';
		ret = parse_copy(frame, cut, &err, &n);
		if (ret < 0 && !err.msg[0])
			silent++;
		ret < 0 ? bad++ : ok++;
	}
	tap_ok(bad == len && !silent,
	       "every truncation of an event frame is an error with a message");
	for (i = 0; i < 20000; i++) {
		uint8_t copy[512];

		memcpy(copy, frame, len);
		seed = seed * 1103515245 + 12345;
		copy[14 + (seed >> 8) % (len - 14)] ^= (uint8_t)(1 + (seed >> 20) % 255);
		seed = seed * 1103515245 + 12345;
		copy[14 + (seed >> 8) % (len - 14)] = (uint8_t)(seed >> 16);
		err.msg[0] = '\0';
		if (parse_copy(copy, len, &err, &n) < 0 && !err.msg[0])
			silent++;
	}
	tap_ok(!silent, "20000 randomly corrupted frames: no crash, errors have messages");
	build_meta();
	len = e.len;
	memcpy(frame, e.buf, len);
	for (cut = 0, bad = 0; cut < len; cut++)
		if (parse_copy(frame, cut, &err, &n) < 0)
			bad++;
	tap_ok(bad == len, "every truncation of a metadata frame is an error");
}

/* A host frame of @n TLVs, those below, in e (Ethernet included). */
static void host_frame(unsigned int n, int boot_len, int unknown)
{
	static const uint8_t clk[32] = { 0, 0, 0, 0, 0, 0, 0, 1, [15] = 2, [23] = 3, [31] = 4 };
	static const uint8_t boot[20] = { 0xde, 0xad };

	enc_init(&e);
	enc_eth(&e, enc_mac);
	enc_hdr(&e, TRACENET_FRAME_HOST, TRACENET_F_LONG64, 0, (uint16_t)n, 0);
	if (unknown)
		enc_tlv(&e, 9, "zz", 2);
	enc_tlv(&e, TRACENET_HOST_NAME, "hostA", 6);
	if (boot_len >= 0)
		enc_tlv(&e, TRACENET_HOST_BOOT_ID, boot, (uint16_t)boot_len);
	enc_tlv(&e, TRACENET_HOST_CLOCK, clk, sizeof(clk));
}

static void test_host(void)
{
	const uint8_t *payload;
	struct tn_whost h;
	struct tn_werr err;
	struct tn_frame f;
	size_t plen;
	int ret;

	host_frame(3, 16, 0);
	ret = tn_wire_eth(e.buf, e.len, &payload, &plen, &err) ||
	      tn_wire_hdr(payload, plen, &f, &err) || tn_wire_host(&f, &h, &err);
	tap_ok(!ret && !strcmp(h.name, "hostA") && h.boot_id && h.boot_id[0] == 0xde &&
	       h.has_clock && h.realtime == 1 && h.tai == 2 && h.monotonic == 3 &&
	       h.boottime == 4, "host frame: name, boot id, the four clocks");
	host_frame(3, -1, 1);
	ret = tn_wire_eth(e.buf, e.len, &payload, &plen, &err) ||
	      tn_wire_hdr(payload, plen, &f, &err) || tn_wire_host(&f, &h, &err);
	tap_ok(!ret && !h.boot_id && h.has_clock, "host frame: an unknown TLV skipped, no boot id");
	host_frame(3, 20, 0);
	ret = tn_wire_eth(e.buf, e.len, &payload, &plen, &err) ||
	      tn_wire_hdr(payload, plen, &f, &err) || tn_wire_host(&f, &h, &err);
	tap_ok(ret && strstr(err.msg, "boot id of 20 bytes"), "host frame: a 20-byte boot id refused: %s", err.msg);
	host_frame(4, 16, 0);
	ret = tn_wire_eth(e.buf, e.len, &payload, &plen, &err) ||
	      tn_wire_hdr(payload, plen, &f, &err) || tn_wire_host(&f, &h, &err);
	tap_ok(ret, "host frame: count past its TLVs refused: %s", err.msg);
	enc_init(&e);
	enc_eth(&e, enc_mac);
	enc_hdr(&e, TRACENET_FRAME_HOST, TRACENET_F_LONG64, 0, 0, 0);
	ret = tn_wire_eth(e.buf, e.len, &payload, &plen, &err) ||
	      tn_wire_hdr(payload, plen, &f, &err) || tn_wire_host(&f, &h, &err);
	tap_ok(ret && strstr(err.msg, "without a name"), "host frame: no name refused: %s", err.msg);
}

void test_wire(void)
{
	tap_diag("wire.c: frame decoding");
	test_single_event();
	test_several_events();
	test_meta();
	test_eth();
	test_bad_headers();
	test_bad_events();
	test_bad_meta();
	test_host();
	test_fuzz();
}
