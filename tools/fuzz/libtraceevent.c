// SPDX-License-Identifier: GPL-2.0
/*
 * libtraceevent, as the harnesses need it: its plugins kept loaded, and a
 * guard that keeps libtraceevent's own crashes out of the way.
 *
 * The plugins: decode.c loads them for each source, and unloads them
 * with it. Loaded once more here for the life of the process, they stay
 * mapped, so that those dlopen()s and dlclose()s are reference counts,
 * not mmap()s and relocations (which took a third of the time).
 *
 * The guard: both harnesses are linked with
 * -Wl,--wrap=tep_parse_event,--wrap=tep_parse_format, so that decode.c's
 * calls, and the harnesses' own, come here first.
 *
 * Why: libtraceevent crashes on some format texts, in Debian 12's 1.7.1
 * and in upstream's 1.8.4 alike:
 *
 *  - its parser dereferences NULL (process_op(), process_entry(), ...)
 *    on a print fmt that is cut or garbled, which any mutation of a format
 *    finds in seconds;
 *  - its printer divides by zero (eval_num_arg(): no check) for a print
 *    fmt that divides by a field, "REC->a / REC->b", when b is 0.
 *
 * Those are the library's bugs, not tracenetctl's; left alone, they would
 * end most runs before they get to the code the harnesses are for. So
 * every format text is parsed first by a helper process, forked from the
 * harness, in a handle set up as the caller's (long size, byte order,
 * plugins); a text that kills the helper (or makes it loop), or whose
 * print fmt divides by anything but a non-zero constant, is refused as
 * libtraceevent refuses a text it cannot parse
 * (TEP_ERRNO__PARSE_EVENT_FAILED): the harness never parses it. A new
 * helper is forked after a crash (and after a division). The texts are
 * counted, and at exit the harness prints
 *
 *   fuzz guard: skipped N format texts that crash libtraceevent's parser, M that divide by a field
 *
 * which fuzz/run.sh shows as a TAP diagnostic. TN_FUZZ_UNGUARDED=1 turns
 * the guard off, to find or reproduce those crashes.
 *
 * A helper, not a fork per text: a fork of a sanitized process costs tens
 * of milliseconds here, more than an input. The helper parses every text
 * the harness parses, in the same order, and is forked anew from the
 * harness after a crash: so libtraceevent's parser globals are the same
 * in both when a text is tried, and a text the helper survives is safe
 * to parse for real.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <event-parse.h>
#include <sanitizer/common_interface_defs.h>
#include "fuzz.h"

#define HELPER_MS	10000		/* a parse that takes longer loops */

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

bool guard_plugins = true;

/* A request to the helper; then @sys_len bytes of system, @len of text. */
struct request {
	uint32_t len;
	uint8_t sys_len;
	uint8_t settings;	/* bit 0: long is 8 bytes, 1: big-endian, 2: plugins */
};

/* The helper's answers. */
#define SAFE		'k'
#define DIVIDES		'd'

/* Never freed: they keep the plugins mapped. */
static struct tep_handle *plugins_tep;
static struct tep_plugin_list *plugins;

static unsigned long long crashes, divides;
static int unguarded = -1;
static pid_t helper = -1;
static int helper_fd = -1;

void fuzz_libtraceevent_init(void)
{
	plugins_tep = tep_alloc();
	if (plugins_tep)
		plugins = tep_load_plugins(plugins_tep);
}

static void report(void)
{
	if (crashes || divides)
		fprintf(stderr, "fuzz guard: skipped %llu format texts that crash libtraceevent's parser, %llu that divide by a field\n",
			crashes, divides);
}

static bool read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	ssize_t n;

	while (len) {
		n = read(fd, p, len);
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static bool send_full(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* Does evaluating @arg (and what follows it) divide by anything but a
 * non-zero constant?
 */
static bool divides_by_var(const struct tep_print_arg *arg)
{
	for (; arg; arg = arg->next) {
		switch (arg->type) {
		case TEP_PRINT_OP:
			if (arg->op.op && (!strcmp(arg->op.op, "/") ||
					   !strcmp(arg->op.op, "%")) &&
			    (!arg->op.right || arg->op.right->type != TEP_PRINT_ATOM ||
			     !arg->op.right->atom.atom ||
			     !strtoull(arg->op.right->atom.atom, NULL, 0)))
				return true;
			if (divides_by_var(arg->op.left) ||
			    divides_by_var(arg->op.right))
				return true;
			break;
		case TEP_PRINT_TYPE:
			if (divides_by_var(arg->typecast.item))
				return true;
			break;
		case TEP_PRINT_FLAGS:
			if (divides_by_var(arg->flags.field))
				return true;
			break;
		case TEP_PRINT_SYMBOL:
			if (divides_by_var(arg->symbol.field))
				return true;
			break;
		case TEP_PRINT_HEX:
		case TEP_PRINT_HEX_STR:
			if (divides_by_var(arg->hex.field) ||
			    divides_by_var(arg->hex.size))
				return true;
			break;
		case TEP_PRINT_INT_ARRAY:
			if (divides_by_var(arg->int_array.field) ||
			    divides_by_var(arg->int_array.count) ||
			    divides_by_var(arg->int_array.el_size))
				return true;
			break;
		case TEP_PRINT_FUNC:
			if (divides_by_var(arg->func.args))
				return true;
			break;
		case TEP_PRINT_DYNAMIC_ARRAY:
			if (divides_by_var(arg->dynarray.index))
				return true;
			break;
		default:
			break;
		}
	}
	return false;
}

/* One text, in a fresh handle set up as the caller's. */
static char helper_parse(const struct request *req, const char *text,
			 const char *sys)
{
	struct tep_plugin_list *list = NULL;
	struct tep_event *event = NULL;
	struct tep_handle *tep = tep_alloc();
	char verdict;

	if (!tep)
		_exit(3);
	tep_set_long_size(tep, req->settings & 1 ? 8 : 4);
	tep_set_file_bigendian(tep, req->settings & 2 ? TEP_BIG_ENDIAN :
			       TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(tep, tep_is_local_bigendian(tep) ?
				TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_set_page_size(tep, 4096);
	if (req->settings & 4)
		list = tep_load_plugins(tep);
	__real_tep_parse_format(tep, &event, text, req->len, sys);
	verdict = event && divides_by_var(event->print_fmt.args) ? DIVIDES : SAFE;
	if (list)
		tep_unload_plugins(list, tep);
	tep_free(tep);
	return verdict;
}

/* The helper: parse what comes, answer for each text it survives. */
static void __attribute__((noreturn)) helper_main(int fd)
{
	struct request req;
	char sys[256], *text, verdict;
	int null;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	null = open("/dev/null", O_WRONLY);
	if (null >= 0) {
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	/* Die quietly: no sanitizer report, no libFuzzer artifact. */
	__sanitizer_set_death_callback(NULL);
	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
	signal(SIGFPE, SIG_DFL);
	signal(SIGILL, SIG_DFL);
	signal(SIGABRT, SIG_DFL);
	signal(SIGALRM, SIG_DFL);
	while (read_full(fd, &req, sizeof(req))) {
		text = malloc((size_t)req.len + 1);
		if (!text || !read_full(fd, sys, req.sys_len) ||
		    !read_full(fd, text, req.len))
			_exit(2);
		sys[req.sys_len] = '\0';
		text[req.len] = '\0';
		verdict = helper_parse(&req, text, sys);
		free(text);
		if (!send_full(fd, &verdict, 1))
			break;
	}
	_exit(0);
}

static void helper_stop(void)
{
	if (helper_fd >= 0)
		close(helper_fd);
	if (helper > 0) {
		kill(helper, SIGKILL);
		waitpid(helper, NULL, 0);
	}
	helper = -1;
	helper_fd = -1;
}

static bool helper_start(void)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return false;
	fflush(NULL);
	helper = fork();
	if (helper < 0) {
		close(sv[0]);
		close(sv[1]);
		return false;
	}
	if (!helper) {
		close(sv[0]);
		helper_main(sv[1]);
	}
	close(sv[1]);
	helper_fd = sv[0];
	return true;
}

/* May @tep parse @buf? Without a helper, it may: no answer, no guard. */
static bool guard(struct tep_handle *tep, const char *buf, unsigned long size,
		  const char *sys)
{
	struct request req = {
		.len = (uint32_t)size,
		.sys_len = (uint8_t)(sys ? strnlen(sys, 255) : 0),
		.settings = (uint8_t)((tep_get_long_size(tep) == 8) |
				      tep_is_file_bigendian(tep) << 1 |
				      guard_plugins << 2),
	};
	struct pollfd pfd;
	char verdict;

	if (unguarded < 0) {
		const char *env = getenv("TN_FUZZ_UNGUARDED");

		unguarded = env && *env && strcmp(env, "0");
		atexit(report);
	}
	if (unguarded || size > UINT32_MAX)
		return true;
	if (helper < 0 && !helper_start())
		return true;
	if (!send_full(helper_fd, &req, sizeof(req)) ||
	    !send_full(helper_fd, sys, req.sys_len) ||
	    !send_full(helper_fd, buf, size))
		goto died;
	pfd.fd = helper_fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, HELPER_MS) == 1 && read(helper_fd, &verdict, 1) == 1) {
		if (verdict == SAFE)
			return true;
		/* It parsed a text that the harness will not: start over. */
		helper_stop();
		divides++;
		return false;
	}
died:
	helper_stop();
	crashes++;
	return false;
}

enum tep_errno __wrap_tep_parse_event(struct tep_handle *tep, const char *buf,
				      unsigned long size, const char *sys)
{
	if (!guard(tep, buf, size, sys))
		return TEP_ERRNO__PARSE_EVENT_FAILED;
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
		return TEP_ERRNO__PARSE_EVENT_FAILED;
	return __real_tep_parse_format(tep, eventp, buf, size, sys);
}
