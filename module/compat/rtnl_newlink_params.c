// SPDX-License-Identifier: GPL-2.0
/* Probe, see compat.h: 6.15's rtnl_link_ops.newlink takes its netlink
 * arguments in a struct rtnl_newlink_params.
 */
#include <net/rtnetlink.h>

static int tn_probe_newlink(struct net_device *dev,
			    struct rtnl_newlink_params *params,
			    struct netlink_ext_ack *extack)
{
	return params->tb ? 0 : -EINVAL;
}

static const struct rtnl_link_ops tn_probe_ops __maybe_unused = {
	.newlink = tn_probe_newlink,
};
