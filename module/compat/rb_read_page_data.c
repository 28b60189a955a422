// SPDX-License-Identifier: GPL-2.0
/* Probe, see compat.h: 6.8's read pages are a struct around the data. */
#include <linux/ring_buffer.h>

static __maybe_unused void *tn_probe(struct buffer_data_read_page *page)
{
	return ring_buffer_read_page_data(page);
}
