/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tracenet: trace events delivered as network frames on trace%d devices.
 *
 * This header is the contract between tracenet.ko and user space: the
 * generic netlink family "tracenet" and the wire format of the frames.
 * Documentation/tracenet.rst describes both with byte tables.
 */
#ifndef _UAPI_LINUX_TRACENET_H
#define _UAPI_LINUX_TRACENET_H

#include <linux/types.h>

/* ---- wire format ------------------------------------------------------ */

#define TRACENET_ETH_P		0x88B5	/* IEEE 802 local experimental 1 */
#define TRACENET_WIRE_VERSION	1

/* Every multi-byte integer of the framing is big-endian. Field values inside
 * event TLVs keep the producer's byte order, named by TRACENET_F_BIG_ENDIAN,
 * so that they can be handed to libtraceevent unchanged.
 */
enum tracenet_frame_type {
	TRACENET_FRAME_EVENTS	= 1,	/* header + @count events */
	TRACENET_FRAME_META	= 2,	/* header + @count metadata records */
	TRACENET_FRAME_HOST	= 3,	/* header + @count TLVs of enum tracenet_host_attr */
};

#define TRACENET_F_BIG_ENDIAN	0x01	/* producer stores values big-endian */
#define TRACENET_F_LONG64	0x02	/* producer's long is 64 bits */
/* A metadata record larger than the device's MTU goes in several metadata
 * frames, back to back: @seq is the byte offset of the part in the record,
 * and every part but the last has this flag.
 */
#define TRACENET_F_MORE		0x04
/* Address fields (pointer types, call_site/ip/parent_ip) carry the kernel's
 * values. Without it they carry a keyed hash of each (SipHash, a key per
 * device: equal addresses hash equal, NULL stays 0), the default; only
 * CAP_PERFMON or CAP_SYS_ADMIN may turn raw values on (SET_DEVICE).
 */
#define TRACENET_F_RAW_POINTERS	0x08

struct tracenet_hdr {
	__u8	version;	/* TRACENET_WIRE_VERSION */
	__u8	type;		/* enum tracenet_frame_type */
	__u8	flags;		/* TRACENET_F_* */
	__u8	hdr_len;	/* bytes of this header: readers skip the rest */
	__be16	cpu;		/* CPU the events happened on */
	__be16	count;		/* events or metadata records that follow */
	__be64	seq;		/* per-CPU sequence number of the first event */
};				/* 16 bytes */

/* One event: this header, then @nfields TLVs. */
struct tracenet_event {
	__be16	len;		/* bytes of the event, header and TLVs */
	__be16	nfields;	/* TLVs that follow */
	__be32	id;		/* tracefs event id (common_type) */
	__be64	ts;		/* event time, ns since the epoch (CLOCK_REALTIME) */
	__be32	pid;		/* common_pid */
	__u8	common_flags;	/* common_flags of the record */
	__u8	preempt_count;	/* common_preempt_count of the record */
	__be16	reserved;	/* zero */
	char	comm[16];	/* current->comm when the event fired */
};				/* 40 bytes */

/* Type-length-value: @type is the index into the event's field table (the
 * order of TRACENET_A_FIELD entries given at attach, echoed in metadata).
 * @len counts value bytes; the value is zero-padded to a multiple of 4.
 * A __data_loc/__rel_loc field carries the bytes it points to, resolved.
 */
struct tracenet_tlv {
	__be16	type;
	__be16	len;
};

#define TRACENET_TLV_ALIGN(len)	(((len) + 3U) & ~3U)

/* One metadata record: this header, then TLVs of enum tracenet_meta_attr. */
struct tracenet_meta {
	__be16	len;		/* bytes of the record, header and TLVs */
	__be16	reserved;	/* zero */
	__be32	id;		/* tracefs event id described */
};

enum tracenet_meta_attr {
	TRACENET_META_SYSTEM	= 1,	/* string: "sched" */
	TRACENET_META_NAME	= 2,	/* string: "sched_switch" */
	TRACENET_META_FORMAT	= 3,	/* string: the tracefs format file */
	TRACENET_META_FIELD	= 4,	/* struct tracenet_meta_field + "name\0type\0" */
};

struct tracenet_meta_field {
	__be16	offset;		/* offset in the raw record */
	__be16	size;		/* bytes (4 for __data_loc / __rel_loc) */
	__be32	flags;		/* TRACENET_FIELD_* */
};

/* The producing host, in a frame of its own: with metadata, every few
 * seconds, so that a collector of several hosts' frames tells them apart
 * and maps each host's clock.
 */
enum tracenet_host_attr {
	TRACENET_HOST_NAME	= 1,	/* string: the host's name */
	TRACENET_HOST_BOOT_ID	= 2,	/* 16 bytes: /proc/sys/kernel/random/boot_id */
	TRACENET_HOST_CLOCK	= 3,	/* struct tracenet_host_clock */
};

/* The host's clocks read together, ns: the events' clock against the others. */
struct tracenet_host_clock {
	__be64	realtime;	/* CLOCK_REALTIME, the clock of the events' ts */
	__be64	tai;		/* CLOCK_TAI */
	__be64	monotonic;	/* CLOCK_MONOTONIC */
	__be64	boottime;	/* CLOCK_BOOTTIME */
};

/* ---- generic netlink family "tracenet" -------------------------------- */

#define TRACENET_GENL_NAME	"tracenet"
#define TRACENET_GENL_VERSION	1

enum tracenet_cmd {
	TRACENET_CMD_UNSPEC,
	TRACENET_CMD_ATTACH,	/* IFINDEX, EVENT_ID, SYSTEM, NAME, FORMAT, FIELDS */
	TRACENET_CMD_DETACH,	/* IFINDEX, EVENT_ID or DETACH_ALL */
	/* dump: every device, or IFINDEX's events; doit: IFINDEX + EVENT_ID */
	TRACENET_CMD_GET_EVENTS,
	/* dump: per-CPU counters of every device, or of IFINDEX's */
	TRACENET_CMD_GET_STATS,
	/* IFINDEX + FWD_IFINDEX [FWD_DST] [FWD_FLAGS] [HOST_NAME] [BOOT_ID],
	 * or IFINDEX + FWD_OFF
	 */
	TRACENET_CMD_SET_FORWARD,
	TRACENET_CMD_GET_FORWARD,	/* IFINDEX: FWD_* (none: not forwarding) */
	TRACENET_CMD_SET_DEVICE,	/* IFINDEX + RAW_POINTERS */
	TRACENET_CMD_GET_DEVICE,	/* IFINDEX: IFNAME, RAW_POINTERS */
	/* IFINDEX + EVENT_ID + FILTER_FD: the producer's verdict on the
	 * event, a BPF program of type tracepoint (fd -1: none)
	 */
	TRACENET_CMD_SET_FILTER,
	__TRACENET_CMD_MAX,
};

#define TRACENET_CMD_MAX (__TRACENET_CMD_MAX - 1)

enum tracenet_attr {
	TRACENET_A_UNSPEC,
	TRACENET_A_IFINDEX,	/* u32 */
	TRACENET_A_IFNAME,	/* string, in replies */
	TRACENET_A_EVENT_ID,	/* u32: tracefs event id */
	TRACENET_A_SYSTEM,	/* string */
	TRACENET_A_NAME,	/* string */
	TRACENET_A_FORMAT,	/* string: tracefs format text */
	TRACENET_A_FIELDS,	/* nest: TRACENET_A_FIELD... */
	TRACENET_A_DETACH_ALL,	/* flag */
	/* nest, in GET_EVENTS replies: ID, SYSTEM, NAME, COUNT (+FORMAT: doit) */
	TRACENET_A_EVENT,
	TRACENET_A_EVENT_COUNT,	/* u64: events of this id produced */
	TRACENET_A_CPU_STATS,	/* nest: TRACENET_STAT_* (one per CPU) */
	TRACENET_A_PAD,
	TRACENET_A_FWD_IFINDEX,	/* u32: device to send a copy of each frame on */
	TRACENET_A_FWD_IFNAME,	/* string, in replies */
	TRACENET_A_FWD_DST,	/* binary, 6 bytes: destination MAC (default: trace0's) */
	TRACENET_A_FWD_FLAGS,	/* u32: TRACENET_FWD_* */
	TRACENET_A_FWD_OFF,	/* flag: stop forwarding */
	TRACENET_A_HOST_NAME,	/* string: the name host frames carry */
	TRACENET_A_BOOT_ID,	/* binary, 16 bytes: the boot id they carry */
	TRACENET_A_RAW_POINTERS,/* u8: 1 raw kernel addresses, 0 hashed */
	TRACENET_A_FILTER_FD,	/* s32: BPF program fd, -1: none */
	TRACENET_A_FILTER_ID,	/* u32, in EVENT replies: its program id */
	__TRACENET_A_MAX,
};

#define TRACENET_A_MAX (__TRACENET_A_MAX - 1)

/* Keep the device's raw addresses (TRACENET_F_RAW_POINTERS) in the copies;
 * without it a device with raw addresses forwards hashed ones.
 */
#define TRACENET_FWD_RAW_POINTERS 0x1
#define TRACENET_FWD_NO_LOCAL	0x2	/* forward only, no delivery on trace0 */
#define TRACENET_FWD_ALL	0x3

enum tracenet_field_attr {
	TRACENET_A_FIELD_UNSPEC,
	TRACENET_A_FIELD,	/* nest of the attributes below, in a FIELDS nest */
	TRACENET_A_FIELD_NAME,	/* string */
	TRACENET_A_FIELD_TYPE,	/* string: C type as in the format file */
	TRACENET_A_FIELD_OFFSET,/* u16 */
	TRACENET_A_FIELD_SIZE,	/* u16 */
	TRACENET_A_FIELD_FLAGS,	/* u32: TRACENET_FIELD_* */
	__TRACENET_A_FIELD_MAX,
};

#define TRACENET_A_FIELD_MAX (__TRACENET_A_FIELD_MAX - 1)

#define TRACENET_FIELD_SIGNED	0x01
#define TRACENET_FIELD_DYNAMIC	0x02	/* __data_loc: u32 (len << 16 | offset) */
#define TRACENET_FIELD_RELATIVE	0x04	/* __rel_loc: offset from the field's end */
#define TRACENET_FIELD_STRING	0x08
#define TRACENET_FIELD_ARRAY	0x10
#define TRACENET_FIELD_POINTER	0x20
#define TRACENET_FIELD_ALL	0x3f

/* Counters, per CPU. At rest,
 *   produced == delivered + every DROP_* + XDP_DROP + XDP_REDIRECT
 *               + FWD_ONLY + FILTERED
 * and every event takes one number of its CPU's sequence except those an
 * XDP program dropped or the producer's verdict rejected (filtered, not
 * lost). Delivered events are also
 * forwarded, when forwarding is on: FWD_EVENTS + FWD_DROP_EVENTS of them.
 */
enum tracenet_stat {
	TRACENET_STAT_UNSPEC,
	TRACENET_STAT_CPU,		/* u32 */
	TRACENET_STAT_PRODUCED,		/* u64: events accepted by the producer */
	TRACENET_STAT_DELIVERED,	/* u64: events handed to the stack */
	TRACENET_STAT_DROP_FULL,	/* u64: per-CPU buffer full */
	TRACENET_STAT_DROP_TOOBIG,	/* u64: record larger than a buffer slot */
	TRACENET_STAT_DROP_NOMEM,	/* u64: no skb for the frame */
	TRACENET_STAT_DROP_LAYOUT,	/* u64: field layout points past the record */
	TRACENET_STAT_DROP_DETACHED,	/* u64: event detached before delivery */
	TRACENET_STAT_DROP_DOWN,	/* u64: device went down with events queued */
	/* u64: XDP aborted, bad action, failed or unprivileged redirect */
	TRACENET_STAT_DROP_XDP_ERROR,
	TRACENET_STAT_SUPPRESSED,	/* u64: fired by tracenet's own delivery */
	TRACENET_STAT_FRAMES,		/* u64: event frames delivered */
	TRACENET_STAT_BYTES,		/* u64: bytes of those frames */
	TRACENET_STAT_META_FRAMES,	/* u64: metadata frames delivered */
	TRACENET_STAT_XDP_DROP,		/* u64: events an XDP program dropped */
	TRACENET_STAT_XDP_REDIRECT,	/* u64: events an XDP program redirected */
	TRACENET_STAT_PAD,
	TRACENET_STAT_FWD_FRAMES,	/* u64: frames sent on the forward device */
	TRACENET_STAT_FWD_EVENTS,	/* u64: events in those event frames */
	TRACENET_STAT_FWD_DROP_FRAMES,	/* u64: frames it could not send */
	TRACENET_STAT_FWD_DROP_EVENTS,	/* u64: events in those event frames */
	/* u64: events forwarded with no delivery on the device (NO_LOCAL),
	 * sent or not: produced == delivered + FWD_ONLY + drops + XDP's
	 */
	TRACENET_STAT_FWD_ONLY,
	/* u64: events the producer's verdict rejected: not buffered, no
	 * sequence number (TRACENET_CMD_SET_FILTER)
	 */
	TRACENET_STAT_FILTERED,
	__TRACENET_STAT_MAX,
};

#define TRACENET_STAT_MAX (__TRACENET_STAT_MAX - 1)

/* Limits on what user space may hand down. */
#define TRACENET_MAX_FIELDS	128
#define TRACENET_MAX_FORMAT	16384
#define TRACENET_MAX_NAME	64
#define TRACENET_MAX_EVENTS	1024	/* per device: syscalls:* is ~700 */

#endif /* _UAPI_LINUX_TRACENET_H */
