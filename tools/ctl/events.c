// SPDX-License-Identifier: GPL-2.0
/*
 * Trace events as tracefs describes them: the format file, parsed with
 * libtraceevent, is the one source of event ids and field layouts, both
 * for "list" and for what "attach" hands to the kernel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <event-parse.h>
#include <tracefs.h>
#include "tracenetctl.h"

static bool valid_part(const char *s, size_t len)
{
	/* Parts become tracefs path components: no way out of events/. */
	if (!len || len >= TRACENET_MAX_NAME || memchr(s, '/', len))
		return false;
	return !(len == 1 && s[0] == '.') && !(len == 2 && !strncmp(s, "..", 2));
}

/* "system:name" or "system/name", as tracefs and perf spell events. */
int tn_event_split(const char *spec, char *system, char *name)
{
	const char *sep = strpbrk(spec, ":/");
	size_t slen;

	if (!sep || strchr(sep + 1, ':'))
		goto bad;
	slen = (size_t)(sep - spec);
	if (!valid_part(spec, slen) || !valid_part(sep + 1, strlen(sep + 1)))
		goto bad;
	memcpy(system, spec, slen);
	system[slen] = '\0';
	strcpy(name, sep + 1);
	return 0;
bad:
	tn_error("invalid event '%s' (expected system:name)", spec);
	return -1;
}

/* A libtraceevent handle that parses formats as this machine writes them. */
struct tep_handle *tn_tep_new(void)
{
	struct tep_handle *tep = tep_alloc();

	if (!tep) {
		tn_error("out of memory");
		return NULL;
	}
	tep_set_long_size(tep, sizeof(long));
	tep_set_page_size(tep, (int)sysconf(_SC_PAGESIZE));
	tep_set_file_bigendian(tep, tep_is_local_bigendian(tep) ?
			       TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	return tep;
}

static const char *tracefs_dir(void)
{
	const char *dir = tracefs_tracing_dir();

	if (!dir)
		tn_error("tracefs not found (mount it: mount -t tracefs nodev /sys/kernel/tracing)");
	return dir;
}

static char *read_format(const char *system, const char *name, int *size)
{
	const char *dir = tracefs_dir();
	char *text;

	if (!dir)
		return NULL;
	/* Else an unreadable tracefs looks like an unknown event. */
	if (access(dir, R_OK | X_OK) && errno == EACCES) {
		tn_error("permission denied: reading %s (event formats) needs root", dir);
		return NULL;
	}
	errno = 0;
	text = tracefs_event_file_read(NULL, system, name, "format", size);
	if (text && *size > 0)
		return text;
	free(text);
	if (!tracefs_event_file_exists(NULL, system, name, "format"))
		tn_error("unknown event '%s:%s'", system, name);
	else
		tn_error("cannot read the format of '%s:%s': %s", system, name,
			 strerror(errno ? errno : EIO));
	return NULL;
}

static unsigned int count_fields(struct tep_format_field **fields)
{
	unsigned int n = 0;

	while (fields && fields[n])
		n++;
	return n;
}

int tn_event_load(struct tep_handle *tep, const char *system,
		  const char *name, struct tn_evdesc *d)
{
	int size;
	char *text = read_format(system, name, &size);

	if (!text)
		return -1;
	return tn_event_parse(tep, system, name, text, d);
}

/* @format (taken over, freed by tn_event_release()) as the event @d. */
int tn_event_parse(struct tep_handle *tep, const char *system,
		   const char *name, char *format, struct tn_evdesc *d)
{
	enum tep_errno ret;
	char msg[128];

	memset(d, 0, sizeof(*d));
	snprintf(d->system, sizeof(d->system), "%s", system);
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->format = format;
	ret = tep_parse_format(tep, &d->event, d->format, strlen(d->format),
			       system);
	if (!d->event) {
		tep_strerror(tep, ret, msg, sizeof(msg));
		tn_error("cannot parse the format of '%s:%s': %s", system, name,
			 msg);
		tn_event_release(d);
		return -1;
	}
	/* A print fmt libtraceevent cannot parse still leaves the fields. */
	d->fields = tep_event_fields(d->event);
	d->nfields = count_fields(d->fields);
	return 0;
}

/* The event itself belongs to the tep handle it was parsed into. */
void tn_event_release(struct tn_evdesc *d)
{
	free(d->format);
	free(d->fields);
	d->format = NULL;
	d->fields = NULL;
	d->event = NULL;
}

static void flag_words(char *buf, size_t len, unsigned long flags)
{
	static const struct {
		unsigned long flag;
		const char *word;
	} words[] = {
		{ TEP_FIELD_IS_DYNAMIC, "dynamic" },
		{ TEP_FIELD_IS_RELATIVE, "relative" },
		{ TEP_FIELD_IS_STRING, "string" },
		{ TEP_FIELD_IS_ARRAY, "array" },
		{ TEP_FIELD_IS_POINTER, "pointer" },
	};
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(words); i++)
		if ((flags & words[i].flag) && used < len)
			used += (size_t)snprintf(buf + used, len - used, " %s",
						 words[i].word);
}

/* One line per field, in TLV type order: what a frame will carry. */
void tn_print_fields(const struct tn_evdesc *d)
{
	struct tep_format_field *f;
	unsigned int i;
	char flags[64];

	for (i = 0; i < d->nfields; i++) {
		f = d->fields[i];
		flag_words(flags, sizeof(flags), f->flags);
		printf("\t%-24s %-24s offset=%d size=%d signed=%d%s\n",
		       f->type, f->name, f->offset, f->size,
		       !!(f->flags & TEP_FIELD_IS_SIGNED), flags);
	}
}

static bool is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static int add_spec(char ***out, size_t *n, char *spec)
{
	char **grown = realloc(*out, (*n + 2) * sizeof(**out));

	if (!grown || !spec) {
		free(spec);
		if (grown)
			*out = grown;
		tn_error("out of memory");
		return -1;
	}
	*out = grown;
	grown[(*n)++] = spec;
	grown[*n] = NULL;
	return 0;
}

static int expand_glob(const char *spec, char ***out, size_t *n)
{
	char system[TRACENET_MAX_NAME], name[TRACENET_MAX_NAME];
	char **systems, **events;
	size_t before = *n;
	int i, j, err = 0;

	if (tn_event_split(spec, system, name) || !tracefs_dir())
		return -1;
	systems = tracefs_event_systems(NULL);
	for (i = 0; systems && systems[i] && !err; i++) {
		if (fnmatch(system, systems[i], 0))
			continue;
		events = tracefs_system_events(NULL, systems[i]);
		for (j = 0; events && events[j] && !err; j++) {
			char *full;

			if (fnmatch(name, events[j], 0))
				continue;
			if (asprintf(&full, "%s:%s", systems[i], events[j]) < 0)
				full = NULL;
			err = add_spec(out, n, full);
		}
		tracefs_list_free(events);
	}
	tracefs_list_free(systems);
	if (!err && *n == before) {
		tn_error("no event matches '%s'", spec);
		err = -1;
	}
	return err;
}

/* The event specs with globs ("net:*", "syscalls:sys_enter_*") expanded
 * against tracefs, NULL-terminated; free with tn_specs_free().
 */
char **tn_event_expand(char **specs, size_t *count)
{
	char **out = NULL;
	size_t n = 0;

	for (; *specs; specs++) {
		int err = is_glob(*specs) ? expand_glob(*specs, &out, &n) :
			  add_spec(&out, &n, strdup(*specs));

		if (err) {
			tn_specs_free(out);
			return NULL;
		}
	}
	*count = n;
	return out;
}

void tn_specs_free(char **specs)
{
	char **p;

	for (p = specs; p && *p; p++)
		free(*p);
	free(specs);
}
