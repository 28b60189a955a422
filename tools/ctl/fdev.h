/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The filter program of a device (filter.c), for tracenetctl follow:
 * what runs on the device, its filters and follow, and a rebuild of the
 * program with the same filters and another follow (or none).
 */
#ifndef _TRACENETCTL_FDEV_H
#define _TRACENETCTL_FDEV_H

struct tn_fdev;
struct tn_ffollow;

/* NULL (error printed) if the device runs an XDP program not ours. */
struct tn_fdev *tn_fdev_open(const char *dev, unsigned int ifindex);
/* The follow in force and its map's fd (owned by @d), or NULL. */
const struct tn_ffollow *tn_fdev_follow(const struct tn_fdev *d, int *map_fd);
unsigned int tn_fdev_nfilters(const struct tn_fdev *d);
/* The filters in force with @follow fed by @map_fd, or without one. */
int tn_fdev_install(struct tn_fdev *d, const struct tn_ffollow *follow,
		    int map_fd);
void tn_fdev_close(struct tn_fdev *d);

#endif /* _TRACENETCTL_FDEV_H */
