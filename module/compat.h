/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels tracenet builds for (6.1 to 7.3), in one
 * place: the .c files have one code path. Each entry rests on a compile
 * probe, compat/NAME.c, that builds only on kernels with the feature;
 * module/Kbuild runs them and writes .compat-probes.h, TN_HAVE_NAME for
 * each that built. No LINUX_VERSION_CODE: stable and distribution kernels
 * backport these changes (Debian's 6.12.118 has 6.17's system_percpu_wq).
 */
#ifndef _TRACENET_COMPAT_H
#define _TRACENET_COMPAT_H

#include <linux/netdevice.h>
#include <linux/ring_buffer.h>
#include <linux/workqueue.h>
#include <net/addrconf.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>
#include ".compat-probes.h"

/* 6.12: <asm/unaligned.h> moved to <linux/unaligned.h>, no asm/ copy left. */
#ifdef TN_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* 6.2: ring_buffer_unlock_commit() lost its event argument. */
static inline int tn_ring_buffer_unlock_commit(struct trace_buffer *rb,
					       struct ring_buffer_event *rbe)
{
#ifdef TN_HAVE_RB_UNLOCK_COMMIT_1ARG
	return ring_buffer_unlock_commit(rb);
#else
	return ring_buffer_unlock_commit(rb, rbe);
#endif
}

/* Read pages (ring_buffer_read_page()): 6.8 wrapped the page in a struct
 * buffer_data_read_page, its data behind ring_buffer_read_page_data();
 * some later kernels (Debian's 6.12.118, 7.3) allocate it through an
 * argument. tracenet holds either as a void *; ring_buffer_read_page()
 * swaps what is behind it.
 */
static inline int tn_rb_alloc_read_page(struct trace_buffer *rb, int cpu,
					void **page)
{
#ifdef TN_HAVE_RB_ALLOC_READ_PAGE_ARG
	struct buffer_data_read_page *p;
	int err = ring_buffer_alloc_read_page(rb, cpu, &p);
#else
	void *p = ring_buffer_alloc_read_page(rb, cpu);
	int err = PTR_ERR_OR_ZERO(p);
#endif

	if (!err)
		*page = p;
	return err;
}

static inline int tn_rb_read_page(struct trace_buffer *rb, void **page,
				  int cpu)
{
#ifdef TN_HAVE_RB_READ_PAGE_DATA
	return ring_buffer_read_page(rb, *page, PAGE_SIZE, cpu, 0);
#else
	return ring_buffer_read_page(rb, page, PAGE_SIZE, cpu, 0);
#endif
}

/* The page as trace_pipe_raw has it (events/header_page). */
static inline void *tn_rb_page_data(void *page)
{
#ifdef TN_HAVE_RB_READ_PAGE_DATA
	return ring_buffer_read_page_data(page);
#else
	return page;
#endif
}

/* 6.2: a dump's parsed attributes moved from genl_dumpit_info(cb)->attrs
 * to the struct genl_info it now holds, ->info.attrs.
 */
static inline struct nlattr **tn_dumpit_attrs(struct netlink_callback *cb)
{
#ifdef TN_HAVE_GENL_DUMPIT_INFO_INFO
	return genl_dumpit_info(cb)->info.attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/* 6.15: rtnl_link_ops.newlink takes (dev, struct rtnl_newlink_params *,
 * extack) instead of (src_net, dev, tb, data, extack). tracenet uses only
 * the device and extack: tn_rtnl_newlink() is the op for either, around
 * device.c's tn_newlink().
 */
int tn_newlink(struct net_device *dev, struct netlink_ext_ack *extack);

#ifdef TN_HAVE_RTNL_NEWLINK_PARAMS
static inline int tn_rtnl_newlink(struct net_device *dev,
				  struct rtnl_newlink_params *params,
				  struct netlink_ext_ack *extack)
{
	return tn_newlink(dev, extack);
}
#else
static inline int tn_rtnl_newlink(struct net *src_net, struct net_device *dev,
				  struct nlattr *tb[], struct nlattr *data[],
				  struct netlink_ext_ack *extack)
{
	return tn_newlink(dev, extack);
}
#endif

/* 6.17: system_wq and system_unbound_wq got the names system_percpu_wq and
 * system_dfl_wq (Debian's 6.12.118 has them too); from 7.2 work queued on
 * the old ones warns ("workqueue: Add warnings and fallback if
 * system_{unbound}_wq is used"). The new names, for kernels without them.
 */
#ifndef TN_HAVE_SYSTEM_PERCPU_WQ
#define system_percpu_wq	system_wq
#endif
#ifndef TN_HAVE_SYSTEM_DFL_WQ
#define system_dfl_wq		system_unbound_wq
#endif

/* A device that cannot change network namespace: NETIF_F_NETNS_LOCAL, which
 * 6.12 made the bit dev->netns_local and 6.13 renamed dev->netns_immutable
 * (Debian's 6.12.118 has the new name).
 */
static inline void tn_set_netns_immutable(struct net_device *dev)
{
#if defined(TN_HAVE_NETNS_IMMUTABLE)
	dev->netns_immutable = true;
#elif defined(TN_HAVE_NETNS_LOCAL)
	dev->netns_local = true;
#else
	dev->features |= NETIF_F_NETNS_LOCAL;
#endif
}

/* trace%d carries trace frames, not IP: without this, IPv6 autoconf sends
 * router solicitations that show up among the frames of every capture.
 * 6.3 has IFF_NO_ADDRCONF for it, set at setup. Before, the device turns
 * IPv6 off in its inet6_dev as it comes up, before the NETDEV_UP notifier,
 * which then skips it.
 */
static inline void tn_setup_no_addrconf(struct net_device *dev)
{
#ifdef TN_HAVE_IFF_NO_ADDRCONF
	dev->priv_flags |= IFF_NO_ADDRCONF;
#endif
}

static inline void tn_open_no_addrconf(struct net_device *dev)
{
#if !defined(TN_HAVE_IFF_NO_ADDRCONF) && IS_ENABLED(CONFIG_IPV6)
	struct inet6_dev *idev = __in6_dev_get(dev);

	if (idev)
		WRITE_ONCE(idev->cnf.disable_ipv6, 1);
#endif
}

#endif /* _TRACENET_COMPAT_H */
