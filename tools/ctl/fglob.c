// SPDX-License-Identifier: GPL-2.0
/*
 * Globs as ftrace matches them (lib/glob.c: * ? [abc] [a-z] [!x] \c, the
 * whole string up to its NUL or its length), compiled into a DFA over
 * bytes that the eBPF program walks one byte per step.
 *
 * The pattern becomes tokens (a set of bytes, or a star); the NFA states
 * are token positions; the subset construction gives the DFA. State 0 is
 * dead, state 1 initial; the table's entries carry the next state and, in
 * bit 7, whether it accepts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "filter.h"

#define MAX_TOK		(TN_F_MAX_STR + 1)
#define SET_WORDS	((MAX_TOK + 1 + 63) / 64)

struct tok {
	bool star;
	uint64_t set[4];	/* bytes 0..255 */
};

struct pset {
	uint64_t w[SET_WORDS];
};

static void set_add(uint64_t *set, unsigned int c)
{
	set[c / 64] |= 1ULL << (c % 64);
}

static bool set_has(const uint64_t *set, unsigned int c)
{
	return set[c / 64] >> (c % 64) & 1;
}

/* One token of @pat at *@i, as glob_match_str() reads it. */
static void next_token(const unsigned char *pat, size_t len, size_t *i,
		       struct tok *t)
{
	unsigned char d = pat[(*i)++];
	size_t k;

	memset(t, 0, sizeof(*t));
	if (d == '*') {
		t->star = true;
		return;
	}
	if (d == '?') {
		for (k = 1; k < 256; k++)
			set_add(t->set, (unsigned int)k);
		return;
	}
	if (d == '[') {
		bool inverted = *i < len && pat[*i] == '!';
		size_t c = *i + inverted;
		uint64_t cls[4] = { 0 };
		unsigned char a, b;

		if (c >= len)
			goto literal;
		a = pat[c++];
		do {
			b = a;
			if (c + 1 < len && pat[c] == '-' && pat[c + 1] != ']') {
				b = pat[c + 1];
				c += 2;
			} else if (c + 1 == len && pat[c] == '-') {
				goto literal;	/* "[a-": malformed */
			}
			for (k = a; k <= b; k++)
				set_add(cls, (unsigned int)k);
			if (c >= len)
				goto literal;	/* no ']' */
			a = pat[c++];
		} while (a != ']');
		for (k = 1; k < 256; k++)
			if (set_has(cls, (unsigned int)k) != inverted)
				set_add(t->set, (unsigned int)k);
		*i = c;
		return;
	}
	if (d == '\\') {
		if (*i >= len) {
			/* A trailing backslash matches the end (glob_match_str
			 * compares the pattern's NUL): an empty token set.
			 */
			t->star = false;
			return;
		}
		d = pat[(*i)++];
	}
literal:
	set_add(t->set, d);
}

static void closure(const struct tok *toks, unsigned int m, struct pset *s)
{
	unsigned int p;

	for (p = 0; p < m; p++)
		if (set_has(s->w, p) && toks[p].star)
			set_add(s->w, p + 1);
}

static bool pset_empty(const struct pset *s)
{
	unsigned int i;

	for (i = 0; i < SET_WORDS; i++)
		if (s->w[i])
			return false;
	return true;
}

int tn_glob_dfa(const char *pat, size_t len, struct tn_dfa *dfa,
		struct tn_ferr *err)
{
	struct tok *toks = calloc(MAX_TOK, sizeof(*toks));
	struct pset *states = calloc(TN_F_GLOB_STATES + 1, sizeof(*states));
	unsigned int m = 0, n = 2, s, c, p, k;
	bool trailing_bs = false;
	size_t i = 0;

	memset(dfa, 0, sizeof(*dfa));
	dfa->table = calloc(TN_F_GLOB_STATES + 1, 256);
	if (!toks || !states || !dfa->table) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		goto fail;
	}
	while (i < len && m < MAX_TOK && !trailing_bs) {
		trailing_bs = pat[i] == '\\' && i + 1 == len;
		next_token((const unsigned char *)pat, len, &i, &toks[m++]);
	}
	/* states[0] is dead (empty), states[1] the closure of {0}. */
	set_add(states[1].w, 0);
	closure(toks, m, &states[1]);
	for (s = 1; s < n; s++) {
		for (c = 1; c < 256; c++) {
			struct pset next = { { 0 } };

			for (p = 0; p < m; p++) {
				if (!set_has(states[s].w, p))
					continue;
				if (toks[p].star)
					set_add(next.w, p);
				else if (set_has(toks[p].set, c))
					set_add(next.w, p + 1);
			}
			closure(toks, m, &next);
			if (pset_empty(&next)) {
				dfa->table[s * 256 + c] = 0;
				continue;
			}
			for (k = 1; k < n; k++)
				if (!memcmp(&states[k], &next, sizeof(next)))
					break;
			if (k == n) {
				if (n > TN_F_GLOB_STATES - 1) {
					snprintf(err->msg, sizeof(err->msg),
						 "glob '%.*s' needs more than %d automaton states",
						 (int)len, pat, TN_F_GLOB_STATES);
					goto fail;
				}
				states[n++] = next;
			}
			dfa->table[s * 256 + c] = (uint8_t)(k |
				(set_has(next.w, m) ? 0x80 : 0));
		}
		/* NUL ends the string: no transition, the walk stops. */
	}
	dfa->nstates = n;
	dfa->accept_empty = set_has(states[1].w, m);
	free(toks);
	free(states);
	return 0;
fail:
	free(toks);
	free(states);
	tn_dfa_free(dfa);
	return -1;
}

void tn_dfa_free(struct tn_dfa *dfa)
{
	free(dfa->table);
	memset(dfa, 0, sizeof(*dfa));
}

/* What the eBPF program computes: at most TN_F_GLOB_SCAN bytes. */
bool tn_dfa_match(const struct tn_dfa *dfa, const uint8_t *s, size_t len)
{
	unsigned int state = 1, i;
	bool acc = dfa->accept_empty;

	for (i = 0; i < len && i < TN_F_GLOB_SCAN && s[i]; i++) {
		uint8_t e = dfa->table[state * 256 + s[i]];

		state = e & 0x7f;
		acc = e >> 7;
		if (!state)
			break;
	}
	return acc;
}
