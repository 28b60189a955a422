// SPDX-License-Identifier: GPL-2.0
/*
 * A filter as a pcap-filter expression (tcpdump, Wireshark capture
 * filters): byte tests at fixed offsets, which classic BPF can do.
 *
 * It selects the frames the XDP program passes: every frame that is not
 * one event of the filtered event in this machine's byte order, laid out
 * as its format says, and the events for which the expression is true.
 * What classic BPF cannot follow is refused with the reason: fields after
 * a __data_loc field (their offset varies), __data_loc strings, globs
 * other than "prefix*", char pointers.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uapi/linux/tracenet.h>
#include "filter.h"

#define EV	30		/* 14 + a 16-byte header */
#define TLV0	(EV + 40)

struct out {
	char *buf;
	size_t len, cap;
	bool oom;
	struct tn_ferr *err;
	const struct tn_filter *f;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->oom)
		return;
	for (;;) {
		/* No buffer yet: measure (NULL + 0 is undefined in C). */
		va_start(ap, fmt);
		n = vsnprintf(o->buf ? o->buf + o->len : NULL, o->cap - o->len,
			      fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->oom = true;
			return;
		}
		if ((size_t)n < o->cap - o->len)
			break;
		o->cap = (o->cap + (size_t)n + 1) * 2;
		o->buf = realloc(o->buf, o->cap);
		if (!o->buf) {
			o->oom = true;
			return;
		}
	}
	o->len += (size_t)n;
}

__attribute__((format(printf, 3, 4)))
static int cant(struct out *o, int pos, const char *fmt, ...)
{
	va_list ap;

	o->err->pos = pos;
	va_start(ap, fmt);
	vsnprintf(o->err->msg, sizeof(o->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static bool host_be(void)
{
	return htons(1) == 1;
}

/* The frame offset of TLV @index, or -1 if a dynamic field precedes it. */
static int tlv_offset(const struct tn_fevent *ev, unsigned int index,
		      const struct tn_ffield **dyn)
{
	unsigned int j;
	int off = TLV0;

	for (j = 0; j < index; j++) {
		if (ev->fields[j].dynamic) {
			*dyn = &ev->fields[j];
			return -1;
		}
		off += 4 + (int)TRACENET_TLV_ALIGN(ev->fields[j].size);
	}
	return off;
}

/* A 32-bit unsigned value of @size (1, 2, 4) bytes at @off in producer
 * order @be.
 */
static void put_word(struct out *o, int off, unsigned int size, bool be)
{
	unsigned int k;

	if (size == 1 || be) {
		put(o, "ether[%d:%u]", off, size);
		return;
	}
	put(o, "(ether[%d]", off);
	for (k = 1; k < size; k++)
		put(o, " | ether[%d] << %u", off + (int)k, 8 * k);
	put(o, ")");
}

static const char *rel(enum tn_fop op)
{
	switch (op) {
	case TN_OP_EQ: return "=";
	case TN_OP_NE: return "!=";
	case TN_OP_LT: return "<";
	case TN_OP_LE: return "<=";
	case TN_OP_GT: return ">";
	default: return ">=";
	}
}

/* @v (the word put_word() loads) OP @c, with the sign bias if signed. */
static void put_cmp32(struct out *o, int off, unsigned int size, bool be,
		      bool sgn, enum tn_fop op, uint64_t c)
{
	uint32_t mask = size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	uint32_t cv = (uint32_t)c & mask, bias = 1u << (8 * size - 1);

	if (op == TN_OP_BAND) {
		put(o, "(");
		put_word(o, off, size, be);
		put(o, " & 0x%x != 0)", cv);
		return;
	}
	if (sgn && op != TN_OP_EQ && op != TN_OP_NE) {
		put(o, "(");
		put_word(o, off, size, be);
		put(o, " ^ 0x%x) %s 0x%x", bias, rel(op), cv ^ bias);
		return;
	}
	put_word(o, off, size, be);
	put(o, " %s 0x%x", rel(op), cv);
}

static void put_num(struct out *o, const struct tn_fpred *pr, int off,
		    unsigned int size, bool be, bool sgn)
{
	uint32_t lo = (uint32_t)pr->val, hi = (uint32_t)(pr->val >> 32);
	int olo = be ? off + 4 : off, ohi = be ? off : off + 4;
	enum tn_fop strict;

	if (size < 8) {
		put_cmp32(o, off, size, be, sgn, pr->op, pr->val);
		return;
	}
	switch (pr->op) {
	case TN_OP_EQ:
	case TN_OP_NE:
		put(o, "%s(", pr->op == TN_OP_NE ? "not " : "");
		put_cmp32(o, olo, 4, be, false, TN_OP_EQ, lo);
		put(o, " and ");
		put_cmp32(o, ohi, 4, be, false, TN_OP_EQ, hi);
		put(o, ")");
		return;
	case TN_OP_BAND:
		put(o, "(");
		put_cmp32(o, olo, 4, be, false, TN_OP_BAND, lo);
		put(o, " or ");
		put_cmp32(o, ohi, 4, be, false, TN_OP_BAND, hi);
		put(o, ")");
		return;
	default:
		break;
	}
	/* hi OP' ch or (hi == ch and lo OP cl), OP' the strict form. */
	strict = pr->op == TN_OP_LE ? TN_OP_LT : pr->op == TN_OP_GE ? TN_OP_GT : pr->op;
	put(o, "(");
	put_cmp32(o, ohi, 4, be, sgn, strict, hi);
	put(o, " or (");
	put_cmp32(o, ohi, 4, be, false, TN_OP_EQ, hi);
	put(o, " and ");
	put_cmp32(o, olo, 4, be, false, pr->op, lo);
	put(o, "))");
}

static int put_str(struct out *o, const struct tn_fpred *pr, int off,
		   unsigned int size)
{
	const uint8_t *s = (const uint8_t *)pr->str;
	size_t k, n;

	if (pr->match != TN_MATCH_FULL && pr->match != TN_MATCH_FRONT)
		return cant(o, pr->pos, "pcap filters cannot express the glob on '%s' (only \"text\" and \"prefix*\")",
			    pr->field->name);
	put(o, "%s(", pr->not ? "not " : "");
	if (pr->slen > size) {
		put(o, "ether[%d] & 0 != 0)", off);
		return 0;
	}
	put(o, "ether[%d] & 0 = 0", off);
	for (k = 0; k < pr->slen; k += n) {
		n = pr->slen - k >= 4 ? 4 : pr->slen - k >= 2 ? 2 : 1;
		put(o, " and ether[%d:%zu] = 0x%x", off + (int)k, n,
		    n == 4 ? (uint32_t)s[k] << 24 | (uint32_t)s[k + 1] << 16 |
			     (uint32_t)s[k + 2] << 8 | s[k + 3] :
		    n == 2 ? (uint32_t)s[k] << 8 | s[k + 1] : s[k]);
	}
	if (pr->match == TN_MATCH_FULL && pr->slen < size)
		put(o, " and ether[%d] = 0", off + (int)pr->slen);
	put(o, ")");
	return 0;
}

static int put_pred(struct out *o, const struct tn_fpred *pr)
{
	const struct tn_ffield *f = pr->field, *dyn = NULL;
	bool be = host_be();
	int off;

	switch (f->loc) {
	case TN_LOC_PID:
		put_num(o, pr, EV + 16, 4, true, true);
		return 0;
	case TN_LOC_FLAGS:
		put_num(o, pr, EV + 20, 1, true, false);
		return 0;
	case TN_LOC_PREEMPT:
		put_num(o, pr, EV + 21, 1, true, false);
		return 0;
	case TN_LOC_TYPE:
		put_num(o, pr, EV + 6, 2, true, false);
		return 0;
	case TN_LOC_CPU:
		/* int, but 0..65535 on the wire: compare 32 bits signed. */
		put(o, "(");
		put(o, "ether[18:2] ^ 0x80000000) %s 0x%x",
		    rel(pr->op), (uint32_t)pr->val ^ 0x80000000u);
		return 0;
	case TN_LOC_COMM:
		return put_str(o, pr, EV + 24, 16);
	default:
		break;
	}
	if (f->kind == TN_FK_STR_DYN)
		return cant(o, pr->pos, "pcap filters cannot compare the __data_loc string '%s' (its length and place vary)",
			    f->name);
	off = tlv_offset(o->f->ev, f->index, &dyn);
	if (off < 0)
		return cant(o, pr->pos, "pcap filters cannot reach '%s': it follows the __data_loc field '%s', so its offset varies",
			    f->name, dyn->name);
	if (pr->is_str)
		return put_str(o, pr, off + 4, f->size);
	put_num(o, pr, off + 4, f->size, be, f->is_signed);
	return 0;
}

static int put_node(struct out *o, const struct tn_fnode *n)
{
	switch (n->type) {
	case TN_FN_PRED:
		return put_pred(o, &n->pred);
	case TN_FN_NOT:
		put(o, "not (");
		if (put_node(o, n->l))
			return -1;
		put(o, ")");
		return 0;
	default:
		put(o, "(");
		if (put_node(o, n->l))
			return -1;
		put(o, n->type == TN_FN_AND ? " and " : " or ");
		if (put_node(o, n->r))
			return -1;
		put(o, ")");
		return 0;
	}
}

static unsigned int last_used(const struct tn_fnode *n, unsigned int last)
{
	if (!n)
		return last;
	if (n->type == TN_FN_PRED && n->pred.field->loc == TN_LOC_TLV &&
	    n->pred.field->index + 1 > last)
		last = n->pred.field->index + 1;
	return last_used(n->r, last_used(n->l, last));
}

int tn_filter_pcap(const struct tn_filter *f, char **res, struct tn_ferr *err)
{
	struct out o = { .err = err, .f = f };
	unsigned int j, nwalk = last_used(f->root, 0);
	int off = TLV0;

	err->pos = -1;
	err->msg[0] = '\0';
	/* Frames the program passes untested. */
	put(&o, "ether proto 0x%x and (ether[14] != %d or ether[15] != %d or "
		"ether[16] & %d != %d or ether[17] != 16 or ether[20:2] != 1 or "
		"ether[%d:4] != %u or ether[%d:2] != %u",
	    TRACENET_ETH_P, TRACENET_WIRE_VERSION, TRACENET_FRAME_EVENTS,
	    TRACENET_F_BIG_ENDIAN, host_be() ? TRACENET_F_BIG_ENDIAN : 0,
	    EV + 4, f->ev->id, EV + 2, f->ev->nfields);
	/* The TLVs up to the last one read, as the program checks them. */
	for (j = 0; j < nwalk; j++) {
		const struct tn_ffield *fl = &f->ev->fields[j];

		if (fl->dynamic) {
			put(&o, " or ether[%d:2] != %u", off, j);
			break;
		}
		put(&o, " or ether[%d:4] != 0x%x", off, j << 16 | fl->size);
		off += 4 + (int)TRACENET_TLV_ALIGN(fl->size);
	}
	put(&o, " or ");
	if (put_node(&o, f->root)) {
		free(o.buf);
		return -1;
	}
	put(&o, ")");
	if (o.oom) {
		free(o.buf);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -1;
	}
	*res = o.buf;
	return 0;
}
