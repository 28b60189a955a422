// SPDX-License-Identifier: GPL-2.0
/*
 * tracenetctl attach DEV EVENT... / detach DEV EVENT... | DEV --all
 *
 * Both commands check every argument before they send anything, and attach
 * undoes its own attaches if the kernel refuses one of the events: a bad
 * command line leaves the device as it found it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event-parse.h>
#include <libmnl/libmnl.h>
#include "tracenetctl.h"
#include "query.h"
#include "record.h"

/* sizeof(struct trace_entry): the common fields come before any other. */
#define TN_COMMON_SIZE	8

struct attach_ctx {
	const char *dev;
	unsigned int ifindex;
	unsigned int n;
	struct tn_evdesc *ev;
	struct tep_handle *tep;
};

/* The checks of the kernel's netlink policy, made here so that the kernel
 * never refuses the second event after accepting the first.
 */
static int check_field(const struct tn_evdesc *d, const struct tep_format_field *f)
{
	const char *why = NULL;

	if (strlen(f->name) >= TRACENET_MAX_NAME)
		why = "name too long";
	else if (strlen(f->type) >= TRACENET_MAX_NAME)
		why = "type too long";
	else if (f->offset < TN_COMMON_SIZE || f->size < 1 ||
		 f->offset + f->size > UINT16_MAX)
		why = "offset or size out of range";
	else if ((f->flags & TEP_FIELD_IS_DYNAMIC) && f->size != 4)
		why = "dynamic field not 4 bytes";
	if (!why)
		return 0;
	tn_error("event '%s:%s': field '%s': %s (offset %d size %d)",
		 d->system, d->name, f->name, why, f->offset, f->size);
	return -1;
}

static int check_event(const struct tn_evdesc *d)
{
	unsigned int i;

	if (d->event->id < 1 || d->event->id > UINT16_MAX) {
		tn_error("event '%s:%s': id %d out of range", d->system,
			 d->name, d->event->id);
		return -1;
	}
	if (strlen(d->format) >= TRACENET_MAX_FORMAT) {
		tn_error("event '%s:%s': format longer than %d bytes", d->system,
			 d->name, TRACENET_MAX_FORMAT - 1);
		return -1;
	}
	if (d->nfields > TRACENET_MAX_FIELDS) {
		tn_error("event '%s:%s': %u fields, more than %d", d->system,
			 d->name, d->nfields, TRACENET_MAX_FIELDS);
		return -1;
	}
	for (i = 0; i < d->nfields; i++)
		if (check_field(d, d->fields[i]))
			return -1;
	return 0;
}

static bool seen_before(const struct attach_ctx *ctx, unsigned int n,
			const char *system, const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(ctx->ev[i].system, system) &&
		    !strcmp(ctx->ev[i].name, name))
			return true;
	return false;
}

static int load_events(struct attach_ctx *ctx, char **specs)
{
	char system[TRACENET_MAX_NAME], name[TRACENET_MAX_NAME];

	for (ctx->n = 0; specs[ctx->n]; ctx->n++) {
		if (tn_event_split(specs[ctx->n], system, name))
			return -1;
		if (seen_before(ctx, ctx->n, system, name)) {
			tn_error("event '%s:%s' given twice", system, name);
			return -1;
		}
		if (tn_event_load(ctx->tep, system, name, &ctx->ev[ctx->n]))
			return -1;
		if (check_event(&ctx->ev[ctx->n])) {
			ctx->n++;
			return -1;
		}
	}
	return 0;
}

static void put_field(struct nlmsghdr *nlh, const struct tep_format_field *f)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, TRACENET_A_FIELD);

	mnl_attr_put_strz(nlh, TRACENET_A_FIELD_NAME, f->name);
	mnl_attr_put_strz(nlh, TRACENET_A_FIELD_TYPE, f->type);
	mnl_attr_put_u16(nlh, TRACENET_A_FIELD_OFFSET, (uint16_t)f->offset);
	mnl_attr_put_u16(nlh, TRACENET_A_FIELD_SIZE, (uint16_t)f->size);
	mnl_attr_put_u32(nlh, TRACENET_A_FIELD_FLAGS, tn_field_flags(f->flags));
	mnl_attr_nest_end(nlh, nest);
}

/* Sizes are bounded by check_event(), well within TN_NL_BUFSIZE. */
static struct nlmsghdr *attach_msg(struct tn_nl *nl, unsigned int ifindex,
				   const struct tn_evdesc *d)
{
	struct nlmsghdr *nlh = tn_nl_request(nl, TRACENET_CMD_ATTACH, 0);
	struct nlattr *nest;
	unsigned int i;

	mnl_attr_put_u32(nlh, TRACENET_A_IFINDEX, ifindex);
	mnl_attr_put_u32(nlh, TRACENET_A_EVENT_ID, (uint32_t)d->event->id);
	mnl_attr_put_strz(nlh, TRACENET_A_SYSTEM, d->system);
	mnl_attr_put_strz(nlh, TRACENET_A_NAME, d->name);
	mnl_attr_put_strz(nlh, TRACENET_A_FORMAT, d->format);
	nest = mnl_attr_nest_start(nlh, TRACENET_A_FIELDS);
	for (i = 0; i < d->nfields; i++)
		put_field(nlh, d->fields[i]);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static int detach_id(struct tn_nl *nl, unsigned int ifindex, uint32_t id)
{
	struct nlmsghdr *nlh = tn_nl_request(nl, TRACENET_CMD_DETACH, 0);

	mnl_attr_put_u32(nlh, TRACENET_A_IFINDEX, ifindex);
	mnl_attr_put_u32(nlh, TRACENET_A_EVENT_ID, id);
	return tn_nl_talk(nl, nlh, NULL, NULL);
}

static int attach_all(struct attach_ctx *ctx, struct tn_nl *nl)
{
	char what[256];
	unsigned int i;
	int err;

	for (i = 0; i < ctx->n; i++) {
		err = tn_nl_talk(nl, attach_msg(nl, ctx->ifindex, &ctx->ev[i]),
				 NULL, NULL);
		if (!err)
			continue;
		snprintf(what, sizeof(what), "attach '%s:%s' to %s",
			 ctx->ev[i].system, ctx->ev[i].name, ctx->dev);
		tn_nl_report(nl, err, what, "attaching");
		while (i--)
			detach_id(nl, ctx->ifindex, (uint32_t)ctx->ev[i].event->id);
		return -1;
	}
	return 0;
}

static int do_attach(struct attach_ctx *ctx, char **specs)
{
	struct tn_nl nl;
	int ret = 1;

	ctx->tep = tn_tep_new();
	if (!ctx->tep)
		return 1;
	if (load_events(ctx, specs) || tn_nl_open(&nl))
		goto out;
	if (!attach_all(ctx, &nl))
		ret = 0;
	tn_nl_close(&nl);
out:
	while (ctx->n--)
		tn_event_release(&ctx->ev[ctx->n]);
	tep_free(ctx->tep);
	return ret;
}

/* One event, for follow: as "tracenetctl attach DEV SPEC". */
int tn_attach_event(const char *dev, unsigned int ifindex, const char *spec)
{
	struct tn_evdesc ev;
	struct attach_ctx ctx = { .dev = dev, .ifindex = ifindex, .ev = &ev };
	char *specs[2] = { (char *)spec, NULL };

	return do_attach(&ctx, specs) ? -1 : 0;
}

int tn_detach_event(struct tn_nl *nl, const char *dev, unsigned int ifindex,
		    uint32_t id)
{
	char what[128];
	int err = detach_id(nl, ifindex, id);

	if (!err || err == -ENOENT)
		return 0;
	snprintf(what, sizeof(what), "detach event %u from %s", id, dev);
	tn_nl_report(nl, err, what, "detaching");
	return -1;
}

int cmd_attach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct attach_ctx ctx = { .n = 0 };
	char **specs;
	size_t n;
	int c, ret;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h')
			return tn_help("attach");
		return tn_opt_error("attach", c, argv);
	}
	if (optind >= argc)
		return tn_usage_error("attach", "no device given");
	if (optind + 1 >= argc)
		return tn_usage_error("attach", "no event given");
	ctx.dev = argv[optind];
	if (tn_ifindex(ctx.dev, &ctx.ifindex))
		return 1;
	specs = tn_event_expand(argv + optind + 1, &n);
	if (!specs)
		return 1;
	ctx.ev = calloc(n, sizeof(*ctx.ev));
	if (!ctx.ev) {
		tn_specs_free(specs);
		tn_error("out of memory");
		return 1;
	}
	ret = do_attach(&ctx, specs);
	free(ctx.ev);
	tn_specs_free(specs);
	return ret;
}

/* ---- detach ---------------------------------------------------------- */

static bool parse_id(const char *s, uint32_t *id)
{
	unsigned long long v;

	if (!tn_parse_count(s, &v) || !v || v > UINT16_MAX)
		return false;
	*id = (uint32_t)v;
	return true;
}

static bool same_event(const struct tn_attached *ev, const char *spec)
{
	char system[TRACENET_MAX_NAME], name[TRACENET_MAX_NAME];
	uint32_t id;

	if (parse_id(spec, &id))
		return ev->id == id;
	/* tn_event_split() succeeded on this spec once already. */
	tn_event_split(spec, system, name);
	return !strcmp(ev->system, system) && !strcmp(ev->name, name);
}

static const struct tn_attached *find_attached(const struct tn_devinfo *dev,
					       const char *spec)
{
	char system[TRACENET_MAX_NAME], name[TRACENET_MAX_NAME];
	unsigned int i;
	uint32_t id;

	if (!parse_id(spec, &id) && tn_event_split(spec, system, name))
		return NULL;
	for (i = 0; i < dev->nevents; i++)
		if (same_event(&dev->events[i], spec))
			return &dev->events[i];
	tn_error("event '%s' is not attached to %s", spec, dev->ifname);
	return NULL;
}

/* Names are resolved against what the kernel has attached, not against
 * tracefs: a kprobe event deleted since can still be detached.
 */
static int resolve_ids(struct tn_nl *nl, const char *devname,
		       unsigned int ifindex, char **specs, uint32_t *ids)
{
	const struct tn_attached *ev;
	struct tn_devinfo *dev;
	char what[64];
	int err, i;

	err = tn_query_events(nl, ifindex, &dev);
	if (err || !dev) {
		snprintf(what, sizeof(what), "list the events of %s", devname);
		tn_nl_report(nl, err ? err : -ENODATA, what, "listing");
		tn_devinfo_free(dev);
		return -1;
	}
	snprintf(dev->ifname, sizeof(dev->ifname), "%s", devname);
	for (i = 0; specs[i]; i++) {
		ev = find_attached(dev, specs[i]);
		if (!ev)
			break;
		ids[i] = ev->id;
	}
	tn_devinfo_free(dev);
	return specs[i] ? -1 : 0;
}

static int detach_all(struct tn_nl *nl, const char *devname,
		      unsigned int ifindex)
{
	struct nlmsghdr *nlh = tn_nl_request(nl, TRACENET_CMD_DETACH, 0);
	char what[64];
	int err;

	mnl_attr_put_u32(nlh, TRACENET_A_IFINDEX, ifindex);
	mnl_attr_put(nlh, TRACENET_A_DETACH_ALL, 0, NULL);
	err = tn_nl_talk(nl, nlh, NULL, NULL);
	if (!err)
		return 0;
	snprintf(what, sizeof(what), "detach all events from %s", devname);
	tn_nl_report(nl, err, what, "detaching");
	return -1;
}

static int detach_some(struct tn_nl *nl, const char *devname,
		       unsigned int ifindex, char **specs, unsigned int n)
{
	uint32_t *ids = calloc(n, sizeof(*ids));
	char what[256];
	unsigned int i;
	int err, ret = -1;

	if (!ids || resolve_ids(nl, devname, ifindex, specs, ids))
		goto out;
	for (i = 0; i < n; i++) {
		err = detach_id(nl, ifindex, ids[i]);
		if (err) {
			snprintf(what, sizeof(what), "detach '%s' from %s",
				 specs[i], devname);
			tn_nl_report(nl, err, what, "detaching");
			goto out;
		}
	}
	ret = 0;
out:
	free(ids);
	return ret;
}

int cmd_detach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int ifindex, n;
	bool all = false;
	struct tn_nl nl;
	int c, ret;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ha", opts, NULL)) != -1) {
		if (c == 'h')
			return tn_help("detach");
		if (c != 'a')
			return tn_opt_error("detach", c, argv);
		all = true;
	}
	if (optind >= argc)
		return tn_usage_error("detach", "no device given");
	n = (unsigned int)(argc - optind - 1);
	if (!n && !all)
		return tn_usage_error("detach", "no event given (or --all)");
	if (n && all)
		return tn_usage_error("detach", "events given with --all");
	if (tn_ifindex(argv[optind], &ifindex) || tn_nl_open(&nl))
		return 1;
	if (all)
		ret = detach_all(&nl, argv[optind], ifindex);
	else
		ret = detach_some(&nl, argv[optind], ifindex,
				  argv + optind + 1, n);
	tn_nl_close(&nl);
	return ret ? 1 : 0;
}
