/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels tracenet builds for (6.1 to 7.3), in one
 * place: the .c files have one code path. Each entry rests on a compile
 * probe, compat/NAME.c, that builds only on kernels with the feature;
 * module/Kbuild runs them and writes .compat-probes.h, TN_HAVE_NAME for
 * each that built. No LINUX_VERSION_CODE: stable and distribution kernels
 * backport these changes (Debian's 6.12.118 has 6.17's system_percpu_wq).
 */
#ifndef _TRACENET_COMPAT_H
#define _TRACENET_COMPAT_H

#include <linux/ring_buffer.h>
#include <net/genetlink.h>
#include ".compat-probes.h"

/* 6.12: <asm/unaligned.h> moved to <linux/unaligned.h>, no asm/ copy left. */
#ifdef TN_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* 6.2: ring_buffer_unlock_commit() lost its event argument. */
static inline int tn_ring_buffer_unlock_commit(struct trace_buffer *rb,
					       struct ring_buffer_event *rbe)
{
#ifdef TN_HAVE_RB_UNLOCK_COMMIT_1ARG
	return ring_buffer_unlock_commit(rb);
#else
	return ring_buffer_unlock_commit(rb, rbe);
#endif
}

/* 6.2: a dump's parsed attributes moved from genl_dumpit_info(cb)->attrs
 * to the struct genl_info it now holds, ->info.attrs.
 */
static inline struct nlattr **tn_dumpit_attrs(struct netlink_callback *cb)
{
#ifdef TN_HAVE_GENL_DUMPIT_INFO_INFO
	return genl_dumpit_info(cb)->info.attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

#endif /* _TRACENET_COMPAT_H */
