#!/bin/bash
# make bench: what tracing one event costs with tracenet, as a ratio to
# ftrace doing the same job in the same VM, in the same run. Runs inside
# the VM (tools/vm-run -- bench/run.sh).
#
# The workload (bench/loop.c) makes BENCH_CALLS getppid() calls on CPU 0,
# each one syscalls:sys_enter_getppid event; its ns per call minus the
# untraced ns per call is the cost per event (tracenet_forward: each frame
# also forwarded, tracenetctl forward). Configurations are measured
# in BENCH_ROUNDS interleaved rounds and the median is kept, so that a
# noisy host shifts all of them alike. Readers (cat of the instance's
# trace_pipe_raw, as trace-cmd reads it but without its SIGINT handling,
# which under TCG can take minutes; tcpdump -w) run on CPU 1, and so does
# tracenet's delivery (the highest online CPU by default): what the
# workload's time shows is the traced CPU's share. Beside it: the events
# lost (tracenet's drop counters but drop_down, tcpdump's "dropped by
# kernel", ftrace's overrun and dropped events: without a reader ftrace
# overwrites, so there it is the overrun), and the CPU time of every CPU
# per event, from /proc/stat (its 10 ms ticks make it coarse). trace-cmd
# record and perf record, as users run them, are anchors beside the cat
# reader; perf with a filter that rejects shows what perf's path costs
# before tracenet's producer could take a verdict. tracenet
# runs with its defaults (adaptive-rx: one event per frame until a backlog
# builds, then up to 64); _single is rx-frames 1, one event per frame.
#
# Then a ramp finds the highest rate each reader keeps up with: calls paced
# at doubling rates, BENCH_RAMP_CALLS each, two events a call, until one
# loses an event. The
# last lines, "goal N: ...", are one per goal of the delivery issue, for
# scripts: the ratio, the target, the events lost, and whether it is met.
#
#   BENCH_CALLS      calls per measurement (default 200000)
#   BENCH_ROUNDS     rounds (default 5)
#   BENCH_RAMP       0: no ramp (default 1)
#   BENCH_RAMP_CALLS calls per ramp step (default 100000)
#   BENCH_MODPARAMS  tracenet's module parameters (e.g. delivery_cpus=all,
#                    each traced CPU delivering its own events)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
ctl=$top/tools/tracenetctl
ko=${TRACENET_KO:-$("$top/tools/module-path")} || exit 1
calls=${BENCH_CALLS:-200000}
rounds=${BENCH_ROUNDS:-5}
tfs=/sys/kernel/tracing
inst=$tfs/instances/tn_bench
ev=syscalls/sys_enter_getppid
evs=$ev		# the events traced: one per call (the ramp: two)
want=		# events the workload made, for perf's loss
pin=/sys/fs/bpf/tn_bench
buf_kb=256	# per CPU, for both: ethtool -G rx 64 pages

die() { echo "bench: $*" >&2; exit 1; }
loop=/tmp/tn_loop
gcc -O2 -o $loop "$top/bench/loop.c" || die "cannot build bench/loop.c"
run() { taskset -c 0 $loop "$@"; }

# Events lost so far, by either tracer (ftrace: the instance's and the
# top level's, which trace-cmd uses), and busy CPU time of all CPUs in
# USER_HZ ticks.
lost() {
	{
		ethtool -S trace0 | awk '$1 ~ /^drop_/ && $1 != "drop_down:" { print $2 }'
		awk '/^(overrun|dropped events):/ { print $NF }' $inst/per_cpu/cpu0/stats \
			$tfs/per_cpu/cpu0/stats
	} | awk '{ n += $1 } END { print n + 0 }'
}
busy() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# --- ftrace: an instance with the one event -----------------------------------
mkdir -p $inst || die "no tracefs instances"
echo $buf_kb >$inst/buffer_size_kb
ftrace_on() {
	local e
	for e in $evs; do echo "${1:-0}" >$inst/events/$e/filter && echo 1 >$inst/events/$e/enable; done
}
ftrace_off() {
	local e
	for e in $evs; do echo 0 >$inst/events/$e/enable && echo 0 >$inst/events/$e/filter; done
}

# --- tracenet: trace0 with the one event ----------------------------------------
rmmod tracenet 2>/dev/null
# shellcheck disable=SC2086
insmod "$ko" meta_interval=0 ${BENCH_MODPARAMS:-} || die "insmod $ko ${BENCH_MODPARAMS:-}"
ethtool -G trace0 rx $((buf_kb / 4)) || die "ethtool -G"
"$ctl" attach trace0 syscalls:sys_enter_getppid >/dev/null || die "attach"
tn_on() { ip link set trace0 up; }
tn_off() { ip link set trace0 down; }
getppid_id=$(cat $tfs/events/$ev/id)
# XDP: drop the event, or look at it and pass it (a filter that accepts).
clang -O2 -target bpf -I/usr/include/x86_64-linux-gnu -DEVENT_ID="$getppid_id" \
	-DREDIRECT_IFINDEX=1 -c "$top/selftests/tracenet/xdp_progs.bpf.c" -o /tmp/tn_bench.o &&
	bpftool prog loadall /tmp/tn_bench.o $pin type xdp || die "cannot load the XDP programs"
xdp() { ip -force link set trace0 xdpdrv pinned "$pin/$1"; }
# tracenetctl filter as users run it: the producer's verdict, XDP behind.
tn_filter() { "$ctl" filter trace0 "${ev/\//:}: $1" >/dev/null || die "filter $1"; }
tn_filter_off() { "$ctl" filter trace0 --clear; }
xdp_off() { ip link set trace0 xdpdrv off; }

# Forwarding: a copy of each frame out of a veth whose peer, in another
# netns, nobody reads (its receive runs in softirq too, on CPU 0: the
# far end of a real link would not cost this host anything). MTUs as
# trace0's, so that forward does not lower it for the others.
modprobe veth && ip netns add tn_bench_c &&
	ip link add bfa mtu 65535 type veth peer name bfb mtu 65535 netns tn_bench_c &&
	ip link set bfa up && ip -n tn_bench_c link set bfb up || die "cannot set up the forward link"
fwd_on() { "$ctl" forward trace0 dev bfa >/dev/null && tn_on; }
fwd_off() { tn_off; "$ctl" forward trace0 --off; }

reader_pid=
rlog=/tmp/tn_bench.reader.log
reader() {
	taskset -c 1 "$@" >$rlog 2>&1 &
	reader_pid=$!
	sleep 1
}
reader_sh() { reader sh -c "$1"; }
reader_stop() {
	# TERM: a background job starts with SIGINT ignored.
	kill -"${1:-TERM}" "$reader_pid" 2>/dev/null
	wait "$reader_pid" 2>/dev/null
	reader_pid=
}
# What the reader lost itself: tcpdump's socket drops, printed as it ends.
reader_lost() {
	awk '/dropped by kernel|lost by perf/ { n = $1 } END { print n + 0 }' $rlog 2>/dev/null || echo 0
	rm -f $rlog
}

# trace-cmd record of the events into a file, its recorders on CPU 1. It
# sets its own SIGINT handler, and needs SIGINT to stop; under TCG its
# flush can take long, so it gets 60 s and is then killed. So does perf.
tc_on() {
	# shellcheck disable=SC2046
	reader trace-cmd record -b $buf_kb $(printf -- '-e %s ' $evs) -o /tmp/tn_bench.dat
	local t=100
	while [ $t -gt 0 ] && ! grep -q "Hit Ctrl^C" $rlog; do sleep 0.1; t=$((t - 1)); done
}
sigint_stop() {
	local pid=$reader_pid t=600
	kill -INT "$pid"
	while [ $t -gt 0 ] && kill -0 "$pid" 2>/dev/null; do sleep 0.1; t=$((t - 1)); done
	reader_stop KILL
}
tc_off() {
	sigint_stop
	rm -f /tmp/tn_bench.dat*
}
# perf record of the events on CPU 0 (each one a sample), into a file; with
# FILTER, perf's own filter: what perf's path costs before any consumer,
# the floor of a verdict taken in tracenet's producer. Its loss: the
# events the workload made ($want) that the file lacks.
perf_on() {
	# shellcheck disable=SC2046
	reader perf record -q -C 0 $(printf -- '-e %s ' $evs | tr / :) ${1:+--filter "$1"} \
		-o /tmp/tn_bench.perf
	wait_file /tmp/tn_bench.perf
}
perf_off() {
	local n
	sigint_stop
	if [ "${1:-}" != nolost ]; then
		n=$(perf report -i /tmp/tn_bench.perf --stats 2>/dev/null |
			awk '$1 == "SAMPLE" && $2 == "events:" { print $3; exit }')
		echo "$((want > ${n:-0} ? want - ${n:-0} : 0)) events lost by perf" >>$rlog
	fi
	rm -f /tmp/tn_bench.perf*
}
wait_file() {
	local t=100
	while [ $t -gt 0 ] && [ ! -s "$1" ]; do sleep 0.1; t=$((t - 1)); done
}

# name: what it measures | setup | teardown
configs=(
	"none|:|:"
	"ftrace|ftrace_on|ftrace_off"
	"tracenet|tn_on|tn_off"
	"tracenet_single|ethtool -C trace0 rx-frames 1; tn_on|tn_off; ethtool -C trace0 rx-frames 64"
	"ftrace+reader|ftrace_on; reader_sh 'exec cat $inst/per_cpu/cpu0/trace_pipe_raw >/tmp/tn_bench.raw'|reader_stop; ftrace_off"
	"ftrace+trace-cmd|tc_on|tc_off"
	"perf+record|perf_on|perf_off"
	"tracenet+tcpdump|tn_on; reader tcpdump -i trace0 -w /tmp/tn_bench.pcap|reader_stop; tn_off"
	"tracenet_single+tcpdump|ethtool -C trace0 rx-frames 1; tn_on; reader tcpdump -i trace0 -w /tmp/tn_bench.pcap|reader_stop; tn_off; ethtool -C trace0 rx-frames 64"
	"ftrace_filter_reject|ftrace_on 'common_pid == 1'|ftrace_off"
	"perf_filter_reject|perf_on 'common_pid == 1'|perf_off nolost"
	"tracenet_xdp_drop|xdp xdp_drop_event; tn_on|tn_off; xdp_off"
	"tracenet_filter_reject|tn_filter 'common_pid == 1'; tn_on|tn_off; tn_filter_off"
	"ftrace_filter_accept|ftrace_on 'common_pid != 1'|ftrace_off"
	"tracenet_xdp_accept|xdp xdp_rewrite_comm; tn_on|tn_off; xdp_off"
	"tracenet_filter_accept|tn_filter 'common_pid != 1'; tn_on|tn_off; tn_filter_off"
	"tracenet_forward|fwd_on|fwd_off"
)

declare -A samples losses cpu
hz=$(getconf CLK_TCK)
for r in $(seq "$rounds"); do
	for c in "${configs[@]}"; do
		IFS='|' read -r name setup teardown <<<"$c"
		eval "$setup" || die "$name: setup failed"
		l0=$(lost) b0=$(busy) want=$calls
		v=$(run "$calls") || die "$name: the workload failed"
		l=$(($(lost) - l0)) b=$(($(busy) - b0))
		eval "$teardown"
		l=$((l + $(reader_lost)))
		echo "bench: round $r: $name $v ns/call, $l lost, $b CPU ticks" >&2
		samples[$name]+="$v "
		losses[$name]+="$l "
		cpu[$name]+="$(awk -v b="$b" -v hz="$hz" -v n="$calls" 'BEGIN { printf "%.1f", b * 1e9 / hz / n }') "
	done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# spread A B: the lowest and highest of the rounds' ratios of A's cost to B's.
spread() {
	awk -v a="${samples[$1]}" -v b="${samples[$2]}" -v z="${samples[none]}" 'BEGIN {
		n = split(a, x, " "); split(b, y, " "); split(z, w, " ")
		for (i = 1; i <= n; i++) {
			if (y[i] - w[i] <= 0)
				continue
			r = (x[i] - w[i]) / (y[i] - w[i])
			if (lo == "" || r < lo) lo = r
			if (hi == "" || r > hi) hi = r
		}
		if (lo == "") print "n/a"; else printf "%.2f-%.2f", lo, hi
	}'
}
declare -A med medlost medcpu
for c in "${configs[@]}"; do
	name=${c%%|*}
	med[$name]=$(median <<<"${samples[$name]}")
	medlost[$name]=$(median <<<"${losses[$name]}")
	medcpu[$name]=$(median <<<"${cpu[$name]}")
done
cost() { awk -v a="${med[$1]}" -v b="${med[none]}" 'BEGIN { printf "%.1f", a - b }'; }
cpucost() { awk -v a="${medcpu[$1]}" -v b="${medcpu[none]}" 'BEGIN { printf "%.1f", a - b }'; }
cpuratio() {
	awk -v a="$(cpucost "$1")" -v b="$(cpucost "$2")" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}
ratio() {
	awk -v a="$(cost "$1")" -v b="$(cost "$2")" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}

echo "bench: $calls getppid calls on CPU 0, median of $rounds rounds, $(nproc) CPUs, $(uname -r)"
printf '%-26s %10s %16s %10s %16s\n' configuration "ns/call" "ns/event traced" "lost" "CPU ns/event"
for c in "${configs[@]}"; do
	name=${c%%|*}
	printf '%-26s %10s %16s %10s %16s\n' "$name" "${med[$name]}" \
		"$([ "$name" = none ] && echo - || cost "$name")" "${medlost[$name]}" \
		"$([ "$name" = none ] && echo - || cpucost "$name")"
done
echo
echo "ratios, tracenet / ftrace (cost per event; below 1 is cheaper; the rounds' spread):"
row() { printf '  %-44s %6s  %s\n' "$1" "$(ratio "$2" "$3")" "$(spread "$2" "$3")"; }
row "producing, no reader:" tracenet ftrace
row "  one event per frame (rx-frames 1):" tracenet_single ftrace
row "with a reader (tcpdump vs trace_pipe_raw):" tracenet+tcpdump ftrace+reader
row "  one event per frame (rx-frames 1):" tracenet_single+tcpdump ftrace+reader
row "with a reader (tcpdump vs trace-cmd record):" tracenet+tcpdump ftrace+trace-cmd
row "  one event per frame (rx-frames 1):" tracenet_single+tcpdump ftrace+trace-cmd
printf '  %-44s %6s\n' "CPU time of all CPUs (vs trace-cmd record):" "$(cpuratio tracenet+tcpdump ftrace+trace-cmd)"
printf '  %-44s %6s\n' "  one event per frame (rx-frames 1):" "$(cpuratio tracenet_single+tcpdump ftrace+trace-cmd)"
row "with a reader (tcpdump vs perf record):" tracenet+tcpdump perf+record
printf '  %-44s %6s\n' "CPU time of all CPUs (vs perf record):" "$(cpuratio tracenet+tcpdump perf+record)"
row "event rejected (tracenetctl filter vs ftrace's):" tracenet_filter_reject ftrace_filter_reject
row "  XDP drop vs ftrace's filter:" tracenet_xdp_drop ftrace_filter_reject
row "  perf's filter vs ftrace's (verdict floor):" perf_filter_reject ftrace_filter_reject
row "event accepted (tracenetctl filter vs ftrace's):" tracenet_filter_accept ftrace_filter_accept
row "  XDP pass vs ftrace's filter:" tracenet_xdp_accept ftrace_filter_accept
row "forwarded too (veth), vs ftrace:" tracenet_forward ftrace
echo "forwarding, tracenet / tracenet:"
row "forwarded and delivered vs delivered:" tracenet_forward tracenet

echo
echo "memory: both buffers ${buf_kb} KiB per CPU; ftrace instance total $(cat $inst/buffer_total_size_kb) KiB," \
	"trace0 ring $(ethtool -g trace0 | awk '/^RX:/ { n = $2 } END { print n * 4 * '"$(nproc)"' }') KiB"

# ramp NAME SETUP TEARDOWN: the highest rate (events/s, as achieved) with
# no event lost, doubling from 25,000 calls/s until a step loses one.
# Two events a call (getppid's sys_enter and sys_exit): a tracer that
# keeps up with the loop's top speed at one event a call shows where it
# stops at two.
ramp_calls=${BENCH_RAMP_CALLS:-100000}
per_call=2
ramp() {
	local name=$1 setup=$2 teardown=$3 rate=25000 best=0 v l l0 got
	while [ $rate -le 3200000 ]; do
		eval "$setup" || die "$name: setup failed"
		l0=$(lost) want=$((ramp_calls * per_call))
		v=$(run "$ramp_calls" $rate) || die "$name: the workload failed"
		l=$(($(lost) - l0))
		eval "$teardown"
		l=$((l + $(reader_lost)))
		got=$(awk -v v="$v" 'BEGIN { printf "%d", 1e9 / v }')
		echo "bench: ramp $name: $rate calls/s asked, $got made, $((got * per_call)) events/s, $l lost" >&2
		[ "$l" -eq 0 ] || break
		best=$((got * per_call))
		# The workload's own ceiling: asking more would not change it.
		[ "$got" -ge $((rate * 9 / 10)) ] || break
		rate=$((rate * 2))
	done
	echo "$best"
}
# conf NAME: sets $cs and $ct to the configuration's setup and teardown.
conf() {
	local c
	for c in "${configs[@]}"; do
		[ "${c%%|*}" = "$1" ] || continue
		IFS='|' read -r _ cs ct <<<"$c"
		return
	done
	die "no configuration $1"
}
declare -A best
if [ "${BENCH_RAMP:-1}" != 0 ]; then
	echo
	evs="$ev syscalls/sys_exit_getppid"
	"$ctl" attach trace0 syscalls:sys_exit_getppid >/dev/null || die "attach sys_exit_getppid"
	echo "highest event rate with no event lost ($ramp_calls calls a step, $per_call events a call," \
		"doubling from 25,000 calls/s):"
	for name in ftrace+trace-cmd perf+record tracenet+tcpdump tracenet_single+tcpdump; do
		conf "$name"
		best[$name]=$(ramp "$name" "$cs" "$ct")
		printf '  %-44s %10s/s\n' "$name:" "${best[$name]}"
	done
fi

# goal N NAME VALUE TARGET LOST: VALUE meets TARGET ("<=X" or ">=X") with
# nothing lost (LOST "-": not asked).
goal() {
	awk -v n="$1" -v name="$2" -v v="$3" -v t="$4" -v l="$5" 'BEGIN {
		op = substr(t, 1, 2); x = substr(t, 3) + 0
		ok = v != "n/a" && v != "" && (op == "<=" ? v + 0 <= x : v + 0 >= x) && (l == "-" || l == 0)
		printf "goal %s: %s %s target %s lost %s %s\n", n, name, v, t, l, ok ? "met" : "not met"
	}'
}
echo
rb=$(ethtool -g trace0 | awk '/^RX:/ { n = $2 } END { print n * 4 }')
fb=$(awk '{ print $1 / '"$(nproc)"' }' $inst/buffer_total_size_kb)
tcmax=${best[ftrace+trace-cmd]:-0}
goal 1 traced-cpu-with-reader "$(ratio tracenet+tcpdump ftrace+trace-cmd)" "<=1.0" "${medlost[tracenet+tcpdump]}"
goal 2 traced-cpu-no-reader "$(ratio tracenet ftrace)" "<=1.0" -
goal 3 all-cpus-with-reader "$(cpuratio tracenet+tcpdump ftrace+trace-cmd)" "<=1.0" "${medlost[tracenet+tcpdump]}"
goal 4 lossless-rate "$(awk -v a="${best[tracenet+tcpdump]:-0}" -v b="$tcmax" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')" ">=1.5" -
goal 5a rejected "$(ratio tracenet_filter_reject ftrace_filter_reject)" "<=0.5" -
goal 5b accepted "$(ratio tracenet_filter_accept ftrace_filter_accept)" "<=1.0" -
goal 6a forwarded "$(ratio tracenet_forward tracenet)" "<=1.5" -
goal 6b memory-per-cpu "$(awk -v a="$rb" -v b="$fb" 'BEGIN { printf "%.2f", a / b }')" "<=1.0" -

"$ctl" detach trace0 --all >/dev/null
rm -rf $pin
rmmod tracenet
ip netns del tn_bench_c
rmdir $inst
