// SPDX-License-Identifier: GPL-2.0
/*
 * record.c + the printer: real tracefs format files (tests/fixtures), an
 * event's TLVs, the rebuilt record, and the exact line libtraceevent
 * prints for it, plugins loaded as trace-cmd loads them.
 */
#include <stdlib.h>
#include <string.h>
#include <event-parse.h>
#include "decode.h"
#include "enc.h"
#include "record.h"
#include "tap.h"

#define TS	1700000000123456789ULL	/* prints as 1700000000.123457 */

struct fixture {
	struct tep_handle *tep;
	struct tep_plugin_list *plugins;
	struct tep_event *event;
	struct tn_layout lay;
	struct trace_seq s;
	uint8_t *rec;
	int size;
};

static struct tep_handle *new_tep(bool big)
{
	struct tep_handle *tep = tep_alloc();

	tep_set_long_size(tep, 8);
	tep_set_page_size(tep, 4096);
	tep_set_file_bigendian(tep, big ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(tep, tep_is_local_bigendian(tep) ?
				TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	return tep;
}

static bool fx_open(struct fixture *fx, const char *file, const char *sys,
		    int id, bool big)
{
	unsigned long size;
	char *text = read_fixture(file, &size);

	memset(fx, 0, sizeof(*fx));
	fx->tep = new_tep(big);
	fx->plugins = tep_load_plugins(fx->tep);
	fx->rec = malloc(TN_RECORD_MAX);
	trace_seq_init(&fx->s);
	if (text)
		tep_parse_event(fx->tep, text, size, sys);
	free(text);
	fx->event = tep_find_event(fx->tep, id);
	return tap_ok(fx->event != NULL, "fixture %s parses (id %d)", file, id);
}

static void fx_close(struct fixture *fx)
{
	trace_seq_destroy(&fx->s);
	if (fx->plugins)
		tep_unload_plugins(fx->plugins, fx->tep);
	tep_free(fx->tep);
	free(fx->rec);
}

/* Turn an encoded event (enc.c) into a record and a printed line. */
static const char *fx_line(struct fixture *fx, struct enc *e, size_t ev_off,
			   uint16_t cpu, struct tn_werr *err)
{
	struct tn_tlv tlvs[TRACENET_MAX_FIELDS];
	struct tep_record rec;
	struct tn_cursor c = { e->buf + ev_off, e->len - ev_off, 0, 1 };
	struct tn_wevent ev;
	int n;

	if (tn_wire_next_event(&c, &ev, err) != 1)
		return NULL;
	n = tn_wire_event_tlvs(&ev, tlvs, TRACENET_MAX_FIELDS, err);
	if (n < 0)
		return NULL;
	fx->size = tn_record_build(&fx->lay, &ev, tlvs, (unsigned int)n,
				   fx->rec, TN_RECORD_MAX, err);
	if (fx->size < 0)
		return NULL;
	memset(&rec, 0, sizeof(rec));
	rec.ts = ev.ts;
	rec.cpu = cpu;
	rec.data = fx->rec;
	rec.size = fx->size;
	if (ev.pid && strcmp(tep_data_comm_from_pid(fx->tep, (int)ev.pid), ev.comm))
		tep_override_comm(fx->tep, ev.comm, (int)ev.pid);
	tn_format_event(&fx->s, fx->tep, fx->event, &rec);
	return fx->s.buffer;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static const struct tn_wfield exec_fields[] = {
	{ 8, 4, TRACENET_FIELD_DYNAMIC | TRACENET_FIELD_STRING |
		TRACENET_FIELD_ARRAY, "filename", "__data_loc char[]" },
	{ 12, 4, TRACENET_FIELD_SIGNED, "pid", "pid_t" },
	{ 16, 4, TRACENET_FIELD_SIGNED, "old_pid", "pid_t" },
};

static void test_exec(void)
{
	struct fixture fx;
	struct tn_werr err;
	struct enc *e = calloc(1, sizeof(*e));
	const char *line;
	size_t ev;

	if (!fx_open(&fx, "sched_process_exec.format", "sched", 365, false))
		goto out;
	tap_ok(!tn_layout_init(&fx.lay, fx.event, exec_fields, 3, false, &err) &&
	       fx.lay.fixed == 20 && fx.lay.pid.offset == 4 && fx.lay.pid.size == 4,
	       "sched_process_exec: layout (fixed part 20 bytes)");
	ev = enc_event(e, 365, TS, 5, "true", 3);
	enc_tlv(e, 0, "/bin/true", 10);
	enc_tlv_le32(e, 1, 5);
	enc_tlv_le32(e, 2, 5);
	enc_end(e, ev);
	line = fx_line(&fx, e, ev, 1, &err);
	tap_ok(fx.size == 30 && fx.rec[0] == 365 % 256 && fx.rec[1] == 1 &&
	       le32(fx.rec + 4) == 5 && le32(fx.rec + 8) == (10u << 16 | 20) &&
	       !memcmp(fx.rec + 20, "/bin/true", 10) && le32(fx.rec + 12) == 5,
	       "sched_process_exec: raw record (__data_loc = 10 << 16 | 20)");
	tap_is_str(line, "            true-5     [001] 1700000000.123457: "
		   "sched_process_exec:   filename=/bin/true pid=5 old_pid=5",
		   "sched_process_exec: printed line");
out:
	fx_close(&fx);
	free(e);
}

static size_t switch_event(struct enc *e, uint32_t pid, const char *comm,
			   const char *prev, uint32_t prev_pid, uint64_t state,
			   const char *next, uint32_t next_pid)
{
	char pc[16] = "", nc[16] = "";
	uint8_t st[8];
	size_t ev;
	int i;

	strncpy(pc, prev, sizeof(pc) - 1);
	strncpy(nc, next, sizeof(nc) - 1);
	for (i = 0; i < 8; i++)
		st[i] = (uint8_t)(state >> (8 * i));
	enc_init(e);
	ev = enc_event(e, 372, TS, pid, comm, 7);
	enc_tlv(e, 0, pc, 16);
	enc_tlv_le32(e, 1, prev_pid);
	enc_tlv_le32(e, 2, 120);
	enc_tlv(e, 3, st, 8);
	enc_tlv(e, 4, nc, 16);
	enc_tlv_le32(e, 5, next_pid);
	enc_tlv_le32(e, 6, 120);
	enc_end(e, ev);
	return ev;
}

static void test_switch(void)
{
	struct enc *e = calloc(1, sizeof(*e));
	struct fixture fx;
	struct tn_werr err;
	const char *line;
	size_t ev;

	if (!fx_open(&fx, "sched_switch.format", "sched", 372, false))
		goto out;
	/* No field records: the format's own order, as attach sends it. */
	tap_ok(!tn_layout_init(&fx.lay, fx.event, NULL, 0, false, &err) &&
	       fx.lay.nfields == 7 && fx.lay.fixed == 64,
	       "sched_switch: layout from the format alone");
	ev = switch_event(e, 31002, "bash", "bash", 31002, 1, "swapper/0", 0);
	line = fx_line(&fx, e, ev, 0, &err);
	tap_is_str(line, "            bash-31002 [000] 1700000000.123457: "
		   "sched_switch:         bash:31002 [120] S ==> swapper/0:0 [120]",
		   "sched_switch: printed by the sched_switch plugin, as trace-cmd");
	ev = switch_event(e, 0, "swapper/0", "swapper/0", 0, 0, "bash", 31002);
	line = fx_line(&fx, e, ev, 0, &err);
	tap_is_str(line, "          <idle>-0     [000] 1700000000.123457: "
		   "sched_switch:         swapper/0:0 [120] R ==> bash:31002 [120]",
		   "pid 0 prints as <idle>");
	ev = switch_event(e, 77, "a-very-long-com", "x", 77, 0x402, "y", 78);
	line = fx_line(&fx, e, ev, 12, &err);
	tap_is_str(line, " a-very-long-com-77    [012] 1700000000.123457: "
		   "sched_switch:         x:77 [120] D ==> y:78 [120]",
		   "15-character comm, CPU 12, state 0x402 as the plugin prints it");
out:
	fx_close(&fx);
	free(e);
}

static void test_rel_loc(void)
{
	static const struct tn_wfield fields[] = {
		{ 8, 4, TRACENET_FIELD_SIGNED, "value", "int" },
		{ 12, 4, TRACENET_FIELD_DYNAMIC | TRACENET_FIELD_RELATIVE |
			 TRACENET_FIELD_STRING, "msg", "__rel_loc char[]" },
		{ 16, 8, 0, "addr", "unsigned long" },
	};
	uint8_t addr[8] = { 0, 0, 0, 0x81, 0xff, 0xff, 0xff, 0xff };
	struct enc *e = calloc(1, sizeof(*e));
	struct fixture fx;
	struct tn_werr err;
	const char *line;
	size_t ev;

	if (!fx_open(&fx, "tn_rel_test.format", "tn", 2000, false))
		goto out;
	tn_layout_init(&fx.lay, fx.event, fields, 3, false, &err);
	ev = enc_event(e, 2000, TS, 9, "relly", 3);
	enc_tlv_le32(e, 0, (uint32_t)-3);
	enc_tlv(e, 1, "hello", 6);
	enc_tlv(e, 2, addr, 8);
	enc_end(e, ev);
	line = fx_line(&fx, e, ev, 2, &err);
	tap_ok(fx.size == 30 && le32(fx.rec + 12) == (6u << 16 | (24 - 16)),
	       "__rel_loc: offset relative to the end of the field");
	tap_is_str(line, "           relly-9     [002] 1700000000.123457: "
		   "tn_rel_test:          value=-3 msg=hello addr=0xffffffff81000000",
		   "__rel_loc: printed line");
out:
	fx_close(&fx);
	free(e);
}

static void test_big_endian(void)
{
	struct enc *e = calloc(1, sizeof(*e));
	uint8_t be5[4] = { 0, 0, 0, 5 };
	struct fixture fx;
	struct tn_werr err;
	const char *line;
	size_t ev;

	if (!fx_open(&fx, "sched_process_exec.format", "sched", 365, true))
		goto out;
	tn_layout_init(&fx.lay, fx.event, exec_fields, 3, true, &err);
	ev = enc_event(e, 365, TS, 5, "true", 3);
	enc_tlv(e, 0, "/bin/true", 10);
	enc_tlv(e, 1, be5, 4);
	enc_tlv(e, 2, be5, 4);
	enc_end(e, ev);
	line = fx_line(&fx, e, ev, 1, &err);
	tap_ok(fx.rec[0] == 1 && fx.rec[1] == 365 % 256 && fx.rec[7] == 5 &&
	       fx.rec[8] == 0 && fx.rec[9] == 10 && fx.rec[11] == 20,
	       "big-endian producer: common fields and __data_loc big-endian");
	tap_is_str(line, "            true-5     [001] 1700000000.123457: "
		   "sched_process_exec:   filename=/bin/true pid=5 old_pid=5",
		   "big-endian producer: same line");
out:
	fx_close(&fx);
	free(e);
}

static void test_bad_tlvs(void)
{
	struct enc *e = calloc(1, sizeof(*e));
	struct fixture fx;
	struct tn_werr err = { "" };
	size_t ev;

	if (!fx_open(&fx, "sched_process_exec.format", "sched", 365, false))
		goto out;
	tn_layout_init(&fx.lay, fx.event, exec_fields, 3, false, &err);
	ev = enc_event(e, 365, TS, 5, "true", 1);
	enc_tlv_le32(e, 3, 5);
	enc_end(e, ev);
	tap_ok(!fx_line(&fx, e, ev, 1, &err) &&
	       strstr(err.msg, "field 3: the event has only 3 fields"),
	       "TLV type past the field table: error");
	enc_init(e);
	ev = enc_event(e, 365, TS, 5, "true", 1);
	enc_tlv(e, 1, "12345678", 8);
	enc_end(e, ev);
	tap_ok(!fx_line(&fx, e, ev, 1, &err) &&
	       strstr(err.msg, "8 bytes for a field of 4"),
	       "TLV longer than its fixed field: error");
	enc_init(e);
	ev = enc_event(e, 365, TS, 5, "true", 1);
	enc_tlv(e, 0, "no-nul", 6);
	enc_end(e, ev);
	tap_ok(fx_line(&fx, e, ev, 1, &err) && strstr(fx.s.buffer, "filename=no-nul pid=0"),
	       "string without its NUL still ends (record zero-padded)");
out:
	fx_close(&fx);
	free(e);
}

/* A format from the network may put a field anywhere: a layout whose
 * format has a field past 64 KiB is refused, field table or not, as the
 * record it sizes would not fit in TN_RECORD_MAX (found by fuzz_format).
 */
static void test_format_range(void)
{
	static const char *const fields[] = {
		"\tfield:int v;\toffset:200000;\tsize:4;\tsigned:1;\n",
		"\tfield:int v;\toffset:8;\tsize:4;\tsigned:1;\n"
		"\tfield:int w;\toffset:2147483647;\tsize:4;\tsigned:1;\n",
		"\tfield:int v;\toffset:4294967288;\tsize:4;\tsigned:1;\n",
	};
	static const struct tn_wfield v_field[] = {
		{ 8, 4, TRACENET_FIELD_SIGNED, "v", "int" },
	};
	char text[1024];
	struct tn_layout lay;
	struct tn_werr err = { "" };
	struct tep_event *event;
	struct tep_handle *tep;
	unsigned int i, table;

	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		snprintf(text, sizeof(text),
			 "name: far\nID: 7\nformat:\n"
			 "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
			 "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
			 "%s\nprint fmt: \"v=%%d\", REC->v\n", fields[i]);
		for (table = 0; table < 2; table++) {
			tep = new_tep(false);
			event = NULL;
			tep_parse_format(tep, &event, text, strlen(text), "test");
			err.msg[0] = '\0';
			tap_ok(event && tn_layout_init(&lay, event, v_field, table,
						       false, &err) &&
			       strstr(err.msg, "out of range"),
			       "format field out of range (%u), %s: refused (%s)",
			       i, table ? "field table" : "format order", err.msg);
			tep_free(tep);
		}
	}
}

/* A field table that is not the format's about a __rel_loc field would
 * let a TLV's bytes be the __rel_loc word, which libtraceevent follows
 * past the record: refused.
 */
static void test_table_dynamic(void)
{
	static const struct {
		struct tn_wfield msg;
		const char *what;
	} tables[] = {
		{ { 12, 4, 0, "msg", "int" }, "a plain int" },
		{ { 12, 4, TRACENET_FIELD_DYNAMIC | TRACENET_FIELD_STRING,
		    "msg", "__data_loc char[]" }, "__data_loc" },
		{ { 10, 4, TRACENET_FIELD_SIGNED, "msg", "int" }, "overlapping" },
	};
	struct tn_wfield fields[] = {
		{ 8, 2, TRACENET_FIELD_SIGNED, "value", "short" },
		{ 12, 4, 0, "", "" },
		{ 16, 8, 0, "addr", "unsigned long" },
	};
	struct tn_werr err = { "" };
	struct fixture fx;
	unsigned int i;

	if (!fx_open(&fx, "tn_rel_test.format", "tn", 2000, false))
		goto out;
	for (i = 0; i < ARRAY_SIZE(tables); i++) {
		fields[1] = tables[i].msg;
		err.msg[0] = '\0';
		tap_ok(tn_layout_init(&fx.lay, fx.event, fields, 3, false, &err) &&
		       strstr(err.msg, "not the format's __rel_loc field msg"),
		       "__rel_loc field given as %s in the table: refused (%s)",
		       tables[i].what, err.msg);
	}
out:
	fx_close(&fx);
}

/* A pointer prints raw, as trace-cmd prints it; the device name is a
 * __data_loc string after the fixed part.
 */
static void test_net(void)
{
	uint8_t skb[8] = { 0x00, 0xc0, 0xa5, 0x03, 0x80, 0x88, 0xff, 0xff };
	struct enc *e = calloc(1, sizeof(*e));
	struct fixture fx;
	struct tn_werr err;
	const char *line;
	size_t ev;

	if (!fx_open(&fx, "netif_receive_skb.format", "net", 2303, false))
		goto out;
	tn_layout_init(&fx.lay, fx.event, NULL, 0, false, &err);
	ev = enc_event(e, 2303, TS, 0, "swapper/1", 3);
	enc_tlv(e, 0, skb, 8);
	enc_tlv_le32(e, 1, 84);
	enc_tlv(e, 2, "eth0", 5);
	enc_end(e, ev);
	line = fx_line(&fx, e, ev, 1, &err);
	tap_is_str(line, "          <idle>-0     [001] 1700000000.123457: "
		   "netif_receive_skb:    dev=eth0 skbaddr=0xffff888003a5c000 len=84",
		   "netif_receive_skb: raw pointer, __data_loc name");
out:
	fx_close(&fx);
	free(e);
}

/* The sched_wakeup plugin's own text. */
static void test_wakeup(void)
{
	struct enc *e = calloc(1, sizeof(*e));
	struct fixture fx;
	struct tn_werr err;
	const char *line;
	size_t ev;

	if (!fx_open(&fx, "sched_wakeup.format", "sched", 374, false))
		goto out;
	tn_layout_init(&fx.lay, fx.event, NULL, 0, false, &err);
	ev = enc_event(e, 374, TS, 31002, "bash", 4);
	enc_tlv(e, 0, "kworker/1:2\0\0\0\0", 16);
	enc_tlv_le32(e, 1, 42);
	enc_tlv_le32(e, 2, 120);
	enc_tlv_le32(e, 3, 1);
	enc_end(e, ev);
	line = fx_line(&fx, e, ev, 0, &err);
	tap_is_str(line, "            bash-31002 [000] 1700000000.123457: "
		   "sched_wakeup:         kworker/1:2:42 [120] CPU:001",
		   "sched_wakeup: plugin text");
out:
	fx_close(&fx);
	free(e);
}

void test_record(void)
{
	tap_diag("record.c: raw records rebuilt and printed");
	test_exec();
	test_switch();
	test_rel_loc();
	test_big_endian();
	test_bad_tlvs();
	test_format_range();
	test_table_dynamic();
	test_net();
	test_wakeup();
}
