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

/* The record at the head of @q's buffer. It is consumed from the ring
 * buffer at once, one reader-lock round trip rather than a peek and a
 * consume, and held in q->head until popped: it stays on the reader page,
 * which no writer reuses, until the next read.
 */
struct tn_record *tn_queue_head(struct tn_queue *q)
{
	struct ring_buffer_event *rbe;

	if (!q->head) {
		rbe = ring_buffer_consume(q->td->rb, q->cpu, NULL, NULL);
		if (rbe)
			WRITE_ONCE(q->head, ring_buffer_event_data(rbe));
	}
	return q->head;
}

void tn_queue_pop(struct tn_queue *q)
{
	WRITE_ONCE(q->head, NULL);
}

/* Any context; a hint for the kick, exact for the poll. */
bool tn_queue_empty(struct tn_queue *q)
{
	return !READ_ONCE(q->head) && ring_buffer_empty_cpu(q->td->rb, q->cpu);
}

/* With no writer and no reader (the device going down). */
unsigned long tn_queue_entries(struct tn_queue *q)
{
	return ring_buffer_entries_cpu(q->td->rb, q->cpu) + !!q->head;
}

/* Likewise. */
void tn_buffer_reset(struct tn_dev *td)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		td->queues[cpu].head = NULL;
	ring_buffer_reset(td->rb);
}
