#!/bin/bash
# Where the buffers are polled (delivery_cpus): by default on the highest
# online CPU that is not isolated (make check boots with isolcpus=1 too),
# with "all" on the traced CPU, with a list on the next CPU of the list,
# isolated or not; a CPU that goes down hands its queues on.
# Oracle: the CPU ftrace's napi:napi_poll shows for trace0's polls. Every
# event is delivered, and a list the module cannot use refuses the load.
. "$(dirname "$0")/lib.sh"

[ -e /sys/devices/system/cpu/cpu1/online ] || skip "needs a second CPU that can go offline"
last=$(($(getconf _NPROCESSORS_ONLN) - 1))
# The default: the highest CPU not in the isolated list, else the highest.
def=$(python3 -c 'import sys
iso = set()
for r in filter(None, sys.argv[2].split(",")):
    a, _, b = r.partition("-")
    iso.update(range(int(a), int(b or a) + 1))
print(max(set(range(int(sys.argv[1]) + 1)) - iso, default=int(sys.argv[1])))' "$last" "$(cat /sys/devices/system/cpu/isolated)")
note "isolated CPUs: $(cat /sys/devices/system/cpu/isolated); the default delivery CPU: $def"
inst=/sys/kernel/tracing/instances/tn_dlv
np=$inst/events/napi/napi_poll
rmdir $inst 2>/dev/null
mkdir $inst || fail "no tracefs instance"
trap 'rmdir $inst 2>/dev/null' EXIT
echo 'dev_name == "trace0"' >$np/filter || fail "napi_poll filter"

# polls_of: 2000 getppid calls on CPU 0; prints the CPUs trace0 was polled
# on, and fails unless every event reached the stack.
polls_of() {
	local d0 t=50
	d0=$(stat trace0 rx_queue_0_delivered)
	ip link set trace0 up
	echo >$inst/trace
	echo 1 >$np/enable
	taskset -c 0 python3 -c 'import os; [os.getppid() for _ in range(2000)]'
	# The lazy kick waits for a tick; the periodic flush bounds it.
	while [ $t -gt 0 ] && [ $(($(stat trace0 rx_queue_0_delivered) - d0)) -lt 2000 ]; do
		sleep 0.1
		t=$((t - 1))
	done
	echo 0 >$np/enable
	[ $(($(stat trace0 rx_queue_0_delivered) - d0)) -ge 2000 ] ||
		fail "CPU 0's events not delivered: $(($(stat trace0 rx_queue_0_delivered) - d0)) of 2000"
	check_accounting trace0 >&2
	grep 'napi_poll:' $inst/trace | grep -o '\[[0-9]*\]' | tr -d '[]' | sed 's/^0*\([0-9]\)/\1/' |
		sort -un | paste -sd,
}

# expect PARAMS CPUS: load with PARAMS; CPU 0's queue is polled on CPUS.
expect() {
	local got
	load meta_interval=1 "$1"
	"$ctl" attach trace0 syscalls:sys_enter_getppid >/dev/null || fail "attach"
	got=$(polls_of) || fail "$got"
	note "${1:-default}: polled on CPU $got"
	[ "$got" = "$2" ] || fail "${1:-default}: polled on CPU $got, not $2"
}

expect "" "$def"
expect delivery_cpus=all 0
expect delivery_cpus=$last "$last"
expect delivery_cpus=0 0
expect delivery_cpus=1 1
expect delivery_cpus=1-$last 1

# The delivery CPU goes down: its queues go to the next one (none: each
# CPU its own), and come back when it is online again.
load meta_interval=1 delivery_cpus=1
"$ctl" attach trace0 syscalls:sys_enter_getppid >/dev/null || fail "attach"
echo 0 >/sys/devices/system/cpu/cpu1/online || fail "offline cpu1"
got=$(polls_of) || { echo 1 >/sys/devices/system/cpu/cpu1/online; fail "$got"; }
echo 1 >/sys/devices/system/cpu/cpu1/online || fail "online cpu1"
[ "$got" = 0 ] || fail "delivery CPU 1 offline: polled on CPU $got, not 0"
sleep 1		# the reconcile work re-creates cpu1's counters
got=$(polls_of) || fail "$got"
[ "$got" = 1 ] || fail "delivery CPU 1 online again: polled on CPU $got, not 1"
note "delivery CPU 1 offline: polled on CPU 0; online again: on CPU 1"

# Lists the module cannot use: the load fails and says why.
rmmod tracenet 2>/dev/null
for bad in x 0-x "$(getconf _NPROCESSORS_ONLN)" 4096; do
	dmesg -C
	insmod "$ko" delivery_cpus="$bad" 2>/dev/null && fail "delivery_cpus=$bad loaded"
	dmesg | grep -q "delivery_cpus=$bad:" || fail "delivery_cpus=$bad: no message naming it"
done
ip link show trace0 >/dev/null 2>&1 && fail "trace0 exists after refused loads"
note "delivery_cpus=x, 0-x, $(getconf _NPROCESSORS_ONLN), 4096: load refused with a message"
