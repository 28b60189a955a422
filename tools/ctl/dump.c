// SPDX-License-Identifier: GPL-2.0
/*
 * tracenetctl dump: frames from libpcap (live or from a file) into the
 * decoder. The live capture runs in immediate mode, as a trace reader
 * should not sit on events until a pcap buffer fills. (The decoder itself
 * holds event frames back while their metadata has not been seen yet, at
 * most until the next metadata frame, a bound, or the end.)
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <tracefs.h>
#include "tracenetctl.h"
#include "decode.h"
#include "reasm.h"
#include "wire.h"

#define SNAPLEN		262144
#define BUFSIZE		(32 << 20)	/* event bursts outrun small buffers */
/* tracenet frames, bare or in VXLAN (UDP + VXLAN header + EtherType at
 * 12), and the IP fragments after the first of those too big for the path
 */
#define FILTER		"ether proto 0x88b5 or (udp and udp[28:2] = 0x88b5) or " \
			"(ip[6:2] & 0x1fff != 0) or (ip6 and ip6[6] = 44)"
#define SLL_HDR_LEN	16
#define SLL2_HDR_LEN	20

struct dump_opts {
	const char *iface;
	const char *rfile;
	const char *wfile;
	unsigned long long count;
	int symbols;			/* -1: default (live only) */
	bool fields;			/* -R */
	bool hosts;			/* -H */
};

/* A frame for -w, stamped with its event time. */
struct wframe {
	uint64_t ts;
	unsigned long long n;		/* capture order, for a stable sort */
	uint32_t len;
	uint8_t data[];
};

struct dump_ctx {
	struct tn_decoder dec;
	struct wframe **wf;		/* -w of a file: sorted at the end */
	size_t nwf, wfcap;
	bool wf_oom;
	struct tn_reasm *reasm;		/* forwarded frames in IP fragments */
	pcap_t *pcap;
	pcap_dumper_t *dumper;
	int linktype;
	bool live;
	unsigned long long frame;
};

static pcap_t *stop_pcap;

static void on_signal(int sig)
{
	(void)sig;
	if (stop_pcap)
		pcap_breakloop(stop_pcap);
}

/* Linux cooked captures (-i any, or files from one) keep the source
 * address and the protocol; hand the decoder the same pieces.
 */
static void decode_sll(struct dump_ctx *ctx, const uint8_t *pkt, size_t len,
		       size_t hdr, size_t proto_off, size_t addr_off)
{
	if (len < hdr || (pkt[proto_off] << 8 | pkt[proto_off + 1]) != TRACENET_ETH_P) {
		ctx->dec.foreign++;
		return;
	}
	tn_decode_payload(&ctx->dec, pkt + addr_off, pkt + hdr, len - hdr,
			  ctx->frame);
}

static void write_frame(pcap_dumper_t *dumper, uint64_t ts, const uint8_t *data,
			size_t len)
{
	struct pcap_pkthdr h = {
		.ts = { .tv_sec = (time_t)(ts / 1000000000),
			.tv_usec = (suseconds_t)(ts % 1000000000) },
		.caplen = (bpf_u_int32)len,
		.len = (bpf_u_int32)len,
	};

	pcap_dump((u_char *)dumper, &h, data);
}

/* -w: the frame as decoded (a forwarded one out of its VXLAN and IP
 * fragments), stamped with the time of its first event, so that mergecap
 * orders the captures of several hosts by event time. Metadata and host
 * frames keep their capture time. A file's frames are sorted at the end.
 */
static void out_frame(struct dump_ctx *ctx, const struct pcap_pkthdr *h,
		      const uint8_t *data, size_t len, const uint8_t *payload,
		      size_t plen)
{
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000 + (uint64_t)h->ts.tv_usec;
	struct tn_frame f;
	struct tn_werr err;
	struct wframe *w;
	unsigned int i;

	if (!ctx->dumper)
		return;
	if (payload && !tn_wire_hdr(payload, plen, &f, &err) &&
	    f.type == TRACENET_FRAME_EVENTS && f.count && f.body_len >= 16)
		for (ts = 0, i = 8; i < 16; i++)
			ts = ts << 8 | f.body[i];
	if (ctx->live)
		return write_frame(ctx->dumper, ts, data, len);
	if (ctx->nwf == ctx->wfcap) {
		size_t cap = ctx->wfcap ? 2 * ctx->wfcap : 1024;
		struct wframe **a = realloc(ctx->wf, cap * sizeof(*a));

		if (!a)
			goto oom;
		ctx->wf = a;
		ctx->wfcap = cap;
	}
	w = malloc(sizeof(*w) + len);
	if (!w)
		goto oom;
	w->ts = ts;
	w->n = ctx->frame;
	w->len = (uint32_t)len;
	memcpy(w->data, data, len);
	ctx->wf[ctx->nwf++] = w;
	return;
oom:
	ctx->wf_oom = true;
}

static int wframe_cmp(const void *a, const void *b)
{
	const struct wframe *x = *(const struct wframe *const *)a;
	const struct wframe *y = *(const struct wframe *const *)b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->n < y->n ? -1 : x->n > y->n;
}

static void write_sorted(struct dump_ctx *ctx)
{
	size_t i;

	qsort(ctx->wf, ctx->nwf, sizeof(*ctx->wf), wframe_cmp);
	for (i = 0; i < ctx->nwf; i++) {
		write_frame(ctx->dumper, ctx->wf[i]->ts, ctx->wf[i]->data,
			    ctx->wf[i]->len);
		free(ctx->wf[i]);
	}
	free(ctx->wf);
	ctx->wf = NULL;
	ctx->nwf = 0;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h,
		      const u_char *pkt)
{
	struct dump_ctx *ctx = (struct dump_ctx *)user;
	const uint8_t *payload;
	struct tn_werr err;
	size_t len, plen;

	ctx->frame++;
	switch (ctx->linktype) {
	case DLT_EN10MB:
		len = h->caplen;
		switch (tn_reasm_add(ctx->reasm, pkt, len, &pkt, &len)) {
		case 0:
		case 2:
			/* Forwarded across routers: the frame inside VXLAN. */
			if (tn_wire_eth(pkt, len, &payload, &plen, &err) &&
			    !tn_wire_vxlan(pkt, len, &payload, &plen, &err)) {
				pkt = payload;
				len = plen;
			}
			if (tn_wire_eth(pkt, len, &payload, &plen, &err))
				payload = NULL;
			out_frame(ctx, h, pkt, len, payload, plen);
			tn_decode_eth(&ctx->dec, pkt, len, ctx->frame);
			break;
		case -1:
			ctx->dec.foreign++;
			break;
		}
		break;
	case DLT_LINUX_SLL:
		out_frame(ctx, h, pkt, h->caplen, h->caplen > SLL_HDR_LEN ? pkt + SLL_HDR_LEN : NULL,
			  h->caplen - SLL_HDR_LEN);
		decode_sll(ctx, pkt, h->caplen, SLL_HDR_LEN, 14, 6);
		break;
	case DLT_LINUX_SLL2:
		out_frame(ctx, h, pkt, h->caplen, h->caplen > SLL2_HDR_LEN ? pkt + SLL2_HDR_LEN : NULL,
			  h->caplen - SLL2_HDR_LEN);
		decode_sll(ctx, pkt, h->caplen, SLL2_HDR_LEN, 0, 12);
		break;
	}
	if (ctx->live)
		fflush(ctx->dec.out);
	if (ctx->dec.done)
		pcap_breakloop(ctx->pcap);
}

static int live_error(const char *iface, int ret, pcap_t *p)
{
	if (ret == PCAP_ERROR_NO_SUCH_DEVICE)
		tn_error("device '%s' not found", iface);
	else if (ret == PCAP_ERROR_IFACE_NOT_UP)
		tn_error("device '%s' is down (ip link set %s up)", iface, iface);
	else if (ret == PCAP_ERROR_PERM_DENIED)
		tn_error("permission denied: capturing on %s needs CAP_NET_RAW",
			 iface);
	else
		tn_error("%s: %s", iface, pcap_geterr(p));
	return -1;
}

static int set_filter(pcap_t *p, const char *iface)
{
	struct bpf_program prog;
	int ret;

	if (pcap_compile(p, &prog, FILTER, 1, PCAP_NETMASK_UNKNOWN)) {
		tn_error("%s: filter '%s': %s", iface, FILTER, pcap_geterr(p));
		return -1;
	}
	ret = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	if (ret)
		tn_error("%s: filter '%s': %s", iface, FILTER, pcap_geterr(p));
	return ret ? -1 : 0;
}

static pcap_t *open_live(const char *iface)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(iface, errbuf);
	int ret;

	if (!p) {
		tn_error("%s: %s", iface, errbuf);
		return NULL;
	}
	pcap_set_snaplen(p, SNAPLEN);
	pcap_set_immediate_mode(p, 1);
	pcap_set_buffer_size(p, BUFSIZE);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	ret = pcap_activate(p);
	if (ret < 0 || (ret == 0 && set_filter(p, iface))) {
		if (ret < 0)
			live_error(iface, ret, p);
		pcap_close(p);
		return NULL;
	}
	if (ret > 0)
		tn_warn("%s: %s", iface, pcap_geterr(p));
	return p;
}

static pcap_t *open_file(const char *file)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p;

	p = pcap_open_offline_with_tstamp_precision(file,
			PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!p)
		tn_error("%s", errbuf);
	return p;
}

static int open_capture(struct dump_ctx *ctx, const struct dump_opts *o)
{
	ctx->live = !o->rfile;
	ctx->pcap = ctx->live ? open_live(o->iface) : open_file(o->rfile);
	if (!ctx->pcap)
		return -1;
	ctx->linktype = pcap_datalink(ctx->pcap);
	if (ctx->linktype != DLT_EN10MB && ctx->linktype != DLT_LINUX_SLL &&
	    ctx->linktype != DLT_LINUX_SLL2) {
		tn_error("%s: unsupported link type %s",
			 ctx->live ? o->iface : o->rfile,
			 pcap_datalink_val_to_name(ctx->linktype));
		return -1;
	}
	if (o->wfile) {
		ctx->dumper = pcap_dump_open(ctx->pcap, o->wfile);
		if (!ctx->dumper) {
			tn_error("%s: %s", o->wfile, pcap_geterr(ctx->pcap));
			return -1;
		}
	}
	return 0;
}

static void close_capture(struct dump_ctx *ctx)
{
	if (ctx->dumper) {
		write_sorted(ctx);
		if (ctx->wf_oom)
			tn_error("out of memory: frames missing from the file written");
		pcap_dump_close(ctx->dumper);
	}
	if (ctx->pcap)
		pcap_close(ctx->pcap);
}

/* Frames the capture itself lost show up as sequence gaps too; say which
 * part of the loss was ours.
 */
static void report_capture_drops(pcap_t *p)
{
	struct pcap_stat st;

	if (!pcap_stats(p, &st) && st.ps_drop)
		fprintf(stderr, "%s: %u frames dropped by the capture buffer\n",
			PROG, st.ps_drop);
}

static int run(struct dump_ctx *ctx, const struct dump_opts *o)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int ret;

	stop_pcap = ctx->pcap;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ret = pcap_loop(ctx->pcap, -1, on_packet, (u_char *)ctx);
	stop_pcap = NULL;
	/* End of file, -c reached, interrupted or failed: the frames still
	 * held back for metadata print now, or are counted as skipped.
	 */
	tn_decoder_flush(&ctx->dec);
	fflush(ctx->dec.out);
	if (ctx->live)
		report_capture_drops(ctx->pcap);
	if (ret == PCAP_ERROR) {
		tn_error("%s: %s", o->rfile ? o->rfile : o->iface,
			 pcap_geterr(ctx->pcap));
		return 1;
	}
	return 0;
}

/* /proc files have no size: read until EOF. */
static char *read_all(const char *path)
{
	size_t len = 0, size = 1 << 20;
	char *buf = malloc(size), *p;
	int fd = open(path, O_RDONLY);
	ssize_t n;

	while (buf && fd >= 0 && (n = read(fd, buf + len, size - len - 1)) > 0) {
		len += (size_t)n;
		if (size - len > 1)
			continue;
		p = realloc(buf, size * 2);
		if (!p)
			break;
		buf = p;
		size *= 2;
	}
	if (fd >= 0)
		close(fd);
	if (!buf || !len) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

/* An address of 0 for _stext means kptr_restrict hides them all, which
 * would name every pointer wrongly. (Per-CPU symbols are at 0 anyway.)
 */
static bool kallsyms_usable(const char *k)
{
	const char *p = strstr(k, " T _stext\n");

	while (p && p > k && p[-1] != '\n')
		p--;
	return !p || strncmp(p, "0000000000000000 ", 17);
}

/* What trace-cmd record saves in trace.dat to resolve %ps and kernel
 * string pointers, taken from this machine.
 */
static void load_symbols(struct tn_decoder *d, bool asked)
{
	int size;

	d->kallsyms = read_all("/proc/kallsyms");
	if (d->kallsyms && !kallsyms_usable(d->kallsyms)) {
		free(d->kallsyms);
		d->kallsyms = NULL;
	}
	if (!d->kallsyms && asked)
		tn_warn("cannot read kernel symbol addresses from /proc/kallsyms");
	d->printk_formats = tracefs_instance_file_read(NULL, "printk_formats",
							&size);
}

static int parse_opts(int argc, char **argv, struct dump_opts *o)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "interface", required_argument, NULL, 'i' },
		{ "read", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'c' },
		{ "write", required_argument, NULL, 'w' },
		{ "symbols", no_argument, NULL, 'k' },
		{ "no-symbols", no_argument, NULL, 'K' },
		{ "raw", no_argument, NULL, 'R' },
		{ "hosts", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hi:r:c:w:kKRH", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			tn_help("dump");
			return -1;
		case 'i':
			o->iface = optarg;
			break;
		case 'r':
			o->rfile = optarg;
			break;
		case 'w':
			o->wfile = optarg;
			break;
		case 'k':
		case 'K':
			o->symbols = c == 'k';
			break;
		case 'R':
			o->fields = true;
			break;
		case 'H':
			o->hosts = true;
			break;
		case 'c':
			if (!tn_parse_count(optarg, &o->count) || !o->count)
				return tn_usage_error("dump", "bad count '%s'", optarg);
			break;
		default:
			return tn_opt_error("dump", c, argv);
		}
	}
	if (optind < argc)
		return tn_usage_error("dump", "unexpected argument '%s'", argv[optind]);
	if (o->iface && o->rfile)
		return tn_usage_error("dump", "-i and -r exclude each other");
	if (!o->iface)
		o->iface = "trace0";
	return 0;
}

int cmd_dump(int argc, char **argv)
{
	struct dump_opts o = { .symbols = -1 };
	struct dump_ctx ctx;
	int ret;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret < 0 ? 0 : ret;
	memset(&ctx, 0, sizeof(ctx));
	ctx.reasm = calloc(1, sizeof(*ctx.reasm));
	if (!ctx.reasm || tn_decoder_init(&ctx.dec, stdout, stderr)) {
		free(ctx.reasm);
		tn_error("out of memory");
		return 1;
	}
	ctx.dec.max_events = o.count;
	ctx.dec.print_fields = o.fields;
	ctx.dec.print_host = o.hosts;
	if (o.symbols > 0 || (o.symbols < 0 && !o.rfile))
		load_symbols(&ctx.dec, o.symbols > 0);
	ret = 1;
	if (!open_capture(&ctx, &o))
		ret = run(&ctx, &o);
	tn_decoder_summary(&ctx.dec);
	if (ctx.reasm->given_up)
		fprintf(stderr, "tracenetctl: %llu fragmented datagrams could not be reassembled\n",
			ctx.reasm->given_up);
	tn_reasm_free(ctx.reasm);
	free(ctx.reasm);
	close_capture(&ctx);
	tn_decoder_free(&ctx.dec);
	return ret;
}
