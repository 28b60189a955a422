// SPDX-License-Identifier: GPL-2.0
/*
 * The "tracenet" generic netlink family, over libmnl. Every request asks
 * for an ack and extended acks, so that a failure comes back with the
 * kernel's own words for it (NLMSGERR_ATTR_MSG).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include "tracenetctl.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK		11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK		10
#endif

/* What every callback of one exchange gets as its data. */
struct cb_wrap {
	struct tn_nl *nl;
	tn_nl_cb cb;
	void *data;
};

/* The kernel's message (NLMSGERR_ATTR_MSG) among the TLVs at @off, into nl. */
static void save_extack(struct tn_nl *nl, const struct nlmsghdr *nlh, size_t off)
{
	const struct nlattr *attr;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	mnl_attr_for_each(attr, nlh, off) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
			snprintf(nl->extack, sizeof(nl->extack), "%s",
				 mnl_attr_get_str(attr));
	}
}

/* The error of an NLMSG_ERROR, with its extack message saved in nl. */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += mnl_nlmsg_get_payload_len(&e->msg);
	save_extack(((struct cb_wrap *)data)->nl, nlh, off);
	if (!e->error)
		return MNL_CB_STOP;
	errno = -e->error;
	return MNL_CB_ERROR;
}

static int noop_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

/* A dump ends with NLMSG_DONE, which carries the dump's error if any, and
 * then the extack TLVs as an NLMSG_ERROR does.
 */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(err))
		return MNL_CB_STOP;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (!err)
		return MNL_CB_STOP;
	save_extack(((struct cb_wrap *)data)->nl, nlh, sizeof(err));
	errno = err < 0 ? -err : err;
	return MNL_CB_ERROR;
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct cb_wrap *w = data;

	return w->cb ? w->cb(nlh, w->data) : MNL_CB_OK;
}

/* Send @nlh and run the replies through @cb until the ack or NLMSG_DONE.
 * Returns 0 or a negative errno; nl->extack holds the kernel's message.
 */
int tn_nl_talk(struct tn_nl *nl, struct nlmsghdr *nlh, tn_nl_cb cb, void *data)
{
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_NOOP] = noop_cb,
		[NLMSG_ERROR] = error_cb,
		[NLMSG_DONE] = done_cb,
	};
	struct cb_wrap w = { .nl = nl, .cb = cb, .data = data };
	unsigned int seq = nlh->nlmsg_seq;
	ssize_t len;
	int ret;

	nl->extack[0] = '\0';
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		len = mnl_socket_recvfrom(nl->sock, nl->buf, TN_NL_BUFSIZE);
		if (len < 0)
			return -errno;
		ret = mnl_cb_run2(nl->buf, (size_t)len, seq, nl->portid,
				  data_cb, &w, ctl, NLMSG_MIN_TYPE);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

struct nlmsghdr *tn_nl_request(struct tn_nl *nl, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = nl->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = TRACENET_GENL_VERSION;
	return nlh;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	uint16_t *family = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    !mnl_attr_validate(attr, MNL_TYPE_U16))
		*family = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, data);
	return MNL_CB_OK;
}

static int resolve_family(struct tn_nl *nl)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	int err;

	nlh = mnl_nlmsg_put_header(nl->buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TRACENET_GENL_NAME);
	nl->family = 0;
	err = tn_nl_talk(nl, nlh, family_cb, &nl->family);
	if (err == -ENOENT || (!err && !nl->family)) {
		tn_error("tracenet module not loaded (no generic netlink family '%s')",
			 TRACENET_GENL_NAME);
		return -1;
	}
	if (err) {
		tn_error("cannot resolve generic netlink family '%s': %s",
			 TRACENET_GENL_NAME, strerror(-err));
		return -1;
	}
	return 0;
}

static void set_opt(struct tn_nl *nl, int opt)
{
	int one = 1;

	/* Old kernels lack them; errors then just come without a message. */
	mnl_socket_setsockopt(nl->sock, opt, &one, sizeof(one));
}

int tn_nl_open(struct tn_nl *nl)
{
	memset(nl, 0, sizeof(*nl));
	nl->buf = malloc(TN_NL_BUFSIZE);
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->buf || !nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID)) {
		tn_error("cannot open a generic netlink socket: %s", strerror(errno));
		tn_nl_close(nl);
		return -1;
	}
	set_opt(nl, NETLINK_EXT_ACK);
	set_opt(nl, NETLINK_CAP_ACK);
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned int)time(NULL);
	if (resolve_family(nl)) {
		tn_nl_close(nl);
		return -1;
	}
	return 0;
}

void tn_nl_close(struct tn_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->buf);
	nl->sock = NULL;
	nl->buf = NULL;
}

/* "tracenetctl: VERB WHAT: strerror: extack" — or the EPERM sentence that
 * says which capability is missing.
 */
void tn_nl_report(struct tn_nl *nl, int err, const char *what, const char *verb)
{
	if (err == -EPERM) {
		if (nl->extack[0])
			tn_error("permission denied: %s: %s", what, nl->extack);
		else
			tn_error("permission denied: %s needs CAP_PERFMON or CAP_SYS_ADMIN",
				 verb);
		return;
	}
	if (nl->extack[0])
		tn_error("%s: %s: %s", what, strerror(-err), nl->extack);
	else
		tn_error("%s: %s", what, strerror(-err));
}
