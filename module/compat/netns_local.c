// SPDX-License-Identifier: GPL-2.0
/* Probe, see compat.h: struct net_device's netns_local bit. */
#include <linux/netdevice.h>

static __maybe_unused void tn_probe(struct net_device *dev)
{
	dev->netns_local = true;
}
