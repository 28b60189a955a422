/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The input layouts of the libFuzzer harnesses, shared by the harnesses
 * (which cut inputs this way) and by seeds.c (which writes valid ones).
 *
 * fuzz_decode: a capture.
 *   byte 0     low nibble: hold_max_frames (0: the default bound),
 *              high nibble: max_events, as "dump -c" (0: no limit)
 *   byte 1     hold_max_bytes in units of FUZZ_HOLD_UNIT (0: the default)
 *   then       frames, each a __be16 length and that many bytes of an
 *              Ethernet frame (header included); a last frame shorter
 *              than its length prefix says is taken as it is
 *
 * fuzz_format: one event's description, then events of it.
 *   byte 0     FUZZ_FMT_* flags
 *   __be16 L,  then L bytes: the tracefs format text (cut at a NUL)
 *   __be16 F,  then F bytes: metadata TLVs after SYSTEM, NAME and FORMAT,
 *              normally TRACENET_META_FIELD ones (the field table)
 *   the rest   events as on the wire (struct tracenet_event + TLVs)
 *
 * fuzz_filter: a filter expression of one event, and one frame.
 *   byte 0     low nibble: the event, FUZZ_FILTER_EVENTS[n % its size],
 *              from tests/fixtures/<event>.format (TN_FUZZ_FIXTURES, or
 *              ../../tests/fixtures from the harness binary);
 *              FUZZ_FLT_FIXUP: make the frame one event of that event
 *              before the verdicts (framing, id, field count, event
 *              length, the TLVs' types and fixed lengths), so that
 *              mutations of the values reach the differential
 *   then       the expression, up to a NUL (no NUL: all of the rest,
 *              and an empty frame)
 *   the rest   one frame as on the wire, Ethernet header included
 */
#ifndef _TN_FUZZ_H
#define _TN_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FUZZ_HOLD_UNIT		256

#define FUZZ_FMT_BIG_ENDIAN	0x01	/* TRACENET_F_BIG_ENDIAN */
#define FUZZ_FMT_LONG64		0x02	/* TRACENET_F_LONG64 */
#define FUZZ_FMT_PLUGINS	0x04	/* load libtraceevent's plugins */

/* fuzz_filter's events, in the order byte 0 picks them: fixed-size
 * strings and numbers of every size, __data_loc strings (whose fields
 * after them pcap cannot reach), a __rel_loc string, a __data_loc array
 * of u8, and an event field named like a generic one (comm).
 */
#define FUZZ_FILTER_EVENTS						\
	"sched_switch", "sched_process_exec", "netif_receive_skb",	\
	"sched_wakeup", "tn_rel_test", "tn_hazard_test"
#define FUZZ_FLT_EVENT		0x0f
#define FUZZ_FLT_FIXUP		0x80

/* libFuzzer's entry points, defined by each harness */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libtraceevent.c: keep libtraceevent's plugins loaded, set the format
 * guard up (TN_FUZZ_UNGUARDED) and report on it at exit (call once).
 */
void fuzz_libtraceevent_init(void);

#endif /* _TN_FUZZ_H */
