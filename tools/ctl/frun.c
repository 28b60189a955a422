// SPDX-License-Identifier: GPL-2.0
/*
 * The frames of a capture file through a callback, those it keeps to
 * another file: filter --run. Apart from filter.c, whose libbpf headers
 * and libpcap's both define struct bpf_insn.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include "tracenetctl.h"
#include "frun.h"

int tn_pcap_each(const char *in, const char *out, tn_frame_cb cb, void *data)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_dumper_t *d = NULL;
	struct pcap_pkthdr *h;
	const u_char *pkt;
	pcap_t *p;
	int r, keep, ret = -1;

	p = pcap_open_offline_with_tstamp_precision(in, PCAP_TSTAMP_PRECISION_NANO,
						    errbuf);
	if (!p) {
		tn_error("%s", errbuf);
		return -1;
	}
	if (out) {
		d = pcap_dump_open(p, out);
		if (!d) {
			tn_error("%s", pcap_geterr(p));
			goto out;
		}
	}
	while ((r = pcap_next_ex(p, &h, &pkt)) == 1) {
		keep = cb(pkt, h->caplen, data);
		if (keep < 0)
			goto out;
		if (keep && d)
			pcap_dump((u_char *)d, h, pkt);
	}
	if (r == -1) {
		tn_error("%s: %s", in, pcap_geterr(p));
		goto out;
	}
	ret = 0;
out:
	if (d)
		pcap_dump_close(d);
	pcap_close(p);
	return ret;
}
