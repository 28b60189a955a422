// SPDX-License-Identifier: GPL-2.0
/*
 * tracenetctl filter: ftrace's filter language, compiled to an XDP
 * program on the tracenet device.
 *
 *   filter DEV 'system:event: EXPR'...   set (replace) the events' filters
 *   filter DEV --show                    the filters in force
 *   filter DEV --clear [EVENT...]        remove them (all, or some)
 *   filter --pcap 'system:event: EXPR'   the pcap-filter expression
 *   filter --run FILE [-w OUT] 'system:event: EXPR'...
 *                                        run the program on a capture
 *
 * One program holds the filters of every event of the device; the filters'
 * text lives in the program's map, so that the next command can show it
 * and rebuild the program with one filter more or less. A bad expression
 * is refused before anything is loaded: the filters in force stay.
 *
 * A filter the record's layout can say is also handed to the module as
 * the producer's verdict (TRACENET_CMD_SET_FILTER): a tracepoint program
 * per event, run before the event is buffered, so that what it rejects
 * costs no buffer, poll or frame, and a frame of several events holds
 * only accepted ones. XDP still tests every frame.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <event-parse.h>
#include "tracenetctl.h"
#include "filter.h"
#include "fdev.h"
#include "frun.h"
#include "query.h"
#include "../bpf/follow.h"

#define PROG_NAME	"tn_filter"

struct fset {
	/* On a device: the events attached there, whose formats the
	 * filters compile against. Without one (--pcap, --run): tracefs.
	 */
	const char *dev;
	unsigned int ifindex;
	struct tn_nl nl;
	struct tn_devinfo *attached;
	struct tep_handle *tep;
	unsigned int n;
	struct tn_fevent ev[TN_F_MAX_EVENTS];
	struct tn_filter f[TN_F_MAX_EVENTS];
	struct tn_filter *fp[TN_F_MAX_EVENTS];
};

static void fset_free(struct fset *s)
{
	unsigned int i;

	for (i = 0; i < s->n; i++) {
		tn_filter_free(&s->f[i]);
		free(s->ev[i].fields);
	}
	if (s->tep)
		tep_free(s->tep);
	tn_devinfo_free(s->attached);
	tn_nl_close(&s->nl);
	s->n = 0;
	s->tep = NULL;
	s->attached = NULL;
}

/* Talk to the device @dev: the filters will be of its events. */
static int fset_open_dev(struct fset *s, const char *dev, unsigned int ifindex)
{
	int err;

	s->dev = dev;
	s->ifindex = ifindex;
	if (tn_nl_open(&s->nl))
		return -1;
	err = tn_query_events(&s->nl, ifindex, &s->attached);
	if (err) {
		tn_nl_report(&s->nl, err, dev, "listing events");
		return -1;
	}
	if (!s->attached) {
		tn_error("%s is not a tracenet device", dev);
		return -1;
	}
	return 0;
}

static const struct tn_attached *dev_find(const struct fset *s,
					  const char *system, const char *name)
{
	const struct tn_devinfo *di;
	unsigned int i;

	for (di = s->attached; di; di = di->next)
		for (i = 0; i < di->nevents; i++)
			if (!strcmp(di->events[i].system, system) &&
			    !strcmp(di->events[i].name, name))
				return &di->events[i];
	return NULL;
}

/* The event as @s->dev decodes it: the format it was attached with. */
static int dev_event(struct fset *s, const char *system, const char *name,
		     struct tn_evdesc *d)
{
	const struct tn_attached *ev = dev_find(s, system, name);
	char *format;
	int err;

	if (!ev) {
		tn_error("'%s:%s' is not attached to %s: attach it first (tracenetctl attach %s %s:%s)",
			 system, name, s->dev, s->dev, system, name);
		return -1;
	}
	err = tn_query_event(&s->nl, s->ifindex, ev->id, &format);
	if (err) {
		tn_nl_report(&s->nl, err, s->dev, "reading an event's format");
		return -1;
	}
	return tn_event_parse(s->tep, system, name, format, d);
}

/* The event as the filter sees it, from its format. */
static int load_fevent(struct fset *s, const char *system, const char *name,
		       struct tn_fevent *fe)
{
	struct tn_evdesc d;

	if (!s->tep && !(s->tep = tn_tep_new()))
		return -1;
	if (s->dev ? dev_event(s, system, name, &d) :
		     tn_event_load(s->tep, system, name, &d))
		return -1;
	if (tn_fevent_init(fe, d.event)) {
		tn_event_release(&d);
		tn_error("out of memory");
		return -1;
	}
	tn_event_release(&d);
	return 0;
}

/* "tracenetctl: bad filter ...", then the argument with a caret under
 * the position.
 */
static void report(const char *arg, int at, const struct tn_ferr *err)
{
	int col = err->pos >= 0 ? at + err->pos : -1;

	if (col < 0) {
		tn_error("%s: %s", arg, err->msg);
		return;
	}
	if (col > (int)strlen(arg))
		col = (int)strlen(arg);
	tn_error("bad filter at column %d: %s", col + 1, err->msg);
	fprintf(stderr, "  %s\n  %*s^\n", arg, col, "");
}

/* Parse "system:event: EXPR" into @s, replacing an earlier filter of the
 * same event.
 */
static int add_filter(struct fset *s, const char *arg)
{
	char system[64], name[64];
	struct tn_fevent fe;
	struct tn_filter f;
	struct tn_ferr err;
	const char *expr;
	unsigned int i;

	if (tn_filter_split(arg, system, name, &expr, &err)) {
		report(arg, 0, &err);
		return -1;
	}
	if (load_fevent(s, system, name, &fe))
		return -1;
	for (i = 0; i < s->n; i++)
		if (s->ev[i].id == fe.id)
			break;
	if (i == TN_F_MAX_EVENTS) {
		free(fe.fields);
		tn_error("more than %d filtered events", TN_F_MAX_EVENTS);
		return -1;
	}
	/* The parse tree points to @fe.fields (on the heap, it stays put). */
	if (tn_filter_parse(&fe, expr, &f, &err)) {
		report(arg, (int)(expr - arg), &err);
		free(fe.fields);
		return -1;
	}
	if (i < s->n) {
		tn_filter_free(&s->f[i]);
		free(s->ev[i].fields);
	}
	s->ev[i] = fe;
	f.ev = &s->ev[i];
	s->f[i] = f;
	if (i == s->n)
		s->n++;
	return 0;
}

static void remove_filter(struct fset *s, unsigned int i)
{
	tn_filter_free(&s->f[i]);
	free(s->ev[i].fields);
	s->n--;
	if (i < s->n) {
		s->ev[i] = s->ev[s->n];
		s->f[i] = s->f[s->n];
		/* Fields are pointed to by the parse tree: re-point. */
		s->f[i].ev = &s->ev[i];
	}
}

/* ---- the program on the device ---------------------------------------- */

struct attached {
	int prog_fd;			/* ours, or -1 */
	uint32_t prog_id;		/* whatever runs in native mode, or 0 */
	char prog_name[BPF_OBJ_NAME_LEN];
	uint8_t *blob;
	size_t blob_len;
	bool has_follow;		/* the program has a follow prologue */
	struct tn_ffollow follow;
	int follow_fd;			/* its map, or -1 */
};

/* The filter program's maps: the blob (an array of one value), and the
 * follow map if the blob records a follow.
 */
static int read_blob(int prog_fd, struct attached *at)
{
	struct bpf_prog_info pi = { 0 };
	uint32_t len = sizeof(pi), map_ids[2] = { 0 }, key = 0, i;
	int ret = -1, f;

	pi.nr_map_ids = 2;
	pi.map_ids = (uint64_t)(unsigned long)map_ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &pi, &len) || !pi.nr_map_ids ||
	    pi.nr_map_ids > 2)
		return -1;
	for (i = 0; i < pi.nr_map_ids; i++) {
		struct bpf_map_info mi = { 0 };
		uint32_t mlen = sizeof(mi);
		int map_fd = bpf_map_get_fd_by_id(map_ids[i]);

		if (map_fd < 0)
			return -1;
		if (bpf_obj_get_info_by_fd(map_fd, &mi, &mlen)) {
			close(map_fd);
			return -1;
		}
		if (!strcmp(mi.name, TN_FOLLOW_MAP_NAME) &&
		    mi.type == BPF_MAP_TYPE_HASH && at->follow_fd < 0) {
			at->follow_fd = map_fd;
			continue;
		}
		if (strcmp(mi.name, PROG_NAME) || mi.max_entries != 1 ||
		    at->blob) {
			close(map_fd);
			return -1;
		}
		at->blob = malloc(mi.value_size);
		if (!at->blob || bpf_map_lookup_elem(map_fd, &key, at->blob)) {
			close(map_fd);
			return -1;
		}
		at->blob_len = mi.value_size;
		close(map_fd);
	}
	if (!at->blob)
		return -1;
	f = tn_fblob_follow(at->blob, at->blob_len, &at->follow);
	if (f < 0 || (f == 1) != (at->follow_fd >= 0))
		return -1;
	at->has_follow = f == 1;
	ret = 0;
	return ret;
}

static int query_attached(const char *dev, unsigned int ifindex,
			  struct attached *at)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info pi = { 0 };
	uint32_t len = sizeof(pi);
	int err;

	memset(at, 0, sizeof(*at));
	at->prog_fd = -1;
	at->follow_fd = -1;
	err = bpf_xdp_query((int)ifindex, XDP_FLAGS_DRV_MODE, &q);
	if (err) {
		tn_error("cannot query the XDP program of %s: %s", dev,
			 strerror(-err));
		return -1;
	}
	at->prog_id = q.drv_prog_id;
	if (!at->prog_id)
		return 0;
	at->prog_fd = bpf_prog_get_fd_by_id(at->prog_id);
	if (at->prog_fd < 0) {
		tn_error("cannot open XDP program %u of %s: %s", at->prog_id,
			 dev, strerror(errno));
		return -1;
	}
	if (!bpf_obj_get_info_by_fd(at->prog_fd, &pi, &len))
		snprintf(at->prog_name, sizeof(at->prog_name), "%s", pi.name);
	if (strcmp(at->prog_name, PROG_NAME) || read_blob(at->prog_fd, at)) {
		tn_error("%s runs XDP program '%s' (id %u), not a tracenet filter: remove it first (ip link set %s xdp off)",
			 dev, at->prog_name, at->prog_id, dev);
		return -1;
	}
	return 0;
}

static void attached_free(struct attached *at)
{
	if (at->prog_fd >= 0)
		close(at->prog_fd);
	if (at->follow_fd >= 0)
		close(at->follow_fd);
	free(at->blob);
	at->blob = NULL;
	at->prog_fd = -1;
	at->follow_fd = -1;
}

/* The filters in force, parsed again against today's formats. */
static int load_current(struct fset *s, const struct attached *at)
{
	unsigned int i, n;
	char **texts;
	int ret = 0;

	if (!at->blob)
		return 0;
	if (tn_fblob_texts(at->blob, at->blob_len, &texts, &n)) {
		tn_error("the filter program's map is not readable");
		return -1;
	}
	for (i = 0; i < n; i++) {
		char system[TRACENET_MAX_NAME], name[TRACENET_MAX_NAME];
		struct tn_ferr err;
		const char *expr;

		/* Detaching an event leaves its filter idle: drop it now. */
		if (!ret && !tn_filter_split(texts[i], system, name, &expr, &err) &&
		    !dev_find(s, system, name)) {
			tn_warn("dropping the filter of %s:%s, no longer attached to %s",
				system, name, s->dev);
		} else if (!ret && add_filter(s, texts[i])) {
			tn_error("cannot rebuild the filter in force '%s' (clear it with --clear)",
				 texts[i]);
			ret = -1;
		}
		free(texts[i]);
	}
	free(texts);
	return ret;
}

static void print_log(const char *log)
{
	const char *p = log + strlen(log);
	int lines = 0;

	while (p > log && lines < 12)
		if (*--p == '\n')
			lines++;
	fprintf(stderr, "%s%s", p == log ? "" : "...", p);
}

/* Map and program for the filters of @s, and the follow prologue if
 * @follow (its map @follow_fd); the program's fd, or -1.
 */
static int load_prog(struct fset *s, const struct tn_ffollow *follow,
		     int follow_fd)
{
	LIBBPF_OPTS(bpf_map_create_opts, mopts, .map_flags = BPF_F_RDONLY_PROG);
	LIBBPF_OPTS(bpf_prog_load_opts, popts);
	struct tn_fprog prog;
	struct tn_ferr err;
	unsigned int i;
	uint32_t key = 0;
	int map_fd, fd = -1;
	char *log = NULL;

	for (i = 0; i < s->n; i++)
		s->fp[i] = &s->f[i];
	if (tn_filter_compile_follow(s->fp, s->n, follow, &prog, &err)) {
		tn_error("cannot compile the filters: %s", err.msg);
		return -1;
	}
	map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, PROG_NAME, 4,
				(uint32_t)prog.blob_len, 1, &mopts);
	if (map_fd < 0) {
		tn_error("cannot create the filter map: %s%s", strerror(errno),
			 errno == EPERM ? " (needs CAP_BPF or root)" : "");
		goto out;
	}
	if (bpf_map_update_elem(map_fd, &key, prog.blob, 0) ||
	    bpf_map_freeze(map_fd)) {
		tn_error("cannot fill the filter map: %s", strerror(errno));
		goto out;
	}
	tn_fprog_set_map(&prog, map_fd);
	tn_fprog_set_follow_map(&prog, follow_fd);
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, PROG_NAME, "GPL", prog.insns,
			   prog.ninsns, &popts);
	if (fd < 0 && errno != EPERM) {
		int e = errno;

		log = calloc(1, 1 << 20);
		popts.log_buf = log;
		popts.log_size = log ? 1 << 20 : 0;
		popts.log_level = 1;
		fd = bpf_prog_load(BPF_PROG_TYPE_XDP, PROG_NAME, "GPL",
				   prog.insns, prog.ninsns, &popts);
		if (fd < 0 && log && strstr(log, "prohibited for !root")) {
			/* Spectre v1 hardening: no variable packet offsets. */
			tn_error("permission denied: the filter program needs CAP_PERFMON too (the verifier allows variable packet offsets only with it)");
		} else if (fd < 0) {
			tn_error("the kernel refused the filter program (%u instructions): %s; its verifier said:",
				 prog.ninsns, strerror(e));
			if (log)
				print_log(log);
		}
	} else if (fd < 0) {
		tn_error("cannot load the filter program: %s (needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN, or root)",
			 strerror(errno));
	}
out:
	free(log);
	if (map_fd >= 0)
		close(map_fd);
	tn_fprog_free(&prog);
	return fd;
}

/* Replace what runs on @dev (at) with the program of @s and @follow; no
 * filter and no follow: no program.
 */
static int install(const char *dev, unsigned int ifindex, struct fset *s,
		   const struct attached *at, const struct tn_ffollow *follow,
		   int follow_fd)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = at->prog_fd);
	uint32_t flags = XDP_FLAGS_DRV_MODE;
	int fd, err;

	if (at->prog_fd >= 0)
		flags |= XDP_FLAGS_REPLACE;
	if (!s->n && !follow) {
		if (at->prog_fd < 0)
			return 0;
		err = bpf_xdp_detach((int)ifindex, flags, &o);
		if (err)
			tn_error("cannot remove the filter program from %s: %s",
				 dev, strerror(-err));
		return err ? -1 : 0;
	}
	fd = load_prog(s, follow, follow_fd);
	if (fd < 0)
		return -1;
	err = bpf_xdp_attach((int)ifindex, fd, flags, &o);
	close(fd);
	if (!err)
		return 0;
	if (err == -EOPNOTSUPP)
		tn_error("%s has no native XDP: is it a tracenet device of a module with XDP support?",
			 dev);
	else if (err == -EEXIST || err == -EBUSY)
		tn_error("the XDP program of %s changed meanwhile: try again", dev);
	else
		tn_error("cannot attach the filter program to %s: %s", dev,
			 strerror(-err));
	return -1;
}

/* ---- the producer's verdicts ------------------------------------------- */

/* 0, -1 (said), or -2 without the privilege (@why). */
static int set_verdict(struct fset *s, uint32_t id, int fd, struct tn_ferr *why)
{
	struct nlmsghdr *nlh = tn_nl_request(&s->nl, TRACENET_CMD_SET_FILTER, 0);
	int err;

	mnl_attr_put_u32(nlh, TRACENET_A_IFINDEX, s->ifindex);
	mnl_attr_put_u32(nlh, TRACENET_A_EVENT_ID, id);
	mnl_attr_put_u32(nlh, TRACENET_A_FILTER_FD, (uint32_t)fd);
	err = tn_nl_talk(&s->nl, nlh, NULL, NULL);
	if (err == -EPERM) {
		snprintf(why->msg, sizeof(why->msg),
			 "setting the producer's verdict needs CAP_PERFMON");
		return -2;
	}
	if (err)
		tn_nl_report(&s->nl, err, s->dev, "setting the producer's verdict");
	return err ? -1 : 0;
}

/* A tracepoint program of filter @f, or -1 (said); -2 if the record
 * cannot say @f or the caller may not load it (@why). The XDP program
 * filters those alone: a verdict saves work, it changes no result.
 */
static int load_verdict(const struct tn_filter *f, struct tn_ferr *why)
{
	LIBBPF_OPTS(bpf_prog_load_opts, popts);
	struct tn_fprog prog;
	int r, fd;

	r = tn_filter_compile_record(f, &prog, why);
	if (r > 0)
		return -2;
	if (r < 0) {
		tn_error("cannot compile %s:%s's filter: %s", f->ev->system,
			 f->ev->name, why->msg);
		return -1;
	}
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "tn_verdict", "GPL",
			   prog.insns, prog.ninsns, &popts);
	if (fd < 0 && (errno == EPERM || errno == EACCES)) {
		snprintf(why->msg, sizeof(why->msg),
			 "loading the producer's verdict needs CAP_BPF and CAP_PERFMON");
		fd = -2;
	} else if (fd < 0) {
		tn_error("the kernel refused the verdict program of %s:%s (%u instructions): %s",
			 f->ev->system, f->ev->name, prog.ninsns, strerror(errno));
	}
	tn_fprog_free(&prog);
	return fd;
}

/* Each event of the device gets the verdict of its filter, or none. */
static int install_verdicts(struct fset *s)
{
	const struct tn_devinfo *di;
	struct tn_ferr why;
	unsigned int i, k;
	int fd, err, ret = 0;

	for (di = s->attached; di; di = di->next)
		for (i = 0; i < di->nevents; i++) {
			const struct tn_attached *ev = &di->events[i];

			for (k = 0; k < s->n && s->ev[k].id != ev->id; k++)
				;
			fd = k < s->n ? load_verdict(&s->f[k], &why) : -2;
			if (fd == -1) {
				ret = -1;
				continue;
			}
			/* A verdict to set, or one in force to remove. */
			err = 0;
			if (fd >= 0 || ev->filter_id)
				err = set_verdict(s, ev->id, fd >= 0 ? fd : -1, &why);
			if (fd >= 0)
				close(fd);
			if (err == -1)
				ret = -1;
			else if ((fd == -2 || err == -2) && k < s->n)
				fprintf(stderr, "%s: %s:%s: filtered after framing only (XDP): %s\n",
					PROG, ev->system, ev->name, why.msg);
		}
	return ret;
}

/* ---- for follow.c ------------------------------------------------------ */

struct tn_fdev {
	const char *dev;
	unsigned int ifindex;
	struct attached at;
	struct fset s;
};

struct tn_fdev *tn_fdev_open(const char *dev, unsigned int ifindex)
{
	struct tn_fdev *d = calloc(1, sizeof(*d));

	if (!d) {
		tn_error("out of memory");
		return NULL;
	}
	d->dev = dev;
	d->ifindex = ifindex;
	if (query_attached(dev, ifindex, &d->at) ||
	    fset_open_dev(&d->s, dev, ifindex) || load_current(&d->s, &d->at)) {
		tn_fdev_close(d);
		return NULL;
	}
	return d;
}

const struct tn_ffollow *tn_fdev_follow(const struct tn_fdev *d, int *map_fd)
{
	if (map_fd)
		*map_fd = d->at.follow_fd;
	return d->at.has_follow ? &d->at.follow : NULL;
}

unsigned int tn_fdev_nfilters(const struct tn_fdev *d)
{
	return d->s.n;
}

int tn_fdev_install(struct tn_fdev *d, const struct tn_ffollow *follow,
		    int map_fd)
{
	return install(d->dev, d->ifindex, &d->s, &d->at, follow, map_fd);
}

void tn_fdev_close(struct tn_fdev *d)
{
	if (!d)
		return;
	attached_free(&d->at);
	fset_free(&d->s);
	free(d);
}

/* ---- the commands ----------------------------------------------------- */

static int do_show(const char *dev, unsigned int ifindex)
{
	struct attached at;
	unsigned int i, n;
	char **texts;

	if (query_attached(dev, ifindex, &at))
		goto fail;
	if (at.has_follow)
		printf("follow --exec %s\n", at.follow.path);
	if (at.blob && tn_fblob_texts(at.blob, at.blob_len, &texts, &n) == 0) {
		for (i = 0; i < n; i++) {
			printf("%s\n", texts[i]);
			free(texts[i]);
		}
		free(texts);
	}
	attached_free(&at);
	return 0;
fail:
	attached_free(&at);
	return 1;
}

static int do_set(const char *dev, unsigned int ifindex, char **args,
		  unsigned int nargs, bool clear)
{
	struct fset *s = calloc(1, sizeof(*s));
	char system[TRACENET_MAX_NAME], name[TRACENET_MAX_NAME];
	struct attached at;
	unsigned int i, k;
	int ret = 1;

	if (!s) {
		tn_error("out of memory");
		return 1;
	}
	/* query_attached() first: it initializes @at. */
	if (query_attached(dev, ifindex, &at) || fset_open_dev(s, dev, ifindex) ||
	    load_current(s, &at))
		goto out;
	for (i = 0; i < nargs; i++) {
		if (!clear) {
			if (add_filter(s, args[i]))
				goto out;
			continue;
		}
		if (tn_event_split(args[i], system, name))
			goto out;
		for (k = 0; k < s->n; k++)
			if (!strcmp(s->ev[k].system, system) &&
			    !strcmp(s->ev[k].name, name))
				break;
		if (k == s->n) {
			tn_error("no filter for '%s:%s' on %s", system, name, dev);
			goto out;
		}
		remove_filter(s, k);
	}
	if (clear && !nargs)
		while (s->n)
			remove_filter(s, s->n - 1);
	if (!install(dev, ifindex, s, &at, at.has_follow ? &at.follow : NULL,
		     at.follow_fd) && !install_verdicts(s))
		ret = 0;
	if (!ret && clear && !nargs && at.has_follow)
		fprintf(stderr, "%s: follow --exec %s stays in force on %s ('%s follow %s --off' ends it)\n",
			PROG, at.follow.path, dev, PROG, dev);
out:
	attached_free(&at);
	fset_free(s);
	free(s);
	return ret;
}

static int do_pcap(char **args, unsigned int nargs)
{
	struct fset *s = calloc(1, sizeof(*s));
	struct tn_ferr err;
	char *out;
	int ret = 1;

	if (!s) {
		tn_error("out of memory");
		return 1;
	}
	if (nargs != 1) {
		free(s);
		return tn_usage_error("filter", "--pcap takes one 'system:event: EXPRESSION'");
	}
	if (add_filter(s, args[0]))
		goto out;
	if (tn_filter_pcap(&s->f[0], &out, &err)) {
		report(args[0], (int)(strchr(strpbrk(args[0], ":/") + 1, ':') +
				      1 - args[0]), &err);
		goto out;
	}
	printf("%s\n", out);
	free(out);
	ret = 0;
out:
	fset_free(s);
	free(s);
	return ret;
}

struct run_ctx {
	int fd;
	unsigned long long pass, drop;
};

static int run_one(const uint8_t *pkt, size_t len, void *data)
{
	static uint8_t buf[65536 + 256];
	struct run_ctx *c = data;
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = pkt,
		    .data_size_in = (uint32_t)len, .data_out = buf,
		    .data_size_out = sizeof(buf), .repeat = 1);

	if (bpf_prog_test_run_opts(c->fd, &t)) {
		tn_error("BPF_PROG_TEST_RUN: %s", strerror(errno));
		return -1;
	}
	if (t.retval == 1) {
		c->drop++;
		return 0;
	}
	c->pass++;
	return 1;
}

/* Every frame of @in through the program (BPF_PROG_TEST_RUN), those it
 * passes to @out.
 */
static int do_run(const char *in, const char *out, char **args,
		  unsigned int nargs)
{
	struct fset *s = calloc(1, sizeof(*s));
	struct run_ctx c = { .fd = -1 };
	unsigned int i;
	int ret = 1;

	if (!s) {
		tn_error("out of memory");
		return 1;
	}
	for (i = 0; i < nargs; i++)
		if (add_filter(s, args[i]))
			goto out;
	c.fd = load_prog(s, NULL, -1);
	if (c.fd < 0 || tn_pcap_each(in, out, run_one, &c))
		goto out;
	fprintf(stderr, "%s: %llu frames passed, %llu dropped\n", in, c.pass,
		c.drop);
	ret = 0;
out:
	if (c.fd >= 0)
		close(c.fd);
	fset_free(s);
	free(s);
	return ret;
}

int cmd_filter(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "show", no_argument, NULL, 's' },
		{ "clear", no_argument, NULL, 'c' },
		{ "pcap", no_argument, NULL, 'p' },
		{ "run", required_argument, NULL, 'r' },
		{ "write", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	bool show = false, clear = false, pcap = false;
	const char *run = NULL, *write = NULL;
	unsigned int ifindex, nargs;
	int c;

	optind = 0;
	opterr = 0;
	/* Options go anywhere: "filter trace0 --show" as "filter --show trace0". */
	while ((c = getopt_long(argc, argv, ":hscpr:w:", opts, NULL)) != -1) {
		switch (c) {
		case 'h': return tn_help("filter");
		case 's': show = true; break;
		case 'c': clear = true; break;
		case 'p': pcap = true; break;
		case 'r': run = optarg; break;
		case 'w': write = optarg; break;
		default: return tn_opt_error("filter", c, argv);
		}
	}
	if (show + clear + pcap + !!run > 1)
		return tn_usage_error("filter", "--show, --clear, --pcap and --run exclude each other");
	if (write && !run)
		return tn_usage_error("filter", "-w goes with --run");
	nargs = (unsigned int)(argc - optind);
	if (pcap)
		return do_pcap(argv + optind, nargs);
	if (run) {
		if (!nargs)
			return tn_usage_error("filter", "no filter given");
		return do_run(run, write, argv + optind, nargs);
	}
	if (!nargs)
		return tn_usage_error("filter", "no device given");
	if (show && nargs > 1)
		return tn_usage_error("filter", "--show takes no filters");
	if (!show && !clear && nargs < 2)
		return tn_usage_error("filter", "no filter given ('system:event: EXPRESSION')");
	if (tn_ifindex(argv[optind], &ifindex))
		return 1;
	if (show)
		return do_show(argv[optind], ifindex);
	return do_set(argv[optind], ifindex, argv + optind + 1, nargs - 1, clear);
}
