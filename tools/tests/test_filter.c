// SPDX-License-Identifier: GPL-2.0
/*
 * The filter compiler: parsing and the errors' positions, the glob
 * automata against fnmatch(3), the generated code (every packet load
 * behind a bounds check, jumps in range), and what the programs decide on
 * frames built here: by hand for known answers, then at random, the
 * eBPF program (BPF_PROG_TEST_RUN, where this machine lets us load it),
 * the C reference evaluator and the pcap-filter translation (libpcap's
 * own compiler and pcap_offline_filter()) must agree on every frame.
 */
#include <fnmatch.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <event-parse.h>
#include "enc.h"
#include "filter.h"
#include "tap.h"
#include "../bpf/follow.h"

/* test_fpcap.c: libpcap's verdict on @frame for the expression. */
int fpcap_match(const char *expr, const uint8_t *frame, size_t len,
		char *err, size_t errlen);

static struct tep_handle *tep;

struct fx {
	const char *file;
	struct tn_fevent ev;
};

static struct fx fxs[] = {
	{ "sched_switch.format", { .id = 0 } },
	{ "sched_process_exec.format", { .id = 0 } },
	{ "netif_receive_skb.format", { .id = 0 } },
	{ "tn_hazard_test.format", { .id = 0 } },
};

static struct tn_fevent *fx_event(const char *file)
{
	unsigned int i;

	for (i = 0; i < sizeof(fxs) / sizeof(fxs[0]); i++)
		if (!strcmp(fxs[i].file, file))
			return &fxs[i].ev;
	return NULL;
}

static int load_fx(struct fx *x)
{
	struct tep_event *event = NULL;
	char *text = read_fixture(x->file, NULL);

	if (!text)
		return -1;
	tep_parse_format(tep, &event, text, strlen(text), "test");
	free(text);
	return event ? tn_fevent_init(&x->ev, event) : -1;
}

/* ---- parsing ---------------------------------------------------------- */

static void test_parse(void)
{
	static const struct {
		const char *file, *expr, *err;
		int pos;
	} t[] = {
		{ "sched_switch.format", "prev_pid == 1", NULL, 0 },
		{ "sched_switch.format", "prev_pid==1&&next_pid>=0x10||!(prev_state&2)", NULL, 0 },
		{ "sched_switch.format", "  (( prev_comm ~ \"ba*\" ))", NULL, 0 },
		{ "sched_switch.format", "comm == 'x' && cpu < 4 && common_pid != -1", NULL, 0 },
		{ "sched_switch.format", "!!!prev_pid == 1", NULL, 0 },
		{ "sched_process_exec.format", "filename ~ \"/usr/bin/*\"", NULL, 0 },
		{ "sched_switch.format", "prev_pidd == 1", "unknown field 'prev_pidd' of test:sched_switch", 0 },
		{ "sched_switch.format", "prev_pid == 1 && nxt == 2", "unknown field 'nxt'", 17 },
		{ "sched_switch.format", "prev_pid == \"bash\"", "is a number (pid_t), not a string", 12 },
		{ "sched_switch.format", "prev_comm == 12", "is a string", 13 },
		{ "sched_switch.format", "prev_comm > \"a\"", "operator '>' cannot compare strings", 12 },
		{ "sched_switch.format", "prev_pid ~ 3", "operator '~' needs a string field", 10 },
		{ "sched_switch.format", "(prev_pid == 1", "'(' is never closed", 0 },
		{ "sched_switch.format", "((prev_pid == 1) && (next_pid == 2)", "'(' is never closed", 0 },
		{ "sched_switch.format", "prev_pid == 1)", "')' without '('", 13 },
		{ "sched_switch.format", "prev_pid == 1 prev_pid == 2", "expected '&&' or '||', found 'p'", 14 },
		{ "sched_switch.format", "prev_pid == 1 &", "'&' is not an operator here", 14 },
		{ "sched_switch.format", "prev_pid == 1 &&", "expression ends where a comparison should start", 16 },
		{ "sched_switch.format", "prev_pid 1", "expected an operator", 9 },
		{ "sched_switch.format", "prev_pid == abc", "expected a number after '=='", 12 },
		{ "sched_switch.format", "prev_pid == 12abc", "invalid number '12abc'", 12 },
		{ "sched_switch.format", "prev_comm == \"bash", "missing closing quote", 13 },
		{ "sched_switch.format", "", "empty expression", 0 },
		{ "sched_switch.format", "cpu & 1", "operator '&' on cpu", 6 },
		{ "netif_receive_skb.format", "len == -1", "invalid number '-1' for unsigned field 'len'", 7 },
		{ "netif_receive_skb.format", "len > 99999999999999999999", "invalid number", 6 },
		{ "sched_switch.format", "prev_pid == 1 || ()", "expected a comparison, found ')'", 18 },
		{ "sched_switch.format", "prev_pid.ustring == 1", "'.ustring' reads user memory", 8 },
	};
	struct tn_filter f;
	struct tn_ferr err;
	unsigned int i;
	int r;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		r = tn_filter_parse(fx_event(t[i].file), t[i].expr, &f, &err);
		if (!t[i].err) {
			tap_ok(r == 0, "parse '%s'", t[i].expr);
			if (r)
				tap_diag("error at %d: %s", err.pos, err.msg);
			tn_filter_free(&f);
			continue;
		}
		tap_ok(r < 0 && strstr(err.msg, t[i].err) && err.pos == t[i].pos,
		       "refuse '%s' at %d: %s", t[i].expr, t[i].pos, t[i].err);
		if (!(r < 0 && strstr(err.msg, t[i].err) && err.pos == t[i].pos))
			tap_diag("got %d, at %d: '%s'", r, err.pos, err.msg);
		if (!r)
			tn_filter_free(&f);
	}
}

/* A __data_loc array of numbers (tn_hazard_test's "__data_loc u8[] buf"):
 * ftrace compares the record's __data_loc word, the frame carries the
 * elements, as many as there were. Parsed as a 4-byte number, it had the
 * reference read 4 bytes of a TLV of none (fuzz_filter, ASan): refused.
 */
static void test_dyn_array(void)
{
	const struct tn_fevent *ev = fx_event("tn_hazard_test.format");
	struct enc *e = malloc(sizeof(*e));
	struct tn_filter f;
	struct tn_ferr err;
	uint8_t *frame;
	bool matched;
	size_t at;
	int r;

	enc_init(e);
	enc_eth(e, enc_mac);
	enc_hdr(e, TRACENET_FRAME_EVENTS, TRACENET_F_LONG64, 0, 1, 1);
	at = enc_event(e, ev->id, 1, 1, "x", 3);
	enc_tlv_le32(e, 0, 4);
	enc_tlv_le32(e, 1, 1);
	enc_tlv(e, 2, "", 0);		/* buf: no element */
	enc_end(e, at);
	r = tn_filter_parse(ev, "buf == 1", &f, &err);
	if (!r) {
		/* The frame alone, for ASan: the empty TLV is its end. */
		frame = malloc(e->len);
		memcpy(frame, e->buf, e->len);
		tn_filter_eval(&f, frame, e->len, &matched);
		free(frame);
		tn_filter_free(&f);
	}
	tap_ok(r < 0 && strstr(err.msg, "'buf' (__data_loc u8[]) is a dynamic array") &&
	       err.pos == 0, "a number compared with a __data_loc u8[] is refused");
	r = tn_filter_parse(ev, "len == 4 && !(buf & 1)", &f, &err);
	tap_ok(r < 0 && strstr(err.msg, "dynamic array") && err.pos == 14,
	       "... where the field is named");
	if (!r)
		tn_filter_free(&f);
	tap_ok(!tn_filter_parse(ev, "len == 4 && div != 0", &f, &err),
	       "its other fields compare");
	tn_filter_free(&f);
	free(e);
}

static void test_limits(void)
{
	struct tn_fevent *ev = fx_event("sched_switch.format");
	size_t n = TN_F_MAX_EXPR + 10, k;
	char *big = malloc(n + 1), *deep;
	struct tn_filter f;
	struct tn_ferr err;
	int r;

	for (k = 0; k + 16 < n; k += 16)
		memcpy(big + k, "prev_pid == 1 ||", 16);
	memset(big + k, ' ', n - k);
	big[n] = '\0';
	r = tn_filter_parse(ev, big, &f, &err);
	tap_ok(r < 0 && strstr(err.msg, "at most 4096"),
	       "an expression over %d bytes is refused", TN_F_MAX_EXPR);
	/* 129 comparisons in 4 KiB */
	big[0] = '\0';
	for (k = 0; k < 129; k++)
		strcat(big, k ? "||cpu==1" : "cpu==1");
	r = tn_filter_parse(ev, big, &f, &err);
	tap_ok(r < 0 && strstr(err.msg, "more than 128 comparisons") &&
	       err.pos == 128 * 8 - 2 + 2,
	       "the 129th comparison is refused where it starts (%d: %s)",
	       err.pos, err.msg);
	free(big);
	deep = malloc(200);
	memset(deep, '(', 40);
	strcpy(deep + 40, "cpu == 1");
	r = tn_filter_parse(ev, deep, &f, &err);
	tap_ok(r < 0 && strstr(err.msg, "nested more than 32") && err.pos == 32,
	       "nesting deeper than 32 is refused at the 33rd '('");
	free(deep);
}

/* ftrace's filter_parse_regex(): which kind of match a pattern is. */
static void test_regex(void)
{
	static const struct {
		const char *pat;
		enum tn_fmatch m;
		const char *search;
		bool not;
	} t[] = {
		{ "bash", TN_MATCH_FULL, "bash", false },
		{ "ba*", TN_MATCH_FRONT, "ba", false },
		{ "*sh", TN_MATCH_END, "sh", false },
		{ "*as*", TN_MATCH_MIDDLE, "as", false },
		{ "b*h", TN_MATCH_GLOB, "b*h", false },
		{ "b?sh", TN_MATCH_GLOB, "b?sh", false },
		{ "[bc]ash", TN_MATCH_GLOB, "[bc]ash", false },
		{ "!bash", TN_MATCH_FULL, "bash", true },
		{ "1*", TN_MATCH_FULL, "1*", false },
		{ "*", TN_MATCH_END, "", false },
	};
	struct tn_fevent *ev = fx_event("sched_switch.format");
	struct tn_filter f;
	struct tn_ferr err;
	char expr[64];
	unsigned int i;
	bool ok;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(expr, sizeof(expr), "prev_comm ~ \"%s\"", t[i].pat);
		if (tn_filter_parse(ev, expr, &f, &err)) {
			tap_ok(false, "~ \"%s\": %s", t[i].pat, err.msg);
			continue;
		}
		ok = f.root->pred.match == t[i].m &&
		     !strcmp(f.root->pred.str, t[i].search) &&
		     f.root->pred.not == t[i].not;
		tap_ok(ok, "~ \"%s\" is match %d of \"%s\"%s", t[i].pat, t[i].m,
		       t[i].search, t[i].not ? ", negated" : "");
		tn_filter_free(&f);
	}
}

/* ---- globs ------------------------------------------------------------ */

static void test_glob(void)
{
	static const char *pats[] = {
		"*", "a*", "*a", "*ab*", "a?c", "[ab]*", "[!a]b", "*[a-c]?",
		"\\*a", "a\\?b", "*a*b*a*", "[]a]x", "ab", "",
		"a*b*c*d", "??", "*[!b]", "[a-]*", "[",
	};
	static const char alpha[] = "ab?*[]-cd";
	struct tn_dfa dfa;
	struct tn_ferr err;
	unsigned int i, k, bad = 0, tried = 0;
	char s[12];

	srand(4);
	for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		if (tn_glob_dfa(pats[i], strlen(pats[i]), &dfa, &err)) {
			tap_ok(false, "glob '%s': %s", pats[i], err.msg);
			continue;
		}
		for (k = 0; k < 400; k++) {
			size_t len = (size_t)rand() % 8, j;
			bool want, got;

			for (j = 0; j < len; j++)
				s[j] = alpha[rand() % 6];
			s[len] = '\0';
			want = !fnmatch(pats[i], s, 0);
			got = tn_dfa_match(&dfa, (const uint8_t *)s, len + 1);
			tried++;
			if (want != got && bad++ < 5)
				tap_diag("glob '%s' on '%s': fnmatch %d, automaton %d",
					 pats[i], s, want, got);
		}
		tn_dfa_free(&dfa);
	}
	tap_ok(!bad, "automata agree with fnmatch(3) on %u strings (%u differ)",
	       tried, bad);
	memset(s, 'a', 10);
	tap_ok(!tn_glob_dfa("*a*b*c*d*e*f*g*h*", 17, &dfa, &err) &&
	       tn_dfa_match(&dfa, (const uint8_t *)"xaxbxcxdxexfxgxh", 17),
	       "a glob of eight stars compiles and matches");
	tn_dfa_free(&dfa);
	{
		char p[200];

		for (k = 0; k < 130; k++)
			p[k] = (char)('a' + k % 26);
		p[k] = '\0';
		tap_ok(tn_glob_dfa(p, k, &dfa, &err) < 0 &&
		       strstr(err.msg, "more than 127 automaton states"),
		       "a glob that needs too many states is refused: %s", err.msg);
	}
}

/* ---- code ------------------------------------------------------------- */

enum kind { K_SCALAR, K_CTX, K_PKT, K_MAP, K_STACK };

/* Abstract walk of straight-line code: every load from the packet must
 * come after a check that covers it; state is forgotten at jump targets.
 */
static int check_code(const struct tn_fprog *p, char *why, size_t len)
{
	enum kind k[11];
	int checked[11], pend[11], i, r, tgt;
	bool *target = calloc(p->ninsns + 1, 1);
	int loads = 0;

	for (i = 0; i < (int)p->ninsns; i++) {
		const struct bpf_insn *in = &p->insns[i];
		uint8_t cls = BPF_CLASS(in->code);

		if ((cls == BPF_JMP || cls == BPF_JMP32) &&
		    BPF_OP(in->code) != BPF_EXIT && BPF_OP(in->code) != BPF_CALL) {
			tgt = i + 1 + in->off;
			if (tgt < 0 || tgt >= (int)p->ninsns) {
				snprintf(why, len, "insn %d jumps out, to %d", i, tgt);
				free(target);
				return -1;
			}
			target[tgt] = true;
		}
	}
	for (i = 0; i < (int)p->ninsns; i++) {
		const struct bpf_insn *in = &p->insns[i];
		uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

		if (i == 0 || target[i]) {
			for (r = 0; r < 11; r++) {
				k[r] = K_SCALAR;
				checked[r] = pend[r] = 0;
			}
			k[10] = K_STACK;
			if (i == 0)
				k[1] = K_CTX;
			/* r6, r7, r9 are set once at the top */
			if (i) {
				k[6] = K_PKT;
				k[9] = K_MAP;
			}
		}
		if (cls == BPF_JMP && BPF_OP(in->code) == BPF_CALL) {
			/* map_lookup_elem: r0 the value, r1-r5 clobbered */
			for (r = 0; r <= 5; r++) {
				k[r] = r ? K_SCALAR : K_MAP;
				checked[r] = pend[r] = 0;
			}
			continue;
		}
		if (cls == BPF_LDX) {
			int sz = BPF_SIZE(in->code) == BPF_B ? 1 :
				 BPF_SIZE(in->code) == BPF_H ? 2 :
				 BPF_SIZE(in->code) == BPF_W ? 4 : 8;

			if (k[in->src_reg] == K_PKT) {
				loads++;
				if (in->off + sz > checked[in->src_reg]) {
					snprintf(why, len, "insn %d loads %d bytes at r%d+%d, checked %d",
						 i, sz, in->src_reg, in->off,
						 checked[in->src_reg]);
					free(target);
					return -1;
				}
			} else if (k[in->src_reg] == K_SCALAR) {
				snprintf(why, len, "insn %d loads through scalar r%d",
					 i, in->src_reg);
				free(target);
				return -1;
			}
			/* ctx->data */
			k[in->dst_reg] = k[in->src_reg] == K_CTX && !in->off ?
					 K_PKT : K_SCALAR;
			checked[in->dst_reg] = 0;
			continue;
		}
		if (cls == BPF_ALU64 && op == BPF_MOV && BPF_SRC(in->code) == BPF_X) {
			k[in->dst_reg] = k[in->src_reg];
			checked[in->dst_reg] = checked[in->src_reg];
			pend[in->dst_reg] = 0;
			continue;
		}
		if (cls == BPF_ALU64 && op == BPF_ADD && BPF_SRC(in->code) == BPF_K) {
			pend[in->dst_reg] += in->imm;
			continue;
		}
		if (cls == BPF_ALU64 && op == BPF_ADD && BPF_SRC(in->code) == BPF_X) {
			if (k[in->src_reg] == K_PKT || k[in->dst_reg] == K_PKT)
				k[in->dst_reg] = K_PKT;
			else if (k[in->src_reg] == K_MAP || k[in->dst_reg] == K_MAP)
				k[in->dst_reg] = K_MAP;
			checked[in->dst_reg] = 0;
			continue;
		}
		if (cls == BPF_JMP && op == BPF_JGT && BPF_SRC(in->code) == BPF_X &&
		    in->src_reg == 7 && in->dst_reg == 2 && k[2] == K_PKT) {
			/* r2 = r1 + pend: r1 is now checked for pend bytes */
			checked[1] = pend[2];
			continue;
		}
		if (cls == BPF_ALU64 || cls == BPF_ALU || cls == BPF_LD) {
			k[in->dst_reg] = K_SCALAR;
			checked[in->dst_reg] = 0;
			pend[in->dst_reg] = 0;
			if (cls == BPF_LD)
				i++;
		}
	}
	free(target);
	if (!loads) {
		snprintf(why, len, "no packet load at all");
		return -1;
	}
	return 0;
}

static struct tn_filter *parse_or_die(const char *file, const char *expr,
				      struct tn_filter *f)
{
	struct tn_ferr err;

	if (tn_filter_parse(fx_event(file), expr, f, &err)) {
		tap_diag("'%s': %s", expr, err.msg);
		return NULL;
	}
	return f;
}

static void test_codegen(void)
{
	static const struct {
		const char *file, *expr;
	} t[] = {
		{ "sched_switch.format", "prev_pid == 1" },
		{ "sched_switch.format", "next_comm == \"swapper/0\" || prev_comm ~ \"kworker*\"" },
		{ "sched_switch.format", "prev_state & 2 && !(next_prio < 100) && cpu >= 1" },
		{ "sched_process_exec.format", "filename ~ \"*sh\" && old_pid > 100" },
		{ "netif_receive_skb.format", "len > 1000 && name ~ \"veth*\" && comm != \"ping\"" },
		{ "netif_receive_skb.format", "skbaddr == 0xffff888004b5f700" },
	};
	struct tn_filter f[2], *fp[2];
	struct tn_fprog p;
	struct tn_ferr err;
	unsigned int i;
	char why[128];

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (!parse_or_die(t[i].file, t[i].expr, &f[0])) {
			tap_ok(false, "code of '%s'", t[i].expr);
			continue;
		}
		fp[0] = &f[0];
		if (tn_filter_compile(fp, 1, &p, &err)) {
			tap_ok(false, "compile '%s': %s", t[i].expr, err.msg);
		} else {
			why[0] = '\0';
			tap_ok(!check_code(&p, why, sizeof(why)) &&
			       p.ninsns < 600 &&
			       p.insns[p.ninsns - 1].code == (BPF_JMP | BPF_EXIT),
			       "code of '%s': %u insns, every packet load checked%s%s",
			       t[i].expr, p.ninsns, why[0] ? ": " : "", why);
			tn_fprog_free(&p);
		}
		tn_filter_free(&f[0]);
	}
	/* Two events in one program, and the texts back out of the blob. */
	parse_or_die("sched_switch.format", " prev_pid == 1", &f[0]);
	parse_or_die("sched_process_exec.format", " pid > 2", &f[1]);
	fp[0] = &f[0];
	fp[1] = &f[1];
	if (!tn_filter_compile(fp, 2, &p, &err)) {
		char **texts;
		unsigned int n;

		tap_ok(!tn_fblob_texts(p.blob, p.blob_len, &texts, &n) && n == 2 &&
		       !strcmp(texts[0], "test:sched_switch: prev_pid == 1") &&
		       !strcmp(texts[1], "test:sched_process_exec: pid > 2"),
		       "the filters' text is in the map value");
		while (n--)
			free(texts[n]);
		free(texts);
		tn_fprog_free(&p);
	} else {
		tap_ok(false, "compile two events: %s", err.msg);
	}
	fp[1] = &f[0];
	tap_ok(tn_filter_compile(fp, 2, &p, &err) < 0 &&
	       strstr(err.msg, "two filters for test:sched_switch"),
	       "two filters of one event in a program are refused");
	tn_filter_free(&f[0]);
	tn_filter_free(&f[1]);
}

/* ---- frames ----------------------------------------------------------- */

struct sw {
	const char *prev_comm, *next_comm, *comm;
	int32_t prev_pid, prev_prio, next_pid, next_prio, pid;
	int64_t prev_state;
	uint16_t cpu;
};

static void le(void *dst, uint64_t v, unsigned int n)
{
	uint8_t *p = dst;
	unsigned int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void frame_switch(struct enc *e, const struct sw *s)
{
	char c[16];
	uint8_t v[8];
	size_t ev;

	enc_init(e);
	enc_eth(e, enc_mac);
	enc_hdr(e, TRACENET_FRAME_EVENTS, TRACENET_F_LONG64, s->cpu, 1, 7);
	ev = enc_event(e, fx_event("sched_switch.format")->id, 1, (uint32_t)s->pid,
		       s->comm, 7);
	memset(c, 0, 16);
	memcpy(c, s->prev_comm, strnlen(s->prev_comm, 16));
	enc_tlv(e, 0, c, 16);
	le(v, (uint32_t)s->prev_pid, 4);
	enc_tlv(e, 1, v, 4);
	le(v, (uint32_t)s->prev_prio, 4);
	enc_tlv(e, 2, v, 4);
	le(v, (uint64_t)s->prev_state, 8);
	enc_tlv(e, 3, v, 8);
	memset(c, 0, 16);
	memcpy(c, s->next_comm, strnlen(s->next_comm, 16));
	enc_tlv(e, 4, c, 16);
	le(v, (uint32_t)s->next_pid, 4);
	enc_tlv(e, 5, v, 4);
	le(v, (uint32_t)s->next_prio, 4);
	enc_tlv(e, 6, v, 4);
	enc_end(e, ev);
}

static void frame_exec(struct enc *e, const char *file, size_t flen, int32_t pid,
		       int32_t old_pid, const char *comm)
{
	uint8_t v[4];
	size_t ev;

	enc_init(e);
	enc_eth(e, enc_mac);
	enc_hdr(e, TRACENET_FRAME_EVENTS, TRACENET_F_LONG64, 1, 1, 3);
	ev = enc_event(e, fx_event("sched_process_exec.format")->id, 1,
		       (uint32_t)pid, comm, 3);
	enc_tlv(e, 0, file, (uint16_t)flen);
	le(v, (uint32_t)pid, 4);
	enc_tlv(e, 1, v, 4);
	le(v, (uint32_t)old_pid, 4);
	enc_tlv(e, 2, v, 4);
	enc_end(e, ev);
}

static void frame_skb(struct enc *e, uint64_t skb, uint32_t len,
		      const char *name, const char *comm)
{
	uint8_t v[8];
	size_t ev;

	enc_init(e);
	enc_eth(e, enc_mac);
	enc_hdr(e, TRACENET_FRAME_EVENTS, TRACENET_F_LONG64, 0, 1, 3);
	ev = enc_event(e, fx_event("netif_receive_skb.format")->id, 1, 42, comm, 3);
	le(v, skb, 8);
	enc_tlv(e, 0, v, 8);
	le(v, len, 4);
	enc_tlv(e, 1, v, 4);
	enc_tlv(e, 2, name, (uint16_t)(strlen(name) + 1));
	enc_end(e, ev);
}

static int bpf_ok = -1;

/* 1 pass, 0 drop, -1 no verdict (error reported) */
static int bpf_verdict(struct tn_filter *f, const struct enc *e, char *why,
		       size_t wlen, unsigned int *ninsns)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = BPF_F_RDONLY_PROG);
	static char log[1 << 16];
	LIBBPF_OPTS(bpf_prog_load_opts, po);
	uint8_t out[65536 + 256];
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = e->buf,
		    .data_size_in = (uint32_t)e->len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = 1);
	struct tn_fprog p;
	struct tn_ferr err;
	uint32_t key = 0;
	int map, prog, ret = -1;

	if (tn_filter_compile(&f, 1, &p, &err)) {
		snprintf(why, wlen, "compile: %s", err.msg);
		return -1;
	}
	*ninsns = p.ninsns;
	map = bpf_map_create(BPF_MAP_TYPE_ARRAY, "tn_filter", 4,
			     (uint32_t)p.blob_len, 1, &mo);
	if (map < 0 || bpf_map_update_elem(map, &key, p.blob, 0)) {
		snprintf(why, wlen, "map: %m");
		goto out;
	}
	tn_fprog_set_map(&p, map);
	log[0] = '\0';
	prog = bpf_prog_load(BPF_PROG_TYPE_XDP, "tn_filter", "GPL", p.insns,
			     p.ninsns, NULL);
	if (prog < 0) {
		po.log_buf = log;
		po.log_size = sizeof(log);
		po.log_level = 1;
		bpf_prog_load(BPF_PROG_TYPE_XDP, "tn_filter", "GPL", p.insns,
			      p.ninsns, &po);
		const char *tail = log + strlen(log);
		int lines = 0;

		while (tail > log && lines < 6)
			if (*--tail == '\n')
				lines++;
		snprintf(why, wlen, "verifier: %s", tail);
		goto out;
	}
	if (bpf_prog_test_run_opts(prog, &t))
		snprintf(why, wlen, "test run: %m");
	else
		ret = t.retval == 2 ? 1 : t.retval == 1 ? 0 : -1;
	close(prog);
out:
	if (map >= 0)
		close(map);
	tn_fprog_free(&p);
	return ret;
}

static bool probe_bpf(void)
{
	struct bpf_insn prog[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 2 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "probe", "GPL", prog, 2, NULL);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* The three judges on one frame: the reference, the program, pcap.
 * Returns the reference's verdict (1 pass), or -1 if they disagree.
 */
static int judge(struct tn_filter *f, const struct enc *e, bool quiet)
{
	char why[512] = "", perr[256] = "";
	struct tn_ferr err;
	bool matched = true, ref;
	unsigned int ninsns = 0;
	int b = -1, pc = -1;
	char *pexpr = NULL;

	ref = !tn_filter_eval(f, e->buf, e->len, &matched) || matched;
	if (bpf_ok) {
		b = bpf_verdict(f, e, why, sizeof(why), &ninsns);
		if (b < 0) {
			tap_diag("'%s': no verdict from the program (%u insns): %s",
				 f->text, ninsns, why);
			return -1;
		}
	}
	if (!tn_filter_pcap(f, &pexpr, &err)) {
		pc = fpcap_match(pexpr, e->buf, e->len, perr, sizeof(perr));
		if (pc < 0) {
			tap_diag("'%s': pcap: %s: %s", f->text, pexpr, perr);
			free(pexpr);
			return -1;
		}
	}
	free(pexpr);
	if ((b >= 0 && b != ref) || (pc >= 0 && pc != ref)) {
		if (!quiet)
			tap_diag("'%s': reference %d, program %d, pcap %d",
				 f->text, ref, b, pc);
		return -1;
	}
	return ref;
}

static void test_verdicts(void)
{
	static const struct sw base = {
		.prev_comm = "bash", .next_comm = "swapper/1", .comm = "bash",
		.prev_pid = 1234, .prev_prio = 120, .next_pid = 0,
		.next_prio = 120, .pid = 1234, .prev_state = 2, .cpu = 1,
	};
	static const struct {
		const char *expr;
		int want;		/* on base */
	} t[] = {
		{ "prev_pid == 1234", 1 },
		{ "prev_pid != 1234", 0 },
		{ "prev_pid > 1233 && prev_pid < 1235", 1 },
		{ "prev_pid >= 1235 || prev_pid <= 1233", 0 },
		{ "prev_state & 2", 1 },
		{ "prev_state & 1", 0 },
		{ "prev_state & 0x100000000", 0 },
		{ "!(prev_state & 2)", 0 },
		{ "prev_comm == \"bash\"", 1 },
		{ "prev_comm == \"bas\"", 0 },
		{ "prev_comm == \"bashx\"", 0 },
		{ "prev_comm != \"bash\"", 0 },
		{ "prev_comm ~ \"ba*\"", 1 },
		{ "prev_comm ~ \"*sh\"", 1 },
		{ "prev_comm ~ \"*as*\"", 1 },
		{ "prev_comm ~ \"b?s[gh]\"", 1 },
		{ "prev_comm ~ \"!b*\"", 0 },
		{ "next_comm ~ \"swapper/*\" && next_pid == 0", 1 },
		{ "next_comm == \"swapper/1\"", 1 },
		{ "comm == \"bash\" && common_pid == 1234", 1 },
		{ "cpu == 1 && common_cpu < 2 && CPU >= 1", 1 },
		{ "cpu > 1", 0 },
		{ "next_pid < 0", 0 },
		{ "next_prio > -1", 1 },
		{ "common_type == 372", 1 },
		{ "common_flags == 0 && common_preempt_count == 0", 1 },
		{ "(prev_pid == 1 || prev_pid == 1234) && (next_comm ~ \"*1\" || cpu == 9)", 1 },
		{ "prev_pid == 1 || prev_pid == 2 || !(next_pid == 0)", 0 },
	};
	struct tn_filter f;
	struct enc *e = malloc(sizeof(*e));
	unsigned int i;
	int v;

	frame_switch(e, &base);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (!parse_or_die("sched_switch.format", t[i].expr, &f)) {
			tap_ok(false, "verdict on '%s'", t[i].expr);
			continue;
		}
		v = judge(&f, e, false);
		tap_ok(v == t[i].want, "'%s' %s the frame (%s)", t[i].expr,
		       t[i].want ? "passes" : "drops",
		       bpf_ok ? "program, reference and pcap" : "reference and pcap");
		tn_filter_free(&f);
	}
	/* __data_loc strings, fields after them, and the kernel's
	 * regex_match_full() on a string whose length counts its NUL.
	 */
	frame_exec(e, "/usr/bin/bash", 14, 77, 76, "bash");
	{
		static const struct {
			const char *expr;
			int want;
		} x[] = {
			{ "filename == \"/usr/bin/bash\"", 1 },
			{ "filename == \"/usr/bin/bas\"", 0 },
			{ "filename ~ \"/usr/*\"", 1 },
			{ "filename ~ \"*bash\"", 1 },
			{ "filename ~ \"*/bin/*\"", 1 },
			{ "filename ~ \"*[xyz]\"", 0 },
			{ "old_pid == 76 && pid == 77", 1 },
			{ "old_pid > 76", 0 },
		};

		for (i = 0; i < sizeof(x) / sizeof(x[0]); i++) {
			parse_or_die("sched_process_exec.format", x[i].expr, &f);
			v = judge(&f, e, false);
			tap_ok(v == x[i].want, "exec: '%s' %s", x[i].expr,
			       x[i].want ? "passes" : "drops");
			tn_filter_free(&f);
		}
	}
	frame_skb(e, 0xffff888004b5f700ULL, 1500, "veth0", "ping");
	{
		static const struct {
			const char *expr;
			int want;
		} x[] = {
			{ "len > 1000 && name ~ \"veth*\"", 1 },
			{ "len > 1500", 0 },
			{ "skbaddr == 0xffff888004b5f700", 1 },
			{ "skbaddr < 0xffff888004b5f700", 0 },
			{ "skbaddr & 0x100", 1 },
			{ "name == \"veth0\" && comm == \"ping\"", 1 },
			{ "name ~ \"*[0-9]\" && !(comm ~ \"p*\")", 0 },
		};

		for (i = 0; i < sizeof(x) / sizeof(x[0]); i++) {
			parse_or_die("netif_receive_skb.format", x[i].expr, &f);
			v = judge(&f, e, false);
			tap_ok(v == x[i].want, "netif_receive_skb: '%s' %s", x[i].expr,
			       x[i].want ? "passes" : "drops");
			tn_filter_free(&f);
		}
	}
	/* An event of another id, a metadata frame, two events: untouched. */
	parse_or_die("sched_process_exec.format", "pid == 1", &f);
	frame_switch(e, &base);
	tap_ok(judge(&f, e, false) == 1, "a frame of another event passes");
	e->buf[15] = TRACENET_FRAME_META;
	tap_ok(judge(&f, e, false) == 1, "a metadata frame passes");
	e->buf[15] = TRACENET_FRAME_EVENTS;
	e->buf[21] = 2;
	tap_ok(judge(&f, e, false) == 1, "a frame of two events passes");
	frame_exec(e, "/x", 3, 2, 2, "x");
	tap_ok(judge(&f, e, false) == 0, "'pid == 1' drops the exec of pid 2");
	frame_exec(e, "/x", 3, 1, 1, "x");
	tap_ok(judge(&f, e, false) == 1, "'pid == 1' passes the exec of pid 1");
	tn_filter_free(&f);
	free(e);
}

/* ---- random agreement ------------------------------------------------ */

static const char *rand_pick(const char *const *a, unsigned int n)
{
	return a[(unsigned int)rand() % n];
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-truncation"
static void rand_expr(char *buf, size_t len, int depth)
{
	static const char *const atoms[] = {
		"prev_pid == %d", "prev_pid < %d", "prev_pid >= %d", "next_pid != %d",
		"prev_prio > %d", "prev_state & %d", "next_prio <= %d",
		"cpu == %d", "common_pid > %d", "prev_state < %d",
	};
	static const char *const strs[] = {
		"prev_comm == \"bash\"", "prev_comm ~ \"b*\"", "next_comm ~ \"*1\"",
		"comm != \"cat\"", "next_comm ~ \"sw?pper*\"", "prev_comm ~ \"*a*\"",
		"comm ~ \"[bc]a*\"", "next_comm == \"\"", "prev_comm ~ \"!*t\"",
	};
	char l[1024], r[1024];
	int c = rand() % (depth > 3 ? 2 : 6);

	if (c == 0) {
		snprintf(buf, len, rand_pick(atoms, 10), rand() % 8 - 2);
	} else if (c == 1) {
		snprintf(buf, len, "%s", rand_pick(strs, 9));
	} else if (c == 2) {
		rand_expr(l, sizeof(l), depth + 1);
		snprintf(buf, len, "!(%s)", l);
	} else {
		rand_expr(l, sizeof(l), depth + 1);
		rand_expr(r, sizeof(r), depth + 1);
		snprintf(buf, len, "(%s) %s (%s)", l, c & 1 ? "||" : "&&", r);
	}
}

#pragma GCC diagnostic pop

static void test_random(void)
{
	static const char *const comms[] = { "bash", "cat", "swapper/1", "", "ba",
		"bbbbbbbbbbbbbbb", "xa" };
	struct enc *e = malloc(sizeof(*e));
	unsigned int i, k, bad = 0, npass = 0, n = 0;
	struct tn_filter f;
	char expr[1024];
	struct sw s;
	int v;

	srand(11);
	for (i = 0; i < (bpf_ok ? 60u : 300u); i++) {
		rand_expr(expr, sizeof(expr), 0);
		if (!parse_or_die("sched_switch.format", expr, &f)) {
			bad++;
			continue;
		}
		for (k = 0; k < 6; k++) {
			s.prev_comm = rand_pick(comms, 7);
			s.next_comm = rand_pick(comms, 7);
			s.comm = rand_pick(comms, 7);
			s.prev_pid = rand() % 8 - 2;
			s.next_pid = rand() % 8 - 2;
			s.prev_prio = rand() % 8 - 2;
			s.next_prio = rand() % 8 - 2;
			s.pid = rand() % 8 - 2;
			s.prev_state = rand() % 2 ? rand() % 8 - 2 : (int64_t)1 << 40;
			s.cpu = (uint16_t)(rand() % 4);
			frame_switch(e, &s);
			v = judge(&f, e, bad > 3);
			n++;
			if (v < 0)
				bad++;
			else
				npass += (unsigned int)v;
		}
		tn_filter_free(&f);
	}
	tap_ok(!bad && npass && npass < n,
	       "random expressions: %s agree on %u verdicts (%u pass, %u disagreements)",
	       bpf_ok ? "program, reference and pcap" : "reference and pcap",
	       n, npass, bad);
	free(e);
}

/* The translation grows its text from no buffer at all: its first put()
 * measured with vsnprintf() into NULL + 0, undefined in C. clang's UBSan
 * stops there (fuzz_filter, on its first input; this suite built with
 * clang); GCC's does not check it.
 */
static void test_pcap_first_put(void)
{
	struct tn_filter f;
	struct tn_ferr err;
	char *out = NULL;

	parse_or_die("sched_switch.format", "cpu == 1", &f);
	tap_ok(!tn_filter_pcap(&f, &out, &err) && out &&
	       !strncmp(out, "ether proto 0x88b5 and (", 24),
	       "pcap of 'cpu == 1' starts from no buffer");
	free(out);
	tn_filter_free(&f);
}

static void test_pcap_refusals(void)
{
	static const struct {
		const char *file, *expr, *err;
	} t[] = {
		{ "sched_process_exec.format", "filename == \"/bin/sh\"", "cannot compare the __data_loc string 'filename'" },
		{ "sched_process_exec.format", "old_pid == 1", "it follows the __data_loc field 'filename'" },
		{ "sched_switch.format", "prev_comm ~ \"*sh\"", "cannot express the glob on 'prev_comm'" },
	};
	struct tn_filter f;
	struct tn_ferr err;
	unsigned int i;
	char *out = NULL;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		parse_or_die(t[i].file, t[i].expr, &f);
		tap_ok(tn_filter_pcap(&f, &out, &err) < 0 && strstr(err.msg, t[i].err) &&
		       err.pos == 0, "pcap refuses '%s': %s", t[i].expr, t[i].err);
		tn_filter_free(&f);
	}
	parse_or_die("sched_switch.format", "prev_pid == 5", &f);
	out = NULL;
	tap_ok(!tn_filter_pcap(&f, &out, &err) && !strcmp(out,
		"ether proto 0x88b5 and (ether[14] != 1 or ether[15] != 1 or ether[16] & 1 != 0 or "
		"ether[17] != 16 or ether[20:2] != 1 or ether[34:4] != 372 or ether[32:2] != 7 or "
		"ether[70:4] != 0x10 or ether[90:4] != 0x10004 or "
		"(ether[94] | ether[95] << 8 | ether[96] << 16 | ether[97] << 24) = 0x5)"),
	       "pcap of 'prev_pid == 5' is the expected byte test");
	free(out);
	tn_filter_free(&f);
}

/* ---- follow ------------------------------------------------------------ */

#define FOLLOW_EXIT_ID	4242
#define FOLLOW_EXEC_ID	4243
#define EV_AT		(14 + 16)	/* the event header in a frame */

static void set_be(uint8_t *p, uint64_t v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

/* A sched_switch frame of task @pid at time @ts, or its exit event. */
static void frame_task(struct enc *e, int32_t pid, uint64_t ts, int exit,
		       int32_t prev_pid)
{
	struct sw s = {
		.prev_comm = "bash", .next_comm = "swapper/1", .comm = "bash",
		.prev_pid = prev_pid, .prev_prio = 120, .next_pid = 0,
		.next_prio = 120, .pid = pid, .prev_state = 2, .cpu = 1,
	};

	frame_switch(e, &s);
	set_be(e->buf + EV_AT + 8, ts, 8);
	if (exit)
		set_be(e->buf + EV_AT + 4, exit > 0 ? FOLLOW_EXIT_ID : FOLLOW_EXEC_ID, 4);
}

static int follow_run(int prog, const struct enc *e)
{
	uint8_t out[65536 + 256];
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = e->buf,
		    .data_size_in = (uint32_t)e->len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = 1);

	if (bpf_prog_test_run_opts(prog, &t))
		return -1;
	return t.retval == 2 ? 1 : t.retval == 1 ? 0 : -1;
}

static int follow_prog(struct tn_filter **fp, unsigned int n,
		       const struct tn_ffollow *fl, int map, int *blob_map)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = BPF_F_RDONLY_PROG);
	struct tn_fprog p;
	struct tn_ferr err;
	uint32_t key = 0;
	int prog;

	if (tn_filter_compile_follow(fp, n, fl, &p, &err))
		return -1;
	*blob_map = bpf_map_create(BPF_MAP_TYPE_ARRAY, "tn_filter", 4,
				   (uint32_t)p.blob_len, 1, &mo);
	if (*blob_map < 0 || bpf_map_update_elem(*blob_map, &key, p.blob, 0)) {
		tn_fprog_free(&p);
		return -1;
	}
	tn_fprog_set_map(&p, *blob_map);
	tn_fprog_set_follow_map(&p, map);
	prog = bpf_prog_load(BPF_PROG_TYPE_XDP, "tn_filter", "GPL", p.insns,
			     p.ninsns, NULL);
	tn_fprog_free(&p);
	return prog;
}

static void follow_set(int map, uint32_t pid, uint64_t start_ts, uint64_t exit_ts)
{
	struct tn_follow_val v = { .start_ts = start_ts, .exit_ts = exit_ts,
				   .flags = exit_ts ? TN_FOLLOW_EXITED : 0 };

	bpf_map_update_elem(map, &pid, &v, BPF_ANY);
}

static void test_follow_verdicts(const struct tn_ffollow *fl)
{
	const uint64_t T = 1700000000000000000ULL;
	struct tn_filter f, *fp = &f;
	int map, prog, blob = -1, ok;
	struct enc e;

	map = bpf_map_create(BPF_MAP_TYPE_HASH, TN_FOLLOW_MAP_NAME, 4,
			     sizeof(struct tn_follow_val), 64, NULL);
	prog = map < 0 ? -1 : follow_prog(NULL, 0, fl, map, &blob);
	if (prog < 0) {
		tap_ok(false, "follow program loads: %m");
		goto out;
	}
	follow_set(map, 1234, 0, 0);
	frame_task(&e, 1234, T, 0, 5);
	ok = follow_run(prog, &e) == 1;
	frame_task(&e, 99, T, 0, 5);
	ok &= follow_run(prog, &e) == 0;
	tap_ok(ok, "follow: a followed pid passes, another drops");

	follow_set(map, 1234, T - 100, 0);
	frame_task(&e, 1234, T - 101, 0, 5);
	ok = follow_run(prog, &e) == 0;
	frame_task(&e, 1234, T - 101, -1, 5);
	ok &= follow_run(prog, &e) == 0;
	frame_task(&e, 1234, T - 100, 0, 5);
	ok &= follow_run(prog, &e) == 1;
	frame_task(&e, 1234, T - 100, -1, 5);
	ok &= follow_run(prog, &e) == 1;
	frame_task(&e, 1234, T + 10, 0, 5);
	ok &= follow_run(prog, &e) == 1;
	tap_ok(ok, "follow: events from before the start drop (queued before the exec or fork), from it on pass");

	follow_set(map, 1234, T - 100, T);
	frame_task(&e, 1234, T - 1, 0, 5);
	ok = follow_run(prog, &e) == 1;
	frame_task(&e, 1234, T, 0, 5);
	ok &= follow_run(prog, &e) == 1;
	frame_task(&e, 1234, T + 1, 0, 5);
	ok &= follow_run(prog, &e) == 0;
	frame_task(&e, 1234, T + 1, -1, 5);
	ok &= follow_run(prog, &e) == 0;
	tap_ok(ok, "follow: events before the exit pass (late CPUs), after it drop, whatever frame comes first");
	frame_task(&e, 1234, T + 5, 1, 5);
	ok = follow_run(prog, &e) == 1;
	frame_task(&e, 1234, T - 101, 1, 5);
	ok &= follow_run(prog, &e) == 0;
	tap_ok(ok, "follow: the exit event, stamped after the exit time, passes; not one from before the start");
	enc_meta_frame(&e, enc_mac, 1, "m", "");
	tap_ok(follow_run(prog, &e) == 1, "follow: metadata frames pass");
	close(prog);
	close(blob);

	/* With a filter: both must pass. */
	if (!parse_or_die("sched_switch.format", "prev_pid == 5", &f)) {
		tap_ok(false, "follow with a filter: parse");
		goto out;
	}
	prog = follow_prog(&fp, 1, fl, map, &blob);
	tn_filter_free(&f);
	if (prog < 0) {
		tap_ok(false, "follow with a filter loads: %m");
		goto out;
	}
	follow_set(map, 1234, 0, 0);
	frame_task(&e, 1234, T, 0, 5);
	ok = follow_run(prog, &e) == 1;
	frame_task(&e, 1234, T, 0, 6);
	ok &= follow_run(prog, &e) == 0;
	frame_task(&e, 99, T, 0, 5);
	ok &= follow_run(prog, &e) == 0;
	tap_ok(ok, "follow with a filter: only a followed task's events the filter passes");
	close(prog);
out:
	if (blob >= 0)
		close(blob);
	if (map >= 0)
		close(map);
}

static void test_follow(void)
{
	struct tn_ffollow fl = { .exit_id = FOLLOW_EXIT_ID,
				 .exec_id = FOLLOW_EXEC_ID,
				 .flags = TN_FFOLLOW_ATTACHED_EXIT }, got;
	struct tn_filter f, *fp = &f;
	struct tn_fprog p;
	struct tn_ferr err;
	unsigned int n, i, bad = 0;
	char **texts, why[128] = "";

	snprintf(fl.path, sizeof(fl.path), "/usr/bin/wget");
	snprintf(fl.pins, sizeof(fl.pins), "/sys/fs/bpf/tracenet/trace0");
	if (!parse_or_die("sched_switch.format", " prev_pid == 1", &f))
		return;
	if (tn_filter_compile_follow(&fp, 1, &fl, &p, &err)) {
		tap_ok(false, "compile with follow: %s", err.msg);
		tn_filter_free(&f);
		return;
	}
	tap_ok(p.follow_insn > 0 && !check_code(&p, why, sizeof(why)),
	       "follow: code of the prologue and a filter, every packet load checked%s%s",
	       why[0] ? ": " : "", why);
	tap_ok(tn_fblob_follow(p.blob, p.blob_len, &got) == 1 &&
	       !strcmp(got.path, fl.path) && !strcmp(got.pins, fl.pins) &&
	       got.exit_id == fl.exit_id && got.flags == fl.flags &&
	       got.exec_id == fl.exec_id &&
	       !tn_fblob_texts(p.blob, p.blob_len, &texts, &n) && n == 1 &&
	       !strcmp(texts[0], "test:sched_switch: prev_pid == 1"),
	       "follow: path, pins, exit id and flags, and the filter, back out of the blob");
	while (n--)
		free(texts[n]);
	free(texts);
	/* Every cut of the blob is refused or read within it (ASan). */
	for (i = 0; i < p.blob_len; i++) {
		uint8_t *cut = malloc(i ? i : 1);

		memcpy(cut, p.blob, i);
		if (tn_fblob_follow(cut, i, &got) > 0 &&
		    tn_fblob_texts(cut, i, &texts, &n) == 0) {
			while (n--)
				free(texts[n]);
			free(texts);
			if (i < 20 + 2 + strlen(fl.path) + strlen(fl.pins))
				bad++;
		}
		free(cut);
	}
	tap_ok(!bad, "follow: cut blobs are refused (%u read)", bad);
	tn_fprog_free(&p);
	tn_filter_free(&f);

	tap_ok(!tn_filter_compile(NULL, 0, &p, &err) &&
	       tn_fblob_follow(p.blob, p.blob_len, &got) == 0 && !p.follow_insn,
	       "no follow: the blob says so, no prologue");
	tn_fprog_free(&p);
	if (!tn_filter_compile_follow(NULL, 0, &fl, &p, &err)) {
		why[0] = '\0';
		tap_ok(!check_code(&p, why, sizeof(why)) && p.ninsns < 90,
		       "follow alone: %u insns, every packet load checked%s%s",
		       p.ninsns, why[0] ? ": " : "", why);
		tn_fprog_free(&p);
	} else {
		tap_ok(false, "follow alone compiles: %s", err.msg);
	}
	fl.path[0] = '\0';
	tap_ok(tn_filter_compile_follow(NULL, 0, &fl, &p, &err) < 0,
	       "follow of an empty path is refused");
	snprintf(fl.path, sizeof(fl.path), "/usr/bin/wget");
	if (bpf_ok)
		test_follow_verdicts(&fl);
}

/* Which filters the record can say (the producer's verdict), and the
 * reason of those it cannot; the programs themselves are loaded and run
 * by 23_verdict on every kernel.
 */
static void test_record_programs(void)
{
	static const struct {
		const char *file, *expr, *why;	/* why: NULL compiles */
	} t[] = {
		{ "sched_switch.format", "prev_pid == 1 && next_prio < 120", NULL },
		{ "sched_switch.format", "common_pid != 0 || cpu == 1", NULL },
		{ "sched_switch.format", "comm == \"bash\" || prev_comm ~ \"kworker*\"", NULL },
		{ "sched_switch.format", "next_comm != \"swapper/0\"", NULL },
		{ "sched_switch.format", "common_flags & 1", "the record's common header" },
		{ "sched_switch.format", "prev_comm ~ \"*worker\"", "a glob" },
		{ "sched_process_exec.format", "filename == \"/bin/sh\"", "__data_loc" },
		{ "netif_receive_skb.format", "skbaddr == 0xffff888004b5f700", "an address field" },
	};
	struct tn_filter f;
	struct tn_fprog p;
	struct tn_ferr err;
	unsigned int i;
	int r;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (!parse_or_die(t[i].file, t[i].expr, &f)) {
			tap_ok(false, "record program of '%s'", t[i].expr);
			continue;
		}
		r = tn_filter_compile_record(&f, &p, &err);
		if (!t[i].why)
			tap_ok(r == 0 && p.ninsns > 2, "'%s' compiles over the record (%u instructions)",
			       t[i].expr, p.ninsns);
		else
			tap_ok(r == 1 && strstr(err.msg, t[i].why),
			       "'%s' stays with XDP: %s", t[i].expr, r == 1 ? err.msg : "compiled");
		if (r == 0)
			tn_fprog_free(&p);
		tn_filter_free(&f);
	}
}

void test_filter(void)
{
	unsigned int i;

	tep = tep_alloc();
	tep_set_long_size(tep, 8);
	for (i = 0; i < sizeof(fxs) / sizeof(fxs[0]); i++)
		if (load_fx(&fxs[i])) {
			tap_ok(false, "fixture %s", fxs[i].file);
			return;
		}
	bpf_ok = probe_bpf();
	if (!bpf_ok)
		tap_diag("cannot load eBPF here: programs are checked by the reference and pcap only");
	test_parse();
	test_dyn_array();
	test_limits();
	test_regex();
	test_glob();
	test_codegen();
	test_record_programs();
	test_verdicts();
	test_random();
	test_pcap_first_put();
	test_pcap_refusals();
	test_follow();
	for (i = 0; i < sizeof(fxs) / sizeof(fxs[0]); i++)
		free(fxs[i].ev.fields);
	tep_free(tep);
}
