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
# lost while the workload ran (tracenet's drop counters but drop_down,
# ftrace's overrun and dropped events), and the CPU time of every CPU per
# event, from /proc/stat (its 10 ms ticks make it coarse).
#
#   BENCH_CALLS      calls per measurement (default 200000)
#   BENCH_ROUNDS     rounds (default 5)
#   BENCH_MODPARAMS  tracenet's module parameters (e.g. delivery_cpus=all,
#                    the traced CPU delivering as before)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
ctl=$top/tools/tracenetctl
ko=${TRACENET_KO:-$("$top/tools/module-path")} || exit 1
calls=${BENCH_CALLS:-200000}
rounds=${BENCH_ROUNDS:-5}
tfs=/sys/kernel/tracing
inst=$tfs/instances/tn_bench
ev=syscalls/sys_enter_getppid
pin=/sys/fs/bpf/tn_bench
buf_kb=256	# per CPU, for both: ethtool -G rx 64 pages

die() { echo "bench: $*" >&2; exit 1; }
loop=/tmp/tn_loop
gcc -O2 -o $loop "$top/bench/loop.c" || die "cannot build bench/loop.c"
run() { taskset -c 0 $loop "$calls"; }

# Events lost so far, by either tracer, and busy CPU time of all CPUs in
# USER_HZ ticks.
lost() {
	{
		ethtool -S trace0 | awk '$1 ~ /^drop_/ && $1 != "drop_down:" { print $2 }'
		awk '/^(overrun|dropped events):/ { print $NF }' $inst/per_cpu/cpu0/stats
	} | awk '{ n += $1 } END { print n + 0 }'
}
busy() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# --- ftrace: an instance with the one event -----------------------------------
mkdir -p $inst || die "no tracefs instances"
echo $buf_kb >$inst/buffer_size_kb
ftrace_on() { echo "${1:-0}" >$inst/events/$ev/filter; echo 1 >$inst/events/$ev/enable; }
ftrace_off() { echo 0 >$inst/events/$ev/enable; echo 0 >$inst/events/$ev/filter; }

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
reader() {
	taskset -c 1 "$@" >/dev/null 2>&1 &
	reader_pid=$!
	sleep 1
}
reader_sh() { reader sh -c "$1"; }
reader_stop() {
	# TERM: a background job starts with SIGINT ignored.
	kill "$reader_pid" 2>/dev/null
	wait "$reader_pid" 2>/dev/null
	reader_pid=
}

# name: what it measures | setup | teardown
configs=(
	"none|:|:"
	"ftrace|ftrace_on|ftrace_off"
	"tracenet|tn_on|tn_off"
	"tracenet_batch64|ethtool -C trace0 rx-frames 64; tn_on|tn_off; ethtool -C trace0 rx-frames 1"
	"ftrace+reader|ftrace_on; reader_sh 'exec cat $inst/per_cpu/cpu0/trace_pipe_raw >/tmp/tn_bench.raw'|reader_stop; ftrace_off"
	"tracenet+tcpdump|tn_on; reader tcpdump -i trace0 -w /tmp/tn_bench.pcap|reader_stop; tn_off"
	"tracenet_batch64+tcpdump|ethtool -C trace0 rx-frames 64; tn_on; reader tcpdump -i trace0 -w /tmp/tn_bench.pcap|reader_stop; tn_off; ethtool -C trace0 rx-frames 1"
	"ftrace_filter_reject|ftrace_on 'common_pid == 1'|ftrace_off"
	"tracenet_xdp_drop|xdp xdp_drop_event; tn_on|tn_off; xdp_off"
	"ftrace_filter_accept|ftrace_on 'common_pid != 1'|ftrace_off"
	"tracenet_xdp_accept|xdp xdp_rewrite_comm; tn_on|tn_off; xdp_off"
	"tracenet_forward|fwd_on|fwd_off"
)

declare -A samples losses cpu
hz=$(getconf CLK_TCK)
for r in $(seq "$rounds"); do
	for c in "${configs[@]}"; do
		IFS='|' read -r name setup teardown <<<"$c"
		eval "$setup" || die "$name: setup failed"
		l0=$(lost) b0=$(busy)
		v=$(run) || die "$name: the workload failed"
		l=$(($(lost) - l0)) b=$(($(busy) - b0))
		eval "$teardown"
		echo "bench: round $r: $name $v ns/call, $l lost, $b CPU ticks" >&2
		samples[$name]+="$v "
		losses[$name]+="$l "
		cpu[$name]+="$(awk -v b="$b" -v hz="$hz" -v n="$calls" 'BEGIN { printf "%.1f", b * 1e9 / hz / n }') "
	done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
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
echo "ratios, tracenet / ftrace (cost per event; below 1 is cheaper):"
printf '  %-40s %s\n' "producing, no reader:" "$(ratio tracenet ftrace)"
printf '  %-40s %s\n' "producing, batched (rx-frames 64):" "$(ratio tracenet_batch64 ftrace)"
printf '  %-40s %s\n' "with a reader (tcpdump vs trace_pipe_raw):" "$(ratio tracenet+tcpdump ftrace+reader)"
printf '  %-40s %s\n' "  batched (rx-frames 64):" "$(ratio tracenet_batch64+tcpdump ftrace+reader)"
printf '  %-40s %s\n' "  CPU time of all CPUs:" "$(cpuratio tracenet+tcpdump ftrace+reader)"
printf '  %-40s %s\n' "  CPU time of all CPUs, batched:" "$(cpuratio tracenet_batch64+tcpdump ftrace+reader)"
printf '  %-40s %s\n' "event rejected (XDP drop vs filter):" "$(ratio tracenet_xdp_drop ftrace_filter_reject)"
printf '  %-40s %s\n' "event accepted (XDP pass vs filter):" "$(ratio tracenet_xdp_accept ftrace_filter_accept)"
printf '  %-40s %s\n' "forwarded too (veth), vs ftrace:" "$(ratio tracenet_forward ftrace)"
echo "forwarding, tracenet / tracenet:"
printf '  %-40s %s\n' "forwarded and delivered vs delivered:" "$(ratio tracenet_forward tracenet)"

echo
echo "memory: both buffers ${buf_kb} KiB per CPU; ftrace instance total $(cat $inst/buffer_total_size_kb) KiB," \
	"trace0 ring $(ethtool -g trace0 | awk '/^RX:/ { n = $2 } END { print n * 4 * '"$(nproc)"' }') KiB"
"$ctl" detach trace0 --all >/dev/null
rm -rf $pin
rmmod tracenet
ip netns del tn_bench_c
rmdir $inst
