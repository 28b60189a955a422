/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keeping libtraceevent's own crashes away from tracenetctl, for event
 * formats that come from a capture rather than from this machine's
 * tracefs.
 */
#ifndef _TRACENETCTL_FORMATGUARD_H
#define _TRACENETCTL_FORMATGUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <event-parse.h>
#include "record.h"
#include "wire.h"

/* The buffer a record is printed from: the record (at most TN_RECORD_MAX
 * bytes, built with that bound), then zeros. What libtraceevent reads of
 * a record, once tn_fguard_print() has accepted its print fmt, starts at
 * most 64 KiB past the record's end (a __rel_loc word) and is at most
 * TN_PRINT_READ_MAX bytes long: it stays in this buffer. Keep the bytes
 * past the record zero (clear what a record wrote once it is printed), so
 * that such reads print zeros, not an earlier record.
 */
#define TN_PRINT_READ_MAX	TN_RECORD_MAX
#define TN_PRINT_BUF		(2 * TN_RECORD_MAX + 2 * 65536)

/* The most a field width or precision may be ("%*d", "%9999d"): each
 * doubling of libtraceevent's line buffer formats the whole field again.
 */
#define TN_PRINT_WIDTH_MAX	4096

/* How long the parse of one format text may take. */
#define TN_FGUARD_SECONDS	10

/* What the guard did, for the life of the process. */
struct tn_fguard_stats {
	unsigned long long forks;	/* texts tried in a child */
	unsigned long long cached;	/* verdicts taken from the cache */
	unsigned long long refused;	/* parses refused: the child died */
	unsigned long long raw;		/* print fmts refused: fields printed */
};

extern struct tn_fguard_stats tn_fguard_stats;

/* For the fuzz harnesses only (TN_FUZZ_UNGUARDED=1): no child, no print
 * fmt checks, so that libtraceevent's own crashes can be reproduced.
 */
extern bool tn_fguard_off;

int tn_fguard_parse_event(struct tep_handle *tep, bool plugins,
			  const char *text, size_t len, const char *sys,
			  enum tep_errno *ret, struct tn_werr *err);
int tn_fguard_print(struct tep_event *event, struct tn_werr *err);
void tn_fguard_forget(void);

#endif /* _TRACENETCTL_FORMATGUARD_H */
