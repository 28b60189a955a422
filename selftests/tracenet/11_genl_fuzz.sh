#!/bin/bash
# The generic netlink family takes TN_FUZZ_MSGS (default 100000) random and
# mutated requests (genlfuzz.py: every command; attribute types, lengths,
# nesting, missing and duplicated attributes, hostile field tables, flags,
# truncated and malformed messages) with both devices up, so that accepted
# layouts meet real records. Every reply is read, the socket keeps working,
# the kernel reports nothing (run.sh), and afterwards nothing is left
# attached, the counters add up, the device still delivers decodable
# events and the module unloads. TN_FUZZ_SEED picks another sequence.
. "$(dirname "$0")/lib.sh"

load numdevs=2
ip link set trace0 up && ip link set trace1 up || fail "cannot set the devices up"
# Somewhere a fuzzed forward can take: a dummy device, a sink. Not a veth:
# its peer receives each copy on this host after the poll, outside the
# delivery window, and the net:netif_receive_skb the fuzzer attaches makes
# every copy an event to forward again (Documentation, Forwarding: a loop
# to avoid). Each metadata frame forwarded started such a cycle, turning
# once a tick for ever: the fuzzing took minutes, at tens of thousands of
# events a second. Checked: with that event attached and trace0
# forwarding there, an idle machine stays idle.
modprobe dummy && ip link add tn_fuzzfwd type dummy &&
ip link set tn_fuzzfwd up || fail "the forward target"
mtu=$(cat /sys/class/net/trace0/mtu)
"$ctl" attach trace0 net:netif_receive_skb &&
"$ctl" forward trace0 dev tn_fuzzfwd >/dev/null 2>&1 || fail "forward trace0 to tn_fuzzfwd"
sleep 3		# metadata every 2 s, forwarded too
p0=$(stat trace0 produced)
sleep 2
p1=$(stat trace0 produced)
fwd=$(stat trace0 fwd_frames)
"$ctl" forward trace0 --off && "$ctl" detach trace0 --all &&
ip link set trace0 mtu "$mtu" || fail "undo the forward"
rate=$(( (p1 - p0) / 2 ))
echo "forwarding to tn_fuzzfwd ($fwd frames), idle: $rate net:netif_receive_skb/s"
[ "$fwd" -gt 0 ] || fail "nothing forwarded to tn_fuzzfwd"
[ "$rate" -lt 100 ] || fail "$rate events/s: the forward target feeds back into trace0"
python3 "$here/genlfuzz.py" trace0 trace1 || fail "fuzzer"

# Consistent afterwards: nothing attached, every event accounted for.
"$ctl" forward trace0 >/dev/null && "$ctl" forward trace1 >/dev/null ||
	fail "tracenetctl forward after fuzzing"

st=$("$ctl" status) || fail "tracenetctl status after fuzzing"
grep -q 'sched_switch\|sys_enter' <<<"$st" && fail "events left attached: $st"
check_accounting trace0
check_accounting trace1

# And the device still works: real events arrive and decode. (The capture
# starts after the attach: with nothing attached no metadata would come.)
d0=$(stat trace0 delivered)
"$ctl" attach trace0 sched:sched_switch syscalls:sys_enter_getppid || fail "attach after fuzzing"
ip link set trace0 up
capture_start trace0 /tmp/fuzz.pcap
python3 -c 'import os, time; [os.getppid() for _ in range(20)]; time.sleep(0.2)'
sleep 0.5
capture_stop trace0
[ "$(stat trace0 delivered)" -gt "$d0" ] || fail "delivered did not move after fuzzing"
check_accounting trace0
n=$("$ctl" dump -r /tmp/fuzz.pcap | grep -c ' sys_enter_getppid:')
echo "after fuzzing: $n getppid events captured and decoded"
[ "$n" -ge 20 ] || fail "expected 20 getppid events, got $n"
"$ctl" detach trace0 --all || fail "detach --all"
rmmod tracenet || fail "rmmod after fuzzing"
ip link del tn_fuzzfwd
echo "module unloaded"
