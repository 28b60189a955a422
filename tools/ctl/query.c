// SPDX-License-Identifier: GPL-2.0
/*
 * Read-only requests: which events a device has attached
 * (TRACENET_CMD_GET_EVENTS) and its per-CPU counters
 * (TRACENET_CMD_GET_STATS), parsed into plain structs. Attributes this
 * version does not know are skipped, so a newer kernel still answers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include "tracenetctl.h"
#include "query.h"

static void copy_str(char *dst, size_t size, const struct nlattr *attr)
{
	if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
		snprintf(dst, size, "?");
	else
		snprintf(dst, size, "%s", mnl_attr_get_str(attr));
}

static bool get_u32(const struct nlattr *attr, uint32_t *val)
{
	if (mnl_attr_validate(attr, MNL_TYPE_U32))
		return false;
	*val = mnl_attr_get_u32(attr);
	return true;
}

static bool get_u64(const struct nlattr *attr, uint64_t *val)
{
	if (mnl_attr_validate(attr, MNL_TYPE_U64))
		return false;
	*val = mnl_attr_get_u64(attr);
	return true;
}

static int event_attr_cb(const struct nlattr *attr, void *data)
{
	struct tn_attached *ev = data;

	switch (mnl_attr_get_type(attr)) {
	case TRACENET_A_EVENT_ID:
		get_u32(attr, &ev->id);
		break;
	case TRACENET_A_SYSTEM:
		copy_str(ev->system, sizeof(ev->system), attr);
		break;
	case TRACENET_A_NAME:
		copy_str(ev->name, sizeof(ev->name), attr);
		break;
	case TRACENET_A_EVENT_COUNT:
		get_u64(attr, &ev->count);
		break;
	case TRACENET_A_FILTER_ID:
		get_u32(attr, &ev->filter_id);
		break;
	case TRACENET_A_FORMAT:
		if (!ev->format && !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) &&
		    !(ev->format = strdup(mnl_attr_get_str(attr)))) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		break;
	}
	return MNL_CB_OK;
}

static int add_event(struct tn_devinfo *dev, const struct nlattr *nest)
{
	struct tn_attached *evs, *ev;

	evs = realloc(dev->events, (dev->nevents + 1) * sizeof(*evs));
	if (!evs) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	dev->events = evs;
	ev = &evs[dev->nevents++];
	memset(ev, 0, sizeof(*ev));
	return mnl_attr_parse_nested(nest, event_attr_cb, ev);
}

static int dev_attr_cb(const struct nlattr *attr, void *data)
{
	struct tn_devinfo *dev = data;

	switch (mnl_attr_get_type(attr)) {
	case TRACENET_A_IFINDEX:
		get_u32(attr, &dev->ifindex);
		break;
	case TRACENET_A_IFNAME:
		copy_str(dev->ifname, sizeof(dev->ifname), attr);
		break;
	case TRACENET_A_EVENT:
		return add_event(dev, attr);
	}
	return MNL_CB_OK;
}

/* One or more messages per device (a device with many events spans
 * several), kept in the order the kernel sent them.
 */
static int events_cb(const struct nlmsghdr *nlh, void *data)
{
	struct tn_devinfo **tail = data, *last = NULL, *dev;
	struct tn_attached *evs;
	int ret;

	while (*tail) {
		last = *tail;
		tail = &(*tail)->next;
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	ret = mnl_attr_parse(nlh, sizeof(struct genlmsghdr), dev_attr_cb, dev);
	if (!last || last->ifindex != dev->ifindex || !dev->nevents) {
		*tail = dev;
		return ret;
	}
	evs = realloc(last->events, (last->nevents + dev->nevents) * sizeof(*evs));
	if (!evs) {
		tn_devinfo_free(dev);
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	memcpy(evs + last->nevents, dev->events, dev->nevents * sizeof(*evs));
	last->events = evs;
	last->nevents += dev->nevents;
	dev->nevents = 0;	/* moved, formats included */
	tn_devinfo_free(dev);
	return ret;
}

/* Always a dump; @ifindex 0 asks for every tracenet device. */
int tn_query_events(struct tn_nl *nl, unsigned int ifindex,
		    struct tn_devinfo **list)
{
	struct nlmsghdr *nlh;

	*list = NULL;
	nlh = tn_nl_request(nl, TRACENET_CMD_GET_EVENTS, NLM_F_DUMP);
	if (ifindex)
		mnl_attr_put_u32(nlh, TRACENET_A_IFINDEX, ifindex);
	return tn_nl_talk(nl, nlh, events_cb, list);
}

/* The event @id of device @ifindex, with the format text its frames
 * follow; ENOENT when it is not attached there.
 */
int tn_query_event(struct tn_nl *nl, unsigned int ifindex, uint32_t id,
		   char **format)
{
	struct tn_devinfo *list = NULL;
	struct nlmsghdr *nlh;
	int err;

	*format = NULL;
	nlh = tn_nl_request(nl, TRACENET_CMD_GET_EVENTS, 0);
	mnl_attr_put_u32(nlh, TRACENET_A_IFINDEX, ifindex);
	mnl_attr_put_u32(nlh, TRACENET_A_EVENT_ID, id);
	err = tn_nl_talk(nl, nlh, events_cb, &list);
	if (!err && (!list || list->nevents != 1 || list->events[0].id != id ||
		     !list->events[0].format))
		err = -EPROTO;
	if (!err) {
		*format = list->events[0].format;
		list->events[0].format = NULL;
	}
	tn_devinfo_free(list);
	return err;
}

void tn_devinfo_free(struct tn_devinfo *list)
{
	struct tn_devinfo *next;
	unsigned int i;

	for (; list; list = next) {
		next = list->next;
		for (i = 0; i < list->nevents; i++)
			free(list->events[i].format);
		free(list->events);
		free(list);
	}
}

static int stat_attr_cb(const struct nlattr *attr, void *data)
{
	struct tn_cpustat *cs = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (type == TRACENET_STAT_CPU)
		get_u32(attr, &cs->cpu);
	else if (type > TRACENET_STAT_CPU && type <= TRACENET_STAT_MAX &&
		 type != TRACENET_STAT_PAD)
		cs->valid[type] = get_u64(attr, &cs->v[type]);
	return MNL_CB_OK;
}

static int add_cpu(struct tn_stats_reply *r, const struct nlattr *nest)
{
	struct tn_cpustat *cpus;

	cpus = realloc(r->cpus, (r->ncpus + 1) * sizeof(*cpus));
	if (!cpus) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	r->cpus = cpus;
	memset(&cpus[r->ncpus], 0, sizeof(*cpus));
	mnl_attr_parse_nested(nest, stat_attr_cb, &cpus[r->ncpus]);
	r->ncpus++;
	return MNL_CB_OK;
}

static int stats_attr_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == TRACENET_A_CPU_STATS)
		return add_cpu(data, attr);
	return MNL_CB_OK;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), stats_attr_cb, data);
}

int tn_query_stats(struct tn_nl *nl, unsigned int ifindex,
		   struct tn_stats_reply *r)
{
	struct nlmsghdr *nlh;

	memset(r, 0, sizeof(*r));
	nlh = tn_nl_request(nl, TRACENET_CMD_GET_STATS, NLM_F_DUMP);
	mnl_attr_put_u32(nlh, TRACENET_A_IFINDEX, ifindex);
	return tn_nl_talk(nl, nlh, stats_cb, r);
}
