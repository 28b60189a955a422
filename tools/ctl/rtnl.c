// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink for tracenetctl forward, over libmnl: the VXLAN device of
 * "forward DEV udp", MTUs, and the route to the collector.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include "tracenetctl.h"
#include "rtnl.h"

struct rtnl {
	struct mnl_socket *sock;
	unsigned int portid, seq;
	char buf[8192];
};

static int rtnl_open(struct rtnl *r)
{
	r->sock = mnl_socket_open(NETLINK_ROUTE);
	if (!r->sock || mnl_socket_bind(r->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		tn_error("cannot open an rtnetlink socket: %s", strerror(errno));
		if (r->sock)
			mnl_socket_close(r->sock);
		return -1;
	}
	r->portid = mnl_socket_get_portid(r->sock);
	r->seq = (unsigned int)time(NULL);
	return 0;
}

static struct nlmsghdr *rtnl_link_msg(struct rtnl *r, uint16_t type,
				      uint16_t flags, const char *name)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++r->seq;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

/* Send and wait for the ack: 0 or -errno. */
static int rtnl_talk(struct rtnl *r, struct nlmsghdr *nlh)
{
	int ret;

	if (mnl_socket_sendto(r->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	ret = (int)mnl_socket_recvfrom(r->sock, r->buf, sizeof(r->buf));
	if (ret < 0)
		return -errno;
	ret = mnl_cb_run(r->buf, (size_t)ret, r->seq, r->portid, NULL, NULL);
	return ret < 0 ? -errno : 0;
}

void tn_vxlan_name(const char *dev, char *name)
{
	snprintf(name, IF_NAMESIZE, VXLAN_PREFIX "%s", dev);
}

/* The tunnel's MTU is large: frames fit DEV's MTU, fitted to the path,
 * but for a single event larger than it, which goes whole into VXLAN and
 * out in IP fragments that the collector reassembles (Wireshark, dump).
 */
#define VXLAN_MTU	65000

int tn_vxlan_create(const char *dev, const struct sockaddr_storage *ss,
			uint16_t port, unsigned int vni, unsigned int *ifindex)
{
	struct nlattr *linkinfo, *data;
	char name[IF_NAMESIZE];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct rtnl r;
	int err;

	tn_vxlan_name(dev, name);
	if (strlen(VXLAN_PREFIX) + strlen(dev) >= IF_NAMESIZE) {
		tn_error("'%s' is too long a name for its VXLAN device %s...",
			 dev, name);
		return -1;
	}
	if (rtnl_open(&r))
		return -1;
	nlh = rtnl_link_msg(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, name);
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	mnl_attr_put_u32(nlh, IFLA_MTU, VXLAN_MTU);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vxlan");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, vni);
	if (ss->ss_family == AF_INET)
		mnl_attr_put(nlh, IFLA_VXLAN_GROUP, 4,
			     &((const struct sockaddr_in *)ss)->sin_addr);
	else
		mnl_attr_put(nlh, IFLA_VXLAN_GROUP6, 16,
			     &((const struct sockaddr_in6 *)ss)->sin6_addr);
	mnl_attr_put_u16(nlh, IFLA_VXLAN_PORT, htons(port));
	mnl_attr_put_u8(nlh, IFLA_VXLAN_LEARNING, 0);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	err = rtnl_talk(&r, nlh);
	mnl_socket_close(r.sock);
	if (err) {
		tn_error("cannot create the VXLAN device %s: %s%s", name,
			 strerror(-err), err == -EEXIST ?
			 " (a forward in force? 'forward DEV --off' first)" :
			 err == -EOPNOTSUPP ? " (no vxlan module?)" : "");
		return -1;
	}
	*ifindex = if_nametoindex(name);
	if (!*ifindex) {
		tn_error("the VXLAN device %s vanished", name);
		return -1;
	}
	return 0;
}

unsigned int tn_link_mtu(const char *name)
{
	char path[64];
	unsigned int mtu = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/mtu", name);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%u", &mtu) != 1)
			mtu = 0;
		fclose(f);
	}
	return mtu;
}

int tn_set_mtu(unsigned int ifindex, unsigned int mtu)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct rtnl r;
	int err;

	if (rtnl_open(&r))
		return -EIO;
	nlh = mnl_nlmsg_put_header(r.buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++r.seq;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = (int)ifindex;
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	err = rtnl_talk(&r, nlh);
	mnl_socket_close(r.sock);
	return err;
}

static int route_attr_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == RTA_OIF &&
	    !mnl_attr_validate(attr, MNL_TYPE_U32))
		*(unsigned int *)data = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct rtmsg), route_attr_cb, data);
}

/* The MTU of the device the route to @ss goes out of, 0 if unknown. */
unsigned int tn_path_mtu(const struct sockaddr_storage *ss)
{
	char name[IF_NAMESIZE];
	unsigned int oif = 0;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	struct rtnl r;
	int ret;

	if (rtnl_open(&r))
		return 0;
	nlh = mnl_nlmsg_put_header(r.buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = ++r.seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)ss->ss_family;
	if (ss->ss_family == AF_INET) {
		rtm->rtm_dst_len = 32;
		mnl_attr_put(nlh, RTA_DST, 4, &((const struct sockaddr_in *)ss)->sin_addr);
	} else {
		rtm->rtm_dst_len = 128;
		mnl_attr_put(nlh, RTA_DST, 16, &((const struct sockaddr_in6 *)ss)->sin6_addr);
	}
	if (mnl_socket_sendto(r.sock, nlh, nlh->nlmsg_len) >= 0) {
		ret = (int)mnl_socket_recvfrom(r.sock, r.buf, sizeof(r.buf));
		if (ret > 0)
			mnl_cb_run(r.buf, (size_t)ret, r.seq, r.portid, route_cb, &oif);
	}
	mnl_socket_close(r.sock);
	return oif && if_indextoname(oif, name) ? tn_link_mtu(name) : 0;
}

/* Delete tn-DEV if it is there; quiet if it is not. */
void tn_vxlan_delete(const char *dev)
{
	char name[IF_NAMESIZE];
	struct rtnl r;
	int err;

	tn_vxlan_name(dev, name);
	if (!if_nametoindex(name) || rtnl_open(&r))
		return;
	err = rtnl_talk(&r, rtnl_link_msg(&r, RTM_DELLINK, 0, name));
	mnl_socket_close(r.sock);
	if (err && err != -ENODEV)
		tn_warn("cannot delete %s: %s", name, strerror(-err));
}
