/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replies of TRACENET_CMD_GET_EVENTS and TRACENET_CMD_GET_STATS.
 */
#ifndef _TRACENETCTL_QUERY_H
#define _TRACENETCTL_QUERY_H

#include <net/if.h>
#include "tracenetctl.h"

struct tn_attached {
	uint32_t id;
	char system[TRACENET_MAX_NAME];
	char name[TRACENET_MAX_NAME];
	uint64_t count;
	uint32_t filter_id;	/* the producer's verdict: its program, or 0 */
	char *format;		/* tn_query_event() only */
};

struct tn_devinfo {
	struct tn_devinfo *next;
	uint32_t ifindex;
	char ifname[IF_NAMESIZE];
	unsigned int nevents;
	struct tn_attached *events;
};

struct tn_cpustat {
	uint32_t cpu;
	uint64_t v[TRACENET_STAT_MAX + 1];	/* by enum tracenet_stat */
	bool valid[TRACENET_STAT_MAX + 1];
};

struct tn_stats_reply {
	unsigned int ncpus;
	struct tn_cpustat *cpus;
};

int tn_query_events(struct tn_nl *nl, unsigned int ifindex,
		    struct tn_devinfo **list);
int tn_query_event(struct tn_nl *nl, unsigned int ifindex, uint32_t id,
		   char **format);
void tn_devinfo_free(struct tn_devinfo *list);
int tn_query_stats(struct tn_nl *nl, unsigned int ifindex,
		   struct tn_stats_reply *r);

#endif /* _TRACENETCTL_QUERY_H */
