// SPDX-License-Identifier: GPL-2.0
/*
 * tracenetctl forward: send a copy of every frame of a tracenet device out
 * of another device, so that a collector needs only a capture tool.
 *
 *   forward DEV dev IFACE [dst MAC]   raw Ethernet frames on a link
 *   forward DEV udp ADDR[:PORT]       across routers, in VXLAN (RFC 7348)
 *   forward DEV --off | DEV
 *
 * The kernel does the sending (TRACENET_CMD_SET_FORWARD); for udp this
 * creates the VXLAN device "tn-DEV" (rtnl.c: remote ADDR, UDP
 * port PORT, default 4789 which Wireshark and tcpdump decode as VXLAN, no
 * learning) and forwards to it; --off deletes it again.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include "tracenetctl.h"
#include "rtnl.h"

#define VXLAN_PORT	4789

struct fwd_opts {
	const char *dev;
	const char *mode;		/* "dev", "udp" or NULL */
	const char *target;
	const char *dst;
	const char *host;
	unsigned int vni;
	uint32_t flags;
	bool off;
};

struct fwd_state {
	uint32_t ifindex, flags;
	char ifname[IF_NAMESIZE];
	char host[66];
	uint8_t dst[6];
	bool on;
};

static int state_cb(const struct nlattr *attr, void *data)
{
	struct fwd_state *st = data;

	switch (mnl_attr_get_type(attr)) {
	case TRACENET_A_FWD_IFINDEX:
		if (!mnl_attr_validate(attr, MNL_TYPE_U32)) {
			st->ifindex = mnl_attr_get_u32(attr);
			st->on = true;
		}
		break;
	case TRACENET_A_FWD_IFNAME:
		if (!mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
			snprintf(st->ifname, sizeof(st->ifname), "%s",
				 mnl_attr_get_str(attr));
		break;
	case TRACENET_A_FWD_DST:
		if (mnl_attr_get_payload_len(attr) == sizeof(st->dst))
			memcpy(st->dst, mnl_attr_get_payload(attr), sizeof(st->dst));
		break;
	case TRACENET_A_HOST_NAME:
		if (!mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
			snprintf(st->host, sizeof(st->host), "%s", mnl_attr_get_str(attr));
		break;
	case TRACENET_A_FWD_FLAGS:
		if (!mnl_attr_validate(attr, MNL_TYPE_U32))
			st->flags = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, GENL_HDRLEN, state_cb, data);
}

static int get_state(struct tn_nl *nl, const char *dev, unsigned int ifindex,
		     struct fwd_state *st)
{
	struct nlmsghdr *nlh = tn_nl_request(nl, TRACENET_CMD_GET_FORWARD, 0);
	char what[64];
	int err;

	memset(st, 0, sizeof(*st));
	mnl_attr_put_u32(nlh, TRACENET_A_IFINDEX, ifindex);
	err = tn_nl_talk(nl, nlh, get_cb, st);
	if (err) {
		snprintf(what, sizeof(what), "read the forwarding of %s", dev);
		tn_nl_report(nl, err, what, "reading");
	}
	return err;
}

static int parse_udp_target(const char *s, struct sockaddr_storage *ss,
			    uint16_t *port)
{
	char host[INET6_ADDRSTRLEN + 2], *colon, *end;
	unsigned long p = VXLAN_PORT;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	if (strlen(s) >= sizeof(host))
		return -1;
	strcpy(host, s);
	/* [v6]:port, v4:port, or a bare address */
	if (host[0] == '[') {
		end = strchr(host, ']');
		if (!end)
			return -1;
		*end = '\0';
		memmove(host, host + 1, strlen(host + 1) + 1);
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] && !colon)
			return -1;
	} else {
		colon = strchr(host, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL;	/* bare IPv6 */
	}
	if (colon) {
		*colon = '\0';
		errno = 0;
		p = strtoul(colon + 1, &end, 10);
		if (errno || *end || !colon[1] || !p || p > 65535)
			return -1;
	}
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1)
		ss->ss_family = AF_INET;
	else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1)
		ss->ss_family = AF_INET6;
	else
		return -1;
	*port = (uint16_t)p;
	return 0;
}

/* Event frames are batched up to DEV's MTU: keep them within @mtu, that
 * of the link or of the path, or they would be dropped or fragmented.
 */
static int fit_mtu(const char *dev, unsigned int ifindex, unsigned int mtu,
		   const char *why)
{
	unsigned int cur = tn_link_mtu(dev);
	int err;

	if (!cur || !mtu || cur <= mtu)
		return 0;
	err = tn_set_mtu(ifindex, mtu);
	if (err == -EPERM) {
		tn_warn("cannot lower the MTU of %s to %u (needs CAP_NET_ADMIN): its frames larger than that are not sent (fwd_drop_frames)",
			dev, mtu);
		return 0;
	}
	if (err) {
		tn_error("cannot lower the MTU of %s to %u: %s", dev, mtu,
			 strerror(-err));
		return -1;
	}
	fprintf(stderr, "tracenetctl: MTU of %s lowered from %u to %u, %s\n",
		dev, cur, mtu, why);
	return 0;
}

/* ---- the command --------------------------------------------------------- */

/* The name and boot id of this host, for the host frames. */
static void put_identity(struct nlmsghdr *nlh, const char *host)
{
	char name[65] = "", text[64];
	uint8_t id[16];
	unsigned int b[16], i;
	FILE *f;

	if (!host && !gethostname(name, sizeof(name) - 1))
		host = name;
	if (host && *host)
		mnl_attr_put_strz(nlh, TRACENET_A_HOST_NAME, host);
	f = fopen("/proc/sys/kernel/random/boot_id", "r");
	if (!f)
		return;
	if (fgets(text, sizeof(text), f) &&
	    sscanf(text, "%2x%2x%2x%2x-%2x%2x-%2x%2x-%2x%2x-%2x%2x%2x%2x%2x%2x",
		   &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &b[6], &b[7], &b[8],
		   &b[9], &b[10], &b[11], &b[12], &b[13], &b[14], &b[15]) == 16) {
		for (i = 0; i < 16; i++)
			id[i] = (uint8_t)b[i];
		mnl_attr_put(nlh, TRACENET_A_BOOT_ID, sizeof(id), id);
	}
	fclose(f);
}

static int set_forward(struct tn_nl *nl, const struct fwd_opts *o,
		       unsigned int ifindex, unsigned int to,
		       const uint8_t *dst)
{
	struct nlmsghdr *nlh = tn_nl_request(nl, TRACENET_CMD_SET_FORWARD, 0);
	char what[64];
	int err;

	mnl_attr_put_u32(nlh, TRACENET_A_IFINDEX, ifindex);
	if (o->off) {
		mnl_attr_put(nlh, TRACENET_A_FWD_OFF, 0, NULL);
	} else {
		mnl_attr_put_u32(nlh, TRACENET_A_FWD_IFINDEX, to);
		if (dst)
			mnl_attr_put(nlh, TRACENET_A_FWD_DST, 6, dst);
		mnl_attr_put_u32(nlh, TRACENET_A_FWD_FLAGS, o->flags);
		put_identity(nlh, o->host);
	}
	err = tn_nl_talk(nl, nlh, NULL, NULL);
	if (err) {
		snprintf(what, sizeof(what), "%s forwarding of %s",
			 o->off ? "stop the" : "set up the", o->dev);
		tn_nl_report(nl, err, what, "forwarding");
	}
	return err;
}

static void show(const char *dev, const struct fwd_state *st)
{
	if (!st->on) {
		printf("%s does not forward\n", dev);
		return;
	}
	printf("%s forwards to %s (ifindex %u), dst %02x:%02x:%02x:%02x:%02x:%02x, "
	       "%s pointers, %s; host %s\n", dev, st->ifname, st->ifindex,
	       st->dst[0], st->dst[1], st->dst[2], st->dst[3], st->dst[4], st->dst[5],
	       st->flags & TRACENET_FWD_RAW_POINTERS ? "raw" : "hashed",
	       st->flags & TRACENET_FWD_NO_LOCAL ? "no local delivery" :
						   "and delivers locally", st->host);
}

static int parse_mac(const char *s, uint8_t *mac)
{
	unsigned int b[6];
	char tail;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static int parse_opts(int argc, char **argv, struct fwd_opts *o)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "off", no_argument, NULL, 'o' },
		{ "raw-pointers", no_argument, NULL, 'R' },
		{ "no-local", no_argument, NULL, 'n' },
		{ "vni", required_argument, NULL, 'v' },
		{ "host", required_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	int c;

	optind = 0;
	opterr = 0;
	o->vni = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			tn_help("forward");
			return -1;
		case 'o':
			o->off = true;
			break;
		case 'R':
			o->flags |= TRACENET_FWD_RAW_POINTERS;
			break;
		case 'n':
			o->flags |= TRACENET_FWD_NO_LOCAL;
			break;
		case 'N':
			if (!*optarg || strlen(optarg) > 64)
				return tn_usage_error("forward", "bad host name '%s' (1 to 64 bytes)", optarg);
			o->host = optarg;
			break;
		case 'v':
			if (!tn_parse_count(optarg, &v) || !v || v > 0xffffff)
				return tn_usage_error("forward", "bad VNI '%s' (1 to 16777215)", optarg);
			o->vni = (unsigned int)v;
			break;
		default:
			return tn_opt_error("forward", c, argv);
		}
	}
	if (optind == argc)
		return tn_usage_error("forward", "no device");
	o->dev = argv[optind++];
	if (optind < argc) {
		o->mode = argv[optind++];
		if (strcmp(o->mode, "dev") && strcmp(o->mode, "udp"))
			return tn_usage_error("forward", "'%s': forward DEV dev IFACE or DEV udp ADDR[:PORT]",
					      o->mode);
		if (optind == argc)
			return tn_usage_error("forward", "'%s' needs a %s", o->mode,
					      strcmp(o->mode, "dev") ? "destination address" : "device");
		o->target = argv[optind++];
	}
	if (optind + 1 < argc && !strcmp(argv[optind], "dst") && o->mode &&
	    !strcmp(o->mode, "dev")) {
		o->dst = argv[optind + 1];
		optind += 2;
	}
	if (optind < argc)
		return tn_usage_error("forward", "unexpected argument '%s'", argv[optind]);
	if (o->off && o->mode)
		return tn_usage_error("forward", "--off takes no target");
	if (!o->off && !o->mode && (o->flags || o->vni != 1 || o->host))
		return tn_usage_error("forward", "options without a target");
	return 0;
}

int cmd_forward(int argc, char **argv)
{
	struct fwd_opts o = { 0 };
	struct sockaddr_storage ss;
	unsigned int ifindex, to = 0;
	char name[IF_NAMESIZE];
	struct fwd_state st;
	unsigned int mtu;
	const char *why;
	uint8_t dst[6];
	uint16_t port;
	struct tn_nl nl;
	int ret = 1;

	if (parse_opts(argc, argv, &o))
		return 2;
	if (o.dst && parse_mac(o.dst, dst))
		return tn_usage_error("forward", "bad MAC address '%s'", o.dst);
	if (o.mode && !strcmp(o.mode, "udp") && parse_udp_target(o.target, &ss, &port))
		return tn_usage_error("forward", "bad address '%s': IPv4 or IPv6, with :PORT or [IPv6]:PORT",
				      o.target);
	if (tn_ifindex(o.dev, &ifindex))
		return 1;
	if (o.mode && !strcmp(o.mode, "dev") && tn_ifindex(o.target, &to))
		return 1;
	if (tn_nl_open(&nl))
		return 1;
	if (get_state(&nl, o.dev, ifindex, &st))
		goto out;
	if (!o.mode && !o.off) {
		show(o.dev, &st);
		ret = 0;
		goto out;
	}
	if (o.off) {
		if (!st.on) {
			tn_error("%s does not forward", o.dev);
			goto out;
		}
		if (set_forward(&nl, &o, ifindex, 0, NULL))
			goto out;
		/* Only the tunnel forward DEV udp made, not a device of that
		 * name forwarded to with dev.
		 */
		tn_vxlan_name(o.dev, name);
		if (!strcmp(st.ifname, name))
			tn_vxlan_delete(o.dev);
		ret = 0;
		goto out;
	}
	if (st.on) {
		tn_error("%s already forwards to %s: 'forward %s --off' first",
			 o.dev, st.ifname, o.dev);
		goto out;
	}
	if (!strcmp(o.mode, "udp")) {
		/* IPv4 or IPv6, UDP, VXLAN and the inner Ethernet header */
		mtu = tn_path_mtu(&ss);
		if (mtu)
			mtu -= (ss.ss_family == AF_INET ? 20 : 40) + 8 + 8 + 14;
		why = "the path's, so that frames are not fragmented";
		if (tn_vxlan_create(o.dev, &ss, port, o.vni, &to))
			goto out;
	} else {
		mtu = tn_link_mtu(o.target);
		why = "the link's";
	}
	/* The MTU last: a forward the kernel refuses changes nothing. */
	if (set_forward(&nl, &o, ifindex, to, o.dst ? dst : NULL) ||
	    fit_mtu(o.dev, ifindex, mtu, why)) {
		o.off = true;
		set_forward(&nl, &o, ifindex, 0, NULL);
		if (!strcmp(o.mode, "udp"))
			tn_vxlan_delete(o.dev);
		goto out;
	}
	ret = 0;
out:
	tn_nl_close(&nl);
	return ret;
}
