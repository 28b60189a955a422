// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel addresses in trace frames. perf gives raw tracepoint records,
 * pointers included, only to CAP_PERFMON; a packet socket on trace0 needs
 * CAP_NET_RAW. So address fields leave the record as a keyed hash unless a
 * CAP_PERFMON user asked for raw values on the device: SipHash with a key
 * per device, drawn when it is created, so that equal addresses hash equal
 * (an skb can still be followed from event to event) and NULL stays 0.
 *
 * An address field is one of pointer type (flagged, or a '*' in its type),
 * or one of the unsigned long
 * fields that hold code addresses by name (call_site, ip, parent_ip).
 * Which fields are is decided once, at attach.
 */
#include "tracenet.h"

bool tn_field_is_address(const struct tn_field *f)
{
	static const char *const names[] = { "call_site", "ip", "parent_ip" };
	unsigned int i;

	if (f->flags & TRACENET_FIELD_DYNAMIC)
		return false;
	/* The type too: what user space flags is not all it could miss. */
	if ((f->flags & TRACENET_FIELD_POINTER) || strchr(f->type, '*'))
		return true;
	if (f->size != sizeof(long) || strcmp(f->type, "unsigned long"))
		return false;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(f->name, names[i]))
			return true;
	return false;
}

/* Hash the value of @len bytes at @val in place; other sizes are no
 * address of this machine's and stay as they are.
 */
void tn_pointer_hash(u8 *val, u32 len, const siphash_key_t *key)
{
	if (len == sizeof(u64)) {
		u64 v = get_unaligned((u64 *)val);

		if (v)
			put_unaligned(siphash_1u64(v, key), (u64 *)val);
	} else if (len == sizeof(u32)) {
		u32 v = get_unaligned((u32 *)val);

		if (v)
			put_unaligned((u32)siphash_1u32(v, key), (u32 *)val);
	}
}

/* Hash the address fields of one event, its TLVs at @p + @t to @end. */
static void tn_pointers_hash_event(const struct tn_event *ev, u8 *p,
				   unsigned int t, unsigned int end,
				   u16 nfields, const siphash_key_t *key)
{
	u16 i;

	for (i = 0; i < nfields && i < ev->nfields &&
	     t + sizeof(struct tracenet_tlv) <= end; i++) {
		u16 tl = ntohs(((const struct tracenet_tlv *)(p + t))->len);

		t += sizeof(struct tracenet_tlv);
		if (t + tl > end)
			return;
		if (ev->fields[i].address)
			tn_pointer_hash(p + t, tl, key);
		t += TRACENET_TLV_ALIGN(tl);
	}
}

/* Hash the address fields of a frame with raw ones, @p the tracenet header
 * of @len bytes, and say so in its flags: forwarding's copy, when the
 * device has raw addresses and the forward does not. The frame is ours,
 * built this poll; the bounds are checked all the same. Returns false if
 * an event could not be hashed (detached meanwhile): the frame must not go.
 */
bool tn_pointers_hash_frame(struct tn_dev *td, u8 *p, unsigned int len)
{
	struct tracenet_hdr *h = (struct tracenet_hdr *)p;
	unsigned int n = ntohs(h->count), off = h->hdr_len;

	h->flags &= ~TRACENET_F_RAW_POINTERS;
	if (h->type != TRACENET_FRAME_EVENTS)
		return true;
	while (n--) {
		const struct tracenet_event *e = (const void *)(p + off);
		unsigned int end;
		const struct tn_event *ev;

		if (off + sizeof(*e) > len)
			return false;
		end = off + ntohs(e->len);
		ev = xa_load(&td->events, ntohl(e->id));
		if (end < off + sizeof(*e) || end > len || !ev)
			return false;
		tn_pointers_hash_event(ev, p, off + sizeof(*e), end,
				       ntohs(e->nfields), &td->ptr_key);
		off = end;
	}
	return true;
}
