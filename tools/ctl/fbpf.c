// SPDX-License-Identifier: GPL-2.0
/*
 * Parsed filters compiled to one eBPF XDP program over the frame layout
 * (Documentation/tracenet.rst, "Wire format"), instruction by
 * instruction: no compiler at run time.
 *
 *   r6  ctx->data           r7  ctx->data_end
 *   r8  offset of the event (14 + hdr_len), bounded by the verifier
 *   r9  the map value: the filters' text, then the glob automata
 *   stack: the offsets of the TLVs the filter reads, one slot each
 *
 * Every packet load goes through r1, right after "r2 = r1 + N; if r2 >
 * r7 goto pass" with N past the bytes it reads. A frame that is not one
 * tracenet event in this machine's byte order, or whose TLVs are not laid
 * out as the event's format says, passes: the filter only drops what it
 * has evaluated to false.
 *
 * The same predicates compile to a program of type tracepoint over the
 * record layout (the event's tracefs format) for the producer's verdict,
 * one program per event: r6 the record, fields loaded at their offsets,
 * pid, cpu and comm from helpers (the record's common header is not
 * readable there). What that layout cannot say the same way stays with
 * XDP only: the context bits, address fields (hashed in frames), strings
 * behind a __data_loc, globs (their tables live in the map).
 *
 * With follow --exec, a prologue runs before the filters: the event's pid
 * is looked up in the map of followed tasks (../bpf/follow.h), fed at the
 * tracepoints by follow.bpf.c. A pid that is not there drops. A task
 * has the times of its start (exec or fork) and exit in the map, written
 * at the tracepoints; its events from before the start and after the
 * exit drop.
 */
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uapi/linux/tracenet.h>
#include "filter.h"
#include "../bpf/follow.h"

#define ETH_LEN		14
#define HDR_OFF		ETH_LEN
#define EV_LEN		40
#define OFF_MAX		0x7fff		/* bound of TLV offsets for the verifier */
#define SLOT(k)		(-8 * ((int)(k) + 1))
#define SLOT_TMP	SLOT(TN_F_MAX_FIELDS_USED)

_Static_assert(sizeof(((struct tn_ffollow *)0)->path) == TN_FOLLOW_PATH_MAX,
	       "tn_ffollow.path is TN_FOLLOW_PATH_MAX");

#define XDP_DROP_	1
#define XDP_PASS_	2

struct fixup {
	unsigned int insn;
	int label;
};

struct as {
	struct bpf_insn *insns;
	unsigned int n, cap;
	int *labels;			/* insn index of label, -1 unset */
	unsigned int nlabels, lcap;
	struct fixup *fix;
	unsigned int nfix, fcap;
	uint8_t *blob;
	size_t blob_len, blob_cap;
	bool oom;
	struct tn_ferr *err;
	int l_pass, l_drop;
	int slot_of[TRACENET_MAX_FIELDS];	/* TLV index -> slot, -1 */
	bool record;			/* over the record, not the frame */
	uint32_t ev_id;			/* the record's event */
};

#define COMM_SLOT	(-16)		/* comm on the stack, record programs */

static void *grow(void *p, unsigned int *cap, unsigned int need, size_t elem,
		  bool *oom)
{
	unsigned int c = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return p;
	while (c < need)
		c *= 2;
	q = realloc(p, (size_t)c * elem);
	if (!q) {
		*oom = true;
		return p;
	}
	*cap = c;
	return q;
}

static void emit(struct as *a, struct bpf_insn in)
{
	if (a->n >= TN_F_MAX_INSNS) {
		a->oom = true;
		return;
	}
	a->insns = grow(a->insns, &a->cap, a->n + 1, sizeof(*a->insns), &a->oom);
	if (a->oom)
		return;
	a->insns[a->n++] = in;
}

static int label_new(struct as *a)
{
	a->labels = grow(a->labels, &a->lcap, a->nlabels + 1,
			 sizeof(*a->labels), &a->oom);
	if (a->oom)
		return 0;
	a->labels[a->nlabels] = -1;
	return (int)a->nlabels++;
}

static void label_here(struct as *a, int l)
{
	if (!a->oom)
		a->labels[l] = (int)a->n;
}

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src,
			    int16_t off, int32_t imm)
{
	struct bpf_insn i = { .code = code, .dst_reg = dst, .src_reg = src,
			      .off = off, .imm = imm };
	return i;
}

static void alu_imm(struct as *a, uint8_t op, uint8_t dst, int32_t imm)
{
	emit(a, insn(BPF_ALU64 | op | BPF_K, dst, 0, 0, imm));
}

static void alu_reg(struct as *a, uint8_t op, uint8_t dst, uint8_t src)
{
	emit(a, insn(BPF_ALU64 | op | BPF_X, dst, src, 0, 0));
}

static void mov_imm(struct as *a, uint8_t dst, int32_t imm)
{
	alu_imm(a, BPF_MOV, dst, imm);
}

static void mov_reg(struct as *a, uint8_t dst, uint8_t src)
{
	alu_reg(a, BPF_MOV, dst, src);
}

static void ldx(struct as *a, uint8_t size, uint8_t dst, uint8_t src, int off)
{
	emit(a, insn(BPF_LDX | size | BPF_MEM, dst, src, (int16_t)off, 0));
}

static void stx(struct as *a, uint8_t size, uint8_t dst, uint8_t src, int off)
{
	emit(a, insn(BPF_STX | size | BPF_MEM, dst, src, (int16_t)off, 0));
}

static void to_be(struct as *a, uint8_t dst, int bits)
{
	emit(a, insn(BPF_ALU | BPF_END | BPF_TO_BE, dst, 0, 0, bits));
}

static void ld_imm64(struct as *a, uint8_t dst, uint64_t v)
{
	emit(a, insn(BPF_LD | BPF_DW | BPF_IMM, dst, 0, 0, (int32_t)(uint32_t)v));
	emit(a, insn(0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32)));
}

static void jmp_fix(struct as *a, int label)
{
	a->fix = grow(a->fix, &a->fcap, a->nfix + 1, sizeof(*a->fix), &a->oom);
	if (a->oom)
		return;
	a->fix[a->nfix].insn = a->n - 1;
	a->fix[a->nfix++].label = label;
}

static void jmp_imm(struct as *a, uint8_t op, uint8_t dst, int32_t imm, int label)
{
	emit(a, insn(BPF_JMP | op | BPF_K, dst, 0, 0, imm));
	jmp_fix(a, label);
}

static void jmp_reg(struct as *a, uint8_t op, uint8_t dst, uint8_t src, int label)
{
	emit(a, insn(BPF_JMP | op | BPF_X, dst, src, 0, 0));
	jmp_fix(a, label);
}

static void ja(struct as *a, int label)
{
	emit(a, insn(BPF_JMP | BPF_JA, 0, 0, 0, 0));
	jmp_fix(a, label);
}

static bool fits_imm(uint64_t v)
{
	return v == (uint64_t)(int64_t)(int32_t)(uint32_t)v;
}

/* if (reg OP v) goto label, for any 64-bit v (r4 is scratch). */
static void jmp_const(struct as *a, uint8_t op, uint8_t reg, uint64_t v, int label)
{
	if (fits_imm(v)) {
		jmp_imm(a, op, reg, (int32_t)(uint32_t)v, label);
		return;
	}
	ld_imm64(a, 4, v);
	jmp_reg(a, op, reg, 4, label);
}

static void call(struct as *a, int32_t func)
{
	emit(a, insn(BPF_JMP | BPF_CALL, 0, 0, 0, func));
}

/* A record program reads its context at constant offsets, which the
 * verifier checks: no bounds check there.
 */
static void pkt_check_to(struct as *a, int need, int label)
{
	if (a->record)
		return;
	mov_reg(a, 2, 1);
	alu_imm(a, BPF_ADD, 2, need);
	jmp_reg(a, BPF_JGT, 2, 7, label);
}

static void pkt_check(struct as *a, int need)
{
	pkt_check_to(a, need, a->l_pass);
}

/* r1 = r6 + r<off> (or r6 alone if off_reg is 0), and the bounds check
 * for @need bytes from r1: the pattern every packet load follows.
 */
static void pkt_ptr(struct as *a, int off_reg, int need)
{
	mov_reg(a, 1, 6);
	if (off_reg)
		alu_reg(a, BPF_ADD, 1, (uint8_t)off_reg);
	pkt_check(a, need);
}

/* ---- blob: texts and automata ----------------------------------------- */

static size_t blob_add(struct as *a, const void *p, size_t len, size_t align)
{
	size_t off = (a->blob_len + align - 1) & ~(align - 1);
	unsigned int cap = (unsigned int)a->blob_cap;

	a->blob = grow(a->blob, &cap, (unsigned int)(off + len), 1, &a->oom);
	a->blob_cap = cap;
	if (a->oom)
		return 0;
	memset(a->blob + a->blob_len, 0, off - a->blob_len);
	memcpy(a->blob + off, p, len);
	a->blob_len = off + len;
	return off;
}

/* ---- predicates ------------------------------------------------------- */

static unsigned int size_code(unsigned int size)
{
	switch (size) {
	case 1: return BPF_B;
	case 2: return BPF_H;
	case 4: return BPF_W;
	default: return BPF_DW;
	}
}

static uint64_t trunc_val(uint64_t v, unsigned int size, bool sext)
{
	unsigned int bits = size * 8;

	if (bits >= 64)
		return v;
	v &= (1ULL << bits) - 1;
	if (sext && (v >> (bits - 1)) & 1)
		v |= ~((1ULL << bits) - 1);
	return v;
}

/* r1 = the packet at the start of @f's value, checked for @need bytes of
 * it; returns the constant offset of the value from r1.
 */
static int field_ptr(struct as *a, const struct tn_ffield *f, int need)
{
	switch (f->loc) {
	case TN_LOC_TLV:
		ldx(a, BPF_DW, 2, 10, SLOT(a->slot_of[f->index]));
		mov_reg(a, 1, 6);
		alu_reg(a, BPF_ADD, 1, 2);
		pkt_check(a, 4 + need);
		return 4;
	case TN_LOC_CPU:
		pkt_ptr(a, 0, HDR_OFF + 4 + need);
		return HDR_OFF + 4;
	default:
		break;
	}
	pkt_ptr(a, 8, EV_LEN);
	switch (f->loc) {
	case TN_LOC_PID:
		return 16;
	case TN_LOC_FLAGS:
		return 20;
	case TN_LOC_PREEMPT:
		return 21;
	case TN_LOC_TYPE:
		return 4;
	default:
		return 24;	/* comm */
	}
}

/* r3 = @f's value in a record program (record_ok() said which). */
static void record_num(struct as *a, const struct tn_ffield *f)
{
	switch (f->loc) {
	case TN_LOC_TLV:
		ldx(a, (uint8_t)size_code(f->size), 3, 6, (int)f->offset);
		return;
	case TN_LOC_TYPE:
		mov_imm(a, 3, (int32_t)a->ev_id);
		return;
	case TN_LOC_PID:
		call(a, BPF_FUNC_get_current_pid_tgid);
		break;
	default:
		call(a, BPF_FUNC_get_smp_processor_id);
		break;
	}
	/* The low 32 bits: the thread's pid, as common_pid. */
	emit(a, insn(BPF_ALU | BPF_MOV | BPF_X, 3, 0, 0, 0));
}

static void gen_num(struct as *a, const struct tn_fpred *pr, int lt, int lf)
{
	const struct tn_ffield *f = pr->field;
	unsigned int size = f->size;
	bool sgn = f->is_signed;
	int base;
	uint8_t op;

	if (a->record) {
		record_num(a, f);
		goto compare;
	}
	switch (f->loc) {
	case TN_LOC_TLV:
		base = field_ptr(a, f, (int)size);
		ldx(a, (uint8_t)size_code(size), 3, 1, base);
		break;
	case TN_LOC_PID:
	case TN_LOC_TYPE:
		base = field_ptr(a, f, 4);
		ldx(a, BPF_W, 3, 1, base);
		to_be(a, 3, 32);
		break;
	case TN_LOC_CPU:
		base = field_ptr(a, f, 2);
		ldx(a, BPF_H, 3, 1, base);
		to_be(a, 3, 16);
		break;
	default:
		base = field_ptr(a, f, 1);
		ldx(a, BPF_B, 3, 1, base);
		break;
	}
compare:
	if (f->loc == TN_LOC_TYPE)
		alu_imm(a, BPF_AND, 3, 0xffff);
	switch (pr->op) {
	case TN_OP_EQ:
	case TN_OP_NE:
		op = pr->op == TN_OP_EQ ? BPF_JEQ : BPF_JNE;
		jmp_const(a, op, 3, trunc_val(pr->val, size, false), lt);
		break;
	case TN_OP_BAND:
		jmp_const(a, BPF_JSET, 3, trunc_val(pr->val, size, false), lt);
		break;
	default:
		if (sgn && size < 8) {
			alu_imm(a, BPF_LSH, 3, (int32_t)(64 - 8 * size));
			alu_imm(a, BPF_ARSH, 3, (int32_t)(64 - 8 * size));
		}
		switch (pr->op) {
		case TN_OP_LT: op = sgn ? BPF_JSLT : BPF_JLT; break;
		case TN_OP_LE: op = sgn ? BPF_JSLE : BPF_JLE; break;
		case TN_OP_GT: op = sgn ? BPF_JSGT : BPF_JGT; break;
		default: op = sgn ? BPF_JSGE : BPF_JGE; break;
		}
		jmp_const(a, op, 3, trunc_val(pr->val, size, sgn), lt);
		break;
	}
	ja(a, lf);
}

/* The string of @f: r1 its start (returned offset from r1), its length
 * in r0 (*len_const -1) or as the constant *len_const.
 */
static int str_loc(struct as *a, const struct tn_ffield *f, int *len_const)
{
	int base;

	if (a->record) {
		*len_const = f->kind == TN_FK_COMM ? 16 : (int)f->size;
		mov_reg(a, 1, f->kind == TN_FK_COMM ? 10 : 6);
		return f->kind == TN_FK_COMM ? COMM_SLOT : (int)f->offset;
	}
	if (f->kind == TN_FK_COMM) {
		*len_const = 16;
		pkt_ptr(a, 8, EV_LEN);
		return 24;
	}
	if (f->kind == TN_FK_STR_STATIC) {
		*len_const = (int)f->size;
		return field_ptr(a, f, 0);
	}
	*len_const = -1;
	base = field_ptr(a, f, 0);
	ldx(a, BPF_H, 0, 1, 2);		/* the TLV's len */
	to_be(a, 0, 16);
	return base;
}

/* ftrace's regex_match_full() / regex_match_front(), unrolled. */
static void gen_str_cmp(struct as *a, const struct tn_fpred *pr, int lt, int lf)
{
	int plen = (int)pr->slen, len_const, base, k, sz;
	uint64_t v;

	base = str_loc(a, pr->field, &len_const);
	if (len_const >= 0 && len_const < plen) {
		ja(a, lf);
		return;
	}
	if (len_const < 0)
		jmp_imm(a, BPF_JLT, 0, plen, lf);
	if (plen)
		pkt_check(a, base + plen);
	for (k = 0; k < plen; k += sz) {
		sz = plen - k >= 8 ? 8 : plen - k >= 4 ? 4 : plen - k >= 2 ? 2 : 1;
		/* The record's loads must be aligned: bytes. */
		if (a->record)
			sz = 1;
		v = 0;
		memcpy(&v, pr->str + k, (size_t)sz);
		/* The bytes in memory order are the value a load reads. */
		if (sz == 4) {
			uint32_t w;

			memcpy(&w, pr->str + k, 4);
			v = w;
		} else if (sz == 2) {
			uint16_t h;

			memcpy(&h, pr->str + k, 2);
			v = h;
		} else if (sz == 1) {
			v = (uint8_t)pr->str[k];
		}
		ldx(a, (uint8_t)size_code((unsigned int)sz), 3, 1, base + k);
		jmp_const(a, BPF_JNE, 3, v, lf);
	}
	if (pr->match == TN_MATCH_FRONT) {
		ja(a, lt);
		return;
	}
	/* Full: the string ends there (its length, or a NUL). */
	if (len_const == plen) {
		ja(a, lt);
		return;
	}
	if (len_const < 0)
		jmp_imm(a, BPF_JEQ, 0, plen, lt);
	pkt_check(a, base + plen + 1);
	ldx(a, BPF_B, 3, 1, base + plen);
	jmp_imm(a, BPF_JNE, 3, 0, lf);
	ja(a, lt);
}

/* Globs: walk the string through the automaton (fglob.c). */
static int gen_str_dfa(struct as *a, const struct tn_fpred *pr, int lt, int lf)
{
	char pat[TN_F_MAX_STR + 3];
	struct tn_dfa dfa;
	int len_const, base, loop, done;
	size_t toff, n;

	switch (pr->match) {
	case TN_MATCH_END:
		n = (size_t)snprintf(pat, sizeof(pat), "*%s", pr->str);
		break;
	case TN_MATCH_MIDDLE:
		n = (size_t)snprintf(pat, sizeof(pat), "*%s*", pr->str);
		break;
	default:
		n = pr->slen;
		memcpy(pat, pr->str, n);
		break;
	}
	if (tn_glob_dfa(pat, n, &dfa, a->err)) {
		a->err->pos = pr->pos;
		return -1;
	}
	toff = blob_add(a, dfa.table, (size_t)dfa.nstates * 256, 8);
	base = str_loc(a, pr->field, &len_const);
	if (len_const >= 0)
		mov_imm(a, 0, len_const);
	/* The string's offset from r6, for every step of the walk. */
	if (pr->field->kind == TN_FK_COMM)
		mov_reg(a, 2, 8);
	else
		ldx(a, BPF_DW, 2, 10, SLOT(a->slot_of[pr->field->index]));
	alu_imm(a, BPF_ADD, 2, base);
	stx(a, BPF_DW, 10, 2, SLOT_TMP);
	mov_imm(a, 3, 0);
	mov_imm(a, 4, 1);
	mov_imm(a, 5, dfa.accept_empty);
	loop = label_new(a);
	done = label_new(a);
	label_here(a, loop);
	jmp_imm(a, BPF_JGE, 3, TN_F_GLOB_SCAN, done);
	jmp_reg(a, BPF_JGE, 3, 0, done);
	mov_reg(a, 1, 6);
	ldx(a, BPF_DW, 2, 10, SLOT_TMP);
	alu_reg(a, BPF_ADD, 1, 2);
	alu_reg(a, BPF_ADD, 1, 3);
	pkt_check_to(a, 1, done);
	ldx(a, BPF_B, 2, 1, 0);
	jmp_imm(a, BPF_JEQ, 2, 0, done);
	mov_reg(a, 1, 4);
	alu_imm(a, BPF_LSH, 1, 8);
	alu_reg(a, BPF_ADD, 1, 2);
	mov_reg(a, 2, 9);
	alu_imm(a, BPF_ADD, 2, (int32_t)toff);
	alu_reg(a, BPF_ADD, 2, 1);
	ldx(a, BPF_B, 1, 2, 0);
	mov_reg(a, 4, 1);
	alu_imm(a, BPF_AND, 4, 0x7f);
	mov_reg(a, 5, 1);
	alu_imm(a, BPF_RSH, 5, 7);
	alu_imm(a, BPF_ADD, 3, 1);
	jmp_imm(a, BPF_JEQ, 4, 0, done);
	jmp_imm(a, BPF_JGE, 4, (int32_t)dfa.nstates, done);
	ja(a, loop);
	label_here(a, done);
	jmp_imm(a, BPF_JNE, 5, 0, lt);
	ja(a, lf);
	tn_dfa_free(&dfa);
	return 0;
}

static int gen_pred(struct as *a, const struct tn_fpred *pr, int lt, int lf)
{
	if (!pr->is_str) {
		gen_num(a, pr, lt, lf);
		return 0;
	}
	if (pr->not) {
		int t = lt;

		lt = lf;
		lf = t;
	}
	if (pr->match == TN_MATCH_FULL || pr->match == TN_MATCH_FRONT) {
		gen_str_cmp(a, pr, lt, lf);
		return 0;
	}
	return gen_str_dfa(a, pr, lt, lf);
}

static int gen_node(struct as *a, const struct tn_fnode *n, int lt, int lf)
{
	int mid;

	switch (n->type) {
	case TN_FN_PRED:
		return gen_pred(a, &n->pred, lt, lf);
	case TN_FN_NOT:
		return gen_node(a, n->l, lf, lt);
	case TN_FN_AND:
		mid = label_new(a);
		if (gen_node(a, n->l, mid, lf))
			return -1;
		label_here(a, mid);
		return gen_node(a, n->r, lt, lf);
	case TN_FN_OR:
		mid = label_new(a);
		if (gen_node(a, n->l, lt, mid))
			return -1;
		label_here(a, mid);
		return gen_node(a, n->r, lt, lf);
	}
	return -1;
}

static void mark_used(const struct tn_fnode *n, bool *used)
{
	if (!n)
		return;
	if (n->type == TN_FN_PRED && n->pred.field->loc == TN_LOC_TLV)
		used[n->pred.field->index] = true;
	mark_used(n->l, used);
	mark_used(n->r, used);
}

/* The TLVs up to the last one the filter reads: each checked against the
 * format (type, and the length of a fixed field), the offsets of those it
 * reads kept in stack slots.
 */
static int gen_walk(struct as *a, const struct tn_filter *f)
{
	const struct tn_fevent *ev = f->ev;
	bool used[TRACENET_MAX_FIELDS] = { false };
	int last = -1, j, nslots = 0;

	mark_used(f->root, used);
	for (j = 0; j < (int)ev->nfields && j < TRACENET_MAX_FIELDS; j++) {
		a->slot_of[j] = -1;
		if (!used[j])
			continue;
		last = j;
		if (nslots == TN_F_MAX_FIELDS_USED) {
			snprintf(a->err->msg, sizeof(a->err->msg),
				 "the filter reads more than %d fields",
				 TN_F_MAX_FIELDS_USED);
			return -1;
		}
		a->slot_of[j] = nslots++;
	}
	if (last < 0)
		return 0;
	mov_reg(a, 3, 8);
	alu_imm(a, BPF_ADD, 3, EV_LEN);
	for (j = 0; j <= last; j++) {
		const struct tn_ffield *fl = &ev->fields[j];

		if (a->slot_of[j] >= 0)
			stx(a, BPF_DW, 10, 3, SLOT(a->slot_of[j]));
		pkt_ptr(a, 3, 4);
		if (!fl->dynamic) {
			uint16_t hdr[2] = { htons((uint16_t)j), htons((uint16_t)fl->size) };
			uint32_t w;

			memcpy(&w, hdr, 4);
			ldx(a, BPF_W, 2, 1, 0);
			jmp_const(a, BPF_JNE, 2, w, a->l_pass);
			if (j < last)
				alu_imm(a, BPF_ADD, 3,
					(int32_t)(4 + TRACENET_TLV_ALIGN(fl->size)));
		} else {
			ldx(a, BPF_H, 2, 1, 0);
			to_be(a, 2, 16);
			jmp_imm(a, BPF_JNE, 2, j, a->l_pass);
			if (j < last) {
				ldx(a, BPF_H, 2, 1, 2);
				to_be(a, 2, 16);
				alu_imm(a, BPF_ADD, 2, 4 + 3);
				alu_imm(a, BPF_AND, 2, ~3);
				alu_reg(a, BPF_ADD, 3, 2);
			}
		}
		if (j < last)
			jmp_imm(a, BPF_JGT, 3, OFF_MAX, a->l_pass);
	}
	return 0;
}

static int gen_event(struct as *a, const struct tn_filter *f)
{
	pkt_ptr(a, 8, EV_LEN);
	ldx(a, BPF_H, 2, 1, 2);
	to_be(a, 2, 16);
	jmp_imm(a, BPF_JNE, 2, (int32_t)f->ev->nfields, a->l_pass);
	if (gen_walk(a, f))
		return -1;
	return gen_node(a, f->root, a->l_pass, a->l_drop);
}

static bool host_big_endian(void)
{
	return htons(1) == 1;
}

/* The texts, "system:name: expression" NUL-terminated, after a header. */
static void put_texts(struct as *a, struct tn_filter *const *filters,
		      unsigned int n, const struct tn_ffollow *follow)
{
	uint32_t hdr[2] = { TN_F_BLOB_MAGIC, n };
	unsigned int i;

	if (follow) {
		uint32_t fh[5] = { TN_F_BLOB_MAGIC_FOLLOW, n, follow->exit_id,
				   follow->flags, follow->exec_id };

		blob_add(a, fh, sizeof(fh), 1);
		blob_add(a, follow->path, strlen(follow->path) + 1, 1);
		blob_add(a, follow->pins, strlen(follow->pins) + 1, 1);
	} else {
		blob_add(a, hdr, sizeof(hdr), 1);
	}
	for (i = 0; i < n; i++) {
		const struct tn_fevent *ev = filters[i]->ev;
		size_t len = strlen(ev->system) + strlen(ev->name) +
			     strlen(filters[i]->text) + 4;
		char *t = malloc(len);

		if (!t) {
			a->oom = true;
			return;
		}
		snprintf(t, len, "%s:%s:%s", ev->system, ev->name,
			 filters[i]->text);
		blob_add(a, t, strlen(t) + 1, 1);
		free(t);
	}
}

/* The follow prologue; r8 is the event's offset. The times in the map
 * are never later than those tracenet gave the task's exec, fork and
 * exit events, so only the exit event needs a rule of its own.
 */
static void gen_follow(struct as *a, const struct tn_ffollow *follow,
		       struct tn_fprog *prog)
{
	int l_go = label_new(a);

	pkt_ptr(a, 8, EV_LEN);
	ldx(a, BPF_W, 2, 1, 16);		/* pid */
	to_be(a, 2, 32);
	stx(a, BPF_W, 10, 2, SLOT_TMP);
	mov_reg(a, 2, 10);
	alu_imm(a, BPF_ADD, 2, SLOT_TMP);
	prog->follow_insn = a->n;
	emit(a, insn(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, -1));
	emit(a, insn(0, 0, 0, 0, 0));
	emit(a, insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem));
	jmp_imm(a, BPF_JEQ, 0, 0, a->l_drop);
	/* r0: the task's entry; r2 the event's id, r3 its time. Every
	 * load through r0 comes before the first label (the unit tests'
	 * checker forgets r0 there).
	 */
	pkt_ptr(a, 8, EV_LEN);
	ldx(a, BPF_DW, 3, 1, 8);
	to_be(a, 3, 64);
	ldx(a, BPF_W, 2, 1, 4);
	to_be(a, 2, 32);
	ldx(a, BPF_DW, 4, 0, TN_FOLLOW_VAL_START_TS);
	ldx(a, BPF_DW, 5, 0, TN_FOLLOW_VAL_EXIT_TS);
	/* Before the exec or fork: an earlier owner of the pid, or the
	 * task before it exec'd the path.
	 */
	jmp_reg(a, BPF_JGT, 4, 3, a->l_drop);
	/* After the exit: its last sched_switch. The exit event itself
	 * was stamped after exit_ts.
	 */
	jmp_imm(a, BPF_JEQ, 5, 0, l_go);
	jmp_const(a, BPF_JEQ, 2, follow->exit_id, l_go);
	jmp_reg(a, BPF_JGT, 3, 5, a->l_drop);
	label_here(a, l_go);
}

/* Resolve the jumps and hand the program to @prog; or, @failed or not
 * assembled, free it all and return -1 (a->err says why).
 */
static int finish(struct as *a, struct tn_fprog *prog, bool failed)
{
	unsigned int i;

	if (!failed && a->oom) {
		if (a->n >= TN_F_MAX_INSNS)
			snprintf(a->err->msg, sizeof(a->err->msg),
				 "the filters need more than %d instructions",
				 TN_F_MAX_INSNS);
		else
			snprintf(a->err->msg, sizeof(a->err->msg), "out of memory");
		failed = true;
	}
	for (i = 0; !failed && i < a->nfix; i++) {
		int t = a->labels[a->fix[i].label];
		long off = (long)t - (long)a->fix[i].insn - 1;

		if (t < 0 || off < INT16_MIN || off > INT16_MAX) {
			snprintf(a->err->msg, sizeof(a->err->msg),
				 "the filters are too large (a jump of %ld instructions)",
				 off);
			failed = true;
		} else {
			a->insns[a->fix[i].insn].off = (int16_t)off;
		}
	}
	free(a->labels);
	free(a->fix);
	if (failed) {
		free(a->insns);
		free(a->blob);
		return -1;
	}
	prog->insns = a->insns;
	prog->ninsns = a->n;
	prog->blob = a->blob;
	prog->blob_len = a->blob_len;
	return 0;
}

/* What a record program can evaluate as the XDP program does; false and
 * @err->msg (with the predicate's position) if not.
 */
static bool record_pred_ok(const struct tn_fpred *pr, struct tn_ferr *err)
{
	static const char *const code[] = { "call_site", "ip", "parent_ip" };
	const struct tn_ffield *f = pr->field;
	const char *why = NULL;
	unsigned int i;

	switch (f->loc) {
	case TN_LOC_FLAGS:
	case TN_LOC_PREEMPT:
		why = "the record's common header";
		break;
	case TN_LOC_COMM:
		break;
	case TN_LOC_TLV:
		if (f->kind == TN_FK_STR_STATIC || f->kind == TN_FK_COMM)
			break;
		if (f->kind != TN_FK_NUM || f->dynamic) {
			why = "a string behind a pointer or __data_loc";
			break;
		}
		if (f->size > 8 || (f->size & (f->size - 1)) || f->offset < 8 ||
		    f->offset % f->size) {
			why = "a field at an unaligned offset";
			break;
		}
		/* As module/pointers.c decides: frames hash these. */
		if (strchr(f->type, '*'))
			why = "an address field";
		for (i = 0; i < sizeof(code) / sizeof(code[0]); i++)
			if (!strcmp(f->name, code[i]) && f->size == 8)
				why = "an address field";
		break;
	default:
		break;
	}
	if (!why && pr->is_str && pr->match != TN_MATCH_FULL &&
	    pr->match != TN_MATCH_FRONT)
		why = "a glob";
	if (!why)
		return true;
	err->pos = pr->pos;
	snprintf(err->msg, sizeof(err->msg), "'%s' reads %s", f->name, why);
	return false;
}

static bool record_ok(const struct tn_fnode *n, struct tn_ferr *err)
{
	if (!n)
		return true;
	if (n->type == TN_FN_PRED)
		return record_pred_ok(&n->pred, err);
	return record_ok(n->l, err) && record_ok(n->r, err);
}

static bool uses_comm(const struct tn_fnode *n)
{
	if (!n)
		return false;
	if (n->type == TN_FN_PRED)
		return n->pred.field->kind == TN_FK_COMM;
	return uses_comm(n->l) || uses_comm(n->r);
}

int tn_filter_compile(struct tn_filter *const *filters, unsigned int n,
		      struct tn_fprog *prog, struct tn_ferr *err)
{
	return tn_filter_compile_follow(filters, n, NULL, prog, err);
}

int tn_filter_compile_follow(struct tn_filter *const *filters, unsigned int n,
			     const struct tn_ffollow *follow,
			     struct tn_fprog *prog, struct tn_ferr *err)
{
	struct as a = { .err = err };
	int *ev_label = NULL;
	unsigned int i, k;
	uint16_t ethp = htons(TRACENET_ETH_P), one = htons(1);

	memset(prog, 0, sizeof(*prog));
	err->pos = -1;
	err->msg[0] = '\0';
	if (n > TN_F_MAX_EVENTS) {
		snprintf(err->msg, sizeof(err->msg), "more than %d filtered events",
			 TN_F_MAX_EVENTS);
		return -1;
	}
	for (i = 0; i < n; i++)
		for (k = 0; k < i; k++)
			if (filters[k]->ev->id == filters[i]->ev->id) {
				snprintf(err->msg, sizeof(err->msg),
					 "two filters for %s:%s",
					 filters[i]->ev->system,
					 filters[i]->ev->name);
				return -1;
			}
	ev_label = calloc(n ? n : 1, sizeof(*ev_label));
	if (!ev_label)
		goto oom;
	if (follow && (!follow->path[0] ||
		       !memchr(follow->path, 0, sizeof(follow->path)) ||
		       !memchr(follow->pins, 0, sizeof(follow->pins)))) {
		snprintf(err->msg, sizeof(err->msg), "bad follow path");
		free(ev_label);
		return -1;
	}
	put_texts(&a, filters, n, follow);
	a.l_pass = label_new(&a);
	a.l_drop = label_new(&a);
	for (i = 0; i < n; i++)
		ev_label[i] = label_new(&a);

	/* r6, r7 = data, data_end; r9 = the map value. */
	ldx(&a, BPF_W, 6, 1, 0);
	ldx(&a, BPF_W, 7, 1, 4);
	prog->map_insn = a.n;
	emit(&a, insn(BPF_LD | BPF_DW | BPF_IMM, 9, BPF_PSEUDO_MAP_VALUE, 0, -1));
	emit(&a, insn(0, 0, 0, 0, 0));
	/* One tracenet event in this machine's byte order, or pass. */
	pkt_ptr(&a, 0, HDR_OFF + 16);
	ldx(&a, BPF_H, 2, 1, 12);
	jmp_imm(&a, BPF_JNE, 2, ethp, a.l_pass);
	ldx(&a, BPF_B, 2, 1, HDR_OFF + 0);
	jmp_imm(&a, BPF_JNE, 2, TRACENET_WIRE_VERSION, a.l_pass);
	ldx(&a, BPF_B, 2, 1, HDR_OFF + 1);
	jmp_imm(&a, BPF_JNE, 2, TRACENET_FRAME_EVENTS, a.l_pass);
	ldx(&a, BPF_B, 2, 1, HDR_OFF + 2);
	alu_imm(&a, BPF_AND, 2, TRACENET_F_BIG_ENDIAN);
	jmp_imm(&a, BPF_JNE, 2, host_big_endian() ? TRACENET_F_BIG_ENDIAN : 0,
		a.l_pass);
	ldx(&a, BPF_H, 2, 1, HDR_OFF + 6);
	jmp_imm(&a, BPF_JNE, 2, one, a.l_pass);
	ldx(&a, BPF_B, 8, 1, HDR_OFF + 3);
	jmp_imm(&a, BPF_JLT, 8, 16, a.l_pass);
	alu_imm(&a, BPF_ADD, 8, ETH_LEN);
	if (follow)
		gen_follow(&a, follow, prog);
	/* Dispatch on the event id. */
	pkt_ptr(&a, 8, EV_LEN);
	ldx(&a, BPF_W, 2, 1, 4);
	to_be(&a, 2, 32);
	for (i = 0; i < n; i++)
		jmp_const(&a, BPF_JEQ, 2, filters[i]->ev->id, ev_label[i]);
	ja(&a, a.l_pass);
	for (i = 0; i < n; i++) {
		label_here(&a, ev_label[i]);
		if (gen_event(&a, filters[i]))
			goto fail;
	}
	label_here(&a, a.l_pass);
	mov_imm(&a, 0, XDP_PASS_);
	emit(&a, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	label_here(&a, a.l_drop);
	mov_imm(&a, 0, XDP_DROP_);
	emit(&a, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	free(ev_label);
	return finish(&a, prog, false);
oom:
	snprintf(err->msg, sizeof(err->msg), "out of memory");
fail:
	free(ev_label);
	return finish(&a, prog, true);
}

/* The program of one event's filter over its record, for the producer's
 * verdict: 0, or 1 if the filter says what the record cannot (err->msg:
 * why), -1 on error.
 */
int tn_filter_compile_record(const struct tn_filter *f, struct tn_fprog *prog,
			     struct tn_ferr *err)
{
	struct as a = { .err = err, .record = true, .ev_id = f->ev->id };

	memset(prog, 0, sizeof(*prog));
	err->pos = -1;
	err->msg[0] = '\0';
	if (!record_ok(f->root, err))
		return 1;
	a.l_pass = label_new(&a);
	a.l_drop = label_new(&a);
	mov_reg(&a, 6, 1);
	if (uses_comm(f->root)) {
		mov_reg(&a, 1, 10);
		alu_imm(&a, BPF_ADD, 1, COMM_SLOT);
		mov_imm(&a, 2, 16);
		call(&a, BPF_FUNC_get_current_comm);
	}
	if (gen_node(&a, f->root, a.l_pass, a.l_drop))
		return finish(&a, prog, true);
	label_here(&a, a.l_pass);
	mov_imm(&a, 0, 1);
	emit(&a, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	label_here(&a, a.l_drop);
	mov_imm(&a, 0, 0);
	emit(&a, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	return finish(&a, prog, false);
}

void tn_fprog_set_map(struct tn_fprog *prog, int map_fd)
{
	prog->insns[prog->map_insn].imm = map_fd;
}

void tn_fprog_set_follow_map(struct tn_fprog *prog, int map_fd)
{
	if (prog->follow_insn)
		prog->insns[prog->follow_insn].imm = map_fd;
}

/* Where the texts start, and the follow header if @follow. */
static int blob_head(const uint8_t *blob, size_t len, uint32_t *n,
		     size_t *off, struct tn_ffollow *follow)
{
	uint32_t hdr[5];
	const uint8_t *end, *end2;
	size_t plen;

	if (len < 2 * sizeof(uint32_t))
		return -1;
	memcpy(hdr, blob, 2 * sizeof(uint32_t));
	if (hdr[1] > TN_F_MAX_EVENTS)
		return -1;
	*n = hdr[1];
	if (hdr[0] == TN_F_BLOB_MAGIC) {
		*off = 2 * sizeof(uint32_t);
		return 0;
	}
	if (hdr[0] != TN_F_BLOB_MAGIC_FOLLOW || len < sizeof(hdr))
		return -1;
	memcpy(hdr, blob, sizeof(hdr));
	end = memchr(blob + sizeof(hdr), 0, len - sizeof(hdr));
	plen = end ? (size_t)(end - blob) - sizeof(hdr) : 0;
	if (!end || !plen || plen >= sizeof(follow->path))
		return -1;
	end2 = memchr(end + 1, 0, len - (size_t)(end + 1 - blob));
	if (!end2 || (size_t)(end2 - end - 1) >= sizeof(follow->pins))
		return -1;
	if (follow) {
		memset(follow, 0, sizeof(*follow));
		memcpy(follow->path, blob + sizeof(hdr), plen);
		memcpy(follow->pins, end + 1, (size_t)(end2 - end - 1));
		follow->exit_id = hdr[2];
		follow->flags = hdr[3];
		follow->exec_id = hdr[4];
	}
	*off = (size_t)(end2 - blob) + 1;
	return 1;
}

/* The follow recorded in a map value: 1 and *follow, 0 none, -1 bad. */
int tn_fblob_follow(const uint8_t *blob, size_t len, struct tn_ffollow *follow)
{
	uint32_t n;
	size_t off;

	return blob_head(blob, len, &n, &off, follow);
}

void tn_fprog_free(struct tn_fprog *prog)
{
	free(prog->insns);
	free(prog->blob);
	memset(prog, 0, sizeof(*prog));
}

/* The filter texts back out of a map value; free each and the array. */
int tn_fblob_texts(const uint8_t *blob, size_t len, char ***texts,
		   unsigned int *n)
{
	uint32_t count;
	size_t off;
	unsigned int i;
	char **t;

	*texts = NULL;
	*n = 0;
	if (blob_head(blob, len, &count, &off, NULL) < 0)
		return -1;
	t = calloc(count + 1, sizeof(*t));
	if (!t)
		return -1;
	for (i = 0; i < count; i++) {
		const uint8_t *end = off < len ?
				     memchr(blob + off, 0, len - off) : NULL;

		if (!end || !(t[i] = strdup((const char *)blob + off))) {
			while (i--)
				free(t[i]);
			free(t);
			return -1;
		}
		off = (size_t)(end - blob) + 1;
	}
	*texts = t;
	*n = count;
	return 0;
}
