// SPDX-License-Identifier: GPL-2.0
/*
 * tracenetctl formats [-o FILE] [-t DIR] [EVENT...]: event formats of
 * tracefs in one file, for the Wireshark dissector (dissector/tracenet.lua).
 * Wireshark registers filter fields once, at start-up, before it has seen
 * a frame: the dissector makes named fields (tracenet.<event>.<field>) of
 * the events this file describes, also on a machine without that tracefs.
 *
 * The file is, per event, a line "system: SYSTEM" (the format text does
 * not name its system) and then the event's tracefs format text as tracefs
 * prints it ("name:", "ID:", "format:", the field lines, "print fmt:");
 * lines before the first "system:" line are comments.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <event-parse.h>
#include <tracefs.h>
#include "tracenetctl.h"

struct formats_opts {
	const char *output;		/* NULL or "-": stdout */
	char *tracefs;			/* NULL: the mounted one */
	char **events;			/* NULL-terminated specs */
};

static int cmp_spec(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, each event once: overlapping globs, or "system/name" beside
 * "system:name", name some events twice.
 */
static size_t sort_unique(char **specs, size_t n)
{
	size_t i, out = 0;
	char *slash;

	if (!n)
		return 0;
	for (i = 0; i < n; i++) {
		slash = strchr(specs[i], '/');
		if (slash && !strchr(specs[i], ':'))
			*slash = ':';
	}
	qsort(specs, n, sizeof(*specs), cmp_spec);
	for (i = 1; i < n; i++) {
		if (!strcmp(specs[out], specs[i])) {
			free(specs[i]);
			continue;
		}
		specs[++out] = specs[i];
	}
	specs[++out] = NULL;
	return out;
}

static int write_event(FILE *f, struct tep_handle *tep, const char *spec)
{
	char system[TRACENET_MAX_NAME], name[TRACENET_MAX_NAME];
	struct tn_evdesc d;
	size_t len;

	if (tn_event_split(spec, system, name) ||
	    tn_event_load(tep, system, name, &d))
		return -1;
	len = strlen(d.format);
	fprintf(f, "system: %s\n%s%s\n", system, d.format,
		len && d.format[len - 1] == '\n' ? "" : "\n");
	tn_event_release(&d);
	return 0;
}

static void write_header(FILE *f, size_t n)
{
	struct utsname u;

	fprintf(f, "# tracenet formats: %zu tracefs event formats for the Wireshark dissector\n", n);
	if (!uname(&u))
		fprintf(f, "# written by tracenetctl formats on %s, kernel %s\n",
			u.nodename, u.release);
	fputs("# per event: \"system: SYSTEM\", then its tracefs format text\n\n", f);
}

static int write_all(FILE *f, char **specs, size_t n)
{
	struct tep_handle *tep = tn_tep_new();
	size_t i;
	int ret = 0;

	if (!tep)
		return -1;
	write_header(f, n);
	for (i = 0; i < n && !ret; i++)
		ret = write_event(f, tep, specs[i]);
	tep_free(tep);
	return ret;
}

/* Into FILE.tmp, renamed over FILE when complete: a failed run leaves
 * FILE as it was (the dissector may read it at any moment).
 */
static int write_file(const char *path, char **specs, size_t n)
{
	size_t len = strlen(path) + 5;
	char *tmp = malloc(len);
	FILE *f;
	int ret;

	if (!tmp) {
		tn_error("out of memory");
		return -1;
	}
	snprintf(tmp, len, "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		tn_error("cannot write '%s': %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	ret = write_all(f, specs, n);
	if (fclose(f) && !ret) {
		tn_error("cannot write '%s': %s", tmp, strerror(errno));
		ret = -1;
	}
	if (!ret && rename(tmp, path)) {
		tn_error("cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
		ret = -1;
	}
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}

static int parse_opts(int argc, char **argv, struct formats_opts *o)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ "tracefs", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	static char *all[] = { "*:*", NULL };
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:t:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			tn_help("formats");
			return -1;
		case 'o':
			o->output = optarg;
			break;
		case 't':
			o->tracefs = optarg;
			break;
		default:
			return tn_opt_error("formats", c, argv);
		}
	}
	o->events = optind < argc ? argv + optind : all;
	return 0;
}

int cmd_formats(int argc, char **argv)
{
	struct formats_opts o = { .output = NULL };
	char **specs;
	size_t n;
	int ret;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (o.tracefs && access(o.tracefs, X_OK)) {
		tn_error("tracefs directory '%s': %s", o.tracefs, strerror(errno));
		return 1;
	}
	if (o.tracefs && tracefs_set_tracing_dir(o.tracefs)) {
		tn_error("out of memory");
		return 1;
	}
	specs = tn_event_expand(o.events, &n);
	if (!specs)
		return 1;
	n = sort_unique(specs, n);
	if (!o.output || !strcmp(o.output, "-")) {
		ret = write_all(stdout, specs, n);
		if (fflush(stdout) && !ret) {
			tn_error("cannot write the formats: %s", strerror(errno));
			ret = -1;
		}
	} else {
		ret = write_file(o.output, specs, n);
	}
	tn_specs_free(specs);
	return ret ? 1 : 0;
}
