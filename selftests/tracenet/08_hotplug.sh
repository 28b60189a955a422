#!/bin/bash
# CPU offline/online while attached and capturing: counters follow the CPU,
# nothing is lost unaccounted, and the CPU's events come back.
. "$(dirname "$0")/lib.sh"

[ -e /sys/devices/system/cpu/cpu1/online ] || skip "needs a second CPU that can go offline"
load
ip link set trace0 up
capture_start trace0 /tmp/hp.pcap
"$ctl" attach trace0 sched:sched_switch syscalls:sys_enter_getppid || fail "attach"
for round in 1 2 3; do
	taskset -c 1 python3 -c 'import os; [os.getppid() for _ in range(50)]'
	echo 0 >/sys/devices/system/cpu/cpu1/online || fail "offline cpu1"
	python3 -c 'import os; [os.getppid() for _ in range(50)]'
	echo 1 >/sys/devices/system/cpu/cpu1/online || fail "online cpu1"
	sleep 1		# the reconcile work re-creates cpu1's counters
done
taskset -c 1 python3 -c 'import os; [os.getppid() for _ in range(50)]'
check_accounting trace0
capture_stop trace0
python3 "$here/pcapstat.py" /tmp/hp.pcap | tee /tmp/hp.txt
awk '$1 == "total" { exit !($5 == 0) }' /tmp/hp.txt || fail "sequence gaps with nothing dropped"
n=$("$ctl" dump -r /tmp/hp.pcap | grep -c '\[001\].*sys_enter_getppid')
echo "cpu1 getppid events: $n"
[ "$n" -ge 200 ] || fail "cpu1 events missing after online ($n < 200)"

# Offline and online back to back while the reconcile work waits: it runs
# only after both, and finds cpu1's counters, which perf removed at
# offline, still there. Deleting a device with many events holds tn_mutex
# long enough for the work to wait. Each round, cpu1's events must arrive.
ip link set trace0 up
for round in 1 2 3; do
	ip link add tnh type tracenet || fail "ip link add tnh"
	"$ctl" attach tnh 'syscalls:sys_enter_*' >/dev/null || fail "attach syscalls to tnh"
	t0=$(date +%s%N)
	ip link del tnh &
	sleep 0.2
	echo 0 >/sys/devices/system/cpu/cpu1/online && echo 1 >/sys/devices/system/cpu/cpu1/online ||
		fail "offline/online cpu1"
	wait $!
	t1=$(date +%s%N)
	sleep 1
	before=$(stat trace0 rx_queue_1_produced)
	taskset -c 1 python3 -c 'import os; [os.getppid() for _ in range(50)]'
	after=$(stat trace0 rx_queue_1_produced)
	[ $((after - before)) -ge 50 ] ||
		fail "round $round: cpu1 produced $((after - before)) events for 50 getppid calls after offline/online"
done
check_accounting trace0
echo "offline/online while the reconcile work waited ($(((t1 - t0) / 1000000)) ms), 3 rounds: cpu1's events arrive each time"

# A device made while cpu1 is offline: its ring buffer makes cpu1's buffer
# only as cpu1 comes up, and the reconcile then gives cpu1's queue its read
# page. cpu1's events must arrive.
echo 0 >/sys/devices/system/cpu/cpu1/online || fail "offline cpu1"
ip link add tnh type tracenet || fail "ip link add tnh"
echo 1 >/sys/devices/system/cpu/cpu1/online || fail "online cpu1"
"$ctl" attach tnh syscalls:sys_enter_getppid >/dev/null || fail "attach to tnh"
ip link set tnh up
sleep 1
taskset -c 1 python3 -c 'import os; [os.getppid() for _ in range(50)]'
t=50
while [ $t -gt 0 ] && [ "$(stat tnh rx_queue_1_delivered)" -lt 50 ]; do sleep 0.1; t=$((t - 1)); done
n=$(stat tnh rx_queue_1_delivered)
[ "$n" -ge 50 ] || fail "device made with cpu1 offline: $n of cpu1's 50 events delivered"
check_accounting tnh
ip link del tnh
echo "device made with cpu1 offline: cpu1's events delivered once it came up"
