// SPDX-License-Identifier: GPL-2.0
/*
 * Running the tracenetctl binary ($TRACENETCTL, else from $PATH) from the
 * suites, its standard output and error kept in files of a scratch
 * directory and read back.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tap.h"

char *slurp(const char *path)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = calloc(1, (size_t)st.st_size + 1);
	n = buf ? read(fd, buf, (size_t)st.st_size) : -1;
	if (buf)
		buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

static char *slurp_or_empty(const char *path)
{
	char *s = slurp(path);

	return s ? s : strdup("");
}

struct ctl_result ctl_run(const char *dir, const char *arg, ...)
{
	const char *bin = getenv("TRACENETCTL");
	struct ctl_result r = { .status = -1 };
	posix_spawn_file_actions_t fa;
	char out[256], err[256];
	const char *argv[32];
	va_list ap;
	int n = 1;
	pid_t pid;

	argv[0] = bin ? bin : "tracenetctl";
	va_start(ap, arg);
	for (; arg && n < 31; arg = va_arg(ap, const char *))
		argv[n++] = arg;
	va_end(ap);
	argv[n] = NULL;
	snprintf(out, sizeof(out), "%s/stdout", dir);
	snprintf(err, sizeof(err), "%s/stderr", dir);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (!posix_spawn(&pid, argv[0], &fa, NULL, (char **)argv, NULL) &&
	    waitpid(pid, &r.status, 0) == pid)
		r.status = WIFEXITED(r.status) ? WEXITSTATUS(r.status) : 128;
	posix_spawn_file_actions_destroy(&fa);
	r.out = slurp_or_empty(out);
	r.err = slurp_or_empty(err);
	return r;
}

void ctl_result_free(struct ctl_result *r)
{
	free(r->out);
	free(r->err);
}
