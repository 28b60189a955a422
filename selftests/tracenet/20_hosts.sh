#!/bin/bash
# Several traced hosts, one collector: two tracenet devices, each with a
# host name of its own, forwarding to a network namespace that only
# captures (trace devices live in the initial network namespace).
# Host frames name each host (--host, or the name of the host tracenetctl
# runs on) and sample its clocks; "tracenetctl dump -w" stamps each
# capture's frames with their event time, mergecap merges the two, and
# "dump -H" of the merged capture attributes every event to its host, in
# event time order. The workload alternates getppid, which host A traces,
# and getpid, which host C traces, so the merged order is known.
. "$(dirname "$0")/lib.sh"

load
modprobe veth || fail "modprobe veth"
ip netns add tn_col && ip netns exec tn_col sysctl -qw net.ipv6.conf.all.disable_ipv6=1 ||
	fail "netns tn_col"
ip link add ca type veth peer name va netns tn_col &&
ip link add cc type veth peer name vc netns tn_col || fail "veths"
ip link set ca up && ip link set cc up && ip -n tn_col link set va up &&
	ip -n tn_col link set vc up || fail "veths up"
ip link add tnA type tracenet && ip link add tnC type tracenet || fail "tracenet devices"
"$ctl" attach tnA syscalls:sys_enter_getppid &&
"$ctl" attach tnC syscalls:sys_enter_getpid || fail "attach"
"$ctl" forward tnA dev ca --host hostA 2>/dev/null || fail "forward A"
unshare -u sh -c "hostname hostC && '$ctl' forward tnC dev cc" 2>/dev/null || fail "forward C"
"$ctl" forward tnC | grep -q "; host hostC$" || fail "C's name: $("$ctl" forward tnC)"

for c in va vc; do
	ip netns exec tn_col tcpdump -i $c -B 65536 -s 0 -w /tmp/$c.pcap ether proto 0x88b5 \
		>/tmp/$c.log 2>&1 &
done
t=100
while [ $t -gt 0 ] && ! { grep -q "listening on" /tmp/va.log && grep -q "listening on" /tmp/vc.log; }; do
	sleep 0.1
	t=$((t - 1))
done
ip link set tnA up && ip link set tnC up || fail "up"
sleep 1
n=40
pid=$(python3 -c 'import os, sys, time
print(os.getpid(), flush=True)
for _ in range(int(sys.argv[1])):
    os.getppid(); time.sleep(0.003)
    os.getpid(); time.sleep(0.003)' $n)
sleep 2.5	# host frames again, with later clock samples
ip link set tnA down && ip link set tnC down
sleep 1
kill -INT $(jobs -p)
wait

for c in va vc; do
	"$ctl" dump -r /tmp/$c.pcap -w /tmp/$c.sorted.pcap >/dev/null 2>/tmp/$c.err ||
		fail "dump -w $c: $(cat /tmp/$c.err)"
done
mergecap -w /tmp/all.pcap /tmp/va.sorted.pcap /tmp/vc.sorted.pcap || fail "mergecap"
"$ctl" dump -H -r /tmp/all.pcap >/tmp/all.txt 2>/tmp/all.err || fail "dump -H: $(cat /tmp/all.err)"
grep -q 'DROPPED\|skipped' /tmp/all.txt /tmp/all.err && fail "gaps or skipped events: $(cat /tmp/all.err)"
# The workload's loop: its lines from its first getppid (python calls
# getpid as it starts), 2n of them.
awk -v p="$pid" '($3 ~ "-" p "$" || $2 ~ "-" p "$") && (go || / sys_enter_getppid:/) { go = 1; print }' \
	/tmp/all.txt | head -n $((2 * n)) >/tmp/wl.txt
awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^sys_enter_/) { sub(/:$/, "", $i); print $1, $i } }' /tmp/wl.txt >/tmp/order.txt
for i in $(seq $n); do printf 'hostA sys_enter_getppid\nhostC sys_enter_getpid\n'; done >/tmp/want.txt
if ! diff -u /tmp/want.txt /tmp/order.txt >/tmp/hosts.diff; then
	head -20 /tmp/hosts.diff
	fail "the merged capture is not the workload's order, host by host"
fi
awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) print $i }' /tmp/wl.txt | sort -c ||
	fail "the merged events are not in time order"
note "merged: $((2 * n)) events of the workload alternating hostA/hostC in time order, each attributed to its host"
