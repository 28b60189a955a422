// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the frame decoder of "tracenetctl dump" (decode.c,
 * wire.c, record.c), fed a whole capture per input.
 *
 * Why: frames come off the network. Anyone who can put a frame on a
 * capture path, or hand someone a pcap file, controls every byte the
 * decoder reads, and the bugs that matter are in how frames interact:
 * metadata frames carry tracefs format text (parsed by libtraceevent) and
 * field tables, event frames are laid out with what earlier metadata
 * said, frames wait for metadata that comes late, sources and CPUs keep
 * state. So an input is a sequence of Ethernet frames (fuzz.h), decoded
 * in order through tn_decode_eth() by one tn_decoder, then flushed and
 * summed up as at the end of a capture, and everything is freed: the
 * harness runs with leak detection on.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decode.h"
#include "fuzz.h"

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* Lines and warnings are formatted in full, then thrown away. */
	devnull = fopen("/dev/null", "w");
	if (!devnull) {
		perror("/dev/null");
		exit(1);
	}
	fuzz_libtraceevent_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long long frame = 0;
	struct tn_decoder d;
	uint8_t *pkt;
	size_t len;

	if (size < 2)
		return 0;
	if (tn_decoder_init(&d, devnull, devnull)) {
		tn_decoder_free(&d);
		return 0;
	}
	if (data[0] & 0x0f)
		d.hold_max_frames = data[0] & 0x0f;
	d.max_events = data[0] >> 4;
	if (data[1])
		d.hold_max_bytes = (size_t)data[1] * FUZZ_HOLD_UNIT;
	data += 2;
	size -= 2;

	while (size) {
		if (size < 2) {
			len = size;	/* a runt frame: still a frame */
		} else {
			len = (size_t)data[0] << 8 | data[1];
			data += 2;
			size -= 2;
			if (len > size)
				len = size;
		}
		/* A copy of its own size, so that ASan sees a read past
		 * it, freed at once, as libpcap reuses its buffer.
		 */
		pkt = malloc(len ? len : 1);
		if (!pkt)
			break;
		memcpy(pkt, data, len);
		tn_decode_eth(&d, pkt, len, ++frame);
		free(pkt);
		data += len;
		size -= len;
	}
	tn_decoder_summary(&d);
	tn_decoder_free(&d);
	return 0;
}
