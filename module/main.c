// SPDX-License-Identifier: GPL-2.0
/*
 * tracenet: trace events delivered as network frames on trace%d devices.
 * Loading the module creates trace0 (numdevs of them); more come from
 * "ip link add NAME type tracenet".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>
#include "tracenet.h"

DEFINE_MUTEX(tn_mutex);		/* devices' event sets, tn_devs */
LIST_HEAD(tn_devs);

static unsigned int numdevs = 1;
module_param(numdevs, uint, 0444);
MODULE_PARM_DESC(numdevs, "trace%d devices created at load (default 1, at most 64)");

unsigned int tn_meta_interval = 2;
module_param_named(meta_interval, tn_meta_interval, uint, 0644);
MODULE_PARM_DESC(meta_interval, "seconds between metadata frames, 0: only on attach and up (default 2)");

static int __init tn_create_devs(void)
{
	struct net_device *dev;
	unsigned int i;
	int err = 0;

	rtnl_lock();
	for (i = 0; i < numdevs; i++) {
		dev = tn_dev_create("trace%d");
		if (IS_ERR(dev)) {
			err = PTR_ERR(dev);
			break;
		}
	}
	rtnl_unlock();
	return err;
}

static int __init tn_module_init(void)
{
	int err;

	/* Each device takes a buffer per CPU: a typo must not take the memory. */
	if (numdevs > TN_MAX_NUMDEVS) {
		pr_err("numdevs=%u: at most %u devices at load\n", numdevs,
		       TN_MAX_NUMDEVS);
		return -EINVAL;
	}
	err = tn_delivery_init();
	if (err)
		return err;
	err = tn_hotplug_init();
	if (err)
		return err;
	err = tn_notifier_init();
	if (err)
		goto err_hotplug;
	err = rtnl_link_register(&tn_link_ops);
	if (err)
		goto err_notifier;
	err = tn_create_devs();
	if (err)
		goto err_link;
	/* Last: requests may come in as soon as the family exists. */
	err = tn_netlink_init();
	if (err)
		goto err_link;
	return 0;

err_link:
	rtnl_link_unregister(&tn_link_ops);	/* deletes what was created */
err_notifier:
	tn_notifier_exit();
err_hotplug:
	tn_hotplug_exit();
	return err;
}

static void __exit tn_module_exit(void)
{
	tn_netlink_exit();
	rtnl_link_unregister(&tn_link_ops);
	tn_notifier_exit();
	tn_hotplug_exit();
}

module_init(tn_module_init);
module_exit(tn_module_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Trace events as network frames on trace%d devices");
MODULE_ALIAS_RTNL_LINK(TN_DRV_NAME);
MODULE_ALIAS_GENL_FAMILY(TRACENET_GENL_NAME);
