// SPDX-License-Identifier: GPL-2.0
/* Probe, see compat.h: the read page comes back through an argument. */
#include <linux/ring_buffer.h>

static __maybe_unused int tn_probe(struct trace_buffer *buffer)
{
	struct buffer_data_read_page *page;

	return ring_buffer_alloc_read_page(buffer, 0, &page);
}
