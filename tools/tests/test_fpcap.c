// SPDX-License-Identifier: GPL-2.0
/*
 * libpcap's verdict on a frame for a pcap-filter expression, for
 * test_filter.c (whose linux/bpf.h cannot meet pcap/bpf.h).
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int fpcap_match(const char *expr, const uint8_t *frame, size_t len,
		char *err, size_t errlen);

/* 1 match, 0 not, -1 libpcap refused the expression (message in @err). */
int fpcap_match(const char *expr, const uint8_t *frame, size_t len,
		char *err, size_t errlen)
{
	struct pcap_pkthdr h = { .caplen = (bpf_u_int32)len, .len = (bpf_u_int32)len };
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	struct bpf_program prog;
	int r;

	if (!p) {
		snprintf(err, errlen, "pcap_open_dead failed");
		return -1;
	}
	if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		snprintf(err, errlen, "%s", pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	r = pcap_offline_filter(&prog, &h, frame) != 0;
	pcap_freecode(&prog);
	pcap_close(p);
	return r;
}
