// SPDX-License-Identifier: GPL-2.0
/* Probe, see compat.h: 6.2's ring_buffer_unlock_commit() takes no event. */
#include <linux/ring_buffer.h>

static __maybe_unused int tn_probe(struct trace_buffer *buffer)
{
	return ring_buffer_unlock_commit(buffer);
}
