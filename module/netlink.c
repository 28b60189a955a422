// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "tracenet": attach/detach events, list them, read
 * counters, forward frames to another device. Tracing is machine-wide, so
 * changing what is traced, or where it goes, needs CAP_PERFMON or
 * CAP_SYS_ADMIN in the initial user namespace; a container's CAP_NET_ADMIN
 * is not enough. Reading is open to all, like ethtool -S.
 */
#include <linux/cred.h>
#include <linux/slab.h>
#include <linux/trace_events.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <net/netlink.h>
#include "tracenet.h"

static const struct nla_policy tn_field_policy[TRACENET_A_FIELD_MAX + 1] = {
	[TRACENET_A_FIELD_NAME]	  = { .type = NLA_NUL_STRING, .len = TRACENET_MAX_NAME - 1 },
	[TRACENET_A_FIELD_TYPE]	  = { .type = NLA_NUL_STRING, .len = TRACENET_MAX_NAME - 1 },
	[TRACENET_A_FIELD_OFFSET] = NLA_POLICY_MIN(NLA_U16, sizeof(struct trace_entry)),
	[TRACENET_A_FIELD_SIZE]	  = NLA_POLICY_MIN(NLA_U16, 1),
	[TRACENET_A_FIELD_FLAGS]  = NLA_POLICY_MASK(NLA_U32, TRACENET_FIELD_ALL),
};

static const struct nla_policy tn_fields_policy[TRACENET_A_FIELD + 1] = {
	[TRACENET_A_FIELD] = NLA_POLICY_NESTED(tn_field_policy),
};

/* Event ids are u16 (common_type); nla_policy's own min/max are s16. */
static struct netlink_range_validation tn_event_id_range __ro_after_init = {
	.min = 1,
	.max = U16_MAX,
};

static const struct nla_policy tn_policy[TRACENET_A_MAX + 1] = {
	[TRACENET_A_IFINDEX]	= NLA_POLICY_MIN(NLA_U32, 1),
	[TRACENET_A_EVENT_ID]	= NLA_POLICY_FULL_RANGE(NLA_U32, &tn_event_id_range),
	[TRACENET_A_SYSTEM]	= { .type = NLA_NUL_STRING, .len = TRACENET_MAX_NAME - 1 },
	[TRACENET_A_NAME]	= { .type = NLA_NUL_STRING, .len = TRACENET_MAX_NAME - 1 },
	[TRACENET_A_FORMAT]	= { .type = NLA_NUL_STRING, .len = TRACENET_MAX_FORMAT - 1 },
	[TRACENET_A_FIELDS]	= NLA_POLICY_NESTED(tn_fields_policy),
	[TRACENET_A_DETACH_ALL]	= { .type = NLA_FLAG },
	[TRACENET_A_FWD_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[TRACENET_A_FWD_DST]	= NLA_POLICY_EXACT_LEN(ETH_ALEN),
	[TRACENET_A_FWD_FLAGS]	= NLA_POLICY_MASK(NLA_U32, TRACENET_FWD_ALL),
	[TRACENET_A_FWD_OFF]	= { .type = NLA_FLAG },
	[TRACENET_A_HOST_NAME]	= { .type = NLA_NUL_STRING, .len = __NEW_UTS_LEN },
	[TRACENET_A_BOOT_ID]	= NLA_POLICY_EXACT_LEN(16),
	[TRACENET_A_RAW_POINTERS] = NLA_POLICY_MAX(NLA_U8, 1),
	[TRACENET_A_FILTER_FD]	= NLA_POLICY_MIN(NLA_S32, -1),
};

static struct genl_family tn_genl_family;

static bool tn_may_trace(struct sk_buff *skb, struct netlink_ext_ack *extack)
{
	/* netlink_capable() checks the initial user namespace. */
	if (netlink_capable(skb, CAP_PERFMON) || netlink_capable(skb, CAP_SYS_ADMIN))
		return true;
	NL_SET_ERR_MSG_MOD(extack, "tracing and forwarding need CAP_PERFMON or CAP_SYS_ADMIN");
	return false;
}

/* A reference on the tracenet device @ifattr names in @net, or an error
 * said in @extack.
 */
static struct net_device *tn_dev_by_index(struct net *net,
					  const struct nlattr *ifattr,
					  struct netlink_ext_ack *extack)
{
	struct net_device *dev = dev_get_by_index(net, nla_get_u32(ifattr));

	if (!dev) {
		NL_SET_ERR_MSG_ATTR(extack, ifattr, "no such device");
		return ERR_PTR(-ENODEV);
	}
	if (!tn_is_tracenet(dev)) {
		dev_put(dev);
		NL_SET_ERR_MSG_ATTR(extack, ifattr, "not a tracenet device");
		return ERR_PTR(-EOPNOTSUPP);
	}
	return dev;
}

static struct net_device *tn_get_dev(struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, TRACENET_A_IFINDEX))
		return ERR_PTR(-EINVAL);
	return tn_dev_by_index(genl_info_net(info),
			       info->attrs[TRACENET_A_IFINDEX], info->extack);
}

static int tn_parse_field(struct tn_field *f, const struct nlattr *nla,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TRACENET_A_FIELD_MAX + 1];
	int err;

	err = nla_parse_nested(tb, TRACENET_A_FIELD_MAX, nla, tn_field_policy,
			       extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, nla, tb, TRACENET_A_FIELD_NAME) ||
	    NL_REQ_ATTR_CHECK(extack, nla, tb, TRACENET_A_FIELD_TYPE) ||
	    NL_REQ_ATTR_CHECK(extack, nla, tb, TRACENET_A_FIELD_OFFSET) ||
	    NL_REQ_ATTR_CHECK(extack, nla, tb, TRACENET_A_FIELD_SIZE))
		return -EINVAL;

	f->offset = nla_get_u16(tb[TRACENET_A_FIELD_OFFSET]);
	f->size = nla_get_u16(tb[TRACENET_A_FIELD_SIZE]);
	f->flags = tb[TRACENET_A_FIELD_FLAGS] ?
		   nla_get_u32(tb[TRACENET_A_FIELD_FLAGS]) : 0;

	if ((u32)f->offset + f->size > U16_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "field extends past the largest record");
		return -EINVAL;
	}
	if ((f->flags & TRACENET_FIELD_RELATIVE) &&
	    !(f->flags & TRACENET_FIELD_DYNAMIC)) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "__rel_loc field must also be dynamic");
		return -EINVAL;
	}
	if ((f->flags & TRACENET_FIELD_DYNAMIC) && f->size != sizeof(u32)) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "__data_loc field must be 4 bytes");
		return -EINVAL;
	}

	f->name = nla_strdup(tb[TRACENET_A_FIELD_NAME], GFP_KERNEL);
	f->type = nla_strdup(tb[TRACENET_A_FIELD_TYPE], GFP_KERNEL);
	if (!f->name || !f->type)
		return -ENOMEM;
	f->address = tn_field_is_address(f);
	return 0;
}

static struct tn_event *tn_parse_event(struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **attrs = info->attrs;
	struct tn_event *ev;
	struct nlattr *nla;
	int rem, n = 0, err = -ENOMEM;

	if (GENL_REQ_ATTR_CHECK(info, TRACENET_A_EVENT_ID) ||
	    GENL_REQ_ATTR_CHECK(info, TRACENET_A_SYSTEM) ||
	    GENL_REQ_ATTR_CHECK(info, TRACENET_A_NAME) ||
	    GENL_REQ_ATTR_CHECK(info, TRACENET_A_FORMAT) ||
	    GENL_REQ_ATTR_CHECK(info, TRACENET_A_FIELDS))
		return ERR_PTR(-EINVAL);

	nla_for_each_nested(nla, attrs[TRACENET_A_FIELDS], rem)
		n++;
	if (n > TRACENET_MAX_FIELDS) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[TRACENET_A_FIELDS], "too many fields");
		return ERR_PTR(-E2BIG);
	}

	ev = kzalloc(sizeof(*ev), GFP_KERNEL);
	if (!ev)
		return ERR_PTR(-ENOMEM);
	ev->id = nla_get_u32(attrs[TRACENET_A_EVENT_ID]);
	ev->system = nla_strdup(attrs[TRACENET_A_SYSTEM], GFP_KERNEL);
	ev->name = nla_strdup(attrs[TRACENET_A_NAME], GFP_KERNEL);
	ev->format = nla_strdup(attrs[TRACENET_A_FORMAT], GFP_KERNEL);
	ev->count = alloc_percpu(local64_t);
	ev->cred = get_current_cred();
	ev->perf = kcalloc(nr_cpu_ids, sizeof(*ev->perf), GFP_KERNEL);
	ev->opened = kcalloc(nr_cpu_ids, sizeof(*ev->opened), GFP_KERNEL);
	ev->fields = kcalloc(n, sizeof(*ev->fields), GFP_KERNEL);
	if (!ev->system || !ev->name || !ev->format || !ev->count ||
	    !ev->perf || !ev->opened || (n && !ev->fields))
		goto err;

	nla_for_each_nested(nla, attrs[TRACENET_A_FIELDS], rem) {
		err = tn_parse_field(&ev->fields[ev->nfields++], nla, extack);
		if (err)
			goto err;
	}
	return ev;

err:
	tn_event_free(ev);
	return ERR_PTR(err);
}

static int tn_nl_attach(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev;
	struct tn_event *ev;
	int err;

	if (!tn_may_trace(skb, info->extack))
		return -EPERM;
	dev = tn_get_dev(info);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	ev = tn_parse_event(info);
	if (IS_ERR(ev)) {
		err = PTR_ERR(ev);
		goto out;
	}
	ev->td = tn_priv(dev);

	mutex_lock(&tn_mutex);
	err = tn_event_attach(ev->td, ev, info->extack);
	mutex_unlock(&tn_mutex);
	if (err)
		tn_event_free(ev);
out:
	dev_put(dev);
	return err;
}

static int tn_nl_detach(struct sk_buff *skb, struct genl_info *info)
{
	bool all = nla_get_flag(info->attrs[TRACENET_A_DETACH_ALL]);
	struct nlattr *id = info->attrs[TRACENET_A_EVENT_ID];
	struct net_device *dev;
	struct tn_dev *td;
	int err = 0;

	if (!tn_may_trace(skb, info->extack))
		return -EPERM;
	if (!all == !id) {
		NL_SET_ERR_MSG_MOD(info->extack, "give either an event id or detach-all");
		return -EINVAL;
	}
	dev = tn_get_dev(info);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	td = tn_priv(dev);

	mutex_lock(&tn_mutex);
	if (all) {
		tn_event_detach_all(td);
	} else if (!xa_load(&td->events, nla_get_u32(id))) {
		NL_SET_ERR_MSG_ATTR(info->extack, id, "event is not attached to this device");
		err = -ENOENT;
	} else {
		tn_event_detach(td, nla_get_u32(id));
	}
	mutex_unlock(&tn_mutex);
	dev_put(dev);
	return err;
}

/* The producer's verdict on one event (verdict.c). */
static int tn_nl_set_filter(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *id = info->attrs[TRACENET_A_EVENT_ID];
	struct net_device *dev;
	struct tn_event *ev;
	int err;

	if (!tn_may_trace(skb, info->extack))
		return -EPERM;
	if (GENL_REQ_ATTR_CHECK(info, TRACENET_A_EVENT_ID) ||
	    GENL_REQ_ATTR_CHECK(info, TRACENET_A_FILTER_FD))
		return -EINVAL;
	dev = tn_get_dev(info);
	if (IS_ERR(dev))
		return PTR_ERR(dev);

	mutex_lock(&tn_mutex);
	ev = xa_load(&tn_priv(dev)->events, nla_get_u32(id));
	if (!ev) {
		NL_SET_ERR_MSG_ATTR(info->extack, id, "event is not attached to this device");
		err = -ENOENT;
	} else {
		err = tn_verdict_set(ev, nla_get_s32(info->attrs[TRACENET_A_FILTER_FD]),
				     info->extack);
	}
	mutex_unlock(&tn_mutex);
	dev_put(dev);
	return err;
}

static u64 tn_event_count(const struct tn_event *ev)
{
	unsigned int cpu;
	u64 sum = 0;

	for_each_possible_cpu(cpu)
		sum += local64_read(per_cpu_ptr(ev->count, cpu));
	return sum;
}

/* @format: also the format text the device decodes the event with. */
static int tn_put_event(struct sk_buff *skb, const struct tn_event *ev,
			bool format)
{
	struct nlattr *nest = nla_nest_start(skb, TRACENET_A_EVENT);
	u32 prog = tn_verdict_id(ev);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TRACENET_A_EVENT_ID, ev->id) ||
	    nla_put_string(skb, TRACENET_A_SYSTEM, ev->system) ||
	    nla_put_string(skb, TRACENET_A_NAME, ev->name) ||
	    nla_put_u64_64bit(skb, TRACENET_A_EVENT_COUNT, tn_event_count(ev),
			      TRACENET_A_PAD) ||
	    (prog && nla_put_u32(skb, TRACENET_A_FILTER_ID, prog)) ||
	    (format && nla_put_string(skb, TRACENET_A_FORMAT, ev->format))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* One message for @td with its events from id *@next on: 0 when the device
 * is complete, 1 when the skb filled up first (resume at *@next).
 */
static int tn_fill_events(struct sk_buff *skb, struct tn_dev *td, u32 portid,
			  u32 seq, unsigned long *next)
{
	struct tn_event *ev;
	unsigned long id;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &tn_genl_family, NLM_F_MULTI,
			  TRACENET_CMD_GET_EVENTS);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TRACENET_A_IFINDEX, td->dev->ifindex) ||
	    nla_put_string(skb, TRACENET_A_IFNAME, td->dev->name)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	xa_for_each_start(&td->events, id, ev, *next) {
		if (tn_put_event(skb, ev, false)) {
			*next = id;
			genlmsg_end(skb, hdr);
			return 1;
		}
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* One message of a device's part from *@next on: 1 when more is left
 * (*@next says where), 0 when done, -EMSGSIZE when nothing fit.
 */
typedef int (*tn_fill_fn)(struct sk_buff *skb, struct tn_dev *td, u32 portid,
			  u32 seq, unsigned long *next);

/* A dump of every tracenet device of the requester's netns, or of the one
 * IFINDEX names, each in as many messages as @fill needs. cb->args[0]
 * counts devices done, cb->args[1] is @fill's place in the current one.
 */
static int tn_dump_devs(struct sk_buff *skb, struct netlink_callback *cb,
			tn_fill_fn fill)
{
	struct nlattr *ifattr = tn_dumpit_attrs(cb)[TRACENET_A_IFINDEX];
	struct net *net = sock_net(skb->sk);
	struct tn_dev *td;
	long i = 0;
	int err = 0;

	if (ifattr && !cb->args[0] && !cb->args[1]) {
		struct net_device *dev = tn_dev_by_index(net, ifattr, cb->extack);

		if (IS_ERR(dev))
			return PTR_ERR(dev);
		dev_put(dev);
	}
	mutex_lock(&tn_mutex);
	list_for_each_entry(td, &tn_devs, node) {
		if (!net_eq(dev_net(td->dev), net) ||
		    (ifattr && td->dev->ifindex != nla_get_u32(ifattr)))
			continue;
		if (i++ < cb->args[0])
			continue;
		err = fill(skb, td, NETLINK_CB(cb->skb).portid,
			   cb->nlh->nlmsg_seq, (unsigned long *)&cb->args[1]);
		if (err) {
			i--;
			break;
		}
		cb->args[1] = 0;
	}
	mutex_unlock(&tn_mutex);
	cb->args[0] = i;
	return err < 0 && !skb->len ? err : skb->len;
}

/* A device with many events spans several messages. */
static int tn_nl_dump_events(struct sk_buff *skb, struct netlink_callback *cb)
{
	return tn_dump_devs(skb, cb, tn_fill_events);
}

/* IFINDEX and EVENT_ID: that one event, with the format text its frames
 * follow (a filter compiles against it, not against today's tracefs).
 */
static int tn_nl_get_event(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev;
	struct tn_event *ev;
	struct sk_buff *msg;
	void *hdr;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, TRACENET_A_EVENT_ID))
		return -EINVAL;
	dev = tn_get_dev(info);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	mutex_lock(&tn_mutex);
	ev = xa_load(&tn_priv(dev)->events,
		     nla_get_u32(info->attrs[TRACENET_A_EVENT_ID]));
	if (!ev) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[TRACENET_A_EVENT_ID],
				    "event not attached to this device");
		err = -ENOENT;
		goto out;
	}
	err = -ENOMEM;
	msg = genlmsg_new(NLMSG_GOODSIZE + nla_total_size(strlen(ev->format) + 1),
			  GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &tn_genl_family, 0,
				TRACENET_CMD_GET_EVENTS);
	if (!hdr || nla_put_u32(msg, TRACENET_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(msg, TRACENET_A_IFNAME, dev->name) ||
	    tn_put_event(msg, ev, true)) {
		nlmsg_free(msg);
		err = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(msg, hdr);
	mutex_unlock(&tn_mutex);
	err = genlmsg_reply(msg, info);
	dev_put(dev);
	return err;
out:
	mutex_unlock(&tn_mutex);
	dev_put(dev);
	return err;
}

/* struct tn_stats order to attribute: the forwarding counters came
 * after TRACENET_STAT_PAD.
 */
static int tn_stat_attr(unsigned int i)
{
	unsigned int before_pad = TRACENET_STAT_PAD - TRACENET_STAT_PRODUCED;

	BUILD_BUG_ON(TRACENET_STAT_MAX - 2 != TN_NSTATS);
	return i < before_pad ? TRACENET_STAT_PRODUCED + i :
				TRACENET_STAT_PAD + 1 + i - before_pad;
}

static int tn_put_cpu_stats(struct sk_buff *skb, struct tn_dev *td,
			    unsigned int cpu)
{
	struct nlattr *nest;
	struct tn_stats s;
	unsigned int i;

	tn_read_stats(td, cpu, &s);
	nest = nla_nest_start(skb, TRACENET_A_CPU_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TRACENET_STAT_CPU, cpu))
		goto err_cancel;
	for (i = 0; i < TN_NSTATS; i++)
		if (nla_put_u64_64bit(skb, tn_stat_attr(i), ((u64 *)&s)[i],
				      TRACENET_STAT_PAD))
			goto err_cancel;
	nla_nest_end(skb, nest);
	return 0;

err_cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* One message of @td's CPUs from *@next on, as many as fit: 1 when more
 * are left (*@next is the first), 0 when done, -EMSGSIZE when none fit.
 */
static int tn_fill_stats(struct sk_buff *skb, struct tn_dev *td, u32 portid,
			 u32 seq, unsigned long *next)
{
	unsigned int cpu;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &tn_genl_family, NLM_F_MULTI,
			  TRACENET_CMD_GET_STATS);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TRACENET_A_IFINDEX, td->dev->ifindex) ||
	    nla_put_string(skb, TRACENET_A_IFNAME, td->dev->name)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	for_each_possible_cpu(cpu) {
		if (cpu < *next)
			continue;
		if (tn_put_cpu_stats(skb, td, cpu)) {
			if (cpu == *next) {
				genlmsg_cancel(skb, hdr);
				return -EMSGSIZE;
			}
			*next = cpu;
			genlmsg_end(skb, hdr);
			return 1;
		}
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* A dump, not one reply: ~240 bytes per possible CPU would be a megabyte
 * at 4096 CPUs.
 */
static int tn_nl_dump_stats(struct sk_buff *skb, struct netlink_callback *cb)
{
	return tn_dump_devs(skb, cb, tn_fill_stats);
}

/* The host frames' name and boot id, then those frames and the metadata
 * at once: the collector learns whose frames these are.
 */
static void tn_set_identity(struct tn_dev *td, struct nlattr **attrs)
{
	mutex_lock(&tn_mutex);
	if (attrs[TRACENET_A_HOST_NAME])
		nla_strscpy(td->host, attrs[TRACENET_A_HOST_NAME], sizeof(td->host));
	if (attrs[TRACENET_A_BOOT_ID]) {
		nla_memcpy(td->boot_id, attrs[TRACENET_A_BOOT_ID], sizeof(td->boot_id));
		td->has_boot_id = true;
	}
	mutex_unlock(&tn_mutex);
	mod_delayed_work(system_percpu_wq, &td->meta_work, 0);
}

/* Sending trace data off the host is tracing, and transmitting on a device
 * of the netns is network administration: both privileges.
 */
static int tn_nl_set_forward(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct net_device *dev, *to;
	const u8 *dst = NULL;
	u32 flags = 0;
	int err;

	if (!tn_may_trace(skb, info->extack))
		return -EPERM;
	if (!netlink_ns_capable(skb, genl_info_net(info)->user_ns, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "forwarding transmits: it needs CAP_NET_ADMIN too");
		return -EPERM;
	}
	if (!attrs[TRACENET_A_FWD_OFF] == !attrs[TRACENET_A_FWD_IFINDEX]) {
		NL_SET_ERR_MSG_MOD(info->extack, "give either a forward device or FWD_OFF");
		return -EINVAL;
	}
	if (attrs[TRACENET_A_FWD_OFF] &&
	    (attrs[TRACENET_A_FWD_DST] || attrs[TRACENET_A_FWD_FLAGS] ||
	     attrs[TRACENET_A_HOST_NAME] || attrs[TRACENET_A_BOOT_ID])) {
		NL_SET_ERR_MSG_MOD(info->extack, "FWD_OFF takes no destination, flags or identity");
		return -EINVAL;
	}
	dev = tn_get_dev(info);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	rtnl_lock();
	/* Unregistered since the lookup: its uninit has ended forwarding
	 * and its work for good.
	 */
	if (dev->reg_state != NETREG_REGISTERED) {
		NL_SET_ERR_MSG_MOD(info->extack, "device is going away");
		err = -ENODEV;
		goto out;
	}
	if (attrs[TRACENET_A_FWD_OFF]) {
		tn_fwd_clear(tn_priv(dev));
		err = 0;
		goto out;
	}
	to = __dev_get_by_index(genl_info_net(info),
				nla_get_u32(attrs[TRACENET_A_FWD_IFINDEX]));
	if (!to) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[TRACENET_A_FWD_IFINDEX],
				    "no such forward device");
		err = -ENODEV;
		goto out;
	}
	if (attrs[TRACENET_A_FWD_DST])
		dst = nla_data(attrs[TRACENET_A_FWD_DST]);
	if (attrs[TRACENET_A_FWD_FLAGS])
		flags = nla_get_u32(attrs[TRACENET_A_FWD_FLAGS]);
	err = tn_fwd_set(tn_priv(dev), to, dst, flags, info->extack);
	if (!err)
		tn_set_identity(tn_priv(dev), attrs);
out:
	rtnl_unlock();
	dev_put(dev);
	return err;
}

static int tn_nl_get_forward(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev, *to;
	struct sk_buff *msg;
	u8 dst[ETH_ALEN];
	u32 flags;
	void *hdr;
	int err = -ENOMEM;

	dev = tn_get_dev(info);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &tn_genl_family, 0,
				TRACENET_CMD_GET_FORWARD);
	err = -EMSGSIZE;
	if (!hdr || nla_put_u32(msg, TRACENET_A_IFINDEX, dev->ifindex))
		goto err_free;
	mutex_lock(&tn_mutex);
	err = nla_put_string(msg, TRACENET_A_HOST_NAME, tn_priv(dev)->host) ||
	      (tn_priv(dev)->has_boot_id &&
	       nla_put(msg, TRACENET_A_BOOT_ID, 16, tn_priv(dev)->boot_id));
	mutex_unlock(&tn_mutex);
	if (err) {
		err = -EMSGSIZE;
		goto err_free;
	}
	err = -EMSGSIZE;
	rtnl_lock();
	to = tn_fwd_get(tn_priv(dev), dst, &flags);
	if (to && (nla_put_u32(msg, TRACENET_A_FWD_IFINDEX, to->ifindex) ||
		   nla_put_string(msg, TRACENET_A_FWD_IFNAME, to->name) ||
		   nla_put(msg, TRACENET_A_FWD_DST, ETH_ALEN, dst) ||
		   nla_put_u32(msg, TRACENET_A_FWD_FLAGS, flags))) {
		rtnl_unlock();
		goto err_free;
	}
	rtnl_unlock();
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
	goto out;

err_free:
	nlmsg_free(msg);
out:
	dev_put(dev);
	return err;
}

/* Raw kernel addresses on the device's frames, or hashed (pointers.c):
 * perf's privilege, as attaching.
 */
static int tn_nl_set_device(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev;

	if (!tn_may_trace(skb, info->extack))
		return -EPERM;
	if (GENL_REQ_ATTR_CHECK(info, TRACENET_A_RAW_POINTERS))
		return -EINVAL;
	dev = tn_get_dev(info);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	/* Under RTNL, as tn_fwd_set() reads it. */
	rtnl_lock();
	WRITE_ONCE(tn_priv(dev)->raw_pointers,
		   nla_get_u8(info->attrs[TRACENET_A_RAW_POINTERS]));
	rtnl_unlock();
	dev_put(dev);
	return 0;
}

static int tn_nl_get_device(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev;
	struct sk_buff *msg;
	void *hdr;
	int err;

	dev = tn_get_dev(info);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	err = -ENOMEM;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &tn_genl_family, 0,
				TRACENET_CMD_GET_DEVICE);
	if (!hdr || nla_put_u32(msg, TRACENET_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(msg, TRACENET_A_IFNAME, dev->name) ||
	    nla_put_u8(msg, TRACENET_A_RAW_POINTERS,
		       READ_ONCE(tn_priv(dev)->raw_pointers))) {
		nlmsg_free(msg);
		err = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
out:
	dev_put(dev);
	return err;
}

static const struct genl_ops tn_genl_ops[] = {
	{
		.cmd	= TRACENET_CMD_ATTACH,
		.doit	= tn_nl_attach,
	},
	{
		.cmd	= TRACENET_CMD_DETACH,
		.doit	= tn_nl_detach,
	},
	{
		.cmd	= TRACENET_CMD_GET_EVENTS,
		.doit	= tn_nl_get_event,
		.dumpit	= tn_nl_dump_events,
	},
	{
		.cmd	= TRACENET_CMD_GET_STATS,
		.dumpit	= tn_nl_dump_stats,
	},
	{
		.cmd	= TRACENET_CMD_SET_FORWARD,
		.doit	= tn_nl_set_forward,
	},
	{
		.cmd	= TRACENET_CMD_GET_FORWARD,
		.doit	= tn_nl_get_forward,
	},
	{
		.cmd	= TRACENET_CMD_SET_DEVICE,
		.doit	= tn_nl_set_device,
	},
	{
		.cmd	= TRACENET_CMD_GET_DEVICE,
		.doit	= tn_nl_get_device,
	},
	{
		.cmd	= TRACENET_CMD_SET_FILTER,
		.doit	= tn_nl_set_filter,
	},
};

static struct genl_family tn_genl_family __ro_after_init = {
	.name		= TRACENET_GENL_NAME,
	.version	= TRACENET_GENL_VERSION,
	.maxattr	= TRACENET_A_MAX,
	.policy		= tn_policy,
	.netnsok	= true,
	/* tn_mutex serialises what needs it; a slow attach does not hold
	 * every other family's commands.
	 */
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= tn_genl_ops,
	.n_ops		= ARRAY_SIZE(tn_genl_ops),
};

int tn_netlink_init(void)
{
	return genl_register_family(&tn_genl_family);
}

void tn_netlink_exit(void)
{
	genl_unregister_family(&tn_genl_family);
}
