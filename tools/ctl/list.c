// SPDX-License-Identifier: GPL-2.0
/*
 * tracenetctl list [-v] [PATTERN]: what could be attached, with the ids and
 * field tables that attach would send.
 */
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event-parse.h>
#include <tracefs.h>
#include "tracenetctl.h"

struct list_ctx {
	char pattern[256];
	bool with_colon;
	bool verbose;
	unsigned int matched;
	unsigned int failed;
	struct tep_handle *tep;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static unsigned int sort_list(char **list)
{
	unsigned int n = 0;

	while (list && list[n])
		n++;
	if (n)
		qsort(list, n, sizeof(*list), cmp_str);
	return n;
}

static bool matches(const struct list_ctx *ctx, const char *system,
		    const char *name)
{
	char full[2 * TRACENET_MAX_NAME + 2];

	if (!ctx->with_colon)
		return !fnmatch(ctx->pattern, name, 0) ||
		       !fnmatch(ctx->pattern, system, 0);
	snprintf(full, sizeof(full), "%s:%s", system, name);
	return !fnmatch(ctx->pattern, full, 0);
}

static void list_event(struct list_ctx *ctx, const char *system,
		       const char *name)
{
	struct tn_evdesc d;

	if (!matches(ctx, system, name))
		return;
	ctx->matched++;
	if (tn_event_load(ctx->tep, system, name, &d)) {
		ctx->failed++;
		return;
	}
	printf("%s:%s id=%d\n", system, name, d.event->id);
	if (ctx->verbose)
		tn_print_fields(&d);
	tn_event_release(&d);
}

static void list_system(struct list_ctx *ctx, const char *dir,
			const char *system)
{
	char **events = tracefs_system_events(dir, system);
	unsigned int i, n = sort_list(events);

	for (i = 0; i < n; i++)
		list_event(ctx, system, events[i]);
	tracefs_list_free(events);
}

static int list_all(struct list_ctx *ctx)
{
	const char *dir = tracefs_tracing_dir();
	char **systems;
	unsigned int i, n;

	if (!dir) {
		tn_error("tracefs not found (mount it: mount -t tracefs nodev /sys/kernel/tracing)");
		return 1;
	}
	systems = tracefs_event_systems(dir);
	n = sort_list(systems);
	for (i = 0; i < n; i++)
		list_system(ctx, dir, systems[i]);
	tracefs_list_free(systems);
	if (!ctx->matched) {
		tn_error("no event matches '%s'", ctx->pattern);
		return 1;
	}
	return ctx->failed ? 1 : 0;
}

static void set_pattern(struct list_ctx *ctx, const char *pattern)
{
	char *slash;

	snprintf(ctx->pattern, sizeof(ctx->pattern), "%s", pattern);
	/* "system/name" is tracefs' own spelling: accept it too. */
	slash = strchr(ctx->pattern, '/');
	if (slash && !strchr(ctx->pattern, ':'))
		*slash = ':';
	ctx->with_colon = strchr(ctx->pattern, ':');
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct list_ctx ctx = { .verbose = false };
	int c, ret;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hv", opts, NULL)) != -1) {
		if (c == 'h')
			return tn_help("list");
		if (c != 'v')
			return tn_opt_error("list", c, argv);
		ctx.verbose = true;
	}
	if (argc - optind > 1)
		return tn_usage_error("list", "too many arguments");
	set_pattern(&ctx, optind < argc ? argv[optind] : "*");
	ctx.tep = tn_tep_new();
	if (!ctx.tep)
		return 1;
	ret = list_all(&ctx);
	tep_free(ctx.tep);
	return ret;
}
