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
# Somewhere a fuzzed forward can take: a veth whose peer nobody reads.
modprobe veth && ip link add tn_fuzzfwd type veth peer name tn_fuzzfwd1 &&
ip link set tn_fuzzfwd up && ip link set tn_fuzzfwd1 up || fail "the forward target"
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
