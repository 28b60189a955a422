#!/bin/bash
# tcpdump on trace0 captures one frame per event, for a static tracepoint,
# an exec event (a __data_loc string), net traffic between namespaces, a
# syscall event and a kprobe event with fetch args.
. "$(dirname "$0")/lib.sh"

load
veth_pair
kprobe_undefine getname_probe
kprobe_define getname_probe 'do_sys_openat2 dfd=$arg1:s32 name=+0($arg2):ustring'

events="sched:sched_switch sched:sched_process_exec net:netif_receive_skb
	syscalls:sys_enter_getppid tracenet_test:getname_probe"
# Capture, then attach: the capture holds every frame trace0 delivers.
ip link set trace0 up
capture_start trace0 /tmp/cap.pcap
"$ctl" attach trace0 $events || fail "attach $events"

# The workload: execs, opens, getppid via sh's $PPID? no: ps -o ppid does it.
for i in 1 2 3; do /bin/true; done
cat /etc/hostname >/dev/null
ip netns exec tn_a ping -c 3 -i 0.2 -q 10.99.0.2 >/dev/null || fail "ping over veth"
python3 -c 'import os; [os.getppid() for _ in range(5)]'
sleep 0.5
"$ctl" status trace0
check_accounting trace0		# down: nothing more is delivered
capture_stop trace0
dump=$("$ctl" dump -r /tmp/cap.pcap) || fail "dump"
read -r events gaps frames meta < <(python3 "$here/pcapstat.py" /tmp/cap.pcap |
	awk '$1 == "total" { print $3, $5, $7, $9 }')
echo "capture: $frames frames, $events events, $meta metadata frames, $gaps lost"
[ "$(stat trace0 drop_full)" -eq 0 ] || fail "events dropped"
[ "$events" -eq "$(stat trace0 delivered)" ] || fail "captured $events events, delivered $(stat trace0 delivered)"
[ "$frames" -eq "$(stat trace0 frames)" ] || fail "one frame per event: $frames frames"
[ "$frames" -eq "$events" ] || fail "frames carry more than one event by default"
[ "$meta" -eq "$(stat trace0 meta_frames)" ] || fail "metadata frames $meta != $(stat trace0 meta_frames)"
[ "$gaps" -eq 0 ] || fail "sequence gaps with nothing dropped"

for e in sched_switch: sched_process_exec: netif_receive_skb: sys_enter_getppid: getname_probe:; do
	n=$(grep -c " $e" <<<"$dump")
	echo "$e $n events"
	[ "$n" -gt 0 ] || fail "no $e events in the capture"
done
grep -q 'sched_process_exec:.*filename=/bin/true' <<<"$dump" || fail "exec filename (__data_loc) not decoded"
grep -q 'netif_receive_skb:.*dev=v[ab]' <<<"$dump" || fail "netif_receive_skb name not decoded"
grep -q 'getname_probe:.*name="/etc/hostname"' <<<"$dump" || fail "kprobe string fetch arg not decoded"

"$ctl" detach trace0 --all || fail "detach --all"
kprobe_undefine getname_probe || fail "kprobe event still busy after detach"
