#!/bin/bash
# A capture that starts long after the attach still decodes: metadata is
# repeated every meta_interval seconds.
. "$(dirname "$0")/lib.sh"

load meta_interval=1
"$ctl" attach trace0 syscalls:sys_enter_getppid || fail "attach"
ip link set trace0 up
sleep 2
capture_start trace0 /tmp/late.pcap
sleep 1.5
python3 -c 'import os; [os.getppid() for _ in range(5)]'
capture_stop trace0
out=$("$ctl" dump -r /tmp/late.pcap 2>&1)
echo "$out" | tail -3
[ "$(grep -c sys_enter_getppid <<<"$out")" -ge 5 ] || fail "late capture did not decode"
