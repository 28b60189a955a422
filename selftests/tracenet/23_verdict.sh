#!/bin/bash
# The producer's verdict: a filter the record's layout can say runs before
# the event is buffered (TRACENET_CMD_SET_FILTER), so an event it rejects
# never reaches the buffer, the poll or XDP. One task closes fds
# 1000-1999 (EBADF); the filter keeps its fds from 1500: the capture must
# hold those 500 events and no other close, and XDP must have dropped
# none of the others. Then: a glob stays with XDP (and says so),
# --clear and detach leave no program loaded, and bad fds, other program
# types and unknown events are refused with the verdict unchanged.
. "$(dirname "$0")/lib.sh"

command -v bpftool >/dev/null || skip "bpftool is not installed"
load
wl=/tmp/tn_vclose
cp "$(readlink -f "$(command -v python3)")" $wl
workload() { $wl -c 'import os
for fd in range(1000, 2000):
    try:
        os.close(fd)
    except OSError:
        pass'; }
verdicts() { bpftool prog show 2>/dev/null | grep -c 'name tn_verdict'; }
ev=syscalls:sys_enter_close
id=$(cat /sys/kernel/tracing/events/syscalls/sys_enter_close/id)
"$ctl" attach trace0 $ev || fail "attach $ev"
"$ctl" filter trace0 "$ev: fd >= 1500 && comm == \"tn_vclose\"" 2>/tmp/f.err ||
	fail "filter: $(cat /tmp/f.err)"
[ -s /tmp/f.err ] && fail "filter said: $(cat /tmp/f.err)"
"$ctl" status trace0 | grep -q "sys_enter_close .*filtered in the producer" ||
	fail "status does not show the verdict: $("$ctl" status trace0)"
[ "$(verdicts)" -eq 1 ] || fail "$(verdicts) verdict programs loaded, not 1"

ip link set trace0 up
capture_start trace0 /tmp/verdict.pcap
workload
capture_stop trace0
check_accounting trace0
filtered=$(stat trace0 filtered)
"$ctl" dump -r /tmp/verdict.pcap >/tmp/verdict.txt 2>/tmp/dump.err || fail "dump: $(cat /tmp/dump.err)"
python3 - /tmp/verdict.txt <<'PY' || fail "the capture is not the filter's events"
import re, sys
fds = []
for line in open(sys.argv[1]):
    m = re.search(r'^\s*(\S+)-\d+\s+\[\d+\].*sys_enter_close:\s+fd:\s*(\S+)', line)
    if not m:
        continue
    if m.group(1) != 'tn_vclose':
        sys.exit(f'an event of {m.group(1)}: {line.strip()}')
    fds.append(int(m.group(2), 0))
want = list(range(1500, 2000))
if sorted(fds) != want:
    sys.exit(f'{len(fds)} close events, fds {min(fds, default=None)}-{max(fds, default=None)}: want 1500-1999 once each')
PY
xdp=$(stat trace0 xdp_drop)
echo "500 events kept, $filtered rejected in the producer, $xdp dropped by XDP"
[ "$filtered" -ge 500 ] || fail "filtered $filtered < the 500 fds below 1500"
[ "$xdp" -eq 0 ] || fail "XDP dropped $xdp events the producer should have rejected"

# Bad input: refused, and the verdict stays.
bad() {
	local want=$1 out
	shift
	out=$(python3 "$here/tngenl.py" setfilter trace0 "$@") && fail "setfilter $* accepted"
	grep -q -- "$want" <<<"$out" || fail "setfilter $*: '$out', want '$want'"
}
bad "not a BPF program of type tracepoint" $id file
bad "not a BPF program of type tracepoint" $id socket_filter
bad "EBADF" $id 4000
bad "event is not attached" 1 -1
bad "EINVAL\|ERANGE" $id -2
"$ctl" status trace0 | grep -q "filtered in the producer" || fail "a refused request removed the verdict"

# A glob: XDP only, and the command says why.
"$ctl" filter trace0 "$ev: comm ~ \"*vclose\"" 2>/tmp/f.err || fail "glob filter: $(cat /tmp/f.err)"
grep -q "filtered after framing only (XDP): 'comm' reads a glob" /tmp/f.err || fail "glob: '$(cat /tmp/f.err)'"
"$ctl" status trace0 | grep -q "filtered in the producer" && fail "a glob set a verdict"
[ "$(verdicts)" -eq 0 ] || fail "the old verdict program is still loaded"

"$ctl" filter trace0 "$ev: fd == 1999" || fail "filter fd == 1999"
[ "$(verdicts)" -eq 1 ] || fail "no verdict program"
"$ctl" filter trace0 --clear || fail "--clear"
[ "$(verdicts)" -eq 0 ] || fail "--clear left the verdict program loaded"
"$ctl" filter trace0 "$ev: fd == 1999" || fail "filter fd == 1999"
"$ctl" detach trace0 --all || fail "detach"
[ "$(verdicts)" -eq 0 ] || fail "detach left the verdict program loaded"
"$ctl" attach trace0 $ev || fail "attach $ev"
"$ctl" filter trace0 "$ev: fd == 1999" || fail "filter fd == 1999"
rmmod tracenet || fail "rmmod with a verdict set"
[ "$(verdicts)" -eq 0 ] || fail "unload left the verdict program loaded"
rm -f $wl
