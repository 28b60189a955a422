// SPDX-License-Identifier: GPL-2.0
/* Probe, see compat.h: the IFF_NO_ADDRCONF private flag. */
#include <linux/netdevice.h>

static __maybe_unused void tn_probe(struct net_device *dev)
{
	dev->priv_flags |= IFF_NO_ADDRCONF;
}
