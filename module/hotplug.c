// SPDX-License-Identifier: GPL-2.0
/*
 * CPU hotplug. perf drops per-CPU counters from a CPU that goes down and
 * never brings them back, so tracenet keeps one counter per event on every
 * CPU in tn_online and reconciles from a work item.
 *
 * A CPU can go down and up again before the work runs: its counters are
 * then still there, and dead. Each CPU's offlines are counted, and a
 * counter created before the last offline of its CPU is made anew.
 *
 * The cpuhp callbacks only update the mask and queue the work: creating or
 * releasing a tracepoint counter can register or unregister the tracepoint,
 * which takes cpus_read_lock() (static keys, kprobe arming) and would
 * deadlock inside a hotplug callback.
 */
#include <linux/cpuhotplug.h>
#include <linux/cred.h>
#include <linux/workqueue.h>
#include "tracenet.h"

static struct cpumask tn_online;
static DEFINE_PER_CPU(unsigned int, tn_offlines);
static enum cpuhp_state tn_cpuhp_state;
static void tn_reconcile(struct work_struct *work);
static DECLARE_WORK(tn_reconcile_work, tn_reconcile);

const struct cpumask *tn_cpus(void)
{
	return &tn_online;
}

unsigned int tn_cpu_offlines(unsigned int cpu)
{
	return READ_ONCE(per_cpu(tn_offlines, cpu));
}

/* perf checks the creator's credentials (perf_allow_tracepoint()): from
 * this kworker, the attacher's, not the kernel's.
 */
static int tn_event_open_cpu_as(struct tn_event *ev, unsigned int cpu)
{
	const struct cred *old = override_creds(ev->cred);
	int err = tn_event_open_cpu(ev, cpu);

	revert_creds(old);
	return err;
}

static void tn_reconcile_dev(struct tn_dev *td)
{
	struct tn_event *ev;
	unsigned long id;
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		bool want = cpumask_test_cpu(cpu, &tn_online);

		xa_for_each(&td->events, id, ev) {
			if (!want)
				tn_event_close_cpu(ev, cpu);
			else if (tn_event_open_cpu_as(ev, cpu))
				/* -ENODEV: it went down again; another
				 * reconcile is queued. Anything else leaves
				 * the CPU untraced, and says so.
				 */
				if (cpumask_test_cpu(cpu, &tn_online))
					netdev_warn(td->dev, "event %u: no counter on CPU %u\n",
						    ev->id, cpu);
		}
		/* Records left on a CPU that went down (no producer there
		 * kicks again), or handed over to one (on PREEMPT_RT the
		 * kick a hand-over queued there waits for it to come back),
		 * or written before the read page of a CPU new to the ring
		 * buffer.
		 */
		if (want && tn_queue_page_alloc(&td->queues[cpu]))
			netdev_warn(td->dev, "no read page for CPU %u\n", cpu);
		if (!tn_queue_empty(&td->queues[cpu]))
			tn_kick_cpu(td, cpu);
	}
}

static void tn_reconcile(struct work_struct *work)
{
	struct tn_dev *td;

	mutex_lock(&tn_mutex);
	list_for_each_entry(td, &tn_devs, node)
		tn_reconcile_dev(td);
	mutex_unlock(&tn_mutex);
}

static int tn_cpu_online(unsigned int cpu)
{
	cpumask_set_cpu(cpu, &tn_online);
	queue_work(system_dfl_wq, &tn_reconcile_work);
	return 0;
}

static int tn_cpu_offline(unsigned int cpu)
{
	/* cpuhp callbacks are serialised: no other writer. */
	WRITE_ONCE(per_cpu(tn_offlines, cpu), per_cpu(tn_offlines, cpu) + 1);
	cpumask_clear_cpu(cpu, &tn_online);
	queue_work(system_dfl_wq, &tn_reconcile_work);
	return 0;
}

int tn_hotplug_init(void)
{
	int ret;

	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "net/tracenet:online",
				tn_cpu_online, tn_cpu_offline);
	if (ret < 0)
		return ret;
	tn_cpuhp_state = ret;
	return 0;
}

void tn_hotplug_exit(void)
{
	cpuhp_remove_state_nocalls(tn_cpuhp_state);
	cancel_work_sync(&tn_reconcile_work);
}
