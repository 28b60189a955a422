// SPDX-License-Identifier: GPL-2.0
/*
 * A guard around libtraceevent's format parser, for both harnesses: they
 * are linked with -Wl,--wrap=tep_parse_event,--wrap=tep_parse_format, so
 * that decode.c's calls, and the harnesses' own, come here first.
 *
 * Why: libtraceevent's parser crashes (NULL dereferences in process_op()
 * and process_entry(), in Debian 12's 1.7.1 and in upstream's 1.8.4
 * alike) on format texts whose print fmt is cut or garbled, which any
 * mutation of a format finds in seconds. Those are the library's bugs,
 * not tracenetctl's; left alone, they would end every run before it gets
 * to the code the harnesses are for. So each format text is parsed first
 * in a child process, on the child's copy of the same tep handle; a text
 * that kills the child is refused as libtraceevent refuses one it cannot
 * parse (TEP_ERRNO__READ_FORMAT_FAILED), the parent never parses it, and
 * it is counted: at exit the harness prints
 *
 *   fuzz guard: N format texts crashed libtraceevent's parser (skipped)
 *
 * which fuzz/run.sh shows as a TAP diagnostic. Verdicts are cached by a
 * hash of the text and the handle's settings, as the same text comes
 * back in many inputs. TN_FUZZ_UNGUARDED=1 turns the guard off, to find
 * or reproduce those crashes.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/wait.h>
#include <event-parse.h>
#include <sanitizer/common_interface_defs.h>
#include "fuzz.h"

#define CACHE_SIZE	(1U << 16)	/* verdicts, then start over */
#define CHILD_SECONDS	10		/* a parser that loops: killed */

enum tep_errno __real_tep_parse_event(struct tep_handle *tep, const char *buf,
				      unsigned long size, const char *sys);
enum tep_errno __real_tep_parse_format(struct tep_handle *tep,
				       struct tep_event **eventp,
				       const char *buf, unsigned long size,
				       const char *sys);
enum tep_errno __wrap_tep_parse_event(struct tep_handle *tep, const char *buf,
				      unsigned long size, const char *sys);
enum tep_errno __wrap_tep_parse_format(struct tep_handle *tep,
				       struct tep_event **eventp,
				       const char *buf, unsigned long size,
				       const char *sys);

unsigned int guard_salt;	/* part of the cache key: see fuzz.h */

static struct {
	uint64_t key;		/* 0: empty */
	bool crashes;
} cache[CACHE_SIZE];
static unsigned int cached;
static unsigned long long crashed;
static int unguarded = -1;

static void report(void)
{
	if (crashed)
		fprintf(stderr, "fuzz guard: %llu format texts crashed libtraceevent's parser (skipped)\n",
			crashed);
}

static uint64_t hash(const char *buf, unsigned long size, const char *sys,
		     struct tep_handle *tep)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */
	unsigned long i;

#define MIX(b)	(h = (h ^ (uint8_t)(b)) * 0x100000001b3ULL)
	for (i = 0; i < size; i++)
		MIX(buf[i]);
	for (; sys && *sys; sys++)
		MIX(*sys);
	MIX(tep_get_long_size(tep));
	MIX(tep_is_file_bigendian(tep));
	MIX(guard_salt);
#undef MIX
	return h ? h : 1;
}

/* Does parsing @buf into (a copy of) @tep kill the process? */
static bool parse_crashes(struct tep_handle *tep, const char *buf,
			  unsigned long size, const char *sys)
{
	struct tep_event *event = NULL;
	int status, fd;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return false;	/* cannot tell: parse for real */
	if (!pid) {
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		/* Die quietly: no sanitizer report, no libFuzzer artifact. */
		__sanitizer_set_death_callback(NULL);
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		signal(SIGFPE, SIG_DFL);
		signal(SIGILL, SIG_DFL);
		signal(SIGABRT, SIG_DFL);
		signal(SIGALRM, SIG_DFL);
		alarm(CHILD_SECONDS);
		__real_tep_parse_format(tep, &event, buf, size, sys);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		;
	return !WIFEXITED(status) || WEXITSTATUS(status);
}

static bool guard(struct tep_handle *tep, const char *buf, unsigned long size,
		  const char *sys)
{
	uint64_t key;
	unsigned int i;
	bool bad;

	if (unguarded < 0) {
		const char *env = getenv("TN_FUZZ_UNGUARDED");

		unguarded = env && *env && strcmp(env, "0");
		atexit(report);
	}
	if (unguarded)
		return true;
	key = hash(buf, size, sys, tep);
	for (i = (unsigned int)key % CACHE_SIZE; cache[i].key;
	     i = (i + 1) % CACHE_SIZE)
		if (cache[i].key == key) {
			bad = cache[i].crashes;
			goto out;
		}
	if (cached >= CACHE_SIZE / 2) {
		memset(cache, 0, sizeof(cache));
		cached = 0;
		i = (unsigned int)key % CACHE_SIZE;
	}
	bad = parse_crashes(tep, buf, size, sys);
	cache[i].key = key;
	cache[i].crashes = bad;
	cached++;
out:
	if (bad)
		crashed++;
	return !bad;
}

enum tep_errno __wrap_tep_parse_event(struct tep_handle *tep, const char *buf,
				      unsigned long size, const char *sys)
{
	if (!guard(tep, buf, size, sys))
		return TEP_ERRNO__READ_FORMAT_FAILED;
	return __real_tep_parse_event(tep, buf, size, sys);
}

enum tep_errno __wrap_tep_parse_format(struct tep_handle *tep,
				       struct tep_event **eventp,
				       const char *buf, unsigned long size,
				       const char *sys)
{
	if (eventp)
		*eventp = NULL;
	if (!guard(tep, buf, size, sys))
		return TEP_ERRNO__READ_FORMAT_FAILED;
	return __real_tep_parse_format(tep, eventp, buf, size, sys);
}
