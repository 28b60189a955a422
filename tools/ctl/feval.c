// SPDX-License-Identifier: GPL-2.0
/*
 * The filter evaluated in C on a decoded frame: the reference the unit
 * tests and the fuzzer hold the eBPF program to. It follows ftrace's
 * predicate functions (kernel/trace/trace_events_filter.c) and lib/glob.c,
 * not the compiler's code, so that the two are independent.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include "filter.h"
#include "wire.h"

/* lib/glob.c: glob_match_str() with an end. */
static bool glob_match(const char *pat, const char *str, const char *end)
{
	const char *back_pat = NULL, *back_str = NULL;

	for (;;) {
		unsigned char c = str >= end ? '\0' : (unsigned char)*str;
		unsigned char d = (unsigned char)*pat++;

		str++;
		switch (d) {
		case '?':
			if (c == '\0')
				return false;
			break;
		case '*':
			if (*pat == '\0')
				return true;
			back_pat = pat;
			back_str = --str;
			break;
		case '[': {
			bool match = false, inverted = (*pat == '!');
			const char *class = pat + inverted;
			unsigned char a = (unsigned char)*class++;

			do {
				unsigned char b = a;

				if (a == '\0')
					goto literal;
				if (class[0] == '-' && class[1] != ']') {
					b = (unsigned char)class[1];
					if (b == '\0')
						goto literal;
					class += 2;
				}
				match |= (a <= c && c <= b);
			} while ((a = (unsigned char)*class++) != ']');
			if (match == inverted || c == '\0')
				goto backtrack;
			pat = class;
			}
			break;
		case '\\':
			d = (unsigned char)*pat++;
			/* fall through */
		default:
literal:
			if (c == d) {
				if (d == '\0')
					return true;
				break;
			}
backtrack:
			if (c == '\0' || !back_pat)
				return false;
			pat = back_pat;
			str = ++back_str;
			break;
		}
	}
}

static bool str_match(const struct tn_fpred *pr, const char *s, size_t len)
{
	char pat[TN_F_MAX_STR + 3];
	size_t n;

	switch (pr->match) {
	case TN_MATCH_FULL:	/* regex_match_full() */
		if (len < pr->slen)
			return false;
		return !strncmp(s, pr->str, len);
	case TN_MATCH_FRONT:	/* regex_match_front() */
		if (len < pr->slen)
			return false;
		return !strncmp(s, pr->str, pr->slen);
	case TN_MATCH_END:
		snprintf(pat, sizeof(pat), "*%s", pr->str);
		break;
	case TN_MATCH_MIDDLE:
		snprintf(pat, sizeof(pat), "*%s*", pr->str);
		break;
	default:
		snprintf(pat, sizeof(pat), "%.*s", (int)pr->slen, pr->str);
		break;
	}
	/* The compiled walk reads at most TN_F_GLOB_SCAN bytes. */
	n = len < TN_F_GLOB_SCAN ? len : TN_F_GLOB_SCAN;
	return glob_match(pat, s, s + n);
}

static uint64_t load_num(const uint8_t *p, unsigned int size)
{
	uint8_t b1;
	uint16_t b2;
	uint32_t b4;
	uint64_t b8;

	switch (size) {
	case 1: memcpy(&b1, p, 1); return b1;
	case 2: memcpy(&b2, p, 2); return b2;
	case 4: memcpy(&b4, p, 4); return b4;
	default: memcpy(&b8, p, 8); return b8;
	}
}

static int64_t sext(uint64_t v, unsigned int size)
{
	unsigned int sh = 64 - 8 * size;

	return sh ? (int64_t)(v << sh) >> sh : (int64_t)v;
}

static uint64_t zext(uint64_t v, unsigned int size)
{
	return size >= 8 ? v : v & ((1ULL << (8 * size)) - 1);
}

static bool num_match(const struct tn_fpred *pr, uint64_t raw, unsigned int size,
		      bool sgn)
{
	uint64_t a = zext(raw, size), b = zext(pr->val, size);
	int64_t sa = sext(a, size), sb = sext(b, size);

	switch (pr->op) {
	case TN_OP_EQ: return a == b;
	case TN_OP_NE: return a != b;
	case TN_OP_BAND: return (a & b) != 0;
	case TN_OP_LT: return sgn ? sa < sb : a < b;
	case TN_OP_LE: return sgn ? sa <= sb : a <= b;
	case TN_OP_GT: return sgn ? sa > sb : a > b;
	default: return sgn ? sa >= sb : a >= b;
	}
}

struct evctx {
	const struct tn_frame *fr;
	const struct tn_wevent *ev;
	const struct tn_tlv *tlvs;
};

static bool eval_pred(const struct evctx *c, const struct tn_fpred *pr)
{
	const struct tn_ffield *f = pr->field;
	const struct tn_tlv *t = NULL;
	bool r;

	if (f->loc == TN_LOC_TLV)
		t = &c->tlvs[f->index];
	if (pr->is_str) {
		if (f->kind == TN_FK_COMM)
			r = str_match(pr, c->ev->comm, 16);
		else
			r = str_match(pr, (const char *)t->val, t->len);
		return r != pr->not;
	}
	switch (f->loc) {
	case TN_LOC_TLV:
		return num_match(pr, load_num(t->val, f->size), f->size, f->is_signed);
	case TN_LOC_PID:
		return num_match(pr, c->ev->pid, 4, true);
	case TN_LOC_FLAGS:
		return num_match(pr, c->ev->common_flags, 1, false);
	case TN_LOC_PREEMPT:
		return num_match(pr, c->ev->preempt_count, 1, false);
	case TN_LOC_TYPE:
		return num_match(pr, c->ev->id, 2, false);
	case TN_LOC_CPU:
		return num_match(pr, c->fr->cpu, 4, true);
	default:
		return false;
	}
}

static bool eval_node(const struct evctx *c, const struct tn_fnode *n)
{
	switch (n->type) {
	case TN_FN_PRED:
		return eval_pred(c, &n->pred);
	case TN_FN_NOT:
		return !eval_node(c, n->l);
	case TN_FN_AND:
		return eval_node(c, n->l) && eval_node(c, n->r);
	default:
		return eval_node(c, n->l) || eval_node(c, n->r);
	}
}

/* True if @frame is one event of @f's event that the filter decides on,
 * with the decision in *matched; false if the frame passes untested.
 */
bool tn_filter_eval(const struct tn_filter *f, const uint8_t *frame,
		    size_t len, bool *matched)
{
	static struct tn_tlv tlvs[TRACENET_MAX_FIELDS];
	const uint8_t *payload;
	struct tn_wevent ev;
	struct tn_cursor cur;
	struct tn_frame fr;
	struct tn_werr werr;
	struct evctx c = { .fr = &fr, .ev = &ev, .tlvs = tlvs };
	bool be = htons(1) == 1;
	unsigned int i;
	size_t plen;
	int n;

	/* As the program: an untagged frame, EtherType at 12. */
	if (len < 14 || frame[12] != TRACENET_ETH_P >> 8 ||
	    frame[13] != (TRACENET_ETH_P & 0xff) ||
	    tn_wire_eth(frame, len, &payload, &plen, &werr) ||
	    tn_wire_hdr(payload, plen, &fr, &werr))
		return false;
	if (fr.version != TRACENET_WIRE_VERSION ||
	    fr.type != TRACENET_FRAME_EVENTS || fr.count != 1 ||
	    !!(fr.flags & TRACENET_F_BIG_ENDIAN) != be)
		return false;
	tn_wire_items(&fr, &cur);
	if (tn_wire_next_event(&cur, &ev, &werr) != 1 || ev.id != f->ev->id ||
	    ev.nfields != f->ev->nfields)
		return false;
	n = tn_wire_event_tlvs(&ev, tlvs, TRACENET_MAX_FIELDS, &werr);
	if (n < 0 || (unsigned int)n != f->ev->nfields)
		return false;
	for (i = 0; i < (unsigned int)n; i++)
		if (tlvs[i].type != i || (!f->ev->fields[i].dynamic &&
					  tlvs[i].len != f->ev->fields[i].size))
			return false;
	*matched = eval_node(&c, f->root);
	return true;
}
