#!/bin/bash
# Events per frame (ethtool -C): with adaptive-rx (the default) a frame
# carries one event while delivery keeps up, and what waits, up to
# rx-frames, once a backlog builds; rx-frames 1 keeps one event per frame
# under any load, and adaptive-rx off packs what waits at any rate.
# Oracle: the count in each frame's header, read by pcapstat.py; every
# event is accounted for.
. "$(dirname "$0")/lib.sh"

loop=/tmp/tn_loop
gcc -O2 -o $loop "$here/../../bench/loop.c" || fail "cannot build bench/loop.c"
load
ethtool -c trace0 | grep -q '^Adaptive RX: *on' || fail "adaptive-rx not on by default: $(ethtool -c trace0)"
ethtool -c trace0 | grep -q '^rx-frames: *64$' || fail "rx-frames not 64 by default"
# A ring that holds the burst: the frames' shape is tested, not the loss.
ethtool -G trace0 rx 2048 || fail "ethtool -G rx 2048"
"$ctl" attach trace0 syscalls:sys_enter_getppid >/dev/null || fail "attach"

# run NAME CALLS [RATE]: CALLS getppid calls on CPU 0 into a capture;
# sets $events and $largest (the most events a frame carried).
run() {
	local name=$1 p0 d0
	shift
	p0=$(stat trace0 produced) d0=$(stat trace0 drop_full)
	ip link set trace0 up
	capture_start trace0 /tmp/adaptive.pcap
	taskset -c 0 $loop "$@" >/dev/null || fail "$name: the workload failed"
	# Going down drops what waits: let delivery catch up first.
	local t=100
	while [ $t -gt 0 ] && [ "$(ethtool -S trace0 | awk '$1 == "produced:" { p = $2 }
		$1 == "delivered:" { d = $2 } $1 ~ /^drop_/ { x += $2 } END { print p - d - x }')" -gt 0 ]; do
		sleep 0.1
		t=$((t - 1))
	done
	capture_stop trace0
	read -r events largest < <(python3 "$here/pcapstat.py" /tmp/adaptive.pcap |
		awk '$1 == "total" { print $3, $11 }')
	echo "$name: $events events of $(($(stat trace0 produced) - p0)) produced," \
		"$(($(stat trace0 drop_full) - d0)) lost, at most $largest per frame"
	[ "$events" -eq "$1" ] || fail "$name: $events of $1 events captured"
}

run "adaptive, 500/s" 500 500
[ "$largest" -eq 1 ] || fail "a frame of $largest events while delivery kept up"
run "adaptive, burst" 100000
[ "$largest" -gt 1 ] || fail "no frame carried more than one event under a burst"
[ "$largest" -le 64 ] || fail "a frame of $largest events past rx-frames 64"

ethtool -C trace0 adaptive-rx off rx-frames 8 || fail "adaptive-rx off rx-frames 8"
run "rx-frames 8, 5000/s" 2000 5000
[ "$largest" -gt 1 ] || fail "adaptive-rx off: no frame carried what waited for the tick"
[ "$largest" -le 8 ] || fail "a frame of $largest events past rx-frames 8"

ethtool -C trace0 adaptive-rx on rx-frames 1 || fail "rx-frames 1"
run "rx-frames 1, burst" 20000
[ "$largest" -eq 1 ] || fail "rx-frames 1: a frame of $largest events"
check_accounting trace0
"$ctl" detach trace0 --all >/dev/null
