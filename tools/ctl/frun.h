/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TRACENETCTL_FRUN_H
#define _TRACENETCTL_FRUN_H

#include <stddef.h>
#include <stdint.h>

/* 1: keep the frame, 0: not, -1: stop with an error (reported). */
typedef int (*tn_frame_cb)(const uint8_t *pkt, size_t len, void *data);

int tn_pcap_each(const char *in, const char *out, tn_frame_cb cb, void *data);

#endif /* _TRACENETCTL_FRUN_H */
