/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtnetlink for tracenetctl forward (rtnl.c).
 */
#ifndef _TRACENETCTL_RTNL_H
#define _TRACENETCTL_RTNL_H

#include <stdint.h>
#include <sys/socket.h>

#define VXLAN_PREFIX	"tn-"	/* forward DEV udp creates tn-DEV */

void tn_vxlan_name(const char *dev, char *name);
/* tn-DEV to the address in @ss, UDP port @port, VNI @vni, up; says why not. */
int tn_vxlan_create(const char *dev, const struct sockaddr_storage *ss,
		    uint16_t port, unsigned int vni, unsigned int *ifindex);
/* Delete tn-DEV if it is there; quiet if it is not. */
void tn_vxlan_delete(const char *dev);
/* The MTU of the device @name, 0 if unknown. */
unsigned int tn_link_mtu(const char *name);
/* 0 or -errno. */
int tn_set_mtu(unsigned int ifindex, unsigned int mtu);
/* The MTU of the device the route to @ss goes out of, 0 if unknown. */
unsigned int tn_path_mtu(const struct sockaddr_storage *ss);

#endif /* _TRACENETCTL_RTNL_H */
