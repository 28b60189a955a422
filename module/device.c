// SPDX-License-Identifier: GPL-2.0
/*
 * The trace%d net_device and the "tracenet" rtnl link kind.
 *
 * Lifetime: ndo_init allocates the buffer and the per-CPU queues,
 * ndo_uninit detaches every event (no producer may outlive it), and the
 * priv destructor frees what ndo_init allocated, after the core has
 * stopped every user of the device.
 */
#include <linux/etherdevice.h>
#include <linux/slab.h>
#include <net/rtnetlink.h>
#include "tracenet.h"

static int tn_ptype_rcv(struct sk_buff *skb, struct net_device *dev,
			struct packet_type *pt, struct net_device *orig_dev)
{
	/* Taps (tcpdump, AF_PACKET) have their copy; consuming here keeps
	 * every frame from being counted as an rx drop for lack of a handler.
	 */
	consume_skb(skb);
	return NET_RX_SUCCESS;
}

static int tn_init(struct net_device *dev)
{
	struct tn_dev *td = tn_priv(dev);
	int err;

	td->dev = dev;
	/* The creator's: ip link add in a container names the container. */
	strscpy(td->host, utsname()->nodename, sizeof(td->host));
	td->ring_pages = TN_DEFAULT_RING_PAGES;
	td->batch = TN_MAX_BATCH;
	td->adaptive = true;
	td->coalesce = true;
	get_random_bytes(&td->ptr_key, sizeof(td->ptr_key));
	xa_init(&td->events);
	INIT_DELAYED_WORK(&td->meta_work, tn_meta_work);

	td->pcpu = alloc_percpu(struct tn_pcpu);
	if (!td->pcpu)
		return -ENOMEM;
	err = tn_buffer_alloc(td);
	if (err)
		goto err_pcpu;
	err = tn_queues_init(td);
	if (err)
		goto err_buffer;

	td->ptype.type = htons(TRACENET_ETH_P);
	td->ptype.dev = dev;
	td->ptype.func = tn_ptype_rcv;
	dev_add_pack(&td->ptype);

	mutex_lock(&tn_mutex);
	list_add_tail(&td->node, &tn_devs);
	mutex_unlock(&tn_mutex);
	return 0;

err_buffer:
	tn_buffer_free(td);
err_pcpu:
	free_percpu(td->pcpu);
	td->pcpu = NULL;
	return err;
}

static void tn_uninit(struct net_device *dev)
{
	struct tn_dev *td = tn_priv(dev);

	tn_fwd_clear(td);
	mutex_lock(&tn_mutex);
	td->dead = true;
	list_del(&td->node);
	tn_event_detach_all(td);
	mutex_unlock(&tn_mutex);

	cancel_delayed_work_sync(&td->meta_work);
	dev_remove_pack(&td->ptype);
}

static void tn_destructor(struct net_device *dev)
{
	struct tn_dev *td = tn_priv(dev);

	tn_queues_free(td);
	tn_buffer_free(td);
	free_percpu(td->pcpu);
	xa_destroy(&td->events);
}

static int tn_open(struct net_device *dev)
{
	struct tn_dev *td = tn_priv(dev);

	tn_open_no_addrconf(dev);
	tn_queues_start(td);
	/* Metadata first, so a capture started before "up" decodes. */
	mod_delayed_work(system_percpu_wq, &td->meta_work, 0);
	return 0;
}

static int tn_stop(struct net_device *dev)
{
	struct tn_dev *td = tn_priv(dev);

	tn_queues_stop(td);
	cancel_delayed_work_sync(&td->meta_work);
	return 0;
}

/* A capture starting (tcpdump turns promiscuous mode on) wants metadata
 * now rather than at the next meta_interval.
 */
static void tn_change_rx_flags(struct net_device *dev, int change)
{
	struct tn_dev *td = tn_priv(dev);

	if ((change & IFF_PROMISC) && (dev->flags & IFF_PROMISC) &&
	    READ_ONCE(td->running))
		mod_delayed_work(system_percpu_wq, &td->meta_work, 0);
}

/* trace%d has nowhere to send: what is transmitted on it is dropped. */
static netdev_tx_t tn_xmit(struct sk_buff *skb, struct net_device *dev)
{
	dev_core_stats_tx_dropped_inc(dev);
	dev_kfree_skb(skb);
	return NETDEV_TX_OK;
}

void tn_read_stats(struct tn_dev *td, unsigned int cpu, struct tn_stats *s)
{
	struct tn_pcpu *pc = per_cpu_ptr(td->pcpu, cpu);
	struct tn_queue *q = &td->queues[cpu];
	unsigned int start;

	s->produced = local64_read(&pc->produced);
	s->drop_full = local64_read(&pc->drop_full);
	s->drop_toobig = local64_read(&pc->drop_toobig);
	s->suppressed = local64_read(&pc->suppressed);
	s->filtered = local64_read(&pc->filtered);
	s->meta_frames = local64_read(&pc->meta_frames);
	do {
		start = u64_stats_fetch_begin(&q->syncp);
		s->delivered = u64_stats_read(&q->delivered);
		s->frames = u64_stats_read(&q->frames);
		s->bytes = u64_stats_read(&q->bytes) +
			   local64_read(&pc->meta_bytes);
		s->drop_nomem = u64_stats_read(&q->drop_nomem);
		s->drop_layout = u64_stats_read(&q->drop_layout);
		s->drop_detached = u64_stats_read(&q->drop_detached);
		s->drop_down = u64_stats_read(&q->drop_down);
		s->drop_xdp_error = u64_stats_read(&q->drop_xdp_error);
		s->xdp_drop = u64_stats_read(&q->xdp_drop);
		s->xdp_redirect = u64_stats_read(&q->xdp_redirect);
		s->fwd_frames = u64_stats_read(&q->fwd_frames) +
				local64_read(&pc->fwd_meta_frames);
		s->fwd_events = u64_stats_read(&q->fwd_events);
		s->fwd_drop_frames = u64_stats_read(&q->fwd_drop_frames) +
				     local64_read(&pc->fwd_meta_drops);
		s->fwd_drop_events = u64_stats_read(&q->fwd_drop_events);
		s->fwd_only = u64_stats_read(&q->fwd_only);
	} while (u64_stats_fetch_retry(&q->syncp, start));
}

void tn_sum_stats(struct tn_dev *td, struct tn_stats *sum)
{
	struct tn_stats s;
	unsigned int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		tn_read_stats(td, cpu, &s);
		for (i = 0; i < TN_NSTATS; i++)
			((u64 *)sum)[i] += ((u64 *)&s)[i];
	}
}

static u64 tn_dropped(const struct tn_stats *s)
{
	return s->drop_full + s->drop_toobig + s->drop_nomem + s->drop_layout +
	       s->drop_detached + s->drop_down + s->drop_xdp_error;
}

static void tn_get_stats64(struct net_device *dev,
			   struct rtnl_link_stats64 *stats)
{
	struct tn_stats s;

	tn_sum_stats(tn_priv(dev), &s);
	stats->rx_packets = s.frames + s.meta_frames;
	stats->rx_bytes = s.bytes;
	/* Events, not frames: one frame carries one or more events. What an
	 * XDP program dropped was filtered, not lost (ethtool -S xdp_drop).
	 */
	stats->rx_dropped = tn_dropped(&s);
	stats->rx_missed_errors = s.drop_full;
}

static const struct net_device_ops tn_netdev_ops = {
	.ndo_init		= tn_init,
	.ndo_uninit		= tn_uninit,
	.ndo_open		= tn_open,
	.ndo_stop		= tn_stop,
	.ndo_start_xmit		= tn_xmit,
	.ndo_get_stats64	= tn_get_stats64,
	.ndo_change_rx_flags	= tn_change_rx_flags,
	.ndo_bpf		= tn_xdp_setup,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

bool tn_is_tracenet(const struct net_device *dev)
{
	return dev->netdev_ops == &tn_netdev_ops;
}

static void tn_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &tn_netdev_ops;
	dev->ethtool_ops = &tn_ethtool_ops;
	dev->needs_free_netdev = true;
	dev->priv_destructor = tn_destructor;
	dev->flags |= IFF_NOARP;
	dev->flags &= ~IFF_MULTICAST;
	dev->priv_flags |= IFF_NO_QUEUE;
	tn_setup_no_addrconf(dev);
	/* Frames carry whole trace records; batches fill up to the MTU. */
	dev->mtu = ETH_MAX_MTU;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_MAX_MTU;
	eth_hw_addr_random(dev);
	/* Trace data is the machine's: it stays where CAP_NET_RAW and
	 * CAP_NET_ADMIN mean the initial user namespace's.
	 */
	tn_set_netns_immutable(dev);
}

/* One RX queue per CPU: the queue index of a frame is the event's CPU. */
static unsigned int tn_num_rx_queues(void)
{
	return nr_cpu_ids;
}

static int tn_validate(struct nlattr *tb[], struct nlattr *data[],
		       struct netlink_ext_ack *extack)
{
	/* Queue i is CPU i's: the generic XDP and RPS paths warn on frames
	 * of a queue the device does not have.
	 */
	if (tb[IFLA_NUM_RX_QUEUES] &&
	    nla_get_u32(tb[IFLA_NUM_RX_QUEUES]) != tn_num_rx_queues()) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_NUM_RX_QUEUES],
				    "a tracenet device has one RX queue per possible CPU");
		return -EINVAL;
	}
	if (tb[IFLA_ADDRESS]) {
		if (nla_len(tb[IFLA_ADDRESS]) != ETH_ALEN) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS], "invalid MAC address length");
			return -EINVAL;
		}
		if (!is_valid_ether_addr(nla_data(tb[IFLA_ADDRESS]))) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS], "invalid MAC address");
			return -EADDRNOTAVAIL;
		}
	}
	return 0;
}

/* "ip link add ... type tracenet". Only in the initial network namespace
 * (trace devices never leave it, tn_setup()), where rtnetlink has checked
 * CAP_NET_ADMIN in the initial user namespace: a device pins a ring buffer
 * per CPU that no memory cgroup is charged for (ethtool -G grows it to
 * 64 MiB per CPU), and its frames are the machine's trace data.
 * The op is compat.h's tn_rtnl_newlink(), whose arguments vary by kernel.
 */
int tn_newlink(struct net_device *dev, struct netlink_ext_ack *extack)
{
	if (!net_eq(dev_net(dev), &init_net)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "tracenet devices live in the initial network namespace");
		return -EOPNOTSUPP;
	}
	return register_netdevice(dev);
}

struct rtnl_link_ops tn_link_ops __read_mostly = {
	.kind			= TN_DRV_NAME,
	.priv_size		= sizeof(struct tn_dev),
	.setup			= tn_setup,
	.validate		= tn_validate,
	.newlink		= tn_rtnl_newlink,
	.get_num_rx_queues	= tn_num_rx_queues,
};

struct net_device *tn_dev_create(const char *name)
{
	struct net_device *dev;
	int err;

	dev = alloc_netdev_mqs(sizeof(struct tn_dev), name, NET_NAME_ENUM,
			       tn_setup, 1, tn_num_rx_queues());
	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev->rtnl_link_ops = &tn_link_ops;
	err = register_netdevice(dev);
	if (err) {
		free_netdev(dev);
		return ERR_PTR(err);
	}
	return dev;
}

/* No device goes on top of a trace device: a bridge, bond, macvlan or VLAN
 * would take its frames somewhere else, a macvlan even into another
 * network namespace. Forwarding (forward.c) is the way out, with its
 * privilege. And a forward target going away ends that forwarding.
 */
static int tn_netdev_event(struct notifier_block *nb, unsigned long event,
			   void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct netdev_notifier_changeupper_info *info = ptr;

	switch (event) {
	case NETDEV_PRECHANGEUPPER:
		if (!tn_is_tracenet(dev) || !info->linking)
			break;
		NL_SET_ERR_MSG_MOD(netdev_notifier_info_to_extack(ptr),
				   "a tracenet device cannot have an upper device");
		return notifier_from_errno(-EOPNOTSUPP);
	case NETDEV_UNREGISTER:
		tn_fwd_target_gone(dev);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block tn_notifier = {
	.notifier_call = tn_netdev_event,
};

int tn_notifier_init(void)
{
	return register_netdevice_notifier(&tn_notifier);
}

void tn_notifier_exit(void)
{
	unregister_netdevice_notifier(&tn_notifier);
}
