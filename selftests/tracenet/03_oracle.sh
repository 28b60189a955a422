#!/bin/bash
# ftrace is the oracle: trace-cmd records the same events during the same
# workload, and every line `trace-cmd report` prints for the workload equals
# the line `tracenetctl dump` prints from the capture of trace0 (both print
# through libtraceevent; timestamps differ by clock and are left out).
. "$(dirname "$0")/lib.sh"

load
veth_pair
kprobe_undefine openat2_probe
kprobe_define openat2_probe 'do_sys_openat2 dfd=$arg1:s32 name=+0($arg2):ustring flags=+0($arg3):x64'

# The workload runs programs named tn_* that nothing else runs, so its
# lines can be picked out of both recordings (copied before either records).
for b in bash cat ping; do cp "$(command -v $b)" /tmp/tn_$b; done

events="sched:sched_switch sched:sched_process_exec sched:sched_process_fork
	net:netif_receive_skb net:net_dev_queue syscalls:sys_enter_openat
	tracenet_test:openat2_probe"
"$ctl" attach trace0 $events || fail "attach"
raw_pointers trace0
ip link set trace0 up
capture_start trace0 /tmp/oracle.pcap

# shellcheck disable=SC2086 # a list of events
tracecmd_start $events
/tmp/tn_bash -c '
	for i in 1 2 3 4; do /tmp/tn_cat /etc/hostname /etc/os-release >/dev/null; done
	ip netns exec tn_a /tmp/tn_ping -c 4 -i 0.1 10.99.0.2 >/dev/null
'
sleep 1
kill -INT $tc_pid; wait $tc_pid
capture_stop trace0
check_accounting trace0
[ "$(stat trace0 drop_full)" -eq 0 ] || fail "tracenet dropped events: no exact comparison"

# trace-cmd also sees trace0 delivering frames to the capture: tracenet
# suppresses those events of its own delivery by design.
trace-cmd report -i /tmp/trace.dat 2>/dev/null | grep -v 'dev=trace0 ' >/tmp/tc.txt
"$ctl" dump -r /tmp/oracle.pcap >/tmp/dump.txt 2>/tmp/dump.err
# The workload: every pid that ran a tn_* program, in either recording.
pids=$(sed -nE 's/^ *tn_[^ ]*-([0-9]+) +\[.*/\1/p' /tmp/tc.txt /tmp/dump.txt | sort -u | tr '\n' ' ')
oracle_norm "$pids" </tmp/tc.txt >/tmp/want.txt
oracle_norm "$pids" </tmp/dump.txt >/tmp/got.txt
echo "trace-cmd report: $(wc -l </tmp/want.txt) workload lines; tracenetctl dump: $(wc -l </tmp/got.txt)"
[ -s /tmp/want.txt ] || fail "trace-cmd recorded nothing of the workload: $(cat /tmp/tc.log)"
for e in sched_switch sched_process_exec sched_process_fork netif_receive_skb net_dev_queue sys_enter_openat openat2_probe; do
	grep -q " $e:" /tmp/want.txt || fail "no $e in the oracle"
done
# trace-cmd merges CPUs by time, a capture interleaves them by delivery:
# compare each CPU's sequence of lines, and each pid's of the events that
# may be on either side of a switch (oracle_diff).
oracle_diff /tmp/want.txt /tmp/got.txt "tracenetctl dump"
echo "identical: $(wc -l </tmp/got.txt) lines"
"$ctl" detach trace0 --all || fail "detach --all"
kprobe_undefine openat2_probe || fail "kprobe event still busy after detach"
