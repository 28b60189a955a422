// SPDX-License-Identifier: GPL-2.0
/*
 * Frame layout (Documentation/tracenet.rst has the byte tables):
 *
 *   Ethernet II, EtherType 0x88B5 | tracenet_hdr | event | event | ...
 *   event = tracenet_event | TLV(field 0) | TLV(field 1) | ...
 *
 * Field values are cut out of the raw record with the layout user space
 * handed down, so every read is checked against the record's real size:
 * a layout that points past the record drops the event, it never reads
 * beyond it.
 */
#include <linux/etherdevice.h>
#include <linux/trace_events.h>
#include "tracenet.h"

/* Where a field's value lives in the record, or false if it does not fit. */
static bool tn_field_span(const struct tn_field *f, const struct tn_record *rec,
			  u32 *off, u32 *len)
{
	u32 loc;

	if ((u32)f->offset + f->size > rec->size)
		return false;
	if (!(f->flags & TRACENET_FIELD_DYNAMIC)) {
		*off = f->offset;
		*len = f->size;
		return true;
	}
	/* __data_loc: u32 (len << 16 | offset from the record start);
	 * __rel_loc: the same, offset from the end of the field itself.
	 */
	loc = get_unaligned((const u32 *)(rec->raw + f->offset));
	*off = loc & 0xffff;
	*len = loc >> 16;
	if (f->flags & TRACENET_FIELD_RELATIVE)
		*off += f->offset + f->size;
	return *off + *len <= rec->size;
}

static unsigned int tn_tlv_len(u32 len)
{
	return sizeof(struct tracenet_tlv) + TRACENET_TLV_ALIGN(len);
}

int tn_frame_event_len(const struct tn_event *ev, const struct tn_record *rec)
{
	unsigned int total = sizeof(struct tracenet_event);
	u32 off, len;
	u16 i;

	if (rec->size < sizeof(struct trace_entry))
		return -EINVAL;
	for (i = 0; i < ev->nfields; i++) {
		if (!tn_field_span(&ev->fields[i], rec, &off, &len))
			return -EINVAL;
		total += tn_tlv_len(len);
	}
	return total > U16_MAX ? -EINVAL : total;
}

static void tn_put_tlv(struct sk_buff *skb, u16 type, const void *val, u32 len)
{
	struct tracenet_tlv *tlv = skb_put(skb, sizeof(*tlv));
	u32 pad = TRACENET_TLV_ALIGN(len) - len;

	tlv->type = htons(type);
	tlv->len = htons(len);
	skb_put_data(skb, val, len);
	if (pad)
		skb_put_zero(skb, pad);
}

/* Write the event at @buf, which has the tn_frame_event_len() bytes it
 * needs: the caller's skb or, for XDP, a page fragment. Address fields are
 * hashed unless @raw, which the frame's header says (tn_frame_write_hdr()).
 */
void tn_frame_write_event(void *buf, const struct tn_event *ev,
			  const struct tn_record *rec, bool raw)
{
	const struct trace_entry *ent = (const struct trace_entry *)rec->raw;
	struct tracenet_event *e = buf;
	u8 *p = buf + sizeof(*e);
	u32 off, len;
	u16 i;

	e->nfields = htons(ev->nfields);
	e->id = htonl(ev->id);
	e->ts = cpu_to_be64(rec->ts);
	e->pid = htonl(ent->pid);
	e->common_flags = ent->flags;
	e->preempt_count = ent->preempt_count;
	e->reserved = 0;
	memcpy(e->comm, rec->comm, sizeof(e->comm));

	for (i = 0; i < ev->nfields; i++) {
		struct tracenet_tlv *tlv = (struct tracenet_tlv *)p;
		u32 pad;

		tn_field_span(&ev->fields[i], rec, &off, &len);
		pad = TRACENET_TLV_ALIGN(len) - len;
		tlv->type = htons(i);
		tlv->len = htons(len);
		p = memcpy(tlv + 1, rec->raw + off, len);
		if (!raw && ev->fields[i].address)
			tn_pointer_hash(p, len, &ev->td->ptr_key);
		p += len;
		memset(p, 0, pad);
		p += pad;
	}
	e->len = htons(p - (u8 *)buf);
}

static u8 tn_wire_flags(bool raw)
{
	u8 flags = raw ? TRACENET_F_RAW_POINTERS : 0;

	if (IS_ENABLED(CONFIG_CPU_BIG_ENDIAN))
		flags |= TRACENET_F_BIG_ENDIAN;
	if (BITS_PER_LONG == 64)
		flags |= TRACENET_F_LONG64;
	return flags;
}

/* The Ethernet and tracenet headers, TN_HDRS_LEN bytes at @buf; @raw: the
 * events' addresses are raw. Every frame says so, metadata too, so that
 * any capture does.
 */
void tn_frame_write_hdr(void *buf, const struct net_device *dev, u8 type,
			bool raw, unsigned int cpu, unsigned int count, u64 seq)
{
	struct ethhdr *eth = buf;
	struct tracenet_hdr *h = buf + ETH_HLEN;

	ether_addr_copy(eth->h_dest, dev->dev_addr);
	ether_addr_copy(eth->h_source, dev->dev_addr);
	eth->h_proto = htons(TRACENET_ETH_P);
	h->version = TRACENET_WIRE_VERSION;
	h->type = type;
	h->flags = tn_wire_flags(raw);
	h->hdr_len = sizeof(*h);
	h->cpu = htons(cpu);
	h->count = htons(count);
	h->seq = cpu_to_be64(seq);
}

/* Push the headers in front of the payload and make the skb look received. */
void tn_frame_put_hdr(struct sk_buff *skb, struct net_device *dev, u8 type,
		      bool raw, unsigned int cpu, unsigned int count, u64 seq)
{
	tn_frame_write_hdr(skb_push(skb, TN_HDRS_LEN), dev, type, raw, cpu,
			   count, seq);
	skb->protocol = eth_type_trans(skb, dev);
}

static unsigned int tn_meta_field_len(const struct tn_field *f)
{
	return sizeof(struct tracenet_meta_field) + strlen(f->name) + 1 +
	       strlen(f->type) + 1;
}

static void tn_put_meta_field(struct sk_buff *skb, const struct tn_field *f)
{
	unsigned int len = tn_meta_field_len(f);
	struct tracenet_tlv *tlv = skb_put(skb, sizeof(*tlv));
	struct tracenet_meta_field *mf;

	tlv->type = htons(TRACENET_META_FIELD);
	tlv->len = htons(len);
	mf = skb_put(skb, sizeof(*mf));
	mf->offset = htons(f->offset);
	mf->size = htons(f->size);
	mf->flags = htonl(f->flags);
	skb_put_data(skb, f->name, strlen(f->name) + 1);
	skb_put_data(skb, f->type, strlen(f->type) + 1);
	skb_put_zero(skb, TRACENET_TLV_ALIGN(len) - len);
}

/* One metadata record for @ev in its own frame. Its size is bounded by the
 * attach limits (format text, field count, name lengths).
 */
struct sk_buff *tn_frame_meta(struct net_device *dev, const struct tn_event *ev,
			      unsigned int cpu, gfp_t gfp)
{
	unsigned int len = sizeof(struct tracenet_meta);
	struct tracenet_meta *m;
	struct sk_buff *skb;
	u16 i;

	len += tn_tlv_len(strlen(ev->system) + 1);
	len += tn_tlv_len(strlen(ev->name) + 1);
	len += tn_tlv_len(strlen(ev->format) + 1);
	for (i = 0; i < ev->nfields; i++)
		len += tn_tlv_len(tn_meta_field_len(&ev->fields[i]));
	if (WARN_ON_ONCE(len > U16_MAX))
		return NULL;

	skb = alloc_skb(TN_HDRS_LEN + len, gfp);
	if (!skb)
		return NULL;
	skb_reserve(skb, TN_HDRS_LEN);

	m = skb_put(skb, sizeof(*m));
	m->len = htons(len);
	m->reserved = 0;
	m->id = htonl(ev->id);
	tn_put_tlv(skb, TRACENET_META_SYSTEM, ev->system, strlen(ev->system) + 1);
	tn_put_tlv(skb, TRACENET_META_NAME, ev->name, strlen(ev->name) + 1);
	tn_put_tlv(skb, TRACENET_META_FORMAT, ev->format, strlen(ev->format) + 1);
	for (i = 0; i < ev->nfields; i++)
		tn_put_meta_field(skb, &ev->fields[i]);

	tn_frame_put_hdr(skb, dev, TRACENET_FRAME_META,
			 READ_ONCE(tn_priv(dev)->raw_pointers), cpu, 1, 0);
	skb->tstamp = ktime_get_real();
	return skb;
}

/* Cut the metadata frame @whole (as tn_frame_meta() made it) into frames
 * of at most @mtu onto @parts: a collector behind a standard link gets
 * formats, which are larger. Frees @whole.
 */
int tn_frame_meta_split(struct net_device *dev, struct sk_buff *whole,
			unsigned int mtu, unsigned int cpu,
			struct sk_buff_head *parts, gfp_t gfp)
{
	const u8 *rec = whole->data + sizeof(struct tracenet_hdr);
	unsigned int len = whole->len - sizeof(struct tracenet_hdr);
	unsigned int chunk = mtu - sizeof(struct tracenet_hdr);
	unsigned int off, n;
	struct sk_buff *skb;

	for (off = 0; off < len; off += n) {
		n = min(chunk, len - off);
		skb = alloc_skb(TN_HDRS_LEN + n, gfp);
		if (!skb) {
			__skb_queue_purge(parts);
			consume_skb(whole);
			return -ENOMEM;
		}
		skb_reserve(skb, TN_HDRS_LEN);
		skb_put_data(skb, rec + off, n);
		tn_frame_put_hdr(skb, dev, TRACENET_FRAME_META,
				 READ_ONCE(tn_priv(dev)->raw_pointers), cpu, 1, off);
		if (off + n < len)
			((struct tracenet_hdr *)skb->data)->flags |= TRACENET_F_MORE;
		skb->tstamp = whole->tstamp;
		__skb_queue_tail(parts, skb);
	}
	consume_skb(whole);
	return 0;
}

/* The host frame: name, boot id if known, and the clocks read together. */
struct sk_buff *tn_frame_host(struct tn_dev *td, unsigned int cpu, gfp_t gfp)
{
	struct tracenet_host_clock clk;
	unsigned int len, count = 2;
	struct sk_buff *skb;

	len = tn_tlv_len(strlen(td->host) + 1) + tn_tlv_len(sizeof(clk));
	if (td->has_boot_id) {
		len += tn_tlv_len(sizeof(td->boot_id));
		count++;
	}
	skb = alloc_skb(TN_HDRS_LEN + len, gfp);
	if (!skb)
		return NULL;
	skb_reserve(skb, TN_HDRS_LEN);
	tn_put_tlv(skb, TRACENET_HOST_NAME, td->host, strlen(td->host) + 1);
	if (td->has_boot_id)
		tn_put_tlv(skb, TRACENET_HOST_BOOT_ID, td->boot_id,
			   sizeof(td->boot_id));
	/* Back to back, no sleeping between: the offsets are what counts. */
	clk.realtime = cpu_to_be64(ktime_get_real_ns());
	clk.tai = cpu_to_be64(ktime_get_clocktai_ns());
	clk.monotonic = cpu_to_be64(ktime_get_ns());
	clk.boottime = cpu_to_be64(ktime_get_boottime_ns());
	tn_put_tlv(skb, TRACENET_HOST_CLOCK, &clk, sizeof(clk));

	tn_frame_put_hdr(skb, td->dev, TRACENET_FRAME_HOST,
			 READ_ONCE(td->raw_pointers), cpu, count, 0);
	skb->tstamp = ns_to_ktime(be64_to_cpu(clk.realtime));
	return skb;
}
