#!/bin/bash
# Allocation failures during attach, device creation and frame building:
# clean errors, nothing left half-made, counters consistent. Needs a kernel
# with fault injection (make debug-kernel); kmemleak after the suite finds
# what an error path forgot to free.
. "$(dirname "$0")/lib.sh"

fi=/sys/kernel/debug
[ -e /proc/self/fail-nth ] && [ -d $fi/failslab ] && [ -d $fi/fail_page_alloc ] ||
	skip "needs CONFIG_FAULT_INJECTION, FAILSLAB, FAIL_PAGE_ALLOC (make debug-kernel)"

# fault ATTR PROBABILITY IGNORE_GFP_WAIT: fail-nth picks the allocation
# itself; with probability 0 the attributes only have to let every
# allocation reach it, sleeping and order-0 ones included, quietly.
fault() {
	echo "$2" >$fi/$1/probability
	echo "$3" >$fi/$1/ignore-gfp-wait
	echo 0 >$fi/$1/verbose
	echo -1 >$fi/$1/times
	echo 1 >$fi/$1/interval
}
faults() { fault failslab "$@" && fault fail_page_alloc "$@"; }
echo 0 >$fi/fail_page_alloc/min-order
echo N >$fi/fail_page_alloc/ignore-gfp-highmem
trap 'faults 0 Y; echo N >$fi/failslab/cache-filter; kill $(jobs -p) 2>/dev/null; wait 2>/dev/null' EXIT

load
faults 0 N
cd "$here" || exit 1
python3 faultinject.py attach trace0 || fail "attach under allocation failures"
python3 faultinject.py newlink || fail "device creation under allocation failures"
# ring_buffer_alloc() allocates the other CPUs' buffers from a CPU hotplug
# callback, trace_rb_cpu_prepare(), which WARNs when that fails: the
# tracing core's report, not tracenet's (an ftrace instance would do the
# same). Anything else in the log is ours.
log=$(dmesg)
n=$(grep -c 'WARNING:.*trace_rb_cpu_prepare' <<<"$log")
grep -E 'WARNING:|BUG:|Oops|KASAN|UBSAN|sleeping function|locking|lock state|refcount_t|corruption' \
	<<<"$log" | grep -v 'WARNING:.*trace_rb_cpu_prepare' && fail "kernel reports above"
echo "device creation: $n WARNs of the ring buffer core's on allocation failure (expected)"
dmesg -C

# Frames are built in NAPI context, where fail-nth (a task's) does not
# reach: fail half of the atomic allocations from the skb head cache, and
# of nothing else, while events flow. Every event
# must still be delivered or counted, as drop_nomem.
"$ctl" attach trace0 syscalls:sys_enter_getppid sched:sched_switch || fail "attach"
ip link set trace0 up
[ "$(cat /sys/kernel/slab/skbuff_head_cache/failslab)" = 1 ] ||
	fail "boot with slub_debug=A,skbuff_head_cache (tools/check-debug does)"
echo Y >$fi/failslab/cache-filter
fault failslab 50 Y
python3 -c 'import os
for _ in range(20000): os.getppid()'
faults 0 Y
echo N >$fi/failslab/cache-filter
nomem=$(stat trace0 drop_nomem)
echo "frame building: $(stat trace0 produced) produced, $nomem dropped for memory"
[ "$nomem" -gt 0 ] || fail "no frame allocation failed: the test did not reach frame building"
check_accounting trace0

# And the device still works after all of it.
ip link set trace0 up
before=$(stat trace0 delivered)
python3 -c 'import os; [os.getppid() for _ in range(100)]'
sleep 0.5
[ "$(stat trace0 delivered)" -ge $((before + 100)) ] || fail "trace0 no longer delivers"
