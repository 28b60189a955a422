// SPDX-License-Identifier: GPL-2.0
/*
 * Seed corpora for the fuzz harnesses, written from the unit tests'
 * fixtures (the .format files of tests/fixtures) with the tests' encoder
 * (tests/enc.c): for every fixture a metadata frame with its field table
 * and event frames with a value for every field, then captures that mix
 * them as real ones do (late metadata, gaps, two CPUs, two sources, a
 * VLAN tag, big-endian values), in the layouts of fuzz.h; and for the
 * events of FUZZ_FILTER_EVENTS, filter expressions with a frame of the
 * event each.
 *
 *   seeds FIXTURE_DIR OUT_DIR   writes files into OUT_DIR/fuzz_decode,
 *                               OUT_DIR/fuzz_format and OUT_DIR/fuzz_filter
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <event-parse.h>
#include "enc.h"
#include "fuzz.h"
#include "record.h"

#define TS		1700000000123456789ULL
#define MAX_FIXTURES	32

struct fixture {
	char file[64];
	char *text;
	size_t len;
	struct tep_handle *tep;
	struct tep_event *event;
	struct tep_format_field **fields;
	unsigned int nfields;
};

/* A seed file being put together. */
struct seed {
	uint8_t *buf;
	size_t len, cap;
};

static const uint8_t mac2[6] = { 0x02, 0x74, 0x6e, 0x00, 0x00, 0x02 };
static struct fixture fx[MAX_FIXTURES];
static unsigned int nfx;
static const char *out_dir;
static struct enc enc;

static void die(const char *what)
{
	fprintf(stderr, "seeds: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void add(struct seed *s, const void *p, size_t len)
{
	if (s->len + len > s->cap) {
		s->cap = (s->len + len) * 2;
		s->buf = realloc(s->buf, s->cap);
		if (!s->buf)
			die("realloc");
	}
	memcpy(s->buf + s->len, p, len);
	s->len += len;
}

static void add16(struct seed *s, size_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	add(s, b, 2);
}

static void write_seed(struct seed *s, const char *harness, const char *name)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", out_dir, harness, name);
	f = fopen(path, "w");
	if (!f || fwrite(s->buf, 1, s->len, f) != s->len || fclose(f))
		die(path);
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

/* A capture seed: the two config bytes, then length-prefixed frames. */
static void cap_start(struct seed *s, uint8_t cfg0, uint8_t cfg1)
{
	memset(s, 0, sizeof(*s));
	add(s, &cfg0, 1);
	add(s, &cfg1, 1);
}

static void cap_frame(struct seed *s, const struct enc *e)
{
	add16(s, e->len);
	add(s, e->buf, e->len);
}

static void load(const char *dir, const char *file)
{
	struct fixture *f = &fx[nfx];
	char path[1024];
	FILE *in;
	long len;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	in = fopen(path, "r");
	if (!in || fseek(in, 0, SEEK_END))
		die(path);
	len = ftell(in);
	if (len < 0 || fseek(in, 0, SEEK_SET))
		die(path);
	f->text = calloc(1, (size_t)len + 1);
	if (!f->text || fread(f->text, 1, (size_t)len, in) != (size_t)len)
		die(path);
	fclose(in);
	f->len = (size_t)len;
	snprintf(f->file, sizeof(f->file), "%.*s", (int)(strlen(file) - 7), file);
	f->tep = tep_alloc();
	tep_set_long_size(f->tep, 8);
	tep_parse_format(f->tep, &f->event, f->text, f->len, "fixture");
	if (!f->event) {
		fprintf(stderr, "seeds: %s does not parse, skipped\n", path);
		tep_free(f->tep);
		free(f->text);
		return;
	}
	f->fields = tep_event_fields(f->event);
	while (f->fields && f->fields[f->nfields])
		f->nfields++;
	nfx++;
}

static void load_all(const char *dir)
{
	struct dirent **names;
	int i, n = scandir(dir, &names, NULL, alphasort);

	if (n < 0)
		die(dir);
	for (i = 0; i < n; i++) {
		size_t l = strlen(names[i]->d_name);

		if (nfx < MAX_FIXTURES && l > 7 &&
		    !strcmp(names[i]->d_name + l - 7, ".format"))
			load(dir, names[i]->d_name);
		free(names[i]);
	}
	free(names);
}

/* The FIELD TLVs of @f's table, as "attach" sends them and the module
 * repeats them.
 */
static void enc_fields(struct enc *e, const struct fixture *f)
{
	unsigned int i;

	for (i = 0; i < f->nfields; i++)
		enc_meta_field(e, (uint16_t)f->fields[i]->offset,
			       (uint16_t)f->fields[i]->size,
			       tn_field_flags(f->fields[i]->flags),
			       f->fields[i]->name, f->fields[i]->type);
}

static void meta_frame(struct enc *e, const struct fixture *f,
		       const uint8_t *mac, uint8_t flags, bool table)
{
	size_t m;

	enc_init(e);
	enc_eth(e, mac);
	enc_hdr(e, TRACENET_FRAME_META, flags, 0, 1, 0);
	m = enc_meta(e, (uint32_t)f->event->id);
	enc_meta_str(e, TRACENET_META_SYSTEM, f->event->system);
	enc_meta_str(e, TRACENET_META_NAME, f->event->name);
	enc_meta_str(e, TRACENET_META_FORMAT, f->text);
	if (table)
		enc_fields(e, f);
	enc_end(e, m);
}

/* A plausible value for every field: strings, arrays, numbers. */
static void enc_values(struct enc *e, const struct fixture *f, unsigned int k,
		       bool big)
{
	static const char *const words[] = { "eth0", "/bin/true", "kworker/1:2", "" };
	uint8_t v[64];
	unsigned int i, j, size;
	uint64_t n;

	for (i = 0; i < f->nfields; i++) {
		const struct tep_format_field *fl = f->fields[i];
		const char *w = words[(i + k) % 4];

		if (fl->flags & TEP_FIELD_IS_DYNAMIC) {
			if (fl->flags & TEP_FIELD_IS_STRING)
				enc_tlv(e, (uint16_t)i, w, (uint16_t)(strlen(w) + 1));
			else
				enc_tlv(e, (uint16_t)i, "\1\2\3\4\5\6\7\10", 8);
			continue;
		}
		size = fl->size > 0 && fl->size <= (int)sizeof(v) ? (unsigned int)fl->size : 4;
		memset(v, 0, sizeof(v));
		if (fl->flags & TEP_FIELD_IS_ARRAY) {
			snprintf((char *)v, size, "%s", w);
		} else {
			n = 100 + 7 * k + i;
			for (j = 0; j < size; j++)
				v[j] = (uint8_t)(n >> 8 * (big ? size - 1 - j : j));
		}
		enc_tlv(e, (uint16_t)i, v, (uint16_t)size);
	}
}

static void enc_one(struct enc *e, const struct fixture *f, unsigned int k,
		    bool big)
{
	size_t ev = enc_event(e, (uint32_t)f->event->id, TS + k * 1000ULL,
			      k ? 100 + k : 0, k ? "task" : "swapper/0",
			      (uint16_t)f->nfields);

	enc_values(e, f, k, big);
	enc_end(e, ev);
}

/* A frame of @n events of fixtures @which[0..n-1]. */
static void event_frame(struct enc *e, const uint8_t *mac, uint8_t flags,
			uint16_t cpu, uint64_t seq, const unsigned int *which,
			unsigned int n)
{
	unsigned int i;

	enc_init(e);
	enc_eth(e, mac);
	enc_hdr(e, TRACENET_FRAME_EVENTS, flags, cpu, (uint16_t)n, seq);
	for (i = 0; i < n; i++)
		enc_one(e, &fx[which[i]], (unsigned int)seq + i,
			flags & TRACENET_F_BIG_ENDIAN);
}

/* 802.1Q-tag the Ethernet frame in @e. */
static void vlan(struct enc *e)
{
	memmove(e->buf + 16, e->buf + 12, e->len - 12);
	enc_put16(e->buf + 12, 0x8100);
	enc_put16(e->buf + 14, 42);
	e->len += 4;
}

static void decode_seeds(void)
{
	const uint8_t LE = TRACENET_F_LONG64, BE = LE | TRACENET_F_BIG_ENDIAN;
	unsigned int i, all[MAX_FIXTURES], two[2];
	struct seed s;
	char name[300];

	for (i = 0; i < nfx; i++) {
		all[i] = i;
		two[0] = two[1] = i;
		/* metadata, then two events */
		cap_start(&s, 0, 0);
		meta_frame(&enc, &fx[i], enc_mac, LE, true);
		cap_frame(&s, &enc);
		event_frame(&enc, enc_mac, LE, 0, 0, two, 2);
		cap_frame(&s, &enc);
		snprintf(name, sizeof(name), "%.64s", fx[i].file);
		write_seed(&s, "fuzz_decode", name);

		/* big-endian, no field table (the format's order), VLAN */
		cap_start(&s, 0, 0);
		meta_frame(&enc, &fx[i], enc_mac, BE, false);
		cap_frame(&s, &enc);
		event_frame(&enc, enc_mac, BE, 1, 5, two, 2);
		vlan(&enc);
		cap_frame(&s, &enc);
		snprintf(name, sizeof(name), "%.64s-be-notable", fx[i].file);
		write_seed(&s, "fuzz_decode", name);

		/* the events first: they wait for the metadata */
		cap_start(&s, 0x02, 0);
		event_frame(&enc, enc_mac, LE, 0, 0, two, 1);
		cap_frame(&s, &enc);
		event_frame(&enc, enc_mac, LE, 0, 3, two, 2);
		cap_frame(&s, &enc);
		meta_frame(&enc, &fx[i], enc_mac, LE, true);
		cap_frame(&s, &enc);
		snprintf(name, sizeof(name), "%.64s-late", fx[i].file);
		write_seed(&s, "fuzz_decode", name);
	}

	/* every fixture, two CPUs with a gap, a second source, -c 12 */
	cap_start(&s, 0xc0, 0);
	for (i = 0; i < nfx; i++) {
		meta_frame(&enc, &fx[i], enc_mac, LE, true);
		cap_frame(&s, &enc);
	}
	event_frame(&enc, enc_mac, LE, 0, 0, all, nfx);
	cap_frame(&s, &enc);
	event_frame(&enc, enc_mac, LE, 1, 0, all, nfx);
	cap_frame(&s, &enc);
	event_frame(&enc, enc_mac, LE, 0, nfx + 2, all, nfx);
	cap_frame(&s, &enc);
	meta_frame(&enc, &fx[0], mac2, BE, true);
	cap_frame(&s, &enc);
	event_frame(&enc, mac2, BE, 0, 0, all, 1);
	cap_frame(&s, &enc);
	write_seed(&s, "fuzz_decode", "mixed");

	/* metadata in the middle, a byte bound on what waits */
	cap_start(&s, 0, 4);
	for (i = 0; i < nfx; i++) {
		event_frame(&enc, enc_mac, LE, 0, i, all + i, 1);
		cap_frame(&s, &enc);
		if (i % 2) {
			meta_frame(&enc, &fx[i], enc_mac, LE, true);
			cap_frame(&s, &enc);
		}
	}
	write_seed(&s, "fuzz_decode", "late-bound");
}

static void format_seeds(void)
{
	static const uint8_t variants[] = {
		FUZZ_FMT_LONG64 | FUZZ_FMT_PLUGINS,
		FUZZ_FMT_LONG64 | FUZZ_FMT_BIG_ENDIAN,
		0,
	};
	unsigned int i, v, k;
	struct seed s;
	char name[300];
	uint8_t b;

	for (i = 0; i < nfx; i++) {
		for (v = 0; v < ARRAY_SIZE(variants); v++) {
			b = variants[v];
			memset(&s, 0, sizeof(s));
			add(&s, &b, 1);
			add16(&s, fx[i].len);
			add(&s, fx[i].text, fx[i].len);
			enc_init(&enc);
			if (v != 2)
				enc_fields(&enc, &fx[i]);
			add16(&s, enc.len);
			add(&s, enc.buf, enc.len);
			enc_init(&enc);
			for (k = 0; k < 3; k++)
				enc_one(&enc, &fx[i], k, b & FUZZ_FMT_BIG_ENDIAN);
			add(&s, enc.buf, enc.len);
			snprintf(name, sizeof(name), "%.64s-%u", fx[i].file, v);
			write_seed(&s, "fuzz_format", name);
		}
	}
}

/* Valid expressions of the events of fuzz_filter: numbers at the edges of
 * their fields, strings, globs, masks, '!', nesting, the generic fields.
 * The frames carry enc_values()' values: strings from its words, numbers
 * 100 + 7k + i (i the field's index), pid 100 + k, comm "task".
 */
static const struct {
	const char *event, *expr;
} filters[] = {
	{ "sched_switch", "prev_pid == 108" },
	{ "sched_switch", "prev_comm == \"/bin/true\" && next_pid > 100" },
	{ "sched_switch", "prev_comm ~ \"kw*\" || next_comm ~ \"*true\"" },
	{ "sched_switch", "prev_state & 0x100000000 || !(prev_prio <= -1)" },
	{ "sched_switch", "((cpu == 0 || CPU >= 1) && common_pid != 101) && comm ~ 'task'" },
	{ "sched_switch", "next_comm ~ \"[a-z]?*/*\" && prev_comm != ''" },
	{ "sched_switch", "prev_comm ~ \"!*x*\" && next_prio < 2147483647" },
	{ "sched_switch", "common_type == 372 && common_flags == 0 && common_preempt_count < 0xff" },
	{ "sched_switch", "prev_state >= -9223372036854775808 && prev_state < 0x7fffffffffffffff" },
	{ "sched_process_exec", "filename == \"/bin/true\"" },
	{ "sched_process_exec", "filename ~ \"/bin/*\" && pid > 0" },
	{ "sched_process_exec", "old_pid == 102 || filename ~ \"*true\"" },
	{ "sched_process_exec", "pid < -1 || !(old_pid >= 2147483647)" },
	{ "sched_process_exec", "filename ~ \"*[!a-z]*\" && comm == \"task\"" },
	{ "netif_receive_skb", "len > 1000 && name ~ \"eth*\"" },
	{ "netif_receive_skb", "skbaddr == 0xffffffffffffffff || skbaddr & 0x8000000000000000" },
	{ "netif_receive_skb", "skbaddr >= 107 && len <= 0xffffffff" },
	{ "netif_receive_skb", "comm ~ \"sw?pper*\" || cpu != 1" },
	{ "netif_receive_skb", "name == \"eth0\" && !(len == 0)" },
	{ "sched_wakeup", "comm == \"eth0\" && pid >= 100" },
	{ "sched_wakeup", "target_cpu == 3 || prio < 0" },
	{ "sched_wakeup", "COMM ~ \"task*\" && common_cpu >= 0" },
	{ "sched_wakeup", "comm ~ \"*th*\" || !(!(pid != 0))" },
	{ "tn_rel_test", "msg == \"eth0\"" },
	{ "tn_rel_test", "msg ~ \"*bin*\" && value > 0" },
	{ "tn_rel_test", "addr == 0x6c || value < -5" },
	{ "tn_rel_test", "value & 1 && !(common_pid == 0)" },
	{ "tn_hazard_test", "len == 108 && div != 0" },
	{ "tn_hazard_test", "len > 99 || div < 2" },
	{ "tn_hazard_test", "div & 4 && !(len >= 4294967295)" },
};

static void filter_seeds(void)
{
	static const char *const events[] = { FUZZ_FILTER_EVENTS };
	unsigned int i, e, k;
	struct seed s;
	char name[300];
	uint8_t b;

	for (i = 0; i < ARRAY_SIZE(filters); i++) {
		for (e = 0; e < ARRAY_SIZE(events); e++)
			if (!strcmp(events[e], filters[i].event))
				break;
		for (k = 0; k < nfx; k++)
			if (!strcmp(fx[k].file, filters[i].event))
				break;
		if (e == ARRAY_SIZE(events) || k == nfx) {
			fprintf(stderr, "seeds: no event %s\n", filters[i].event);
			exit(1);
		}
		/* every third one asks the harness to fix the frame up */
		b = (uint8_t)e | (i % 3 == 2 ? FUZZ_FLT_FIXUP : 0);
		memset(&s, 0, sizeof(s));
		add(&s, &b, 1);
		add(&s, filters[i].expr, strlen(filters[i].expr) + 1);
		event_frame(&enc, enc_mac, TRACENET_F_LONG64, (uint16_t)(i % 3),
			    1 + i % 4, &k, 1);
		add(&s, enc.buf, enc.len);
		snprintf(name, sizeof(name), "%.64s-%u", filters[i].event, i);
		write_seed(&s, "fuzz_filter", name);
	}
}

static void mkdirs(const char *sub)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", out_dir, sub);
	if (mkdir(out_dir, 0755) && errno != EEXIST)
		die(out_dir);
	if (mkdir(path, 0755) && errno != EEXIST)
		die(path);
}

int main(int argc, char **argv)
{
	unsigned int i;

	if (argc != 3) {
		fprintf(stderr, "usage: seeds FIXTURE_DIR OUT_DIR\n");
		return 2;
	}
	out_dir = argv[2];
	load_all(argv[1]);
	if (!nfx) {
		fprintf(stderr, "seeds: no fixture in %s\n", argv[1]);
		return 1;
	}
	mkdirs("fuzz_decode");
	mkdirs("fuzz_format");
	mkdirs("fuzz_filter");
	decode_seeds();
	format_seeds();
	filter_seeds();
	for (i = 0; i < nfx; i++) {
		free(fx[i].fields);
		tep_free(fx[i].tep);
		free(fx[i].text);
	}
	return 0;
}
