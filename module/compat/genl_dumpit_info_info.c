// SPDX-License-Identifier: GPL-2.0
/* Probe, see compat.h: 6.2's struct genl_dumpit_info holds a genl_info. */
#include <net/genetlink.h>

static __maybe_unused struct nlattr **tn_probe(struct netlink_callback *cb)
{
	return genl_dumpit_info(cb)->info.attrs;
}
