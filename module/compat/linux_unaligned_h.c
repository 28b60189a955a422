// SPDX-License-Identifier: GPL-2.0
/* Probe, see compat.h: 6.12 moved <asm/unaligned.h> to <linux/unaligned.h>. */
#include <linux/unaligned.h>

static __maybe_unused u32 tn_probe(const void *p)
{
	return get_unaligned_be32(p);
}
