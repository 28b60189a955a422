/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal TAP producer: "ok N - desc" / "not ok N - desc", diagnostics
 * as "# ..." lines, and a final "# N passed, N failed".
 */
#ifndef _TN_TAP_H
#define _TN_TAP_H

#include <stdbool.h>
#include <stdint.h>

__attribute__((format(printf, 2, 3)))
bool tap_ok(bool pass, const char *fmt, ...);
__attribute__((format(printf, 2, 3)))
void tap_skip(const char *why, const char *fmt, ...);
__attribute__((format(printf, 1, 2)))
void tap_diag(const char *fmt, ...);
__attribute__((format(printf, 3, 4)))
bool tap_is_str(const char *got, const char *want, const char *fmt, ...);
int tap_finish(void);

/* The suites, one per file. */
void test_wire(void);
void test_record(void);
void test_decode(void);
void test_cli(void);
void test_oracle(void);
void test_formats(void);
void test_filter(void);
void test_reasm(void);

/* Helpers shared by the suites (main.c). */
char *read_fixture(const char *name, unsigned long *size);
const char *fixture_dir(void);

/* ctl_run.c: tracenetctl with the NULL-terminated arguments, its output
 * kept in files of @dir.
 */
struct ctl_result {
	int status;
	char *out;
	char *err;
};

struct ctl_result ctl_run(const char *dir, const char *arg, ...);
void ctl_result_free(struct ctl_result *r);
char *slurp(const char *path);		/* NULL if unreadable */

struct enc;
char *hostile_format(uint32_t id, const char *name, const char *print,
		     const char *cut);
void enc_meta_frame(struct enc *e, const uint8_t *mac, uint32_t id,
		    const char *name, const char *format);
void enc_wakeup_frame(struct enc *e, const uint8_t *mac, uint32_t id,
		      uint64_t seq, uint32_t pid, uint32_t target_cpu);

#endif /* _TN_TAP_H */
