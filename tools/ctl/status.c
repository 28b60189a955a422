// SPDX-License-Identifier: GPL-2.0
/*
 * tracenetctl status [DEV]: the events attached to each device and its
 * per-CPU counters, named as in 'ethtool -S', with the accounting identity
 * produced == delivered + dropped checked on the totals.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tracenetctl.h"
#include "query.h"

static const char *const stat_names[TRACENET_STAT_PAD] = {
	[TRACENET_STAT_PRODUCED]	= "produced",
	[TRACENET_STAT_DELIVERED]	= "delivered",
	[TRACENET_STAT_DROP_FULL]	= "drop_full",
	[TRACENET_STAT_DROP_TOOBIG]	= "drop_toobig",
	[TRACENET_STAT_DROP_NOMEM]	= "drop_nomem",
	[TRACENET_STAT_DROP_LAYOUT]	= "drop_layout",
	[TRACENET_STAT_DROP_DETACHED]	= "drop_detached",
	[TRACENET_STAT_DROP_DOWN]	= "drop_down",
	[TRACENET_STAT_DROP_XDP_ERROR]	= "drop_xdp_error",
	[TRACENET_STAT_SUPPRESSED]	= "suppressed",
	[TRACENET_STAT_FRAMES]		= "frames",
	[TRACENET_STAT_BYTES]		= "bytes",
	[TRACENET_STAT_META_FRAMES]	= "meta_frames",
	[TRACENET_STAT_XDP_DROP]	= "xdp_drop",
	[TRACENET_STAT_XDP_REDIRECT]	= "xdp_redirect",
};

#define FIRST_STAT	TRACENET_STAT_PRODUCED
#define LAST_STAT	TRACENET_STAT_XDP_REDIRECT

static bool is_drop(unsigned int s)
{
	return s >= TRACENET_STAT_DROP_FULL && s <= TRACENET_STAT_DROP_XDP_ERROR;
}

static void print_events(const struct tn_devinfo *dev)
{
	char full[2 * TRACENET_MAX_NAME + 2];
	unsigned int i;

	printf("%s (ifindex %u): %u event%s attached\n", dev->ifname,
	       dev->ifindex, dev->nevents, dev->nevents == 1 ? "" : "s");
	if (dev->nevents)
		printf("  %6s  %-40s %12s\n", "id", "event", "count");
	for (i = 0; i < dev->nevents; i++) {
		snprintf(full, sizeof(full), "%s:%s", dev->events[i].system,
			 dev->events[i].name);
		printf("  %6" PRIu32 "  %-40s %12" PRIu64 "%s\n",
		       dev->events[i].id, full, dev->events[i].count,
		       dev->events[i].filter_id ? "  filtered in the producer" : "");
	}
}

static int digits(uint64_t v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static void col_widths(const struct tn_stats_reply *r,
		       const struct tn_cpustat *total, int *w)
{
	unsigned int s, i;

	for (s = FIRST_STAT; s <= LAST_STAT; s++) {
		w[s] = (int)strlen(stat_names[s]);
		if (digits(total->v[s]) > w[s])
			w[s] = digits(total->v[s]);
	}
	for (i = 0; i < r->ncpus; i++)
		for (s = FIRST_STAT; s <= LAST_STAT; s++)
			if (digits(r->cpus[i].v[s]) > w[s])
				w[s] = digits(r->cpus[i].v[s]);
}

static void print_row(const char *label, const struct tn_cpustat *cs,
		      const int *w)
{
	unsigned int s;

	printf("  %-5s", label);
	for (s = FIRST_STAT; s <= LAST_STAT; s++)
		printf(" %*" PRIu64, w[s], cs->v[s]);
	putchar('\n');
}

static void print_check(const struct tn_cpustat *t)
{
	uint64_t xdp = t->v[TRACENET_STAT_XDP_DROP] + t->v[TRACENET_STAT_XDP_REDIRECT];
	uint64_t dropped = 0, accounted;
	unsigned int s;

	for (s = FIRST_STAT; s <= LAST_STAT; s++)
		if (is_drop(s))
			dropped += t->v[s];
	accounted = t->v[TRACENET_STAT_DELIVERED] + dropped + xdp +
		    t->v[TRACENET_STAT_FWD_ONLY] + t->v[TRACENET_STAT_FILTERED];
	printf("  produced %" PRIu64 " %s delivered %" PRIu64 " + dropped %" PRIu64,
	       t->v[TRACENET_STAT_PRODUCED],
	       accounted == t->v[TRACENET_STAT_PRODUCED] ? "==" : "!=",
	       t->v[TRACENET_STAT_DELIVERED], dropped);
	if (t->v[TRACENET_STAT_FWD_ONLY])
		printf(" + fwd_only %" PRIu64, t->v[TRACENET_STAT_FWD_ONLY]);
	if (t->v[TRACENET_STAT_FILTERED])
		printf(" + filtered %" PRIu64, t->v[TRACENET_STAT_FILTERED]);
	if (xdp)
		printf(" + xdp_drop %" PRIu64 " + xdp_redirect %" PRIu64,
		       t->v[TRACENET_STAT_XDP_DROP], t->v[TRACENET_STAT_XDP_REDIRECT]);
	if (accounted == t->v[TRACENET_STAT_PRODUCED])
		printf(": ok\n");
	else if (accounted < t->v[TRACENET_STAT_PRODUCED])
		printf(": %" PRIu64 " in flight (exact only at rest)\n",
		       t->v[TRACENET_STAT_PRODUCED] - accounted);
	else
		printf(": %" PRIu64 " more accounted than produced\n",
		       accounted - t->v[TRACENET_STAT_PRODUCED]);
}

static void print_stats(const struct tn_stats_reply *r)
{
	struct tn_cpustat total = { .cpu = 0 };
	int w[TRACENET_STAT_PAD] = { 0 };
	unsigned int i, s;
	char label[16];

	/* Past the table's columns too: the check and the forward line. */
	for (i = 0; i < r->ncpus; i++)
		for (s = FIRST_STAT; s <= TRACENET_STAT_MAX; s++)
			total.v[s] += r->cpus[i].v[s];
	col_widths(r, &total, w);
	printf("  %-5s", "cpu");
	for (s = FIRST_STAT; s <= LAST_STAT; s++)
		printf(" %*s", w[s], stat_names[s]);
	putchar('\n');
	for (i = 0; i < r->ncpus; i++) {
		snprintf(label, sizeof(label), "%" PRIu32, r->cpus[i].cpu);
		print_row(label, &r->cpus[i], w);
	}
	print_row("total", &total, w);
	print_check(&total);
	if (total.v[TRACENET_STAT_FWD_FRAMES] || total.v[TRACENET_STAT_FWD_DROP_FRAMES])
		printf("  forwarded: fwd_frames %" PRIu64 " fwd_events %" PRIu64
		       ", not sent: fwd_drop_frames %" PRIu64 " fwd_drop_events %" PRIu64 "\n",
		       total.v[TRACENET_STAT_FWD_FRAMES], total.v[TRACENET_STAT_FWD_EVENTS],
		       total.v[TRACENET_STAT_FWD_DROP_FRAMES],
		       total.v[TRACENET_STAT_FWD_DROP_EVENTS]);
}

static int show_device(struct tn_nl *nl, const struct tn_devinfo *dev)
{
	struct tn_stats_reply r;
	char what[64];
	int err;

	print_events(dev);
	switch (tn_get_raw_pointers(nl, dev->ifname, dev->ifindex)) {
	case 1:
		printf("  kernel addresses raw\n");
		break;
	case 0:
		printf("  kernel addresses hashed\n");
		break;
	default:
		return -1;
	}
	err = tn_query_stats(nl, dev->ifindex, &r);
	if (err) {
		snprintf(what, sizeof(what), "read the counters of %s", dev->ifname);
		tn_nl_report(nl, err, what, "reading counters");
	} else {
		print_stats(&r);
	}
	free(r.cpus);
	return err ? -1 : 0;
}

static int show(struct tn_nl *nl, const char *devname, unsigned int ifindex)
{
	struct tn_devinfo *list, *dev;
	char what[64];
	int err, ret = 0;

	err = tn_query_events(nl, ifindex, &list);
	if (err) {
		snprintf(what, sizeof(what), "list the events of %s",
			 devname ? devname : "the tracenet devices");
		tn_nl_report(nl, err, what, "listing");
		return 1;
	}
	if (!list)
		printf("no tracenet devices\n");
	for (dev = list; dev; dev = dev->next) {
		if (dev != list)
			putchar('\n');
		if (show_device(nl, dev))
			ret = 1;
	}
	tn_devinfo_free(list);
	return ret;
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int ifindex = 0;
	const char *dev = NULL;
	struct tn_nl nl;
	int c, ret;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h')
			return tn_help("status");
		return tn_opt_error("status", c, argv);
	}
	if (argc - optind > 1)
		return tn_usage_error("status", "too many arguments");
	if (optind < argc) {
		dev = argv[optind];
		if (tn_ifindex(dev, &ifindex))
			return 1;
	}
	if (tn_nl_open(&nl))
		return 1;
	ret = show(&nl, dev, ifindex);
	tn_nl_close(&nl);
	return ret;
}
