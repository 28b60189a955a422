// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of tracenetctl. Run by "make -C tools test", which sets
 * FIXTURES (tests/fixtures) and TRACENETCTL (the binary under test).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enc.h"
#include "tap.h"

const char *fixture_dir(void)
{
	const char *dir = getenv("FIXTURES");

	return dir ? dir : "tests/fixtures";
}

char *read_fixture(const char *name, unsigned long *size)
{
	char path[512];
	char *buf = NULL;
	long len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fixture_dir(), name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END))
		goto out;
	len = ftell(f);
	if (len < 0 || fseek(f, 0, SEEK_SET))
		goto out;
	buf = calloc(1, (size_t)len + 1);
	if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	if (buf && size)
		*size = (unsigned long)len;
out:
	fclose(f);
	return buf;
}

/* sched_wakeup's format (tests/fixtures) as system "x", event @name, id
 * @id: with @print as its print fmt if not NULL, and cut just after the
 * first @cut in it if not NULL, as a hostile capture may carry it.
 */
char *hostile_format(uint32_t id, const char *name, const char *print,
		     const char *cut)
{
	char *fmt = read_fixture("sched_wakeup.format", NULL);
	char *text, *fields, *p;
	size_t len;

	if (!fmt)
		return NULL;
	fields = strstr(fmt, "format:");
	p = strstr(fmt, "print fmt: ");
	if (!fields || !p) {
		free(fmt);
		return NULL;
	}
	if (print)
		*p = '\0';
	len = strlen(name) + strlen(fields) + (print ? strlen(print) : 0) + 64;
	text = malloc(len);
	if (text)
		snprintf(text, len, "name: %s\nID: %u\n%s%s%s%s", name, id,
			 fields, print ? "print fmt: " : "", print ? print : "",
			 print ? "\n" : "");
	free(fmt);
	if (text && cut && (p = strstr(text, cut)))
		p[strlen(cut)] = '\0';
	return text;
}

/* A metadata frame of one event of system "x" with @format, without a
 * field table (the format's order), from @mac.
 */
void enc_meta_frame(struct enc *e, const uint8_t *mac, uint32_t id,
		    const char *name, const char *format)
{
	size_t m;

	enc_init(e);
	enc_eth(e, mac);
	enc_hdr(e, TRACENET_FRAME_META, TRACENET_F_LONG64, 0, 1, 0);
	m = enc_meta(e, id);
	enc_meta_str(e, TRACENET_META_SYSTEM, "x");
	enc_meta_str(e, TRACENET_META_NAME, name);
	enc_meta_str(e, TRACENET_META_FORMAT, format ? format : "");
	enc_end(e, m);
}

/* A frame of one event with sched_wakeup's fields, id @id, from @mac. */
void enc_wakeup_frame(struct enc *e, const uint8_t *mac, uint32_t id,
		      uint64_t seq, uint32_t pid, uint32_t target_cpu)
{
	size_t ev;

	enc_init(e);
	enc_eth(e, mac);
	enc_hdr(e, TRACENET_FRAME_EVENTS, TRACENET_F_LONG64, 2, 1, seq);
	ev = enc_event(e, id, 1700000000123456789ULL, pid, "bash", 4);
	enc_tlv(e, 0, "kworker/1:2\0\0\0\0", 16);
	enc_tlv_le32(e, 1, pid);
	enc_tlv_le32(e, 2, 120);
	enc_tlv_le32(e, 3, target_cpu);
	enc_end(e, ev);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_wire();
	test_record();
	test_decode();
	test_cli();
	test_oracle();
	test_formats();
	test_filter();
	test_reasm();
	return tap_finish();
}
