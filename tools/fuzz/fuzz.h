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

/* libFuzzer's entry points, defined by each harness */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libtraceevent.c: keep libtraceevent's plugins loaded, set the format
 * guard up (TN_FUZZ_UNGUARDED) and report on it at exit (call once).
 */
void fuzz_libtraceevent_init(void);

#endif /* _TN_FUZZ_H */
