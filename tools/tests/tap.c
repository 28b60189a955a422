// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "tap.h"

static int tap_n, tap_failed, tap_skipped;

static void vline(const char *prefix, const char *fmt, va_list ap)
{
	printf("%s %d - ", prefix, ++tap_n);
	vprintf(fmt, ap);
}

bool tap_ok(bool pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(pass ? "ok" : "not ok", fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!pass)
		tap_failed++;
	fflush(stdout);
	return pass;
}

void tap_skip(const char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("ok", fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", why);
	tap_skipped++;
	fflush(stdout);
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

bool tap_is_str(const char *got, const char *want, const char *fmt, ...)
{
	bool pass = got && !strcmp(got, want);
	va_list ap;

	va_start(ap, fmt);
	vline(pass ? "ok" : "not ok", fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!pass) {
		tap_failed++;
		printf("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)",
		       want);
	}
	fflush(stdout);
	return pass;
}

int tap_finish(void)
{
	printf("1..%d\n", tap_n);
	printf("# %d passed, %d failed", tap_n - tap_failed, tap_failed);
	if (tap_skipped)
		printf(" (%d skipped)", tap_skipped);
	putchar('\n');
	return tap_failed ? 1 : 0;
}
