#!/bin/bash
# Tear down in every order while events fire: detach under load, delete a
# device a capture is bound to, delete a netns while a device delivers, rmmod with
# everything attached and tcpdump capturing.
. "$(dirname "$0")/lib.sh"

load numdevs=2
storm() { while :; do cat /etc/hostname >/dev/null; done; }
storm & s1=$!
taskset -c 1 bash -c 'while :; do /bin/true; done' & s2=$!

for i in 1 2 3; do
	"$ctl" attach trace0 sched:sched_switch syscalls:sys_enter_openat || fail "attach $i"
	ip link set trace0 up
	sleep 0.3
	"$ctl" detach trace0 syscalls:sys_enter_openat || fail "detach one $i"
	"$ctl" detach trace0 --all || fail "detach all $i"
	ip link set trace0 down
done

"$ctl" attach trace1 sched:sched_switch net:netif_receive_skb || fail "attach trace1"
ip link set trace1 up
tcpdump -i trace1 -w /tmp/del.pcap 2>/dev/null & td=$!
sleep 1
ip link del trace1 || fail "del trace1 while captured"
wait $td
echo "tcpdump exited after ip link del: $?"

# A netns going away while trace9 delivers: trace9 could not move there.
ip netns add tn_gone
ip link add trace9 type tracenet || fail "link add trace9"
"$ctl" attach trace9 sched:sched_switch || fail "attach trace9"
ip link set trace9 netns tn_gone 2>/dev/null && fail "trace9 moved to a netns"
ip link set trace9 up
sleep 0.3
ip netns del tn_gone

"$ctl" attach trace0 sched:sched_switch syscalls:sys_enter_openat sched:sched_process_exec ||
	fail "attach before rmmod"
ip link set trace0 up
tcpdump -i trace0 -w /tmp/rm.pcap 2>/dev/null & td=$!
sleep 1
rmmod tracenet || fail "rmmod while capturing"
wait $td
kill $s1 $s2; wait $s1 $s2 2>/dev/null
lsmod | grep -q '^tracenet' && fail "still loaded"
echo "all teardown orders: ok"
