/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The filter compiler: ftrace's event filter language, parsed against an
 * event's tracefs format (fparse.c), compiled to an eBPF XDP program over
 * the frame layout (fbpf.c, fglob.c) or translated to a pcap-filter
 * expression (fpcap.c).
 *
 * Pure code over memory: no tracefs, no bpf() syscall, no allocation
 * that is not freed by the matching *_free(), so that the unit tests and
 * the fuzzer can feed it anything.
 */
#ifndef _TRACENETCTL_FILTER_H
#define _TRACENETCTL_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bpf_insn;
struct tep_event;

/* Limits: an expression that passes them compiles within the verifier's. */
#define TN_F_MAX_EXPR		4096	/* bytes of one expression */
#define TN_F_MAX_PREDS		128	/* comparisons in one expression */
#define TN_F_MAX_DEPTH		32	/* nested parentheses and '!' */
#define TN_F_MAX_STR		255	/* bytes of a string operand (ftrace: 255) */
#define TN_F_MAX_FIELDS_USED	48	/* distinct TLV fields one filter reads */
#define TN_F_MAX_EVENTS		256	/* filtered events of one device */
#define TN_F_GLOB_SCAN		256	/* bytes of a string a glob reads */
#define TN_F_GLOB_STATES	127	/* states of one glob's automaton */
#define TN_F_MAX_INSNS		65536	/* instructions of one program */

/* Where a field's value is in the frame. */
enum tn_floc {
	TN_LOC_TLV,		/* the TLV of field @index */
	TN_LOC_PID,		/* event header: pid (be32) */
	TN_LOC_FLAGS,		/* event header: common_flags */
	TN_LOC_PREEMPT,		/* event header: preempt_count */
	TN_LOC_TYPE,		/* event header: id (common_type) */
	TN_LOC_CPU,		/* frame header: cpu (be16) */
	TN_LOC_COMM,		/* event header: comm[16] */
};

/* What ftrace makes of a field's type (filter_assign_type()). */
enum tn_fkind {
	TN_FK_NUM,		/* an integer of @size bytes */
	TN_FK_STR_STATIC,	/* char name[N] */
	TN_FK_STR_DYN,		/* __data_loc / __rel_loc char[] */
	TN_FK_STR_PTR,		/* char *: the frame has the address only */
	TN_FK_CPU,		/* the generic field cpu (int) */
	TN_FK_COMM,		/* the generic field comm */
};

struct tn_ffield {
	char name[64];
	char type[64];
	unsigned int index;	/* TLV type, for TN_LOC_TLV */
	unsigned int offset;	/* in the record, for TN_LOC_TLV */
	unsigned int size;	/* bytes (TLV value size of a fixed field) */
	bool is_signed;
	bool dynamic;		/* __data_loc / __rel_loc: TLV length varies */
	enum tn_fkind kind;
	enum tn_floc loc;
};

/* An event as the filter sees it: the fields of its frames' TLVs. */
struct tn_fevent {
	char system[64];
	char name[64];
	uint32_t id;
	unsigned int nfields;
	struct tn_ffield *fields;	/* TLV order: non-common, format order */
};

enum tn_fop {
	TN_OP_EQ, TN_OP_NE, TN_OP_LT, TN_OP_LE, TN_OP_GT, TN_OP_GE,
	TN_OP_BAND, TN_OP_GLOB,
};

/* How a string pattern matches (ftrace's filter_parse_regex()). */
enum tn_fmatch {
	TN_MATCH_FULL,		/* "abc" */
	TN_MATCH_FRONT,		/* "abc*" */
	TN_MATCH_MIDDLE,	/* "*abc*" */
	TN_MATCH_END,		/* "*abc" */
	TN_MATCH_GLOB,		/* anything else with * ? [ \ */
};

struct tn_fpred {
	const struct tn_ffield *field;
	enum tn_fop op;
	bool not;		/* "!=" on a string, "~ '!pat'" */
	bool is_str;
	uint64_t val;		/* number, as ftrace parsed it (kstrto*) */
	enum tn_fmatch match;
	char str[TN_F_MAX_STR + 1];	/* the pattern (for GLOB the glob) */
	size_t slen;
	int pos;		/* offset of the field name in the expression */
	int id;			/* 0, 1, ... in the order of the expression */
};

enum tn_fnode_type { TN_FN_PRED, TN_FN_AND, TN_FN_OR, TN_FN_NOT };

struct tn_fnode {
	enum tn_fnode_type type;
	struct tn_fnode *l, *r;		/* r: AND and OR only */
	struct tn_fpred pred;		/* TN_FN_PRED */
};

struct tn_ferr {
	int pos;			/* byte offset in the expression, -1: none */
	char msg[256];
};

/* A parsed filter of one event. */
struct tn_filter {
	const struct tn_fevent *ev;
	char *text;			/* the expression as given */
	struct tn_fnode *root;
	unsigned int npreds;
};

/* fparse.c */
int tn_filter_parse(const struct tn_fevent *ev, const char *text,
		    struct tn_filter *f, struct tn_ferr *err);
void tn_filter_free(struct tn_filter *f);
const struct tn_ffield *tn_filter_find_field(const struct tn_fevent *ev,
					     const char *name);
void tn_fkind_of(struct tn_ffield *f);
int tn_fevent_init(struct tn_fevent *fe, const struct tep_event *event);
int tn_filter_split(const char *arg, char *system, char *name,
		    const char **expr, struct tn_ferr *err);
bool tn_filter_eval(const struct tn_filter *f, const uint8_t *frame,
		    size_t len, bool *matched);

/* fglob.c: a glob (kernel lib/glob.c semantics) as a DFA over bytes.
 * State 0 is the dead state, 1 the initial one. table[s * 256 + c] is the
 * next state, with bit 7 set when that state accepts.
 */
struct tn_dfa {
	unsigned int nstates;
	bool accept_empty;		/* the initial state accepts */
	uint8_t *table;			/* nstates * 256 */
};

int tn_glob_dfa(const char *pat, size_t len, struct tn_dfa *dfa,
		struct tn_ferr *err);
void tn_dfa_free(struct tn_dfa *dfa);
bool tn_dfa_match(const struct tn_dfa *dfa, const uint8_t *s, size_t len);

/* fbpf.c: one XDP program for the filters of all events of a device, and
 * a tracepoint program per event for the producer's verdict.
 */
struct tn_fprog {
	struct bpf_insn *insns;
	unsigned int ninsns;
	uint8_t *blob;			/* the map value: text, then glob tables */
	size_t blob_len;
	unsigned int map_insn;		/* the ld_imm64 that takes the map's fd */
	unsigned int follow_insn;	/* that of the follow map, 0: none */
};

/* follow --exec: only the events of the tasks in the follow map pass
 * (tools/bpf/follow.h); recorded in the blob, so that the next filter
 * command keeps it.
 */
struct tn_ffollow {
	char path[256];			/* TN_FOLLOW_PATH_MAX, NUL included */
	char pins[64];			/* bpffs directory of its links */
	uint32_t exit_id;		/* id of sched:sched_process_exit */
	uint32_t exec_id;		/* id of sched:sched_process_exec */
	uint32_t flags;			/* TN_FFOLLOW_* */
};

#define TN_FFOLLOW_ATTACHED_EXIT	0x1	/* follow attached the exit event */
#define TN_FFOLLOW_ATTACHED_EXEC	0x2	/* and the exec event */

/* The blob starts with { magic, n } (TNF1), or { magic, n, exit_id,
 * flags, exec_id }, the follow path and pins (TNF2); then the n texts.
 */
#define TN_F_BLOB_MAGIC		0x544e4631	/* "TNF1" */
#define TN_F_BLOB_MAGIC_FOLLOW	0x544e4632	/* "TNF2" */

int tn_filter_compile(struct tn_filter *const *filters, unsigned int n,
		      struct tn_fprog *prog, struct tn_ferr *err);
int tn_filter_compile_follow(struct tn_filter *const *filters, unsigned int n,
			     const struct tn_ffollow *follow,
			     struct tn_fprog *prog, struct tn_ferr *err);
int tn_filter_compile_record(const struct tn_filter *f, struct tn_fprog *prog,
			     struct tn_ferr *err);
void tn_fprog_free(struct tn_fprog *prog);
void tn_fprog_set_map(struct tn_fprog *prog, int map_fd);
void tn_fprog_set_follow_map(struct tn_fprog *prog, int map_fd);
int tn_fblob_texts(const uint8_t *blob, size_t len, char ***texts,
		   unsigned int *n);
int tn_fblob_follow(const uint8_t *blob, size_t len,
		    struct tn_ffollow *follow);

/* fpcap.c */
int tn_filter_pcap(const struct tn_filter *f, char **out, struct tn_ferr *err);

#endif /* _TRACENETCTL_FILTER_H */
