// SPDX-License-Identifier: GPL-2.0
/*
 * The format guard: event formats from a capture, as hostile as the rest
 * of it, handed to libtraceevent without crashing tracenetctl.
 *
 * libtraceevent (Debian 12's 1.7.1, upstream's 1.8.4 alike) trusts the
 * format texts it parses, as they normally come from the running kernel:
 *
 *  - its parser dereferences NULL (process_op(), process_entry(), a
 *    strcmp() of NULL, ...) or divides by zero (constant folding) on a text
 *    that is cut or garbled;
 *  - its printer divides by zero, reads past the record or through a
 *    pointer taken from the record, or loops for minutes, for print fmts
 *    that the kernel never writes but a capture can carry.
 *
 * So, for a format that came in a metadata frame:
 *
 *  1. tn_fguard_parse_event() parses the text first in a forked child, a
 *     copy of this process and of the tep handle it will be parsed into,
 *     so that the child takes the very path the real parse will. If the
 *     child dies, is killed after TN_FGUARD_SECONDS, or cannot be forked,
 *     the text is refused and never parsed here. Verdicts are kept by text
 *     (compared whole, found by hash), so that the metadata a device
 *     repeats, or that several devices share, forks once.
 *
 *  2. tn_fguard_print() checks the parsed print fmt for what makes
 *     libtraceevent's printer crash or run away on some record (the
 *     audit_*() functions below, one case each). Such an event prints its
 *     fields raw, as "trace-cmd report -R" does, from the format's field
 *     list without the print fmt, and the caller says so.
 *
 *  3. The record buffer is TN_PRINT_BUF bytes of which the record takes
 *     TN_RECORD_MAX at most, zero past the record (formatguard.h): what
 *     libtraceevent reads past a record, within the bounds that 2 leaves
 *     it, is zeros of ours.
 *
 * Formats read from this machine's tracefs ("attach", "list") come from
 * the running kernel and are parsed as they are.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "formatguard.h"

#define INF		ULLONG_MAX
#define INDEX_MAX	16383		/* see the '[' case of audit_op() */
#define BUCKETS		256
#define CACHE_BYTES	(4UL << 20)	/* past that, verdicts are not kept */

struct tn_fguard_stats tn_fguard_stats;
bool tn_fguard_off;

/* In a sanitized build (the tests, the fuzzers): set, it would report the
 * crash that the child is there to take, and have libFuzzer save the input.
 */
extern void __sanitizer_set_death_callback(void (*callback)(void))
	__attribute__((weak));

/* ---- 1: the parse, tried in a child ------------------------------- */

struct verdict {
	struct verdict *next;
	uint64_t hash;
	size_t key_len;
	int status;			/* the child's wait status */
	char key[];			/* see make_key() */
};

static struct verdict *cache[BUCKETS];
static size_t cache_bytes;

static uint64_t fnv1a(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* What the parse depends on: the handle's long size, byte order and
 * plugins (which define print functions), the system, the text.
 */
static char *make_key(struct tep_handle *tep, bool plugins, const char *text,
		      size_t len, const char *sys, size_t *key_len)
{
	size_t sys_len = strlen(sys);
	char *key;

	*key_len = 3 + sys_len + 1 + len;
	key = malloc(*key_len);
	if (!key)
		return NULL;
	key[0] = (char)tep_get_long_size(tep);
	key[1] = (char)tep_is_file_bigendian(tep);
	key[2] = (char)plugins;
	memcpy(key + 3, sys, sys_len + 1);
	memcpy(key + 3 + sys_len + 1, text, len);
	return key;
}

static struct verdict *lookup(const char *key, size_t key_len, uint64_t hash)
{
	struct verdict *v;

	for (v = cache[hash % BUCKETS]; v; v = v->next)
		if (v->hash == hash && v->key_len == key_len &&
		    !memcmp(v->key, key, key_len))
			return v;
	return NULL;
}

static void remember(const char *key, size_t key_len, uint64_t hash,
		     int status)
{
	struct verdict *v;

	if (key_len > CACHE_BYTES - cache_bytes)
		return;
	v = malloc(sizeof(*v) + key_len);
	if (!v)
		return;
	v->hash = hash;
	v->key_len = key_len;
	v->status = status;
	memcpy(v->key, key, key_len);
	v->next = cache[hash % BUCKETS];
	cache[hash % BUCKETS] = v;
	cache_bytes += key_len;
}

/* Forget every verdict (the tests start afresh with it). */
void tn_fguard_forget(void)
{
	struct verdict *v, *next;
	unsigned int i;

	for (i = 0; i < BUCKETS; i++) {
		for (v = cache[i]; v; v = next) {
			next = v->next;
			free(v);
		}
		cache[i] = NULL;
	}
	cache_bytes = 0;
}

/* The child: parse, and die as libtraceevent makes it die, quietly. */
static void __attribute__((noreturn))
child(struct tep_handle *tep, const char *text, size_t len, const char *sys)
{
	static const int fatal[] = {
		SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS,
		SIGALRM,
	};
	sigset_t set;
	unsigned int i;
	int null;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Its warnings are the parent's to print, when it parses. */
	null = open("/dev/null", O_WRONLY);
	if (null >= 0) {
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(NULL);
	for (i = 0; i < ARRAY_SIZE(fatal); i++)
		signal(fatal[i], SIG_DFL);
	/* ^C is for the parent, which is waiting: the verdict stands. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	alarm(TN_FGUARD_SECONDS);
	tep_parse_event(tep, text, len, sys);
	_exit(0);
}

/* Fork a child to parse the text; its wait status, or -1 with errno. */
static int try_parse(struct tep_handle *tep, const char *text, size_t len,
		     const char *sys)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old;
	int status = 0, saved;
	pid_t pid, ret = -1;

	/* SIGCHLD ignored (inherited so) would reap the child before us */
	sigaction(SIGCHLD, &dfl, &old);
	pid = fork();
	if (!pid)
		child(tep, text, len, sys);
	if (pid > 0) {
		tn_fguard_stats.forks++;
		while ((ret = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
			;
	}
	saved = errno;
	sigaction(SIGCHLD, &old, NULL);
	errno = saved;
	return ret < 0 ? -1 : status;
}

static int refuse(int status, struct tn_werr *err)
{
	tn_fguard_stats.refused++;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		return tn_werr_fail(err, "libtraceevent did not finish parsing it in %d s",
			    TN_FGUARD_SECONDS);
	if (WIFSIGNALED(status))
		return tn_werr_fail(err, "libtraceevent crashed parsing it (%s)",
			    strsignal(WTERMSIG(status)));
	return tn_werr_fail(err, "libtraceevent crashed parsing it (exit status %d)",
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* tep_parse_event(@tep, @text, @len, @sys), with its result in @ret, if a
 * child that parsed the text first survived: 0. Otherwise -1, @err says
 * why, and the text was not parsed. @plugins: whether @tep has
 * libtraceevent's plugins loaded.
 */
int tn_fguard_parse_event(struct tep_handle *tep, bool plugins,
			  const char *text, size_t len, const char *sys,
			  enum tep_errno *ret, struct tn_werr *err)
{
	struct verdict *v;
	size_t key_len;
	uint64_t hash;
	char *key;
	int status;

	if (tn_fguard_off)
		goto parse;
	key = make_key(tep, plugins, text, len, sys, &key_len);
	if (!key)
		return tn_werr_fail(err, "out of memory");
	hash = fnv1a(key, key_len);
	v = lookup(key, key_len, hash);
	if (v) {
		tn_fguard_stats.cached++;
		status = v->status;
	} else {
		status = try_parse(tep, text, len, sys);
		if (status == -1) {
			free(key);
			return tn_werr_fail(err, "cannot fork to try parsing it first: %s",
				    strerror(errno));
		}
		remember(key, key_len, hash, status);
	}
	free(key);
	if (status)
		return refuse(status, err);
parse:
	*ret = tep_parse_event(tep, text, len, sys);
	return 0;
}

/* ---- 2: the print fmt -------------------------------------------- */

struct audit {
	struct tep_event *event;
	struct tn_werr *err;
	bool bad;
};

__attribute__((format(printf, 2, 3)))
static void hazard(struct audit *a, const char *fmt, ...)
{
	va_list ap;

	if (a->bad)
		return;		/* the first one found is named */
	a->bad = true;
	va_start(ap, fmt);
	vsnprintf(a->err->msg, sizeof(a->err->msg), fmt, ap);
	va_end(ap);
}

static unsigned long long add_sat(unsigned long long x, unsigned long long y)
{
	return x > INF - y ? INF : x + y;
}

static unsigned long long mul_sat(unsigned long long x, unsigned long long y)
{
	return x && y > INF / x ? INF : x * y;
}

static unsigned long long min_ull(unsigned long long x, unsigned long long y)
{
	return x < y ? x : y;
}

static unsigned long long max_ull(unsigned long long x, unsigned long long y)
{
	return x > y ? x : y;
}

/* libtraceevent finds a field named in the print fmt when it first prints. */
static struct tep_format_field *field_of(struct audit *a,
					 struct tep_format_field *f,
					 const char *name)
{
	return f ? f : name ? tep_find_any_field(a->event, name) : NULL;
}

/* An argument, for a message. */
static const char *name_of(const struct tep_print_arg *arg)
{
	if (arg && arg->type == TEP_PRINT_FIELD && arg->field.name)
		return arg->field.name;
	if (arg && arg->type == TEP_PRINT_ATOM && arg->atom.atom)
		return arg->atom.atom;
	return "an expression";
}

static bool is_op(const struct tep_print_arg *arg, const char *op)
{
	return arg && arg->type == TEP_PRINT_OP && arg->op.op &&
	       !strcmp(arg->op.op, op);
}

/* A number eval_num_arg() takes as it is: not 0, which it looks up as a
 * kernel symbol unless it starts with a digit.
 */
static unsigned long long atom_value(const struct tep_print_arg *arg)
{
	return arg->atom.atom ? strtoull(arg->atom.atom, NULL, 0) : 0;
}

/* The largest value eval_num_arg() (event-parse.c) can give @arg on any
 * record, INF if there is none we know of.
 */
static unsigned long long upper(struct audit *a, const struct tep_print_arg *arg)
{
	struct tep_format_field *f;
	const char *op;
	unsigned long long l, r;

	if (!arg)
		return 0;
	switch (arg->type) {
	case TEP_PRINT_ATOM:
		l = atom_value(arg);
		return l || (arg->atom.atom && isdigit((unsigned char)arg->atom.atom[0])) ? l : INF;
	case TEP_PRINT_FIELD:
		f = field_of(a, arg->field.field, arg->field.name);
		if (!f)
			return 0;
		/* tep_read_number(): 1, 2, 4 or 8 bytes, else 0 */
		return f->size == 1 ? 0xff : f->size == 2 ? 0xffff :
		       f->size == 4 ? 0xffffffff : f->size == 8 ? INF : 0;
	case TEP_PRINT_TYPE:		/* a cast masks, never extends */
		return upper(a, arg->typecast.item);
	case TEP_PRINT_DYNAMIC_ARRAY_LEN:
		/* 16 bits of a 4-byte word: audit_arg() wants 4 bytes */
		return 0xffff;
	case TEP_PRINT_OP:
		op = arg->op.op ? arg->op.op : "";
		if (!strcmp(op, "?"))
			return is_op(arg->op.right, ":") ?
			       max_ull(upper(a, arg->op.right->op.left),
				       upper(a, arg->op.right->op.right)) : INF;
		if (!strcmp(op, "["))
			return INF;
		l = upper(a, arg->op.left);
		r = upper(a, arg->op.right);
		if (!strcmp(op, "+"))
			return add_sat(l, r);
		if (!strcmp(op, "*"))
			return mul_sat(l, r);
		if (!strcmp(op, "/") || !strcmp(op, ">>"))
			return l;
		if (!strcmp(op, "%") || !strcmp(op, "&"))
			return min_ull(l, r);
		if (!strcmp(op, "!") || !strcmp(op, "&&") || !strcmp(op, "||") ||
		    !strcmp(op, "==") || !strcmp(op, "!=") || !strcmp(op, "<") ||
		    !strcmp(op, ">") || !strcmp(op, "<=") || !strcmp(op, ">="))
			return 1;
		if (!strcmp(op, "<<"))
			return r < 64 && l <= INF >> r ? l << r : INF;
		return INF;		/* -, |, ^, ~: anything */
	case TEP_PRINT_NULL:
	case TEP_PRINT_FLAGS:
	case TEP_PRINT_SYMBOL:
	case TEP_PRINT_HEX:
	case TEP_PRINT_HEX_STR:
	case TEP_PRINT_INT_ARRAY:
	case TEP_PRINT_STRING:
	case TEP_PRINT_BSTRING:
	case TEP_PRINT_BITMASK:
	case TEP_PRINT_CPUMASK:
		return 0;
	default:			/* pointers, function results */
		return INF;
	}
}

static void audit_list(struct audit *a, const struct tep_print_arg *arg);

static bool need(struct audit *a, const void *p)
{
	if (!p)
		hazard(a, "its print fmt has an incomplete expression");
	return p;
}

/* A field that libtraceevent reads as a __data_loc word (offset and length
 * of 16 bits each): of 4 bytes, or the length it finds can exceed the
 * record (a 2-byte one). NULL (not found) is @missing_ok's call.
 */
static void dynamic_field(struct audit *a, struct tep_format_field *f,
			  const char *name, bool missing_ok)
{
	f = field_of(a, f, name);
	if (!f && !missing_ok)
		hazard(a, "its print fmt names no field '%s'", name ? name : "");
	else if (f && f->size != 4)
		hazard(a, "its print fmt reads field %s, of %d bytes, as a __data_loc word",
		       f->name, f->size);
}

/* What __print_hex() and __print_array() read from: a field, or a dynamic
 * array; another argument is taken as a field, and read through.
 */
static void dump_source(struct audit *a, const struct tep_print_arg *arg,
			const char *what)
{
	if (need(a, arg) && arg->type != TEP_PRINT_FIELD &&
	    arg->type != TEP_PRINT_DYNAMIC_ARRAY)
		hazard(a, "its print fmt has %s() of %s, not of a field",
		       what, name_of(arg));
}

static void dump_length(struct audit *a, unsigned long long bytes,
			const struct tep_print_arg *len, const char *what)
{
	if (bytes > TN_PRINT_READ_MAX)
		hazard(a, "its print fmt has %s() of a length (%s) that can exceed a record",
		       what, name_of(len));
}

static void audit_op(struct audit *a, const struct tep_print_arg *arg)
{
	const struct tep_print_arg *l = arg->op.left, *r = arg->op.right;
	const char *op = arg->op.op;

	if (!need(a, op) || !need(a, l) || !need(a, r))
		return;
	if (!strcmp(op, "?")) {
		/* eval_num_arg() takes the right side as "x : y" */
		if (!is_op(r, ":") || !need(a, r->op.left) ||
		    !need(a, r->op.right)) {
			hazard(a, "its print fmt has a ? without its :");
			return;
		}
		audit_list(a, l);
		audit_list(a, r->op.left);
		audit_list(a, r->op.right);
		return;
	}
	if (!strcmp(op, "/") || !strcmp(op, "%")) {
		/* eval_num_arg() divides as it is told: SIGFPE by zero */
		if (r->type != TEP_PRINT_ATOM || !atom_value(r))
			hazard(a, "its print fmt %s %s, which can be 0",
			       *op == '/' ? "divides by" : "takes a remainder by",
			       name_of(r));
		audit_list(a, l);
		return;
	}
	if (!strcmp(op, "[")) {
		/* The offset, field offset + index * element size, is an
		 * unsigned int handed to an int check: past 2^31 it passes,
		 * and libtraceevent reads there. A field is at most 64 KiB
		 * (record.c), so an index up to INDEX_MAX stays below.
		 */
		if (upper(a, r) > INDEX_MAX)
			hazard(a, "its print fmt indexes %s with %s, which can exceed %d",
			       name_of(l), name_of(r), INDEX_MAX);
	}
	audit_list(a, l);
	audit_list(a, r);
}

static void audit_arg(struct audit *a, const struct tep_print_arg *arg)
{
	const struct tep_print_arg *p;
	unsigned long long el;

	switch (arg->type) {
	case TEP_PRINT_NULL:
	case TEP_PRINT_ATOM:
	case TEP_PRINT_FIELD:
	case TEP_PRINT_BSTRING:
		break;
	case TEP_PRINT_FLAGS:
		if (need(a, arg->flags.field))
			audit_list(a, arg->flags.field);
		break;
	case TEP_PRINT_SYMBOL:
		if (need(a, arg->symbol.field))
			audit_list(a, arg->symbol.field);
		break;
	case TEP_PRINT_TYPE:
		if (need(a, arg->typecast.item))
			audit_list(a, arg->typecast.item);
		break;
	case TEP_PRINT_HEX:
	case TEP_PRINT_HEX_STR:
		dump_source(a, arg->hex.field, "__print_hex");
		if (!need(a, arg->hex.size))
			break;
		dump_length(a, upper(a, arg->hex.size), arg->hex.size,
			    "__print_hex");
		audit_list(a, arg->hex.field);
		audit_list(a, arg->hex.size);
		break;
	case TEP_PRINT_INT_ARRAY:
		dump_source(a, arg->int_array.field, "__print_array");
		if (!need(a, arg->int_array.count) ||
		    !need(a, arg->int_array.el_size))
			break;
		/* 1, 2, 4 or 8 bytes an element, any other size 1 */
		el = upper(a, arg->int_array.el_size);
		el = el > 8 ? 8 : el ? el : 1;
		dump_length(a, mul_sat(upper(a, arg->int_array.count), el),
			    arg->int_array.count, "__print_array");
		audit_list(a, arg->int_array.field);
		audit_list(a, arg->int_array.count);
		audit_list(a, arg->int_array.el_size);
		break;
	case TEP_PRINT_STRING:
		dynamic_field(a, arg->string.field, arg->string.string, true);
		break;
	case TEP_PRINT_BITMASK:
		dynamic_field(a, arg->bitmask.field, arg->bitmask.bitmask, true);
		break;
	case TEP_PRINT_CPUMASK:
		/* print_str_arg() dereferences the field it did not find */
		dynamic_field(a, arg->bitmask.field, arg->bitmask.bitmask, false);
		break;
	case TEP_PRINT_DYNAMIC_ARRAY:
		if (need(a, arg->dynarray.field))
			dynamic_field(a, arg->dynarray.field, NULL, false);
		if (arg->dynarray.index)
			audit_list(a, arg->dynarray.index);
		break;
	case TEP_PRINT_DYNAMIC_ARRAY_LEN:
		if (!need(a, arg->dynarray.field))
			break;
		dynamic_field(a, arg->dynarray.field, NULL, false);
		/* dynamic_offset_field() adds to the offset it was not asked for */
		if (arg->dynarray.field->flags & TEP_FIELD_IS_RELATIVE)
			hazard(a, "its print fmt takes the length of __rel_loc field %s",
			       arg->dynarray.field->name);
		break;
	case TEP_PRINT_OP:
		audit_op(a, arg);
		break;
	case TEP_PRINT_FUNC:
		/* A plugin's function (scsi_trace_parse_cdb(),
		 * __le16_to_cpup(), ...) may take an argument as a pointer
		 * and read through it: a dynamic array of the record is
		 * the only argument that points into the record.
		 */
		for (p = arg->func.args; p; p = p->next)
			if (p->type != TEP_PRINT_DYNAMIC_ARRAY)
				hazard(a, "its print fmt calls a plugin function with %s, which it may read through",
				       name_of(p));
		audit_list(a, arg->func.args);
		break;
	default:
		hazard(a, "its print fmt has an argument of unknown type %d",
		       (int)arg->type);
		break;
	}
}

static void audit_list(struct audit *a, const struct tep_print_arg *arg)
{
	for (; arg && !a->bad; arg = arg->next)
		audit_arg(a, arg);
}

static void star_arg(struct audit *a, const struct tep_print_arg *arg)
{
	if (upper(a, arg) > TN_PRINT_WIDTH_MAX)
		hazard(a, "its print fmt takes a field width (*) from %s, which can exceed %d",
		       name_of(arg), TN_PRINT_WIDTH_MAX);
}

/* Field widths and precisions, the format's own ("%9999d") or taken from
 * an argument ("%*d"): libtraceevent's line buffer grows by 4 KiB and
 * formats the whole field again each time. A precision only cuts a
 * string. The arguments are matched to the conversions as
 * parse_arg_format() (event-parse.c) matches them; past a conversion it
 * does not know (a later version may take an argument for it), every
 * argument may be a width.
 */
static void audit_widths(struct audit *a, const char *p,
			 const struct tep_print_arg *args)
{
	const struct tep_print_arg *arg = args, *star, *all;
	unsigned long long width, prec, *n;
	bool lost = false, dot, star_prec;
	char conv;

	while (*p && !a->bad) {
		if (*p == '\\' || (*p == '%' && p[1] == '%')) {
			p += p[1] ? 2 : 1;
			continue;
		}
		if (*p++ != '%')
			continue;
		star = NULL;
		width = prec = 0;
		dot = star_prec = false;
		for (; *p && strchr("#hlLzZ-.*0123456789", *p); p++) {
			if (*p == '.') {
				dot = true;
			} else if (*p == '*' && lost) {
				for (all = args; all; all = all->next)
					star_arg(a, all);
			} else if (*p == '*' && arg) {
				star = arg;
				star_prec = dot;
				arg = arg->next;
			} else if (isdigit((unsigned char)*p)) {
				n = dot ? &prec : &width;
				*n = *n > INF / 20 ? INF / 2 : *n * 10 + (unsigned)(*p - '0');
			}
		}
		conv = *p;
		if (!conv)
			break;
		p++;
		if (!strchr("duixXops", conv)) {
			lost = true;
			continue;
		}
		if (width > TN_PRINT_WIDTH_MAX ||
		    (prec > TN_PRINT_WIDTH_MAX && conv != 's'))
			hazard(a, "its print fmt has a field width of %llu",
			       width > prec ? width : prec);
		if (star && !(star_prec && conv == 's'))
			star_arg(a, star);
		if (arg && !lost)
			arg = arg->next;
	}
}

/* May libtraceevent print @event's records with its print fmt? 0: yes.
 * 1: no, @err says why, and @event now prints its fields instead. An
 * event whose print fmt libtraceevent could not parse (TEP_EVENT_FL_FAILED)
 * prints its fields already, with "[FAILED TO PARSE]".
 */
int tn_fguard_print(struct tep_event *event, struct tn_werr *err)
{
	struct audit a = { .event = event, .err = err };

	if (tn_fguard_off || (event->flags & TEP_EVENT_FL_FAILED))
		return 0;
	if (event->flags & TEP_EVENT_FL_ISBPRINT) {
		/* its arguments are laid out by the record itself */
		hazard(&a, "it is a binary printk (ftrace:bprint)");
	} else {
		audit_widths(&a, event->print_fmt.format ?
			     event->print_fmt.format : "",
			     event->print_fmt.args);
		audit_list(&a, event->print_fmt.args);
	}
	if (!a.bad)
		return 0;
	/* PRINTRAW: tep_print_fields() instead of the print fmt (and of a
	 * plugin's handler). FAILED as well: without it, tep_print_fields()
	 * prints each field with the print fmt's conversion for it, width
	 * argument included; with it, from the format's field list alone.
	 */
	event->flags |= TEP_EVENT_FL_PRINTRAW | TEP_EVENT_FL_FAILED;
	tn_fguard_stats.raw++;
	return 1;
}
