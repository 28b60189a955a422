// SPDX-License-Identifier: GPL-2.0
/*
 * tracenetctl pointers: whether a device's frames carry the kernel's
 * addresses or keyed hashes of them (TRACENET_CMD_SET_DEVICE/GET_DEVICE).
 *
 *   pointers DEV [raw | hashed]
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include "tracenetctl.h"

static int raw_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == TRACENET_A_RAW_POINTERS &&
	    !mnl_attr_validate(attr, MNL_TYPE_U8))
		*(int *)data = mnl_attr_get_u8(attr);
	return MNL_CB_OK;
}

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, GENL_HDRLEN, raw_cb, data);
}

/* 1 raw, 0 hashed, or -1 (reported). */
int tn_get_raw_pointers(struct tn_nl *nl, const char *dev, unsigned int ifindex)
{
	struct nlmsghdr *nlh = tn_nl_request(nl, TRACENET_CMD_GET_DEVICE, 0);
	char what[64];
	int raw = -1, err;

	mnl_attr_put_u32(nlh, TRACENET_A_IFINDEX, ifindex);
	err = tn_nl_talk(nl, nlh, get_cb, &raw);
	if (err || raw < 0) {
		snprintf(what, sizeof(what), "read the settings of %s", dev);
		tn_nl_report(nl, err ? err : -EPROTO, what, "reading");
		return -1;
	}
	return raw;
}

int cmd_pointers(int argc, char **argv)
{
	unsigned int ifindex;
	struct tn_nl nl;
	char what[64];
	int raw = -1, err;

	if (argc > 1 && tn_is_help(argv[1]))
		return tn_help("pointers");
	if (argc < 2 || argc > 3)
		return tn_usage_error("pointers", "expected DEV [raw | hashed]");
	if (argc == 3) {
		if (!strcmp(argv[2], "raw"))
			raw = 1;
		else if (!strcmp(argv[2], "hashed"))
			raw = 0;
		else
			return tn_usage_error("pointers", "'%s': expected raw or hashed",
					      argv[2]);
	}
	if (tn_ifindex(argv[1], &ifindex) || tn_nl_open(&nl))
		return 1;
	if (raw >= 0) {
		struct nlmsghdr *nlh = tn_nl_request(&nl, TRACENET_CMD_SET_DEVICE, 0);

		mnl_attr_put_u32(nlh, TRACENET_A_IFINDEX, ifindex);
		mnl_attr_put_u8(nlh, TRACENET_A_RAW_POINTERS, raw);
		err = tn_nl_talk(&nl, nlh, NULL, NULL);
		if (err) {
			snprintf(what, sizeof(what), "set the addresses of %s", argv[1]);
			tn_nl_report(&nl, err, what, "raw kernel addresses");
			tn_nl_close(&nl);
			return 1;
		}
	}
	raw = tn_get_raw_pointers(&nl, argv[1], ifindex);
	tn_nl_close(&nl);
	if (raw < 0)
		return 1;
	printf("%s: kernel addresses %s\n", argv[1], raw ? "raw" : "hashed");
	return 0;
}
