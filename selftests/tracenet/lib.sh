# Shared by the tracenet selftests; sourced, runs in the VM as root.
# Tests fail fast: any failing check exits with a message naming it.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ctl=$top/tools/tracenetctl
ko=${TRACENET_KO:-$("$top/tools/module-path")} || exit 1
here=$top/selftests/tracenet
KSFT_SKIP=4

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit $KSFT_SKIP; }
note() { echo "$*"; }

load() {
	rmmod tracenet 2>/dev/null
	insmod "$ko" "$@" || fail "insmod $ko $*"
}

# Wait until FILE has at least N bytes past the pcap header or T tenths pass.
wait_file() {
	local f=$1 t=${2:-50}
	while [ "$t" -gt 0 ] && [ ! -s "$f" ]; do sleep 0.1; t=$((t - 1)); done
}

# trace-cmd, the oracle, shows the kernel's addresses: so must DEV.
raw_pointers() {
	"$ctl" pointers "$1" raw >/dev/null || fail "pointers $1 raw"
}

# Start tcpdump writing DEV's frames to FILE; sets $tcpdump_pid. The capture
# is ready once tcpdump printed "listening on".
capture_start() {
	local dev=$1 file=$2 log
	log=/tmp/tcpdump.$dev.log
	# Only trace frames: the stack may transmit on the device (IPv6).
	tcpdump -i "$dev" -B 65536 -s 0 -w "$file" ether proto 0x88b5 >"$log" 2>&1 &
	tcpdump_pid=$!
	local t=100
	while [ $t -gt 0 ] && ! grep -q "listening on" "$log"; do sleep 0.1; t=$((t - 1)); done
	grep -q "listening on" "$log" || fail "tcpdump on $dev did not start: $(cat "$log")"
	capture_wait_meta "$dev"
}

# libpcap drains the socket when it installs the capture filter, so the
# metadata frame trace0 sends when tcpdump turns promiscuous mode on can be
# lost. "listening on" comes after the filter: once a metadata frame went
# out after it, the capture decodes. Nothing is sent while the device is
# down or has nothing attached; then opening or attaching sends it.
capture_wait_meta() {
	local dev=$1 m0 t iv
	ethtool -i "$dev" | grep -q '^driver: tracenet$' || return 0
	iv=$(cat /sys/module/tracenet/parameters/meta_interval)
	t=$((10 * (iv + 3)))
	[ "$iv" -gt 0 ] || return 0
	ip link show "$dev" | grep -q '[<,]UP[,>]' || return 0
	"$ctl" status "$dev" | grep -q ': 0 events attached' && return 0
	m0=$(stat "$dev" meta_frames)
	[ "$m0" -gt 0 ] || return 0
	while [ $t -gt 0 ] && [ "$(stat "$dev" meta_frames)" -le "$m0" ]; do
		sleep 0.1
		t=$((t - 1))
	done
	[ "$(stat "$dev" meta_frames)" -gt "$m0" ] || fail "$dev sent no metadata frame"
}

# Stop the capture and fail if tcpdump lost frames (then sequence gaps
# would not be tracenet's). The device goes down first, so that the last
# frame is known; tcpdump reads its ring a block at a time, at the latest
# after its 1 s buffer timeout, and leaves what it has not read when
# interrupted: wait for that.
capture_stop() {
	local dev=$1 log
	log=/tmp/tcpdump.$dev.log
	ip link set "$dev" down
	sleep 1.2
	kill -INT "$tcpdump_pid"
	wait "$tcpdump_pid"
	awk '/packets captured/ { c = $1 } /received by filter/ { r = $1 }
	     /dropped by kernel/ { d = $1 } END { exit !(c == r && d == 0) }' "$log" ||
		fail "tcpdump lost frames: $(cat "$log")"
}

# sched_switch's prev_state of a dying task is computed by each probe from
# exit_state, which the parent reaping it on another CPU turns from
# EXIT_ZOMBIE to EXIT_DEAD between the ftrace probe and the perf one: a
# comparison with ftrace takes Z and X as one state there.
exit_state_as_one() { sed 's/ [XZ] ==> / X|Z ==> /'; }

# oracle_norm PIDS [DEVS] <REPORT: the workload's lines of trace-cmd's or
# dump's text, as "time pid [cpu] event: info": those of its PIDS, or
# naming tn_* in a field. The time only orders a pid's lines (the clocks
# differ), and the comm column goes: trace-cmd prints a pid's last known
# comm, tracenet the comm when the event fired, and they differ across an
# exec. With DEVS (a regex), netif_receive_skb and net_dev_queue lines are
# kept on those devices only, and there whatever task their softirq ran in
# (ksoftirqd's on a loaded kernel), from the workload's first line to its
# last: each recording's own span, as the clocks differ.
# On PREEMPT_RT the poll runs in irq_work/N or ksoftirqd/N and can block
# on a sleeping lock or be preempted there: that switch out (D, or R while
# boosted) is fired inside the delivery and suppressed, as tracenet's own;
# trace-cmd's lines of it go too. Their sleep when done (S) stays.
oracle_norm() {
	awk -v pids="$1" -v devs="${2:-}" '
		BEGIN { n = split(pids, a, " "); for (i = 1; i <= n; i++) P[a[i]] = 1 }
		match($0, /-[0-9]+ +\[[0-9]+\] +[0-9.]+: /) {
			split(substr($0, RSTART + 1, RLENGTH), h, " ")
			rest = substr($0, RSTART + RLENGTH)
			sub(/:$/, "", h[3])
			gsub(/[ \t]+/, " ", rest)
			sub(/ $/, "", rest)
			if (rest ~ /^sched_switch: (irq_work|ksoftirqd)\/[0-9]+:[0-9]+ \[[0-9]+\] [^S][^ ]* ==> /)
				next
			net = devs != "" && rest ~ /^(netif_receive_skb|net_dev_queue): /
			if (net && rest !~ (" dev=(" devs ") "))
				next
			ours = (h[1] in P) || rest ~ /tn_/
			if (!ours && !net)
				next
			if (ours && (!seen || h[3] + 0 < lo))
				lo = h[3] + 0
			if (ours && (!seen++ || h[3] + 0 > hi))
				hi = h[3] + 0
			t[++m] = h[3] + 0
			l[m] = h[3] " " h[1] " " h[2] " " rest
		}
		END {
			for (i = 1; i <= m; i++)
				if (t[i] >= lo && t[i] <= hi)
					print l[i]
		}' | exit_state_as_one
}

# A tracepoint runs its probes with preemption on after 6.19 (SRCU-fast,
# as 7.3 does; the syscall ones since 6.13, and they read user memory
# since 6.19), each probe turning it off for itself: the task may be
# switched out, and even moved to another CPU, between perf's probe
# (tracenet's) and ftrace's.
# An event fired with preemption on (sched_process_exec, _fork, _exit,
# _wait, sys_*) can then be on either side of that switch in the two
# recordings, and on two CPUs; the others (sched_switch, net:* in softirq
# or with BH off, kprobes) cannot.
oracle_preemptible='^(sched_process_(exec|fork|exit|wait)|sys_(enter|exit)_[a-z0-9_]+):$'

# oracle_diff WANT GOT WHAT: trace-cmd's lines (in time order) and
# tracenet's, as "time pid cpu line", are the same: per CPU in order but
# for the events above, per pid in time order without their CPU. Prints
# the first difference and fails, naming WHAT.
oracle_diff() {
	local want=$1 got=$2 what=$3 k
	local re=$oracle_preemptible
	for k in $(awk '{ print $3 }' "$want" "$got" | sort -u); do
		if ! diff -u <(awk -v k="$k" -v re="$re" '$3 == k && $4 !~ re { $1 = ""; print substr($0, 2) }' "$want") \
			     <(awk -v k="$k" -v re="$re" '$3 == k && $4 !~ re { $1 = ""; print substr($0, 2) }' "$got") \
			     >/tmp/oracle.diff; then
			head -40 /tmp/oracle.diff
			fail "$what: CPU $k: tracenet's lines differ from trace-cmd's"
		fi
	done
	for k in $(awk -v re="$re" '$4 ~ re { print $2 }' "$want" "$got" | sort -u); do
		if ! diff -u <(awk -v k="$k" -v re="$re" '$2 == k && $4 ~ re' "$want" | sort -s -n -k1,1 | cut -d' ' -f2,4-) \
			     <(awk -v k="$k" -v re="$re" '$2 == k && $4 ~ re' "$got" | sort -s -n -k1,1 | cut -d' ' -f2,4-) \
			     >/tmp/oracle.diff; then
			head -40 /tmp/oracle.diff
			fail "$what: pid $k: tracenet's lines differ from trace-cmd's"
		fi
	done
}

# tracecmd_start EVENT...: trace-cmd records the events into
# /tmp/trace.dat, in the background ($tc_pid); returns once every event is
# enabled and a recorder runs per CPU (a loaded or debug kernel takes its
# time), so that nothing after it is missed.
tracecmd_start() {
	local e t=300 off
	rm -f /tmp/trace.dat
	trace-cmd record -q -o /tmp/trace.dat $(printf -- '-e %s ' "$@") >/tmp/tc.log 2>&1 &
	tc_pid=$!
	while [ $t -gt 0 ]; do
		off=
		for e in "$@"; do
			[ "$(cat "/sys/kernel/tracing/events/${e/://}/enable")" = 1 ] || off=1
		done
		[ -n "$off" ] || [ "$(pgrep -c -x trace-cmd)" -le "$(nproc)" ] || break
		sleep 0.1
		t=$((t - 1))
	done
	[ $t -gt 0 ] || fail "trace-cmd record did not start: $(cat /tmp/tc.log)"
	sleep 1
}

# Counter NAME of DEV from ethtool -S (the all-CPU total).
stat() {
	ethtool -S "$1" | awk -v k="$2:" '$1 == k { print $2 }'
}

# produced == delivered + every drop + what XDP dropped or redirected +
# what was forwarded only (--no-local), at rest: the device goes down first, which stops production and counts what
# is still buffered.
check_accounting() {
	local dev=$1
	ip link set "$dev" down
	ethtool -S "$dev" | awk '
		$1 == "produced:" { p = $2 }
		$1 == "delivered:" { d = $2 }
		$1 ~ /^drop_/ { x += $2 }
		$1 ~ /^(xdp_drop|xdp_redirect|fwd_only|filtered):$/ { f += $2 }
		END {
			printf "%s: produced %d delivered %d dropped %d xdp %d\n", dev, p, d, x, f
			exit !(p == d + x + f)
		}' dev="$dev" || fail "$dev: produced != delivered + dropped + xdp"
}

# A kprobe event with fetch args, defined through tracefs.
kprobe_define() {
	echo "p:tracenet_test/$1 $2" >>/sys/kernel/tracing/kprobe_events ||
		fail "cannot define kprobe event $1"
}

kprobe_undefine() {
	echo "-:tracenet_test/$1" >>/sys/kernel/tracing/kprobe_events 2>/dev/null
}

# Two namespaces joined by a veth pair, for net:* traffic.
veth_pair() {
	modprobe veth || fail "modprobe veth"
	ip netns add tn_a && ip netns add tn_b &&
	ip link add va netns tn_a type veth peer name vb netns tn_b &&
	ip netns exec tn_a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 &&
	ip netns exec tn_b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 &&
	ip -n tn_a addr add 10.99.0.1/24 dev va &&
	ip -n tn_b addr add 10.99.0.2/24 dev vb &&
	ip -n tn_a link set va up && ip -n tn_b link set vb up ||
		fail "cannot set up the veth pair"
}

# Background load a failing test leaves behind would disturb the next one.
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null' EXIT
