// SPDX-License-Identifier: GPL-2.0
/*
 * ftrace's event filter language (kernel/trace/trace_events_filter.c),
 * parsed against an event's fields, with the position of every error:
 *
 *   expr  := and ( "||" and )*
 *   and   := unary ( "&&" unary )*
 *   unary := "!" unary | "(" expr ")" | pred
 *   pred  := FIELD OP VALUE
 *
 * Fields are looked up as ftrace does: the event's own fields, then the
 * generic ones (cpu, CPU, common_cpu, comm, COMM), then the common ones
 * (common_pid, common_flags, common_preempt_count, common_type). Values
 * and operators follow parse_pred(): numbers with kstrtoll/kstrtoull
 * rules (base 0), strings in '...' or "..." without escapes, == != ~ on
 * strings, == != < <= > >= & on numbers.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event-parse.h>
#include "filter.h"

/* The fields every event has, after its own (trace_find_event_field()). */
static const struct tn_ffield generic_fields[] = {
	{ .name = "CPU", .type = "int", .size = 4, .is_signed = true,
	  .kind = TN_FK_CPU, .loc = TN_LOC_CPU },
	{ .name = "cpu", .type = "int", .size = 4, .is_signed = true,
	  .kind = TN_FK_CPU, .loc = TN_LOC_CPU },
	{ .name = "common_cpu", .type = "int", .size = 4, .is_signed = true,
	  .kind = TN_FK_CPU, .loc = TN_LOC_CPU },
	{ .name = "COMM", .type = "char *", .size = 16,
	  .kind = TN_FK_COMM, .loc = TN_LOC_COMM },
	{ .name = "comm", .type = "char *", .size = 16,
	  .kind = TN_FK_COMM, .loc = TN_LOC_COMM },
	{ .name = "common_type", .type = "unsigned short", .size = 2,
	  .kind = TN_FK_NUM, .loc = TN_LOC_TYPE },
	{ .name = "common_flags", .type = "unsigned char", .size = 1,
	  .kind = TN_FK_NUM, .loc = TN_LOC_FLAGS },
	{ .name = "common_preempt_count", .type = "unsigned char", .size = 1,
	  .kind = TN_FK_NUM, .loc = TN_LOC_PREEMPT },
	{ .name = "common_pid", .type = "int", .size = 4, .is_signed = true,
	  .kind = TN_FK_NUM, .loc = TN_LOC_PID },
};

/* filter_assign_type() of the kernel, from the type in the format. */
void tn_fkind_of(struct tn_ffield *f)
{
	const char *t = f->type;

	if (strstr(t, "__data_loc") && strstr(t, "char"))
		f->kind = TN_FK_STR_DYN;
	else if (strstr(t, "__rel_loc") && strstr(t, "char"))
		f->kind = TN_FK_STR_DYN;
	else if (strchr(t, '[') && strstr(t, "char"))
		f->kind = TN_FK_STR_STATIC;
	else if (!strcmp(t, "char *") || !strcmp(t, "const char *"))
		f->kind = TN_FK_STR_PTR;
	else
		f->kind = TN_FK_NUM;
	f->loc = TN_LOC_TLV;
}

/* @event's own fields (non-common, format order) as @fe's TLV fields:
 * what filter.c, the unit tests and the fuzzer build from a format.
 */
int tn_fevent_init(struct tn_fevent *fe, const struct tep_event *event)
{
	struct tep_format_field **tf = tep_event_fields((struct tep_event *)event);
	unsigned int n = 0, i;

	while (tf && tf[n])
		n++;
	memset(fe, 0, sizeof(*fe));
	snprintf(fe->system, sizeof(fe->system), "%s", event->system);
	snprintf(fe->name, sizeof(fe->name), "%s", event->name);
	fe->id = (uint32_t)event->id;
	fe->nfields = n;
	fe->fields = calloc(n ? n : 1, sizeof(*fe->fields));
	if (!fe->fields) {
		free(tf);
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct tn_ffield *f = &fe->fields[i];

		snprintf(f->name, sizeof(f->name), "%s", tf[i]->name);
		snprintf(f->type, sizeof(f->type), "%s", tf[i]->type);
		f->index = i;
		f->offset = (unsigned int)tf[i]->offset;
		f->size = (unsigned int)tf[i]->size;
		f->is_signed = tf[i]->flags & TEP_FIELD_IS_SIGNED;
		f->dynamic = tf[i]->flags & TEP_FIELD_IS_DYNAMIC;
		tn_fkind_of(f);
	}
	free(tf);
	return 0;
}

const struct tn_ffield *tn_filter_find_field(const struct tn_fevent *ev,
					     const char *name)
{
	unsigned int i;

	for (i = 0; i < ev->nfields; i++)
		if (!strcmp(ev->fields[i].name, name))
			return &ev->fields[i];
	for (i = 0; i < sizeof(generic_fields) / sizeof(generic_fields[0]); i++)
		if (!strcmp(generic_fields[i].name, name))
			return &generic_fields[i];
	return NULL;
}

struct parser {
	const struct tn_fevent *ev;
	const char *s;
	int i;
	int depth;
	unsigned int npreds;
	struct tn_ferr *err;
};

__attribute__((format(printf, 3, 4)))
static int perr(struct parser *p, int pos, const char *fmt, ...)
{
	va_list ap;

	p->err->pos = pos;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static void skip_space(struct parser *p)
{
	while (isspace((unsigned char)p->s[p->i]))
		p->i++;
}

static void node_free(struct tn_fnode *n)
{
	if (!n)
		return;
	node_free(n->l);
	node_free(n->r);
	free(n);
}

static struct tn_fnode *node_new(struct parser *p, enum tn_fnode_type t)
{
	struct tn_fnode *n = calloc(1, sizeof(*n));

	if (!n)
		perr(p, -1, "out of memory");
	else
		n->type = t;
	return n;
}

static const struct {
	const char *s;
	enum tn_fop op;
} ops[] = {	/* '<=' before '<', as ftrace's ops[] */
	{ "~", TN_OP_GLOB }, { "!=", TN_OP_NE }, { "==", TN_OP_EQ },
	{ "<=", TN_OP_LE }, { "<", TN_OP_LT }, { ">=", TN_OP_GE },
	{ ">", TN_OP_GT }, { "&", TN_OP_BAND },
};

static const char *op_name(enum tn_fop op)
{
	unsigned int i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i].op == op)
			return ops[i].s;
	return "?";
}

static bool is_str_kind(enum tn_fkind k)
{
	return k == TN_FK_STR_STATIC || k == TN_FK_STR_DYN ||
	       k == TN_FK_STR_PTR || k == TN_FK_COMM;
}

/* filter_parse_regex() and filter_build_regex(): the kind of match and
 * the part of the pattern it compares.
 */
static void build_regex(struct tn_fpred *pr)
{
	char *b = pr->str;
	size_t len = pr->slen, i;
	enum tn_fmatch type = TN_MATCH_FULL;

	pr->match = TN_MATCH_FULL;
	if (pr->op != TN_OP_GLOB)
		return;
	if (b[0] == '!') {
		pr->not = true;
		memmove(b, b + 1, len--);
	}
	pr->slen = len;
	if (isdigit((unsigned char)b[0]))
		return;
	for (i = 0; i < len; i++) {
		if (b[i] == '*') {
			if (!i) {
				type = TN_MATCH_END;
			} else if (i == len - 1) {
				type = type == TN_MATCH_END ? TN_MATCH_MIDDLE :
					TN_MATCH_FRONT;
				b[i] = '\0';
				break;
			} else {
				pr->match = TN_MATCH_GLOB;
				return;
			}
		} else if (strchr("[?\\", b[i])) {
			pr->match = TN_MATCH_GLOB;
			return;
		}
	}
	if (b[0] == '*')
		memmove(b, b + 1, strlen(b));
	pr->slen = strlen(b);
	pr->match = type;
}

/* kstrtoull()/kstrtoll() with base 0 on @s. */
static bool parse_number(const char *s, bool is_signed, uint64_t *val)
{
	const char *d = s;
	unsigned long long v;
	int base = 10;
	bool neg = false;

	if (*d == '-') {
		if (!is_signed)
			return false;
		neg = true;
		d++;
	}
	if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) {
		base = 16;
		d += 2;
	} else if (d[0] == '0' && d[1]) {
		base = 8;
		d++;
	}
	if (!*d)
		return false;
	for (v = 0; *d; d++) {
		int c = tolower((unsigned char)*d), dv;

		if (c >= '0' && c <= '9')
			dv = c - '0';
		else if (c >= 'a' && c <= 'f')
			dv = c - 'a' + 10;
		else
			return false;
		if (dv >= base)
			return false;
		if (v > (~0ULL - (unsigned int)dv) / (unsigned int)base)
			return false;
		v = v * (unsigned int)base + (unsigned int)dv;
	}
	if (is_signed) {
		if (neg ? v > (1ULL << 63) : v > (uint64_t)INT64_MAX)
			return false;
		if (neg)
			v = (unsigned long long)(-(long long)(v - 1) - 1);
	}
	*val = v;
	return true;
}

static void list_fields(const struct tn_fevent *ev, char *buf, size_t len)
{
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < ev->nfields && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i ? ", " : "", ev->fields[i].name);
	if (used < len)
		snprintf(buf + used, len - used, "%scommon_pid, comm, cpu",
			 ev->nfields ? ", " : "");
}

static int parse_string(struct parser *p, struct tn_fpred *pr, int vpos)
{
	const struct tn_ffield *f = pr->field;
	char q = p->s[p->i];
	const char *start = p->s + p->i + 1, *end = strchr(start, q);
	size_t len;

	if (pr->op != TN_OP_EQ && pr->op != TN_OP_NE && pr->op != TN_OP_GLOB)
		return perr(p, vpos, "operator '%s' cannot compare strings (use ==, != or ~)",
			    op_name(pr->op));
	if (!is_str_kind(f->kind))
		return perr(p, vpos, "field '%s' is a number (%s), not a string",
			    f->name, f->type);
	if (!end)
		return perr(p, vpos, "missing closing quote %c", q);
	len = (size_t)(end - start);
	if (len > TN_F_MAX_STR)
		return perr(p, vpos, "string of %zu bytes: at most %d",
			    len, TN_F_MAX_STR);
	if (f->kind == TN_FK_STR_PTR)
		return perr(p, p->i, "field '%s' is a '%s': frames carry the pointer, not the string",
			    f->name, f->type);
	memcpy(pr->str, start, len);
	pr->str[len] = '\0';
	pr->slen = len;
	pr->is_str = true;
	pr->not = pr->op == TN_OP_NE;
	build_regex(pr);
	p->i += (int)len + 2;
	return 0;
}

static int parse_value_number(struct parser *p, struct tn_fpred *pr, int vpos)
{
	const struct tn_ffield *f = pr->field;
	char num[24];
	int s = p->i;

	if (is_str_kind(f->kind))
		return perr(p, vpos, "field '%s' is a string (%s): compare it with a quoted string",
			    f->name, f->type);
	if (pr->op == TN_OP_GLOB)
		return perr(p, vpos - 1 > 0 ? vpos - 1 : 0,
			    "operator '~' needs a string field; '%s' is a number",
			    f->name);
	if (p->s[p->i] == '-')
		p->i++;
	while (isalnum((unsigned char)p->s[p->i]))
		p->i++;
	if (p->i - s >= (int)sizeof(num))
		return perr(p, s, "number too long");
	memcpy(num, p->s + s, (size_t)(p->i - s));
	num[p->i - s] = '\0';
	if (!parse_number(num, f->is_signed, &pr->val))
		return perr(p, s, "invalid number '%s' for %s field '%s'", num,
			    f->is_signed ? "signed" : "unsigned", f->name);
	if (f->kind == TN_FK_CPU && pr->op == TN_OP_BAND)
		return perr(p, vpos, "operator '&' on cpu: ftrace never matches it; compare cpu with == != < <= > >=");
	/* ftrace compares the record's __data_loc word; the frame has the
	 * elements instead, as many as the event had.
	 */
	if (f->kind == TN_FK_NUM && f->dynamic)
		return perr(p, pr->pos, "field '%s' (%s) is a dynamic array: frames carry its elements, not the __data_loc word ftrace compares",
			    f->name, f->type);
	if (f->kind == TN_FK_NUM && f->size != 1 && f->size != 2 &&
	    f->size != 4 && f->size != 8)
		return perr(p, pr->pos, "field '%s' (%s) has %u bytes: only 1, 2, 4 and 8-byte numbers compare",
			    f->name, f->type, f->size);
	return 0;
}

static struct tn_fnode *parse_pred(struct parser *p)
{
	char name[64], fields[512];
	struct tn_fnode *n;
	struct tn_fpred *pr;
	unsigned int i;
	int s = p->i, vpos;

	while (isalnum((unsigned char)p->s[p->i]) || p->s[p->i] == '_')
		p->i++;
	if (p->i == s) {
		if (!p->s[p->i])
			perr(p, p->i, "expression ends where a comparison should start");
		else
			perr(p, p->i, "expected a field name, found '%c'", p->s[p->i]);
		return NULL;
	}
	if (p->i - s >= (int)sizeof(name)) {
		perr(p, s, "field name too long");
		return NULL;
	}
	if (++p->npreds > TN_F_MAX_PREDS) {
		perr(p, s, "more than %d comparisons", TN_F_MAX_PREDS);
		return NULL;
	}
	memcpy(name, p->s + s, (size_t)(p->i - s));
	name[p->i - s] = '\0';
	n = node_new(p, TN_FN_PRED);
	if (!n)
		return NULL;
	pr = &n->pred;
	pr->pos = s;
	pr->id = (int)p->npreds - 1;
	pr->field = tn_filter_find_field(p->ev, name);
	if (!pr->field) {
		list_fields(p->ev, fields, sizeof(fields));
		perr(p, s, "unknown field '%s' of %s:%s (fields: %s)", name,
		     p->ev->system, p->ev->name, fields);
		goto bad;
	}
	if (!strncmp(p->s + p->i, ".ustring", 8)) {
		perr(p, p->i, "'.ustring' reads user memory: frames carry the pointer only");
		goto bad;
	}
	skip_space(p);
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strncmp(p->s + p->i, ops[i].s, strlen(ops[i].s)))
			break;
	if (i == sizeof(ops) / sizeof(ops[0])) {
		perr(p, p->i, "expected an operator (== != < <= > >= & ~) after '%s'",
		     name);
		goto bad;
	}
	pr->op = ops[i].op;
	p->i += (int)strlen(ops[i].s);
	skip_space(p);
	vpos = p->i;
	if (p->s[p->i] == '\'' || p->s[p->i] == '"') {
		if (parse_string(p, pr, vpos))
			goto bad;
	} else if (isdigit((unsigned char)p->s[p->i]) || p->s[p->i] == '-') {
		if (parse_value_number(p, pr, vpos))
			goto bad;
	} else {
		perr(p, vpos, is_str_kind(pr->field->kind) ?
		     "expected a quoted string after '%s'" :
		     "expected a number after '%s'", op_name(pr->op));
		goto bad;
	}
	return n;
bad:
	node_free(n);
	return NULL;
}

static struct tn_fnode *parse_or(struct parser *p);

static struct tn_fnode *parse_unary(struct parser *p)
{
	struct tn_fnode *n, *c;
	int open;

	skip_space(p);
	if (p->depth >= TN_F_MAX_DEPTH) {
		perr(p, p->i, "nested more than %d deep", TN_F_MAX_DEPTH);
		return NULL;
	}
	if (p->s[p->i] == '!' && p->s[p->i + 1] != '=' && p->s[p->i + 1] != '~') {
		p->i++;
		p->depth++;
		c = parse_unary(p);
		p->depth--;
		if (!c)
			return NULL;
		n = node_new(p, TN_FN_NOT);
		if (!n) {
			node_free(c);
			return NULL;
		}
		n->l = c;
		return n;
	}
	if (p->s[p->i] == '(') {
		open = p->i++;
		p->depth++;
		n = parse_or(p);
		p->depth--;
		if (!n)
			return NULL;
		skip_space(p);
		if (p->s[p->i] != ')') {
			node_free(n);
			if (!p->s[p->i])
				perr(p, open, "unbalanced parentheses: '(' is never closed");
			else
				perr(p, p->i, "expected ')', '&&' or '||', found '%c'",
				     p->s[p->i]);
			return NULL;
		}
		p->i++;
		return n;
	}
	if (p->s[p->i] == ')') {
		perr(p, p->i, "expected a comparison, found ')'");
		return NULL;
	}
	return parse_pred(p);
}

static struct tn_fnode *parse_binary(struct parser *p, bool is_or)
{
	const char *tok = is_or ? "||" : "&&";
	struct tn_fnode *l, *r, *n;

	l = is_or ? parse_binary(p, false) : parse_unary(p);
	while (l) {
		skip_space(p);
		if (strncmp(p->s + p->i, tok, 2))
			return l;
		p->i += 2;
		r = is_or ? parse_binary(p, false) : parse_unary(p);
		if (!r)
			break;
		n = node_new(p, is_or ? TN_FN_OR : TN_FN_AND);
		if (!n) {
			node_free(r);
			break;
		}
		n->l = l;
		n->r = r;
		l = n;
	}
	node_free(l);
	return NULL;
}

static struct tn_fnode *parse_or(struct parser *p)
{
	return parse_binary(p, true);
}

int tn_filter_parse(const struct tn_fevent *ev, const char *text,
		    struct tn_filter *f, struct tn_ferr *err)
{
	struct parser p = { .ev = ev, .s = text, .err = err };
	size_t len = strlen(text);
	char c;

	memset(f, 0, sizeof(*f));
	err->pos = -1;
	err->msg[0] = '\0';
	if (len > TN_F_MAX_EXPR) {
		err->pos = TN_F_MAX_EXPR;
		snprintf(err->msg, sizeof(err->msg),
			 "expression of %zu bytes: at most %d", len, TN_F_MAX_EXPR);
		return -1;
	}
	skip_space(&p);
	if (!text[p.i]) {
		err->pos = p.i;
		snprintf(err->msg, sizeof(err->msg), "empty expression");
		return -1;
	}
	f->root = parse_or(&p);
	if (!f->root)
		return -1;
	skip_space(&p);
	c = text[p.i];
	if (c) {
		node_free(f->root);
		f->root = NULL;
		if (c == ')')
			return perr(&p, p.i, "unbalanced parentheses: ')' without '('");
		if (c == '&' || c == '|')
			return perr(&p, p.i, "'%c' is not an operator here (use && or ||)", c);
		return perr(&p, p.i, "expected '&&' or '||', found '%c'", c);
	}
	f->text = strdup(text);
	if (!f->text) {
		node_free(f->root);
		f->root = NULL;
		return perr(&p, -1, "out of memory");
	}
	f->ev = ev;
	f->npreds = p.npreds;
	return 0;
}

void tn_filter_free(struct tn_filter *f)
{
	node_free(f->root);
	free(f->text);
	memset(f, 0, sizeof(*f));
}

/* "system:event: EXPR" (or "system/event: EXPR"): the event and where the
 * expression starts.
 */
int tn_filter_split(const char *arg, char *system, char *name,
		    const char **expr, struct tn_ferr *err)
{
	const char *c1 = strpbrk(arg, ":/"), *c2;
	size_t sl, nl;

	err->pos = 0;
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c1 || !c2) {
		snprintf(err->msg, sizeof(err->msg),
			 "expected 'system:event: EXPRESSION'");
		return -1;
	}
	sl = (size_t)(c1 - arg);
	nl = (size_t)(c2 - c1 - 1);
	if (!sl || !nl || sl >= 64 || nl >= 64 || memchr(arg, ' ', sl) ||
	    memchr(c1 + 1, ' ', nl) || memchr(c1 + 1, '/', nl)) {
		snprintf(err->msg, sizeof(err->msg),
			 "expected 'system:event: EXPRESSION'");
		return -1;
	}
	memcpy(system, arg, sl);
	system[sl] = '\0';
	memcpy(name, c1 + 1, nl);
	name[nl] = '\0';
	*expr = c2 + 1;
	return 0;
}
