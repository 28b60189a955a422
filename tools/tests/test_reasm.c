// SPDX-License-Identifier: GPL-2.0
/*
 * Frames forwarded across routers (tracenetctl forward DEV udp): the VXLAN
 * decapsulation of wire.c and the IP reassembly of reasm.c, on packets
 * built here byte by byte as the kernel's VXLAN device sends them.
 */
#include <string.h>
#include "enc.h"
#include "reasm.h"
#include "tap.h"
#include "wire.h"

static struct enc e;
static struct tn_reasm r;
static uint8_t pkt[70000], frag[2048];

/* Ethernet + IPv4 (or IPv6) + UDP + VXLAN around the frame in e. */
static size_t vxlan_packet(bool v6)
{
	size_t ip = 14, udp = ip + (v6 ? 40 : 20), n = udp + 16 + e.len;

	memset(pkt, 0, udp + 16);
	memset(pkt, 0x22, 12);
	enc_put16(pkt + 12, v6 ? 0x86dd : 0x0800);
	if (v6) {
		pkt[ip] = 0x60;
		enc_put16(pkt + ip + 4, (uint16_t)(n - udp));
		pkt[ip + 6] = 17;
		pkt[ip + 7] = 64;
		memset(pkt + ip + 8, 0xaa, 16);
		memset(pkt + ip + 24, 0xbb, 16);
	} else {
		pkt[ip] = 0x45;
		enc_put16(pkt + ip + 2, (uint16_t)(n - ip));
		enc_put16(pkt + ip + 4, 0x1234);
		pkt[ip + 8] = 64;
		pkt[ip + 9] = 17;
		enc_put32(pkt + ip + 12, 0x0a000001);
		enc_put32(pkt + ip + 16, 0x0a000002);
	}
	enc_put16(pkt + udp, 40000);
	enc_put16(pkt + udp + 2, 4789);
	enc_put16(pkt + udp + 4, (uint16_t)(n - udp));
	pkt[udp + 8] = 0x08;
	pkt[udp + 14] = 1;		/* VNI 1 */
	memcpy(pkt + udp + 16, e.buf, e.len);
	return n;
}

/* Fragment @n bytes of pkt (IPv4) into pieces of @step payload bytes:
 * fragment @k of them into frag, returning its length.
 */
static size_t fragment4(size_t n, size_t step, unsigned int k, bool *last)
{
	size_t ip = 14, hl = 20, payload = n - ip - hl, off = k * step;
	size_t len = payload - off < step ? payload - off : step;

	*last = off + len == payload;
	memcpy(frag, pkt, ip + hl);
	enc_put16(frag + ip + 2, (uint16_t)(hl + len));
	enc_put16(frag + ip + 6, (uint16_t)((off / 8) | (*last ? 0 : 0x2000)));
	memcpy(frag + ip + hl, pkt + ip + hl + off, len);
	return ip + hl + len;
}

static size_t fragment6(size_t n, size_t step, unsigned int k, bool *last)
{
	size_t ip = 14, payload = n - ip - 40, off = k * step;
	size_t len = payload - off < step ? payload - off : step;

	*last = off + len == payload;
	memcpy(frag, pkt, ip + 40);
	enc_put16(frag + ip + 4, (uint16_t)(8 + len));
	frag[ip + 6] = 44;
	frag[ip + 40] = 17;
	frag[ip + 41] = 0;
	enc_put16(frag + ip + 42, (uint16_t)(off | (*last ? 0 : 1)));
	enc_put32(frag + ip + 44, 0xcafe);
	memcpy(frag + ip + 48, pkt + ip + 40 + off, len);
	return ip + 48 + len;
}

static void big_meta_frame(void)
{
	static char format[3000];

	memset(format, 'f', sizeof(format) - 1);
	enc_meta_frame(&e, enc_mac, 7, "big", format);
}

static void test_vxlan(void)
{
	const uint8_t *inner, *payload;
	struct tn_werr err;
	size_t n, ilen, plen;
	int v6;

	for (v6 = 0; v6 <= 1; v6++) {
		enc_meta_frame(&e, enc_mac, 7, "small", "");
		n = vxlan_packet(v6);
		tap_ok(!tn_wire_vxlan(pkt, n, &inner, &ilen, &err) &&
		       ilen == e.len && !memcmp(inner, e.buf, e.len) &&
		       !tn_wire_eth(inner, ilen, &payload, &plen, &err),
		       "VXLAN over IPv%d: the frame inside", v6 ? 6 : 4);
	}
	n = vxlan_packet(false);
	pkt[14 + 20 + 8] = 0;
	tap_ok(tn_wire_vxlan(pkt, n, &inner, &ilen, &err) &&
	       strstr(err.msg, "not VXLAN"), "UDP without the VXLAN I flag refused: %s", err.msg);
	n = vxlan_packet(false);
	enc_put16(pkt + 14 + 6, 0x2000);
	tap_ok(tn_wire_vxlan(pkt, n, &inner, &ilen, &err) &&
	       strstr(err.msg, "fragment"), "an IPv4 fragment is not decoded as it is: %s", err.msg);
	n = vxlan_packet(false);
	pkt[14 + 9] = 6;
	tap_ok(tn_wire_vxlan(pkt, n, &inner, &ilen, &err) && strstr(err.msg, "not UDP"),
	       "TCP refused: %s", err.msg);
	vxlan_packet(false);
	tap_ok(tn_wire_vxlan(pkt, 14 + 20 + 10, &inner, &ilen, &err) &&
	       strstr(err.msg, "truncated"), "a cut VXLAN header refused: %s", err.msg);
}

static void test_fragments(void)
{
	static const unsigned int order[] = { 2, 0, 3, 1 };
	const uint8_t *out = NULL;
	unsigned int i, k;
	size_t n, len, olen = 0;
	int v6, ret = 0, ok;
	bool last;

	for (v6 = 0; v6 <= 1; v6++) {
		big_meta_frame();
		n = vxlan_packet(v6);
		ok = true;
		for (i = 0; i < 4; i++) {
			k = order[i];
			len = v6 ? fragment6(n, 1000, k, &last) : fragment4(n, 1000, k, &last);
			ret = tn_reasm_add(&r, frag, len, &out, &olen);
			ok &= i < 3 ? ret == 1 : ret == 2;
		}
		tap_ok(ok && olen == n && !memcmp(out + 14 + (v6 ? 40 : 20),
						  pkt + 14 + (v6 ? 40 : 20), n - 14 - (v6 ? 40 : 20)),
		       "IPv%d: four fragments out of order make the datagram again", v6 ? 6 : 4);
	}
	n = vxlan_packet(false);
	tap_ok(tn_reasm_add(&r, pkt, n, &out, &olen) == 0, "a whole datagram passes through");

	big_meta_frame();
	n = vxlan_packet(false);
	len = fragment4(n, 1000, 0, &last);
	tn_reasm_add(&r, frag, len, &out, &olen);
	len = fragment4(n, 1000, 0, &last);
	enc_put16(frag + 14 + 6, 0x2000 | 50);	/* bytes 400.., inside the first */
	tap_ok(tn_reasm_add(&r, frag, len, &out, &olen) == -1 && r.given_up == 1,
	       "overlapping fragments give the datagram up");
	for (k = 0; k < 40; k++) {
		len = fragment4(n, 1000, 0, &last);
		enc_put16(frag + 14 + 4, (uint16_t)k);	/* 40 datagrams, first pieces */
		tn_reasm_add(&r, frag, len, &out, &olen);
	}
	tap_ok(r.given_up == 1 + 40 - TN_REASM_SLOTS,
	       "unfinished datagrams beyond %d are given up, the oldest first", TN_REASM_SLOTS);
	len = fragment4(n, 1000, 0, &last);
	enc_put16(frag + 14 + 2, 2000);		/* claims more than it has */
	tap_ok(tn_reasm_add(&r, frag, len, &out, &olen) == 0,
	       "a fragment longer than its packet is left alone");
	tn_reasm_free(&r);
}

void test_reasm(void)
{
	test_vxlan();
	test_fragments();
}
