/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tracenet internals.
 *
 * Data path: producer.c (perf overflow handler, any context) writes records
 * into the device's per-CPU buffer (buffer.c) and kicks (kick.c) a
 * delivery CPU, where delivery.c drains each CPU's buffer from its NAPI
 * context and frame.c turns records into frames; metadata.c sends the
 * metadata and host frames;
 * pointers.c hashes the kernel addresses in them; xdp.c runs an attached
 * XDP program on each event frame before an skb exists; forward.c sends a
 * copy of each frame out of another device;
 * device.c owns the net_device, netlink.c the control plane,
 * hotplug.c keeps the per-CPU perf counters in step with the online CPUs.
 */
#ifndef _TRACENET_H
#define _TRACENET_H

#include <linux/netdevice.h>
#include <linux/perf_event.h>
#include <linux/ring_buffer.h>
#include <linux/irq_work.h>
#include <linux/u64_stats_sync.h>
#include <linux/xarray.h>
#include <linux/utsname.h>
#include <linux/siphash.h>
#include <net/xdp.h>
#include <asm/local64.h>
#include <uapi/linux/tracenet.h>
#include "compat.h"

#define TN_DRV_NAME		"tracenet"
#define TN_DEFAULT_RING_PAGES	64	/* per CPU: 256 KiB */
#define TN_MAX_RING_PAGES	16384
#define TN_MIN_RING_PAGES	2
#define TN_MAX_NUMDEVS		64	/* numdevs= at load */
#define TN_MAX_BATCH		64
#define TN_KICK_BACKLOG		64	/* events that kick NAPI at once */
#define TN_BATCH_BACKLOG	256	/* events that batch (adaptive-rx) */
#define TN_HDRS_LEN		(ETH_HLEN + sizeof(struct tracenet_hdr))

struct tn_dev;
struct tn_fwd;

/* One field of an attached event, as user space parsed it from tracefs. */
struct tn_field {
	u16 offset;
	u16 size;
	u32 flags;			/* TRACENET_FIELD_* */
	bool address;			/* hashed unless raw (pointers.c) */
	char *name;
	char *type;
};

/* An event attached to a device: one perf counter per online CPU. */
struct tn_event {
	struct tn_dev *td;
	u32 id;				/* tracefs event id */
	u16 nfields;
	struct tn_field *fields;
	char *system;
	char *name;
	char *format;
	local64_t __percpu *count;	/* NMI-safe on every arch */
	const struct cred *cred;	/* the attacher's, for perf at reconcile */
	struct perf_event **perf;	/* [nr_cpu_ids], under tn_mutex */
	unsigned int *opened;		/* [nr_cpu_ids]: tn_cpu_offlines() then */
	struct list_head gc;		/* detach_all's list to free */
	struct bpf_prog __rcu *verdict;	/* verdict.c; set under tn_mutex */
};

/* What the producer appends to the buffer: a header, then the raw record. */
struct tn_record {
	u64 ts;				/* CLOCK_REALTIME ns */
	u32 id;
	u32 size;			/* bytes of raw[] */
	char comm[TASK_COMM_LEN];
	u8 raw[];
};

/* Producer-side counters of one CPU: written only by events on that CPU,
 * from any context, hence local64_t.
 */
struct tn_pcpu {
	local64_t produced;
	local64_t drop_full;
	local64_t drop_toobig;
	local64_t filtered;		/* rejected by the producer's verdict */
	local64_t suppressed;
	local64_t meta_frames;		/* process context, BH off */
	local64_t meta_bytes;
	local64_t fwd_meta_frames;	/* likewise */
	local64_t fwd_meta_drops;
	local64_t kicks;		/* events that found NAPI idle */
};

/* Delivery-side state of one CPU's RX queue; only its NAPI poll (or the
 * device stop path, with NAPI disabled) writes it.
 */
struct tn_queue {
	struct napi_struct napi;
	struct irq_work kick;		/* now: self-IPI */
	struct irq_work kick_lazy;	/* at the next tick */
	call_single_data_t handover;	/* to the delivery CPU */
	struct tn_record *head;		/* consumed, not yet framed */
	void *rpage;			/* read page (compat.h) */
	unsigned int rpos, rend;	/* its unread part */
	struct tn_dev *td;
	unsigned int cpu;
	u64 seq;			/* next event sequence number */
	u64 drops_seen;			/* producer drops folded into seq */
	struct u64_stats_sync syncp;
	u64_stats_t delivered;
	u64_stats_t frames;
	u64_stats_t bytes;
	u64_stats_t drop_nomem;
	u64_stats_t drop_layout;
	u64_stats_t drop_detached;
	u64_stats_t drop_down;
	u64_stats_t drop_xdp_error;
	u64_stats_t xdp_drop;
	u64_stats_t xdp_redirect;
	u64_stats_t fwd_frames;
	u64_stats_t fwd_events;
	u64_stats_t fwd_drop_frames;
	u64_stats_t fwd_drop_events;
	u64_stats_t fwd_only;
	struct xdp_rxq_info xdp_rxq;
	bool xdp_flush;			/* redirected this poll */
	bool tail_mute;			/* no event kicked the last poll */
	u64 kicks_seen;			/* tn_pcpu.kicks then */
};

struct tn_dev {
	struct net_device *dev;
	struct trace_buffer *rb;
	struct tn_queue *queues;	/* [nr_cpu_ids] */
	struct tn_pcpu __percpu *pcpu;
	struct bpf_prog __rcu *xdp_prog;	/* under RTNL */
	struct bpf_prog *xdp_redirector;	/* it, if its attacher had CAP_PERFMON */
	struct tn_fwd __rcu *fwd;		/* under RTNL */
	struct xarray events;		/* id -> tn_event; RCU for readers */
	unsigned int nevents;		/* under tn_mutex */
	struct list_head node;		/* on tn_devs, under tn_mutex */
	struct packet_type ptype;	/* end of the line for our frames */
	struct delayed_work meta_work;
	char host[__NEW_UTS_LEN + 1];	/* host frames' identity, under tn_mutex */
	u8 boot_id[16];
	bool has_boot_id;
	bool raw_pointers;		/* TRACENET_F_RAW_POINTERS; under RTNL */
	siphash_key_t ptr_key;		/* hashes addresses otherwise */
	unsigned int ring_pages;
	unsigned int batch;		/* most events per frame */
	bool adaptive;			/* one per frame but under a backlog */
	bool coalesce;			/* kick NAPI lazily (ethtool rx-usecs) */
	bool running;			/* producers may write */
	bool dead;			/* uninit ran: no more attaches */
};

/* Snapshot of one CPU's counters, in enum tracenet_stat order. */
struct tn_stats {
	u64 produced, delivered;
	u64 drop_full, drop_toobig, drop_nomem, drop_layout;
	u64 drop_detached, drop_down, drop_xdp_error;
	u64 suppressed, frames, bytes, meta_frames;
	u64 xdp_drop, xdp_redirect;
	u64 fwd_frames, fwd_events, fwd_drop_frames, fwd_drop_events;
	u64 fwd_only;
	u64 filtered;
};

#define TN_NSTATS (sizeof(struct tn_stats) / sizeof(u64))

extern struct mutex tn_mutex;
extern struct list_head tn_devs;
extern struct rtnl_link_ops tn_link_ops;
extern const struct ethtool_ops tn_ethtool_ops;
extern unsigned int tn_meta_interval;

static inline struct tn_dev *tn_priv(const struct net_device *dev)
{
	return netdev_priv(dev);
}

bool tn_is_tracenet(const struct net_device *dev);
int tn_notifier_init(void);
void tn_notifier_exit(void);
struct net_device *tn_dev_create(const char *name);
void tn_read_stats(struct tn_dev *td, unsigned int cpu, struct tn_stats *s);
void tn_sum_stats(struct tn_dev *td, struct tn_stats *sum);

/* buffer.c */
int tn_buffer_alloc(struct tn_dev *td);
void tn_buffer_free(struct tn_dev *td);
int tn_buffer_resize(struct tn_dev *td, unsigned int pages);
/* verdict.c */
int tn_verdict_set(struct tn_event *ev, int fd, struct netlink_ext_ack *extack);
void tn_verdict_release(struct tn_event *ev);
u32 tn_verdict_id(const struct tn_event *ev);
bool tn_verdict_pass(struct tn_event *ev, struct perf_raw_record *raw,
		     struct pt_regs *regs);

int tn_buffer_write(struct tn_dev *td, const struct tn_event *ev,
		    const struct perf_raw_record *raw);
int tn_queue_page_alloc(struct tn_queue *q);
void tn_queue_page_free(struct tn_queue *q);
struct tn_record *tn_queue_head(struct tn_queue *q);
void tn_queue_pop(struct tn_queue *q);
bool tn_queue_empty(struct tn_queue *q);
unsigned long tn_queue_entries(struct tn_queue *q);
void tn_buffer_reset(struct tn_dev *td);

/* producer.c */
int tn_event_attach(struct tn_dev *td, struct tn_event *ev,
		    struct netlink_ext_ack *extack);
void tn_event_detach(struct tn_dev *td, u32 id);
void tn_event_detach_all(struct tn_dev *td);
int tn_event_open_cpu(struct tn_event *ev, unsigned int cpu);
void tn_event_close_cpu(struct tn_event *ev, unsigned int cpu);
void tn_event_free(struct tn_event *ev);
bool tn_delivering(void);
void tn_delivery_begin(void);
void tn_delivery_end(void);
void tn_delivery_raise(void);
void tn_delivery_tail(void);

/* hotplug.c */
int tn_hotplug_init(void);
void tn_hotplug_exit(void);
const struct cpumask *tn_cpus(void);
unsigned int tn_cpu_offlines(unsigned int cpu);

/* kick.c */
int tn_delivery_init(void);
void tn_kick_init(struct tn_queue *q);
void tn_kick(struct tn_dev *td, bool tail);
void tn_kick_cpu(struct tn_dev *td, unsigned int cpu);
void tn_kick_sync(struct tn_queue *q);
void tn_tail_mute(struct tn_queue *q);
s64 tn_backlog(struct tn_queue *q);

/* delivery.c */
int tn_queues_init(struct tn_dev *td);
void tn_queues_free(struct tn_dev *td);
void tn_queues_start(struct tn_dev *td);
void tn_queues_stop(struct tn_dev *td);
void tn_fold_producer_drops(struct tn_queue *q);
void tn_count(struct tn_queue *q, u64_stats_t *stat, u64 n);
void tn_drop_head(struct tn_queue *q, u64_stats_t *reason);

/* metadata.c */
void tn_meta_send(struct tn_dev *td, const struct tn_event *ev);
void tn_host_send(struct tn_dev *td);
void tn_meta_work(struct work_struct *work);

/* xdp.c */
int tn_xdp_rxq_init(struct tn_queue *q);
void tn_xdp_rxq_free(struct tn_queue *q);
int tn_xdp_setup(struct net_device *dev, struct netdev_bpf *bpf);
bool tn_xdp_event(struct tn_queue *q, struct bpf_prog *prog,
		  struct sk_buff **skb);

/* forward.c */
void tn_fwd_target_gone(struct net_device *dev);
int tn_fwd_set(struct tn_dev *td, struct net_device *to, const u8 *dst,
	       u32 flags, struct netlink_ext_ack *extack);
void tn_fwd_clear(struct tn_dev *td);
struct net_device *tn_fwd_get(struct tn_dev *td, u8 *dst, u32 *flags);
bool tn_fwd_events(struct tn_queue *q, struct tn_fwd *fwd,
		   const struct sk_buff *skb);
bool tn_fwd_meta(struct tn_dev *td, const struct sk_buff *skb);

/* pointers.c */
bool tn_field_is_address(const struct tn_field *f);
void tn_pointer_hash(u8 *val, u32 len, const siphash_key_t *key);
bool tn_pointers_hash_frame(struct tn_dev *td, u8 *p, unsigned int len);

/* frame.c */
int tn_frame_event_len(const struct tn_event *ev, const struct tn_record *rec);
void tn_frame_write_event(void *buf, const struct tn_event *ev,
			  const struct tn_record *rec, bool raw);
void tn_frame_write_hdr(void *buf, const struct net_device *dev, u8 type,
			bool raw, unsigned int cpu, unsigned int count, u64 seq);
/* Events in a frame past eth_type_trans(), as the stack receives it. */
static inline unsigned int tn_frame_events_in(const struct sk_buff *skb)
{
	return ntohs(((const struct tracenet_hdr *)skb->data)->count);
}

void tn_frame_put_hdr(struct sk_buff *skb, struct net_device *dev, u8 type,
		      bool raw, unsigned int cpu, unsigned int count, u64 seq);
struct sk_buff *tn_frame_meta(struct net_device *dev, const struct tn_event *ev,
			      unsigned int cpu, gfp_t gfp);
int tn_frame_meta_split(struct net_device *dev, struct sk_buff *whole,
			unsigned int mtu, unsigned int cpu,
			struct sk_buff_head *parts, gfp_t gfp);
struct sk_buff *tn_frame_host(struct tn_dev *td, unsigned int cpu, gfp_t gfp);

/* netlink.c */
int tn_netlink_init(void);
void tn_netlink_exit(void);

#endif /* _TRACENET_H */
