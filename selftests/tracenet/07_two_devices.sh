#!/bin/bash
# Two devices with different events each get only their own.
. "$(dirname "$0")/lib.sh"

load numdevs=2
"$ctl" attach trace0 sched:sched_process_exec || fail "attach trace0"
"$ctl" attach trace1 syscalls:sys_enter_getppid || fail "attach trace1"
ip link set trace0 up && ip link set trace1 up
capture_start trace0 /tmp/t0.pcap; p0=$tcpdump_pid
capture_start trace1 /tmp/t1.pcap; p1=$tcpdump_pid
for i in 1 2 3; do /bin/true; done
python3 -c 'import os; [os.getppid() for _ in range(7)]'
tcpdump_pid=$p0 capture_stop trace0
tcpdump_pid=$p1 capture_stop trace1
d0=$("$ctl" dump -r /tmp/t0.pcap) d1=$("$ctl" dump -r /tmp/t1.pcap)
grep -q sched_process_exec <<<"$d0" || fail "trace0 lacks its exec events"
grep -q sys_enter_getppid <<<"$d0" && fail "trace0 got trace1's events"
[ "$(grep -c sys_enter_getppid <<<"$d1")" -ge 7 ] || fail "trace1 lacks its getppid events"
grep -q sched_process_exec <<<"$d1" && fail "trace1 got trace0's events"
check_accounting trace0
check_accounting trace1
echo "each device carried only its own events"
