// SPDX-License-Identifier: GPL-2.0
/* Probe, see compat.h: system_dfl_wq, 6.17's name for system_unbound_wq. */
#include <linux/workqueue.h>

static __maybe_unused struct workqueue_struct *tn_probe(void)
{
	return system_dfl_wq;
}
