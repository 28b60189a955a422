#!/bin/bash
# net:* and syscalls:* attached while tcpdump captures on trace0: what the
# delivery of trace frames fires is suppressed and counted, so with no
# workload the frame rate stays small instead of feeding on itself.
. "$(dirname "$0")/lib.sh"

load
"$ctl" attach trace0 'net:*' 'syscalls:*' || fail "attach net:* syscalls:*"
n=$("$ctl" status trace0 | grep -c 'syscalls:')
echo "$n syscall events attached"
ip link set trace0 up
capture_start trace0 /tmp/rec.pcap
sleep 1
f0=$(stat trace0 frames)
sleep 4
f1=$(stat trace0 frames)
capture_stop trace0
supp=$(stat trace0 suppressed)
rate=$(( (f1 - f0) / 4 ))
echo "idle with a capture running: $rate frames/s, $supp events suppressed"
[ "$supp" -gt 0 ] || fail "nothing suppressed: delivery's own events were not recognised"
# tcpdump wakes for its buffer timeout and for each block of frames; a
# feedback loop would run at the VM's full speed (thousands per second).
[ "$rate" -lt 500 ] || fail "frame rate $rate/s with no workload: feedback loop"
check_accounting trace0
"$ctl" detach trace0 --all || fail "detach --all"
