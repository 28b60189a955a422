// SPDX-License-Identifier: GPL-2.0
/*
 * libtraceevent, as the harnesses need it: its plugins kept loaded, and
 * the format guard of tracenetctl (ctl/formatguard.c) reported on.
 *
 * The plugins: decode.c loads them for each source, and unloads them
 * with it. Loaded once more here for the life of the process, they stay
 * mapped, so that those dlopen()s and dlclose()s are reference counts,
 * not mmap()s and relocations (which took a third of the time).
 *
 * The guard: the harnesses run tracenetctl's own, as "dump" does. A
 * format text that crashes libtraceevent's parser is refused (the child
 * that tried it first died), and a print fmt that would crash its printer
 * prints the event's fields; its verdicts are kept for the life of the
 * process, so that an input whose format a mutation left alone forks no
 * child. At exit the harness prints
 *
 *   fuzz guard: R formats refused (libtraceevent crashed parsing them), P printed as fields (print fmt unusable); C children forked, V verdicts from the cache
 *
 * which fuzz/run.sh shows as a TAP diagnostic. TN_FUZZ_UNGUARDED=1 turns
 * the guard off, to find or reproduce libtraceevent's own crashes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event-parse.h>
#include "formatguard.h"
#include "fuzz.h"

/* Never freed: they keep the plugins mapped. */
static struct tep_handle *plugins_tep;
static struct tep_plugin_list *plugins;

static void report(void)
{
	const struct tn_fguard_stats *s = &tn_fguard_stats;

	if (tn_fguard_off)
		fprintf(stderr, "fuzz guard: off (TN_FUZZ_UNGUARDED)\n");
	else
		fprintf(stderr, "fuzz guard: %llu formats refused (libtraceevent crashed parsing them), %llu printed as fields (print fmt unusable); %llu children forked, %llu verdicts from the cache\n",
			s->refused, s->raw, s->forks, s->cached);
}

void fuzz_libtraceevent_init(void)
{
	const char *env = getenv("TN_FUZZ_UNGUARDED");

	tn_fguard_off = env && *env && strcmp(env, "0");
	atexit(report);
	plugins_tep = tep_alloc();
	if (plugins_tep)
		plugins = tep_load_plugins(plugins_tep);
}
