// SPDX-License-Identifier: GPL-2.0
/*
 * ethtool: -S per-CPU counters, -G per-CPU buffer size (in pages),
 * -C rx-frames (most events per frame), adaptive-rx (one per frame until
 * a backlog builds) and rx-usecs (0: kick delivery at every event; else
 * at the next tick or when 64 events wait), -i, -T.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include "tracenet.h"

/* In struct tn_stats order. */
static const char tn_stat_names[][ETH_GSTRING_LEN] = {
	"produced", "delivered",
	"drop_full", "drop_toobig", "drop_nomem", "drop_layout",
	"drop_detached", "drop_down", "drop_xdp_error",
	"suppressed", "frames", "bytes", "meta_frames",
	"xdp_drop", "xdp_redirect",
	"fwd_frames", "fwd_events", "fwd_drop_frames", "fwd_drop_events",
	"fwd_only", "filtered",
};

static_assert(ARRAY_SIZE(tn_stat_names) == TN_NSTATS);

static void tn_get_drvinfo(struct net_device *dev,
			   struct ethtool_drvinfo *info)
{
	strscpy(info->driver, TN_DRV_NAME, sizeof(info->driver));
	snprintf(info->fw_version, sizeof(info->fw_version), "wire v%u",
		 TRACENET_WIRE_VERSION);
}

static int tn_get_sset_count(struct net_device *dev, int sset)
{
	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return TN_NSTATS * (1 + num_possible_cpus());
}

static void tn_get_strings(struct net_device *dev, u32 sset, u8 *buf)
{
	unsigned int cpu, i;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < TN_NSTATS; i++)
		ethtool_sprintf(&buf, "%s", tn_stat_names[i]);
	for_each_possible_cpu(cpu)
		for (i = 0; i < TN_NSTATS; i++)
			/* Queue i is CPU i's; named as veth names its queues. */
			ethtool_sprintf(&buf, "rx_queue_%u_%s", cpu,
					tn_stat_names[i]);
}

static void tn_get_ethtool_stats(struct net_device *dev,
				 struct ethtool_stats *stats, u64 *data)
{
	struct tn_dev *td = tn_priv(dev);
	struct tn_stats s;
	unsigned int cpu;

	tn_sum_stats(td, &s);
	memcpy(data, &s, sizeof(s));
	data += TN_NSTATS;
	for_each_possible_cpu(cpu) {
		tn_read_stats(td, cpu, &s);
		memcpy(data, &s, sizeof(s));
		data += TN_NSTATS;
	}
}

static void tn_get_ringparam(struct net_device *dev,
			     struct ethtool_ringparam *ring,
			     struct kernel_ethtool_ringparam *kring,
			     struct netlink_ext_ack *extack)
{
	ring->rx_max_pending = TN_MAX_RING_PAGES;
	ring->rx_pending = tn_priv(dev)->ring_pages;
}

static int tn_set_ringparam(struct net_device *dev,
			    struct ethtool_ringparam *ring,
			    struct kernel_ethtool_ringparam *kring,
			    struct netlink_ext_ack *extack)
{
	if (ring->rx_pending < TN_MIN_RING_PAGES) {
		NL_SET_ERR_MSG_MOD(extack, "rx ring is at least 2 pages per CPU");
		return -EINVAL;
	}
	if (netif_running(dev)) {
		NL_SET_ERR_MSG_MOD(extack, "set the device down to resize its buffer");
		return -EBUSY;
	}
	return tn_buffer_resize(tn_priv(dev), ring->rx_pending);
}

static int tn_get_coalesce(struct net_device *dev, struct ethtool_coalesce *ec,
			   struct kernel_ethtool_coalesce *kec,
			   struct netlink_ext_ack *extack)
{
	struct tn_dev *td = tn_priv(dev);

	ec->rx_max_coalesced_frames = READ_ONCE(td->batch);
	ec->use_adaptive_rx_coalesce = READ_ONCE(td->adaptive);
	ec->rx_coalesce_usecs = READ_ONCE(td->coalesce) ? jiffies_to_usecs(1) : 0;
	return 0;
}

static int tn_set_coalesce(struct net_device *dev, struct ethtool_coalesce *ec,
			   struct kernel_ethtool_coalesce *kec,
			   struct netlink_ext_ack *extack)
{
	u32 n = ec->rx_max_coalesced_frames;

	if (n < 1 || n > TN_MAX_BATCH) {
		NL_SET_ERR_MSG_MOD(extack, "rx-frames (events per frame) is 1 to 64");
		return -EINVAL;
	}
	WRITE_ONCE(tn_priv(dev)->batch, n);
	WRITE_ONCE(tn_priv(dev)->adaptive, !!ec->use_adaptive_rx_coalesce);
	/* Any delay means "the next tick": the kick comes from NMI too, where
	 * no timer can be armed.
	 */
	WRITE_ONCE(tn_priv(dev)->coalesce, ec->rx_coalesce_usecs != 0);
	return 0;
}

const struct ethtool_ops tn_ethtool_ops = {
	.supported_coalesce_params = ETHTOOL_COALESCE_RX_MAX_FRAMES |
				     ETHTOOL_COALESCE_RX_USECS |
				     ETHTOOL_COALESCE_USE_ADAPTIVE_RX,
	.get_drvinfo		= tn_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_sset_count		= tn_get_sset_count,
	.get_strings		= tn_get_strings,
	.get_ethtool_stats	= tn_get_ethtool_stats,
	.get_ringparam		= tn_get_ringparam,
	.set_ringparam		= tn_set_ringparam,
	.get_coalesce		= tn_get_coalesce,
	.set_coalesce		= tn_set_coalesce,
	.get_ts_info		= ethtool_op_get_ts_info,
};
