// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the filter compiler, from an expression to its three
 * forms, and their verdicts on a frame:
 *
 *   expression  -> tn_filter_parse() (fparse.c), against one of the
 *                  events of tests/fixtures; an error has a message and
 *                  a position in the text, a parsed filter a tree that
 *                  agrees with the text
 *   filter      -> tn_filter_compile() (fbpf.c, fglob.c): a program, or a
 *                  refusal with a message (the limits); the program's
 *                  structure as the verifier first sees it (size, jumps,
 *                  ld_imm64 pairs, the map load, the exit at the end) and
 *                  the filter's text back out of its map value
 *   frame       -> tn_filter_eval() (feval.c), the reference, under ASan;
 *                  on each glob comparison of a frame it decides, the
 *                  glob's automaton (fglob.c), walked as the program
 *                  walks it (tn_dfa_match()), against the reference's
 *                  lib/glob.c
 *   filter      -> tn_filter_pcap() (fpcap.c): an expression libpcap must
 *                  compile (or a refusal with a message), whose verdict
 *                  on the frame (pcap_offline_filter(), tests/test_fpcap.c)
 *                  is the reference's wherever the reference decides
 *
 * Why: the expression is what a user types, and the frame what any
 * producer sends; the unit tests (tests/test_filter.c) hold the three
 * forms together on the expressions and frames they make up, this on
 * whatever the mutations make of them. The eBPF program's verdicts need
 * bpf() and are left to the unit tests (BPF_PROG_TEST_RUN), but for its
 * globs, whose automata are compared here.
 *
 * The input layout is in fuzz.h; the dictionary is filter.dict. Any
 * disagreement is reported on stderr and abort()s, so that libFuzzer
 * keeps the input.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <event-parse.h>
#include <uapi/linux/tracenet.h>
#include "filter.h"
#include "fuzz.h"
#include "wire.h"

#define EV_OFF		(14 + 16)	/* the event of a frame with hdr_len 16 */
#define TLV_OFF		(EV_OFF + 40)

/* tests/test_fpcap.c: libpcap's verdict, 1 match, 0 not, -1 refused. */
int fpcap_match(const char *expr, const uint8_t *frame, size_t len,
		char *err, size_t errlen);

static const char *const names[] = { FUZZ_FILTER_EVENTS };
#define NEVENTS		(sizeof(names) / sizeof(names[0]))
static struct tn_fevent events[NEVENTS];

/* What the inputs reached, printed at exit (fuzz/run.sh shows it). */
static struct {
	unsigned long long inputs, parsed, compiled, pcap, decided, compared,
			   globs;
} st;

/* The input that failed, for the report. */
static const char *cur_text;
static const char *cur_event;

__attribute__((format(printf, 1, 2), noreturn))
static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_filter: %s: '%s': ", cur_event, cur_text);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* ---- the events ------------------------------------------------------- */

static void fixture_dir(char *dir, size_t len)
{
	const char *env = getenv("TN_FUZZ_FIXTURES");
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (env && *env) {
		snprintf(dir, len, "%s", env);
		return;
	}
	/* tools/fuzz/build/fuzz_filter -> tools/tests/fixtures */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0) {
		perror("fuzz_filter: /proc/self/exe");
		exit(1);
	}
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(dir, len, "%s/../../tests/fixtures", exe);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 &&
	    !fseek(f, 0, SEEK_SET)) {
		buf = calloc(1, (size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

static void load_event(struct tep_handle *tep, const char *dir,
		       const char *name, struct tn_fevent *ev)
{
	struct tep_event *event = NULL;
	char path[PATH_MAX + 64];
	size_t len = 0;
	char *text;

	snprintf(path, sizeof(path), "%s/%s.format", dir, name);
	text = read_file(path, &len);
	if (!text) {
		fprintf(stderr, "fuzz_filter: cannot read %s (set TN_FUZZ_FIXTURES)\n",
			path);
		exit(1);
	}
	tep_parse_format(tep, &event, text, len, "fixture");
	free(text);
	if (!event) {
		fprintf(stderr, "fuzz_filter: %s does not parse\n", path);
		exit(1);
	}
	if (tn_fevent_init(ev, event))
		exit(1);
}

static void at_exit(void)
{
	unsigned int i;

	fprintf(stderr, "fuzz filter: %llu inputs, %llu parsed, %llu compiled, %llu in pcap, %llu frames decided by the reference, %llu verdicts compared with libpcap's, %llu glob automata with lib/glob.c\n",
		st.inputs, st.parsed, st.compiled, st.pcap, st.decided,
		st.compared, st.globs);

	for (i = 0; i < NEVENTS; i++)
		free(events[i].fields);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct tep_handle *tep = tep_alloc();
	char dir[PATH_MAX];
	unsigned int i;

	(void)argc;
	(void)argv;
	if (!tep)
		exit(1);
	tep_set_long_size(tep, 8);
	fixture_dir(dir, sizeof(dir));
	for (i = 0; i < NEVENTS; i++)
		load_event(tep, dir, names[i], &events[i]);
	tep_free(tep);
	atexit(at_exit);
	return 0;
}

/* ---- the frame -------------------------------------------------------- */

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static size_t get16(const uint8_t *p)
{
	return (size_t)p[0] << 8 | p[1];
}

/* FUZZ_FLT_FIXUP: one event of @ev, as far as the frame's bytes go: the
 * framing, then the TLVs' types, fixed lengths, dynamic lengths cut to
 * the frame, and the frame cut after the last TLV. Returns its length.
 */
static size_t fixup(const struct tn_fevent *ev, uint8_t *p, size_t len)
{
	size_t off = TLV_OFF, vlen;
	unsigned int i;

	if (len < TLV_OFF)
		return len;
	put16(p + 12, TRACENET_ETH_P);
	p[14] = TRACENET_WIRE_VERSION;
	p[15] = TRACENET_FRAME_EVENTS;
	p[16] &= (uint8_t)~TRACENET_F_BIG_ENDIAN;
	if (htons(1) == 1)
		p[16] |= TRACENET_F_BIG_ENDIAN;
	p[17] = 16;
	put16(p + 20, 1);
	put16(p + EV_OFF + 2, ev->nfields);
	put16(p + EV_OFF + 4, ev->id >> 16);
	put16(p + EV_OFF + 6, ev->id & 0xffff);
	for (i = 0; i < ev->nfields && off + 4 <= len; i++) {
		put16(p + off, i);
		if (!ev->fields[i].dynamic)
			put16(p + off + 2, ev->fields[i].size);
		else if (off + 4 + TRACENET_TLV_ALIGN(get16(p + off + 2)) > len)
			put16(p + off + 2, (len - off - 4) & ~(size_t)3);
		vlen = TRACENET_TLV_ALIGN(get16(p + off + 2));
		if (off + 4 + vlen > len)
			break;
		off += 4 + vlen;
	}
	if (i == ev->nfields)
		len = off;
	put16(p + EV_OFF, len - EV_OFF > 0xffff ? 0xffff : len - EV_OFF);
	return len;
}

/* ---- the checks ------------------------------------------------------- */

static void check_err(const char *what, const struct tn_ferr *err, size_t tlen)
{
	if (!memchr(err->msg, '\0', sizeof(err->msg)) || !err->msg[0])
		fail("%s: refused without a message", what);
	if (err->pos != -1 && (err->pos < 0 || (size_t)err->pos > tlen))
		fail("%s: error position %d outside the text (%zu bytes): %s",
		     what, err->pos, tlen, err->msg);
}

static bool is_str_kind(enum tn_fkind k)
{
	return k == TN_FK_STR_STATIC || k == TN_FK_STR_DYN ||
	       k == TN_FK_STR_PTR || k == TN_FK_COMM;
}

/* The tree agrees with the text: every comparison's field is named at
 * its position, strings on string fields, numbers on the others.
 */
static unsigned int check_tree(const struct tn_filter *f,
			       const struct tn_fnode *n, size_t tlen)
{
	const struct tn_fpred *pr;
	size_t nl;

	if (!n)
		fail("a node without its operand");
	switch (n->type) {
	case TN_FN_AND:
	case TN_FN_OR:
		return check_tree(f, n->l, tlen) + check_tree(f, n->r, tlen);
	case TN_FN_NOT:
		if (n->r)
			fail("'!' with two operands");
		return check_tree(f, n->l, tlen);
	case TN_FN_PRED:
		break;
	default:
		fail("node type %d", n->type);
	}
	pr = &n->pred;
	if (!pr->field)
		fail("comparison %d without a field", pr->id);
	nl = strlen(pr->field->name);
	if (pr->pos < 0 || (size_t)pr->pos + nl > tlen ||
	    strncmp(f->text + pr->pos, pr->field->name, nl))
		fail("comparison %d: field '%s' is not at %d", pr->id,
		     pr->field->name, pr->pos);
	if (pr->id < 0 || (unsigned int)pr->id >= f->npreds)
		fail("comparison id %d of %u", pr->id, f->npreds);
	if (pr->is_str != is_str_kind(pr->field->kind))
		fail("comparison %d: %s on '%s' (%s)", pr->id,
		     pr->is_str ? "a string" : "a number", pr->field->name,
		     pr->field->type);
	if (pr->is_str && (pr->slen > TN_F_MAX_STR || pr->str[pr->slen] ||
			   memchr(pr->str, '\0', pr->slen)))
		fail("comparison %d: pattern of %zu bytes", pr->id, pr->slen);
	return 1;
}

static void check_prog(const struct tn_filter *f, const struct tn_fprog *p)
{
	const uint8_t ld64 = BPF_LD | BPF_DW | BPF_IMM;
	unsigned int i, n = p->ninsns, ntexts = 0;
	char **texts = NULL, *want;
	bool *second;
	size_t wlen;

	if (!p->insns || !n || n > TN_F_MAX_INSNS)
		fail("a program of %u instructions", n);
	second = calloc(n, sizeof(*second));
	if (!second)
		abort();
	for (i = 0; i < n; i++) {
		if (p->insns[i].code != ld64)
			continue;
		if (i + 1 >= n || p->insns[i + 1].code || p->insns[i + 1].dst_reg ||
		    p->insns[i + 1].src_reg || p->insns[i + 1].off)
			fail("insn %u: ld_imm64 without its second half", i);
		second[++i] = true;
	}
	for (i = 0; i < n; i++) {
		const struct bpf_insn *in = &p->insns[i];
		uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
		long t;

		if (second[i])
			continue;
		if (in->dst_reg > 10 || in->src_reg > 10)
			fail("insn %u: register r%u/r%u", i, in->dst_reg,
			     in->src_reg);
		if (in->dst_reg == 10 && cls != BPF_STX && cls != BPF_ST &&
		    cls != BPF_JMP && cls != BPF_JMP32)
			fail("insn %u (code 0x%02x) writes r10", i, in->code);
		if ((cls != BPF_JMP && cls != BPF_JMP32) || op == BPF_EXIT ||
		    op == BPF_CALL)
			continue;
		t = (long)i + 1 + in->off;
		if (t < 0 || t >= (long)n)
			fail("insn %u jumps out of the program, to %ld of %u",
			     i, t, n);
		if (second[t])
			fail("insn %u jumps into the ld_imm64 at %ld", i, t - 1);
	}
	free(second);
	if (p->insns[n - 1].code != (BPF_JMP | BPF_EXIT))
		fail("the last instruction (code 0x%02x) is not an exit",
		     p->insns[n - 1].code);
	if (p->map_insn + 1 >= n || p->insns[p->map_insn].code != ld64 ||
	    p->insns[p->map_insn].src_reg != BPF_PSEUDO_MAP_VALUE)
		fail("map_insn %u is not the ld_imm64 of the map value",
		     p->map_insn);

	/* The text comes back out of the map value. */
	if (tn_fblob_texts(p->blob, p->blob_len, &texts, &ntexts) || ntexts != 1)
		fail("tn_fblob_texts: %u texts from a blob of %zu bytes",
		     ntexts, p->blob_len);
	wlen = strlen(f->ev->system) + strlen(f->ev->name) + strlen(f->text) + 3;
	want = malloc(wlen);
	if (!want)
		abort();
	snprintf(want, wlen, "%s:%s:%s", f->ev->system, f->ev->name, f->text);
	if (strcmp(texts[0], want))
		fail("the map value gives back '%s'", texts[0]);
	free(want);
	free(texts[0]);
	free(texts);
}

static void check_compile(struct tn_filter *f, size_t tlen)
{
	struct tn_filter *fp = f;
	struct tn_fprog prog;
	struct tn_ferr err;

	if (tn_filter_compile(&fp, 1, &prog, &err)) {
		check_err("compile", &err, tlen);
		return;
	}
	st.compiled++;
	check_prog(f, &prog);
	tn_fprog_free(&prog);
}

/* pcap against the reference, where the reference decides (@ref >= 0):
 * frames of the event laid out as v1 sends them. A longer header
 * (hdr_len > 16, which readers skip) moves the event: the pcap filter,
 * at fixed offsets, passes those frames untested (fpcap.c's first test)
 * where the reference and the program follow hdr_len, so they are not
 * compared.
 */
static void check_pcap(const struct tn_filter *f, size_t tlen,
		       const uint8_t *frame, size_t len, int ref)
{
	struct tn_ferr err;
	char *expr = NULL, why[512];
	int pc;

	if (tn_filter_pcap(f, &expr, &err)) {
		check_err("pcap", &err, tlen);
		return;
	}
	st.pcap++;
	pc = fpcap_match(expr, frame, len, why, sizeof(why));
	if (pc < 0)
		fail("libpcap refuses the translation '%s': %s", expr, why);
	if (ref < 0 || len <= 17 || frame[17] != 16) {
		free(expr);
		return;
	}
	st.compared++;
	if (pc != ref)
		fail("the reference %s the frame, the pcap filter '%s' %s it",
		     ref ? "passes" : "drops", expr, pc ? "passes" : "drops");
	free(expr);
}

/* The event of a frame the reference decides on, and its TLVs. */
struct decoded {
	struct tn_wevent ev;
	struct tn_tlv tlvs[TRACENET_MAX_FIELDS];
};

static bool decode(const uint8_t *frame, size_t len, struct decoded *d)
{
	const uint8_t *payload;
	struct tn_cursor cur;
	struct tn_frame fr;
	struct tn_werr err;
	size_t plen;

	if (tn_wire_eth(frame, len, &payload, &plen, &err) ||
	    tn_wire_hdr(payload, plen, &fr, &err))
		return false;
	tn_wire_items(&fr, &cur);
	return tn_wire_next_event(&cur, &d->ev, &err) == 1 &&
	       tn_wire_event_tlvs(&d->ev, d->tlvs, TRACENET_MAX_FIELDS, &err) >= 0;
}

/* Each glob comparison of @n alone: the reference's verdict on the frame
 * against the automaton fbpf.c would put in the map value, walked over
 * the string as the program walks it (its length, at most
 * TN_F_GLOB_SCAN bytes, up to a NUL).
 */
static void check_globs(const struct tn_filter *f, const struct tn_fnode *n,
			const uint8_t *frame, size_t len, const struct decoded *d)
{
	char pat[TN_F_MAX_STR + 3];
	const struct tn_fpred *pr;
	struct tn_filter one;
	struct tn_fnode node;
	struct tn_ferr err;
	struct tn_dfa dfa;
	const uint8_t *s;
	bool ref = false, got;
	size_t plen, slen;

	if (n->type != TN_FN_PRED) {
		check_globs(f, n->l, frame, len, d);
		if (n->r)
			check_globs(f, n->r, frame, len, d);
		return;
	}
	pr = &n->pred;
	if (!pr->is_str || pr->match == TN_MATCH_FULL ||
	    pr->match == TN_MATCH_FRONT)
		return;
	/* gen_str_dfa()'s pattern */
	if (pr->match == TN_MATCH_END)
		plen = (size_t)snprintf(pat, sizeof(pat), "*%s", pr->str);
	else if (pr->match == TN_MATCH_MIDDLE)
		plen = (size_t)snprintf(pat, sizeof(pat), "*%s*", pr->str);
	else
		plen = (size_t)snprintf(pat, sizeof(pat), "%.*s", (int)pr->slen,
					pr->str);
	if (tn_glob_dfa(pat, plen, &dfa, &err))
		return;		/* too many states: the compiler refuses it */
	one = *f;
	node = *n;
	one.root = &node;
	if (!tn_filter_eval(&one, frame, len, &ref))
		fail("the reference decides on the frame, but not for '%s' alone",
		     pr->field->name);
	if (pr->field->kind == TN_FK_COMM) {
		s = (const uint8_t *)d->ev.comm;
		slen = 16;
	} else {
		s = d->tlvs[pr->field->index].val;
		slen = d->tlvs[pr->field->index].len;
	}
	got = tn_dfa_match(&dfa, s, slen) != pr->not;
	tn_dfa_free(&dfa);
	st.globs++;
	if (got != ref)
		fail("comparison %d, glob '%s'%s on '%.*s' (%zu bytes): the automaton says %d, lib/glob.c %d",
		     pr->id, pat, pr->not ? " negated" : "",
		     (int)(slen < TN_F_GLOB_SCAN ? slen : TN_F_GLOB_SCAN),
		     (const char *)s, slen, got, ref);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct tn_fevent *ev;
	const uint8_t *nul, *frame;
	uint8_t *copy = NULL;
	struct tn_filter f;
	struct tn_ferr err;
	size_t tlen, flen, n;
	bool matched = false;
	uint8_t *cut;
	char *text;
	static struct decoded dec;
	int ref = -1;

	if (size < 1)
		return 0;
	ev = &events[(data[0] & FUZZ_FLT_EVENT) % NEVENTS];
	nul = memchr(data + 1, '\0', size - 1);
	tlen = nul ? (size_t)(nul - data - 1) : size - 1;
	frame = nul ? nul + 1 : data + size;
	flen = nul ? size - tlen - 2 : 0;
	/* Exactly as long as it is, for ASan. */
	text = malloc(tlen + 1);
	if (!text)
		return 0;
	memcpy(text, data + 1, tlen);
	text[tlen] = '\0';
	if ((data[0] & FUZZ_FLT_FIXUP) && flen) {
		copy = malloc(flen);
		if (!copy)
			goto out;
		memcpy(copy, frame, flen);
		n = fixup(ev, copy, flen);
		/* Cut: into a buffer as long as the frame, for ASan. */
		cut = malloc(n ? n : 1);
		if (!cut)
			goto out;
		memcpy(cut, copy, n);
		free(copy);
		copy = cut;
		frame = copy;
		flen = n;
	}
	st.inputs++;
	cur_text = text;
	cur_event = ev->name;

	if (tn_filter_parse(ev, text, &f, &err)) {
		check_err("parse", &err, tlen);
		goto out;
	}
	if (!f.root || !f.text || strcmp(f.text, text) || f.ev != ev ||
	    !f.npreds || f.npreds > TN_F_MAX_PREDS)
		fail("a parsed filter of %u comparisons, text '%s'", f.npreds,
		     f.text ? f.text : "(none)");
	if (check_tree(&f, f.root, tlen) != f.npreds)
		fail("the tree does not hold the %u comparisons", f.npreds);
	st.parsed++;
	check_compile(&f, tlen);
	if (tn_filter_eval(&f, frame, flen, &matched)) {
		ref = matched;
		st.decided++;
		if (!decode(frame, flen, &dec))
			fail("the reference decides on a frame the wire code refuses");
		check_globs(&f, f.root, frame, flen, &dec);
	}
	check_pcap(&f, tlen, frame, flen, ref);
	tn_filter_free(&f);
out:
	free(copy);
	free(text);
	return 0;
}
