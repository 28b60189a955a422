// SPDX-License-Identifier: GPL-2.0
/*
 * The per-CPU event buffer: the kernel's lockless ring buffer
 * (kernel/trace/ring_buffer.c) in producer/consumer mode. Writers on a CPU
 * may nest (task, softirq, hardirq, NMI) and never wait: when the buffer is
 * full the write fails and the event is counted as dropped. The reader is
 * that CPU's queue's NAPI poll, on its delivery CPU (delivery.c), which the
 * ring buffer's reader lock allows.
 */
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include "tracenet.h"

/* Largest record the ring buffer takes in one slot (BUF_MAX_DATA_SIZE is
 * private to ring_buffer.c): a page less its headers, with margin.
 */
#define TN_MAX_RECORD	(PAGE_SIZE - 64)

int tn_buffer_alloc(struct tn_dev *td)
{
	/* Flags 0: no overwrite, so a full buffer drops new events instead of
	 * silently eating old ones the reader has not seen.
	 */
	td->rb = ring_buffer_alloc((unsigned long)td->ring_pages * PAGE_SIZE, 0);
	return td->rb ? 0 : -ENOMEM;
}

void tn_buffer_free(struct tn_dev *td)
{
	if (td->rb)
		ring_buffer_free(td->rb);
	td->rb = NULL;
}

/* Only with the device down: no writer, no reader. */
int tn_buffer_resize(struct tn_dev *td, unsigned int pages)
{
	int err;

	err = ring_buffer_resize(td->rb, (unsigned long)pages * PAGE_SIZE,
				 RING_BUFFER_ALL_CPUS);
	if (err < 0)
		return err;
	td->ring_pages = pages;
	return 0;
}

static u32 tn_raw_size(const struct perf_raw_record *raw)
{
	const struct perf_raw_frag *frag = &raw->frag;
	u32 size = 0;

	for (;;) {
		size += frag->size;
		if (perf_raw_frag_last(frag))
			return size;
		frag = frag->next;
	}
}

/* Called from the perf overflow handler: any context, may nest. */
int tn_buffer_write(struct tn_dev *td, const struct tn_event *ev,
		    const struct perf_raw_record *raw)
{
	const struct perf_raw_frag *frag = &raw->frag;
	struct ring_buffer_event *rbe;
	struct tn_record *rec;
	u32 size = tn_raw_size(raw);
	u8 *p;

	if (size > TN_MAX_RECORD - sizeof(*rec))
		return -E2BIG;

	rbe = ring_buffer_lock_reserve(td->rb, sizeof(*rec) + size);
	if (!rbe)
		return -ENOSPC;

	rec = ring_buffer_event_data(rbe);
	rec->ts = ktime_get_real_fast_ns();
	rec->id = ev->id;
	rec->size = size;
	/* current->comm may change under us (exec, prctl); a torn name is
	 * harmless and the kernel's own tracers copy it the same way.
	 */
	memcpy(rec->comm, current->comm, TASK_COMM_LEN);
	rec->comm[TASK_COMM_LEN - 1] = '\0';

	p = rec->raw;
	for (;;) {
		memcpy(p, frag->data, frag->size);
		p += frag->size;
		if (perf_raw_frag_last(frag))
			break;
		frag = frag->next;
	}

	tn_ring_buffer_unlock_commit(td->rb, rbe);
	return 0;
}

/* Where the events start on a read page, after its u64 time stamp and
 * local_t commit, and the bits of commit that count bytes: the layout
 * trace_pipe_raw gives user space (events/header_page), so it holds.
 */
#define TN_PAGE_HDR	(sizeof(u64) + sizeof(local_t))
#define TN_COMMIT_MASK	((1U << 27) - 1)

/* At init, and when a CPU comes online (the ring buffer makes a CPU's
 * buffer when it first does: -ENODEV before). Until it has a read page, a
 * queue reads nothing; the reconcile kicks it after this.
 */
int tn_queue_page_alloc(struct tn_queue *q)
{
	void *page;
	int err;

	if (q->rpage)
		return 0;
	err = tn_rb_alloc_read_page(q->td->rb, q->cpu, &page);
	if (err)
		return err;
	/* Pairs with tn_queue_head(): the poll sees the page set up. */
	smp_store_release(&q->rpage, page);
	return 0;
}

void tn_queue_page_free(struct tn_queue *q)
{
	if (q->rpage)
		ring_buffer_free_read_page(q->td->rb, q->cpu, q->rpage);
	q->rpage = NULL;
}

/* The next record on the read page from *@pos, which it moves past it;
 * NULL at the end. The events are the ring buffer's (struct
 * ring_buffer_event, events/header_event): time extends and padding are
 * skipped, a zero-length padding ends the page.
 */
static struct tn_record *tn_page_next(void *page, unsigned int *pos,
				      unsigned int end)
{
	u8 *data = (u8 *)tn_rb_page_data(page) + TN_PAGE_HDR;

	while (*pos + sizeof(struct ring_buffer_event) + sizeof(u32) <= end) {
		struct ring_buffer_event *e = (void *)(data + *pos);
		struct tn_record *rec = NULL;
		unsigned int len;

		switch (e->type_len) {
		case RINGBUF_TYPE_PADDING:
			if (!e->time_delta)
				goto out;
			len = e->array[0] + sizeof(*e);
			break;
		case RINGBUF_TYPE_TIME_EXTEND:
		case RINGBUF_TYPE_TIME_STAMP:
			len = 2 * sizeof(u32);
			break;
		case 0:
			len = e->array[0] + sizeof(*e);
			rec = (void *)&e->array[1];
			break;
		default:
			len = e->type_len * sizeof(u32) + sizeof(*e);
			rec = (void *)e->array;
		}
		if (WARN_ON_ONCE(len > end - *pos ||
				 (rec && sizeof(*rec) + rec->size >
					 len - ((u8 *)rec - (u8 *)e))))
			break;
		*pos += len;
		if (rec)
			return rec;
	}
out:
	*pos = end;
	return NULL;
}

/* The record at the head of @q's buffer. Records leave the ring buffer a
 * page at a time (ring_buffer_read_page(): one reader-lock round trip per
 * page, and a page the writer left is swapped out, not copied); the one at
 * the head is held in q->head until popped.
 */
struct tn_record *tn_queue_head(struct tn_queue *q)
{
	/* Pairs with tn_queue_page_alloc(). */
	void *page = smp_load_acquire(&q->rpage);
	unsigned int pos = q->rpos, end = q->rend;
	struct tn_record *rec;
	int start;

	if (q->head || !page)
		return q->head;
	rec = tn_page_next(page, &pos, end);
	if (!rec) {
		start = tn_rb_read_page(q->td->rb, &q->rpage, q->cpu);
		if (start >= 0) {
			page = q->rpage;
			pos = start;
			end = local_read((local_t *)((u8 *)tn_rb_page_data(page) +
						     sizeof(u64))) & TN_COMMIT_MASK;
			end = min_t(unsigned int, end, PAGE_SIZE - TN_PAGE_HDR);
			rec = tn_page_next(page, &pos, end);
		}
	}
	/* Hints for tn_queue_empty() elsewhere. */
	WRITE_ONCE(q->rpos, pos);
	WRITE_ONCE(q->rend, end);
	WRITE_ONCE(q->head, rec);
	return rec;
}

void tn_queue_pop(struct tn_queue *q)
{
	WRITE_ONCE(q->head, NULL);
}

/* Any context; a hint for the kick, exact for the poll: nothing it can
 * read (without a read page, nothing until the reconcile gives one).
 */
bool tn_queue_empty(struct tn_queue *q)
{
	return !READ_ONCE(q->head) && READ_ONCE(q->rpos) >= READ_ONCE(q->rend) &&
	       (!READ_ONCE(q->rpage) || ring_buffer_empty_cpu(q->td->rb, q->cpu));
}

/* With no writer and no reader (the device going down). */
unsigned long tn_queue_entries(struct tn_queue *q)
{
	unsigned long n = ring_buffer_entries_cpu(q->td->rb, q->cpu) + !!q->head;
	unsigned int pos = q->rpos;

	if (q->rpage)
		while (tn_page_next(q->rpage, &pos, q->rend))
			n++;
	return n;
}

/* Likewise. */
void tn_buffer_reset(struct tn_dev *td)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct tn_queue *q = &td->queues[cpu];

		q->head = NULL;
		q->rpos = 0;
		q->rend = 0;
	}
	ring_buffer_reset(td->rb);
}
