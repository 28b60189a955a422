// SPDX-License-Identifier: GPL-2.0
/*
 * What the Wireshark dissector takes from tracenetctl: "formats" (event
 * formats for its named fields), read from a tracefs tree made here of
 * the fixtures, and "dump -R" (every field as name=value), which its
 * tests compare the dissector's fields with.
 */
#include <fcntl.h>
#include <pcap/pcap.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "enc.h"
#include "tap.h"

#define TS	1700000000123456789ULL

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

static char dir[] = "/tmp/tracenetctl-formats.XXXXXX";

static bool write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	bool ok = f && fputs(text, f) >= 0;

	return (f && !fclose(f)) && ok;
}

/* DIR/events/SYSTEM/{enable,NAME/format}, as tracefs lays events out. */
static bool add_event(const char *system, const char *name, const char *fixture)
{
	char path[512], *text = read_fixture(fixture, NULL);
	bool ok;

	snprintf(path, sizeof(path), "%s/tracefs/events/%s", dir, system);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/tracefs/events/%s/enable", dir, system);
	ok = text && write_text(path, "0\n");
	snprintf(path, sizeof(path), "%s/tracefs/events/%s/%s", dir, system, name);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/tracefs/events/%s/%s/format", dir, system, name);
	ok = ok && write_text(path, text);
	free(text);
	return ok;
}

static bool make_tracefs(void)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/tracefs", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/tracefs/events", dir);
	mkdir(path, 0700);
	return add_event("sched", "sched_switch", "sched_switch.format") &&
	       add_event("sched", "sched_process_exec", "sched_process_exec.format") &&
	       add_event("net", "netif_receive_skb", "netif_receive_skb.format");
}

/* "system: SYSTEM" and the fixture, byte for byte. */
static char *record(const char *system, const char *fixture)
{
	char *text = read_fixture(fixture, NULL), *out;
	size_t len;

	if (!text)
		return strdup("(no fixture)");
	len = strlen(system) + strlen(text) + 16;
	out = malloc(len);
	snprintf(out, len, "system: %s\n%s", system, text);
	free(text);
	return out;
}

static bool has(const char *hay, const char *needle)
{
	return hay && needle && strstr(hay, needle);
}

static void test_formats_file(const char *tfs)
{
	char *sw = record("sched", "sched_switch.format");
	char *ex = record("sched", "sched_process_exec.format");
	char *nt = record("net", "netif_receive_skb.format");
	char file[512], *text;
	struct ctl_result r;

	snprintf(file, sizeof(file), "%s/out.formats", dir);
	r = ctl_run(dir, "formats", "-t", tfs, "sched:*", NULL);
	tap_ok(r.status == 0 && has(r.out, sw) && has(r.out, ex) && !has(r.out, "system: net"),
	       "formats 'sched:*': both sched events on stdout, net not");
	tap_ok(has(r.out, ex) && has(r.out, sw) && strstr(r.out, ex) < strstr(r.out, sw),
	       "formats: events sorted by system:name");
	ctl_result_free(&r);

	r = ctl_run(dir, "formats", "-t", tfs, "-o", file, NULL);
	text = slurp(file);
	tap_ok(r.status == 0 && !r.out[0] && has(text, sw) && has(text, ex) && has(text, nt),
	       "formats -o FILE: every event of tracefs, as system line and format text");
	tap_ok(text && !strncmp(text, "# tracenet formats: 3 tracefs event formats", 43) &&
	       strstr(text, "\nsystem: ") && strchr(text, '#') < strstr(text, "system: "),
	       "formats -o FILE: a comment header first, counting the events");
	free(text);
	ctl_result_free(&r);

	r = ctl_run(dir, "formats", "-t", tfs, "--output", file, "sched:sched_switch",
		"sched:*", "sched/sched_switch", NULL);
	text = slurp(file);
	tap_ok(r.status == 0 && has(text, sw) &&
	       !has(strstr(text, sw) + strlen(sw), "name: sched_switch\n"),
	       "formats: an event that several patterns name is written once");
	free(text);
	ctl_result_free(&r);

	r = ctl_run(dir, "formats", "-t", tfs, "-o", file, "sched:sched_switch", "sched:nosuch", NULL);
	text = slurp(file);
	tap_ok(r.status == 1 && has(r.err, "unknown event 'sched:nosuch'") && has(text, sw),
	       "formats: an unknown event is named, exit 1, FILE left as it was");
	free(text);
	snprintf(file + strlen(file), sizeof(file) - strlen(file), ".tmp");
	tap_ok(access(file, F_OK) != 0, "formats: no temporary file left behind");
	ctl_result_free(&r);

	r = ctl_run(dir, "formats", "-t", tfs, "nosuch:*", NULL);
	tap_ok(r.status == 1 && has(r.err, "no event matches 'nosuch:*'"),
	       "formats: a glob that matches nothing is named, exit 1");
	ctl_result_free(&r);
	r = ctl_run(dir, "formats", "-t", "/nonexistent/tracefs", NULL);
	tap_ok(r.status == 1 && has(r.err, "/nonexistent/tracefs"),
	       "formats -t with a missing directory: named, exit 1");
	ctl_result_free(&r);
	r = ctl_run(dir, "formats", "--bogus", NULL);
	tap_ok(r.status == 2 && has(r.err, "Usage: tracenetctl formats"),
	       "formats --bogus: usage, exit 2");
	ctl_result_free(&r);
	r = ctl_run(dir, "formats", "-o", NULL);
	tap_ok(r.status == 2 && has(r.err, "option '-o' needs an argument"),
	       "formats -o without a file: exit 2");
	ctl_result_free(&r);
	free(sw);
	free(ex);
	free(nt);
}

static void dump_frame(pcap_dumper_t *d, const struct enc *e)
{
	struct pcap_pkthdr h = { .caplen = (bpf_u_int32)e->len, .len = (bpf_u_int32)e->len };

	h.ts.tv_sec = (time_t)(TS / 1000000000ULL);
	h.ts.tv_usec = (suseconds_t)(TS % 1000000000ULL);
	pcap_dump((u_char *)d, &h, e->buf);
}

/* netif_receive_skb (pointer, unsigned, __data_loc string) described by
 * its field table, as the module sends it, then one event.
 */
static bool write_net_pcap(const char *path)
{
	pcap_t *p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 262144,
							 PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *d = p ? pcap_dump_open(p, path) : NULL;
	char *fmt = read_fixture("netif_receive_skb.format", NULL);
	struct enc *e = calloc(1, sizeof(*e));
	static const uint8_t skb[8] = { 0x00, 0xf7, 0xb5, 0x04, 0x80, 0x88, 0xff, 0xff };
	bool ok = d && e && fmt;
	size_t m;

	if (ok) {
		enc_init(e);
		enc_eth(e, enc_mac);
		enc_hdr(e, TRACENET_FRAME_META, TRACENET_F_LONG64, 0, 1, 0);
		m = enc_meta(e, 2303);
		enc_meta_str(e, TRACENET_META_SYSTEM, "net");
		enc_meta_str(e, TRACENET_META_NAME, "netif_receive_skb");
		enc_meta_str(e, TRACENET_META_FORMAT, fmt);
		enc_meta_field(e, 8, 8, TRACENET_FIELD_POINTER, "skbaddr", "void *");
		enc_meta_field(e, 16, 4, 0, "len", "unsigned int");
		enc_meta_field(e, 20, 4, TRACENET_FIELD_SIGNED | TRACENET_FIELD_DYNAMIC |
			       TRACENET_FIELD_STRING | TRACENET_FIELD_ARRAY,
			       "name", "__data_loc char[]");
		enc_end(e, m);
		dump_frame(d, e);
		enc_init(e);
		enc_eth(e, enc_mac);
		enc_hdr(e, TRACENET_FRAME_EVENTS, TRACENET_F_LONG64, 1, 1, 7);
		m = enc_event(e, 2303, TS, 42, "ping", 3);
		enc_tlv(e, 0, skb, 8);
		enc_tlv_le32(e, 1, 84);
		enc_tlv(e, 2, "veth0", 6);
		enc_end(e, m);
		dump_frame(d, e);
	}
	if (d)
		pcap_dump_close(d);
	if (p)
		pcap_close(p);
	free(fmt);
	free(e);
	return ok;
}

static void test_dump_raw(void)
{
	char file[512];
	struct ctl_result r;

	snprintf(file, sizeof(file), "%s/net.pcap", dir);
	if (!tap_ok(write_net_pcap(file), "pcap of a netif_receive_skb event written"))
		return;
	r = ctl_run(dir, "dump", "-R", "-r", file, NULL);
	tap_is_str(r.out, "            ping-42    [001] 1700000000.123457: netif_receive_skb:     "
		   "skbaddr=0xffff888004b5f700 len=84 name=veth0\n",
		   "dump -R: every field as name=value, in format order");
	ctl_result_free(&r);
	r = ctl_run(dir, "dump", "-r", file, NULL);
	tap_ok(has(r.out, "netif_receive_skb:    dev=veth0 skbaddr=0xffff888004b5f700 len=84"),
	       "dump without -R: the print fmt");
	ctl_result_free(&r);
}

static void cleanup(void)
{
	static const char *const files[] = {
		"tracefs/events/sched/sched_switch/format", "tracefs/events/sched/sched_switch",
		"tracefs/events/sched/sched_process_exec/format",
		"tracefs/events/sched/sched_process_exec", "tracefs/events/sched/enable",
		"tracefs/events/sched", "tracefs/events/net/netif_receive_skb/format",
		"tracefs/events/net/netif_receive_skb", "tracefs/events/net/enable",
		"tracefs/events/net", "tracefs/events", "tracefs", "out.formats",
		"net.pcap", "stdout", "stderr",
	};
	char path[512];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (remove(path) && access(path, F_OK) == 0)
			tap_diag("cannot remove %s", path);
	}
	rmdir(dir);
}

void test_formats(void)
{
	char tfs[512];

	if (!mkdtemp(dir)) {
		tap_ok(false, "temporary directory for the formats tests");
		return;
	}
	snprintf(tfs, sizeof(tfs), "%s/tracefs", dir);
	if (tap_ok(make_tracefs(), "a tracefs tree of the fixtures"))
		test_formats_file(tfs);
	test_dump_raw();
	cleanup();
}
