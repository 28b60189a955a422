#!/bin/bash
# Native XDP on trace0 ("ip link set trace0 xdpdrv obj ..."): the program
# sees each event as a one-event frame before any skb exists.
#   XDP_DROP       filtered: counted in xdp_drop, no sequence number, so a
#                  capture shows no gap
#   XDP_PASS       delivered as the program left the frame
#   XDP_ABORTED,   lost: counted in drop_xdp_error, a gap in the sequence
#   XDP_TX
#   XDP_REDIRECT   sent out of another device (a veth), counted in
#                  xdp_redirect; lost (drop_xdp_error) if the program's
#                  attacher lacked CAP_PERFMON
# Programs are swapped under an event storm, and left attached through
# device deletion and module unload: no program leaks.
. "$(dirname "$0")/lib.sh"

obj=/tmp/xdp_progs.o
pin=/sys/fs/bpf/tn_xdp
evid() { cat "/sys/kernel/tracing/events/$1/id"; }
# Built and verified once, then attached from bpffs: swapping is cheap.
build_progs() {
	clang -O2 -target bpf -I/usr/include/x86_64-linux-gnu \
		-DEVENT_ID="$1" -DREDIRECT_IFINDEX="${2:-1}" \
		-c "$here/xdp_progs.bpf.c" -o $obj || fail "clang: cannot build the XDP programs"
	rm -rf $pin
	bpftool prog loadall $obj $pin type xdp || fail "bpftool cannot load $obj"
}
xdp() { ip -force link set dev "$1" xdpdrv pinned "$pin/xdp_$2" || fail "xdpdrv $2 on $1"; }
xdp_off() { ip link set dev "$1" xdpdrv off || fail "xdpdrv off on $1"; }
our_progs() { bpftool prog show 2>/dev/null | grep -c ' xdp  *name xdp_' || true; }
# N getppid calls from one process on CPU C; prints its pid.
getppid_on() {
	taskset -c "$1" python3 -c 'import os, sys
print(os.getpid())
for _ in range(int(sys.argv[1])): os.getppid()' "$2"
}
pcap_total() {
	python3 "$here/pcapstat.py" "$1" | awk -v k="$2" '$1 == "total" {
		for (i = 2; i < NF; i += 2) if ($i == k) print $(i + 1) }'
}
ncpus=$(nproc)
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || fail "cannot mount bpffs"

load
switch_id=$(evid sched/sched_switch)
getppid_id=$(evid syscalls/sys_enter_getppid)
progs0=$(our_progs)

# --- XDP_DROP filters one event, the rest pass; rx-frames is moot ---------
build_progs "$switch_id"
ethtool -C trace0 rx-frames 8 || fail "ethtool -C rx-frames 8"
xdp trace0 drop_event
ip -d link show trace0 | grep -q 'prog/xdp id' || fail "no native XDP program shown: $(ip -d link show trace0)"
ip link set trace0 up
capture_start trace0 /tmp/xdp1.pcap
"$ctl" attach trace0 sched:sched_switch syscalls:sys_enter_getppid || fail attach
pid=$(getppid_on 0 300)
sleep 0.5
check_accounting trace0
"$ctl" status trace0
switches=$("$ctl" status trace0 | awk '$2 == "sched:sched_switch" { print $3 }')
capture_stop trace0
dump=$("$ctl" dump -r /tmp/xdp1.pcap) || fail "dump"
n=$(grep -c "sched_switch:" <<<"$dump")
[ "$n" -eq 0 ] || fail "$n sched_switch events passed a program that drops them"
n=$(grep -c -- "-$pid .*sys_enter_getppid:" <<<"$dump")
[ "$n" -eq 300 ] || fail "$n of 300 getppid events of pid $pid passed"
[ "$switches" -gt 0 ] || fail "no sched_switch was produced"
# Switches go on up to the link's down (the test's own commands, and on
# PREEMPT_RT per-CPU kthreads at every tick): those still buffered then
# never met the program, and count as drop_down. All 300 getppid passed.
xdp_drop=$(stat trace0 xdp_drop) down=$(stat trace0 drop_down)
[ "$xdp_drop" -gt "$down" ] || fail "only $xdp_drop switches met the program, $down were left at the down"
[ $((xdp_drop + down)) -eq "$switches" ] ||
	fail "xdp_drop $xdp_drop + drop_down $down != sched_switch events produced $switches"
[ "$(pcap_total /tmp/xdp1.pcap gaps)" -eq 0 ] || fail "filtered events show as sequence gaps"
[ "$(pcap_total /tmp/xdp1.pcap frames)" -eq "$(pcap_total /tmp/xdp1.pcap events)" ] ||
	fail "with XDP a frame carries more than one event"
echo "drop_event: $switches sched_switch dropped, 300 getppid passed, no gaps, one event per frame (${SECONDS}s)"
ethtool -C trace0 rx-frames 1
"$ctl" detach trace0 --all

# --- XDP_PASS delivers what the program wrote ---------------------------------
build_progs "$getppid_id"
xdp trace0 rewrite_comm
ip link set trace0 up
capture_start trace0 /tmp/xdp2.pcap
"$ctl" attach trace0 syscalls:sys_enter_getppid || fail attach
pid=$(getppid_on 0 20)
sleep 0.3
check_accounting trace0
capture_stop trace0
n=$("$ctl" dump -r /tmp/xdp2.pcap | grep -c "xdp-rewritten-$pid .*sys_enter_getppid:")
[ "$n" -eq 20 ] || fail "$n of 20 events carry the comm the program wrote"
echo "rewrite_comm: the stack received the frames as the program left them (${SECONDS}s)"
"$ctl" detach trace0 --all

# --- ABORTED and TX lose events: gaps == drop_xdp_error ------------------------
# Reload for fresh sequences and counters (pcapstat counts from 0).
load
xdp trace0 pass
ip link set trace0 up
capture_start trace0 /tmp/xdp3.pcap
"$ctl" attach trace0 syscalls:sys_enter_getppid || fail attach
for c in $(seq 0 $((ncpus - 1))); do getppid_on "$c" 10 >/dev/null; done
xdp trace0 aborted
for c in $(seq 0 $((ncpus - 1))); do getppid_on "$c" 10 >/dev/null; done
xdp trace0 tx
for c in $(seq 0 $((ncpus - 1))); do getppid_on "$c" 10 >/dev/null; done
xdp trace0 pass
for c in $(seq 0 $((ncpus - 1))); do getppid_on "$c" 10 >/dev/null; done
sleep 0.3
check_accounting trace0
capture_stop trace0
lost=$(stat trace0 drop_xdp_error)
gaps=$(pcap_total /tmp/xdp3.pcap gaps)
echo "aborted/tx: drop_xdp_error $lost, capture gaps $gaps (${SECONDS}s)"
[ "$lost" -ge $((2 * 10 * ncpus)) ] || fail "drop_xdp_error $lost: aborted and tx events not counted"
[ "$gaps" -eq "$lost" ] || fail "capture gaps $gaps != drop_xdp_error $lost"
dmesg | grep -q 'unsupported XDP return value 3' || fail "no warning for XDP_TX"
"$ctl" detach trace0 --all

# --- XDP_REDIRECT out of a veth ---------------------------------------------
load
ip link add tnx0 type veth peer name tnx1 || fail "veth"
# veth queues frames for the peer's NAPI, which runs while it has a program.
build_progs "$getppid_id" "$(cat /sys/class/net/tnx0/ifindex)"
xdp tnx1 pass
ip link set tnx0 up && ip link set tnx1 up || fail "veth up"
xdp trace0 redirect
ip link set trace0 up
capture_start tnx1 /tmp/xdp4.pcap
"$ctl" attach trace0 syscalls:sys_enter_getppid || fail attach
pid=$(getppid_on 0 100)
sleep 0.3
check_accounting trace0
sleep 1.2
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid"
grep -q '^0 packets dropped by kernel' /tmp/tcpdump.tnx1.log ||
	fail "tcpdump on tnx1 lost frames: $(cat /tmp/tcpdump.tnx1.log)"
redirected=$(stat trace0 xdp_redirect)
frames=$(pcap_total /tmp/xdp4.pcap frames)
echo "redirect: xdp_redirect $redirected, frames on the veth peer $frames (${SECONDS}s)"
[ "$redirected" -ge 100 ] || fail "xdp_redirect $redirected < 100"
[ "$frames" -eq "$redirected" ] || fail "the peer received $frames of $redirected redirected frames"
[ "$(pcap_total /tmp/xdp4.pcap gaps)" -eq 0 ] || fail "gaps in the redirected sequence"
[ "$(stat trace0 delivered)" -eq 0 ] || fail "redirected events were also delivered on trace0"
# Redirecting sends trace data elsewhere: forwarding's privilege. The same
# program attached with CAP_NET_ADMIN and CAP_BPF but no CAP_PERFMON
# redirects nothing; each event is lost as an XDP error. Root's attach of
# it again redirects.
redirect_as() {
	local e0 r0
	# Attaching the program in force changes nothing: off first.
	xdp_off trace0
	ip link set trace0 up
	e0=$(stat trace0 drop_xdp_error)
	r0=$(stat trace0 xdp_redirect)
	"$@" ip -force link set dev trace0 xdpdrv pinned "$pin/xdp_redirect" || fail "xdpdrv redirect: $*"
	getppid_on 0 100 >/dev/null
	sleep 0.3
	check_accounting trace0 >&2
	echo "$(($(stat trace0 xdp_redirect) - r0)) $(($(stat trace0 drop_xdp_error) - e0))"
}
caps=-all,+net_admin,+bpf,+dac_override
read -r r e < <(redirect_as setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=$caps --ambient-caps=$caps)
[ "$r" -eq 0 ] && [ "$e" -ge 100 ] ||
	fail "without CAP_PERFMON: $r events redirected, $e lost (want 0 and >= 100)"
read -r r e < <(redirect_as env)
[ "$r" -ge 100 ] && [ "$e" -eq 0 ] || fail "root's attach: $r events redirected, $e lost"
echo "redirect without CAP_PERFMON: every event lost as an XDP error, none sent"
"$ctl" detach trace0 --all
ip link del tnx0

# --- Swapping programs under a storm -----------------------------------------
load
build_progs "$switch_id"
ip link set trace0 up
"$ctl" attach trace0 sched:sched_switch 'syscalls:sys_enter_get*' || fail attach
for c in $(seq 0 $((ncpus - 1))); do
	taskset -c "$c" python3 -c 'import os, time
t = time.time() + 30
while time.time() < t: os.getppid(); os.getuid(); os.sched_yield()' &
done
for i in $(seq 1 15); do
	for s in pass drop drop_event aborted; do xdp trace0 $s; done
	xdp_off trace0
done
kill $(jobs -p) 2>/dev/null
wait 2>/dev/null
check_accounting trace0
echo "60 program swaps under the storm: accounting exact (${SECONDS}s)"
"$ctl" detach trace0 --all

# --- Programs left attached at teardown --------------------------------------
ip link add tnx type tracenet || fail "ip link add"
xdp tnx drop
"$ctl" attach tnx sched:sched_switch || fail attach
ip link set tnx up
sleep 0.2
ip link del tnx || fail "ip link del with a program attached"
ip link add tny type tracenet || fail "ip link add"
xdp tny pass
ip link set tny up
xdp trace0 drop
"$ctl" attach trace0 sched:sched_switch || fail attach
sleep 0.2
rm -rf $pin
rmmod tracenet || fail "rmmod with a program attached"
t=50
while [ $t -gt 0 ] && [ "$(our_progs)" -gt "$progs0" ]; do sleep 0.1; t=$((t - 1)); done
[ "$(our_progs)" -eq "$progs0" ] || fail "programs left loaded: $(bpftool prog show)"
echo "device deletion, module unload with programs attached: none left (${SECONDS}s)"
