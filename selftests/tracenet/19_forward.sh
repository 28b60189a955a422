#!/bin/bash
# Forwarding: trace0's frames sent to collectors that have nothing but
# tcpdump, on a link and across a router, with ftrace as the oracle:
#  - link: a 1500-byte veth to namespace tn_c (metadata records go in
#    parts), fq on the egress (the event time in skb->tstamp must not
#    become a departure time); the collector's capture decodes to
#    trace-cmd's lines, and every forwarded frame is in it;
#  - pointers: hashed on the wire, raw on trace0, one hash per pointer;
#  - routed: VXLAN to tn_d behind the router tn_r; the collector's capture
#    decodes to trace-cmd's lines;
#  - a 1-packet egress queue under a storm: every frame tried is at the
#    collector or counted dropped (by tracenet when refused, else by fq
#    or the veth), and the events missing at the collector are exactly
#    those not sent, dropped before, or in the frames lost after;
#  - link down, target deleted, module unloaded while forwarding;
#  - refusals that change nothing.
# Forwarded frames received in the other namespaces fire net events on
# this same kernel: the net events are filtered to the workload's veth
# pair, or each forwarded frame would make another (a loop no real
# collector host has).
. "$(dirname "$0")/lib.sh"

load numdevs=2
veth_pair
ip netns add tn_c && ip netns add tn_r && ip netns add tn_d || fail "netns"
for n in tn_c tn_r tn_d; do ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done
ip link add fa type veth peer name fb netns tn_c &&
ip link set fa up && ip -n tn_c link set fb up &&
tc qdisc replace dev fa root fq || fail "the collector link"
# A qdisc may hand a CPU's frames to the veth from either CPU; without
# NAPI, the veth peer queues them to that CPU's backlog and two backlogs
# reorder them. GRO on the peer (and no TSO on this side, which veth
# wants for its NAPI path) gives it a NAPI ring, in order, as a NIC's
# FIFO would be.
ethtool -K fa tso off >/dev/null && ip netns exec tn_c ethtool -K fb gro on >/dev/null ||
	fail "veth NAPI on fb"
ip link add ra type veth peer name rr1 netns tn_r &&
ip -n tn_r link add rr2 type veth peer name rd netns tn_d &&
ip addr add 10.97.1.1/24 dev ra && ip link set ra up &&
ip -n tn_r addr add 10.97.1.2/24 dev rr1 && ip -n tn_r addr add 10.97.2.1/24 dev rr2 &&
ip -n tn_r link set rr1 up && ip -n tn_r link set rr2 up &&
ip netns exec tn_r sysctl -qw net.ipv4.ip_forward=1 &&
ip -n tn_d addr add 10.97.2.2/24 dev rd && ip -n tn_d link set rd up &&
ip -n tn_d route add default via 10.97.2.1 &&
ip route add 10.97.2.0/24 via 10.97.1.2 || fail "the routed path"

# --- Refusals: each names what is wrong and changes nothing ------------------
bad() {
	local want=$1 out
	shift
	out=$("$@" 2>&1) && fail "accepted: $*"
	grep -q -- "$want" <<<"$out" || fail "$*: no '$want' in: $out"
	"$ctl" forward trace0 | grep -q '^trace0 does not forward$' || fail "$*: left a forward"
}
bad "forwarding needs an Ethernet device" "$ctl" forward trace0 dev lo
bad "cannot forward to a tracenet device" "$ctl" forward trace0 dev trace1
bad "device 'tn_nosuch' not found" "$ctl" forward trace0 dev tn_nosuch
bad "lo.*not a tracenet device" "$ctl" forward lo dev fa
bad "destination MAC is multicast or zero" "$ctl" forward trace0 dev fa dst 01:00:5e:00:00:01
bad "bad MAC address 'zz'" "$ctl" forward trace0 dev fa dst zz
bad "bad address '10.0.0.300'" "$ctl" forward trace0 udp 10.0.0.300
bad "bad address '10.0.0.3:0'" "$ctl" forward trace0 udp 10.0.0.3:0
bad "trace0 does not forward" "$ctl" forward trace0 --off
bad "CAP_PERFMON or CAP_SYS_ADMIN" \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$ctl" forward trace0 dev fa
[ -z "$(ip link show tn-trace0 2>/dev/null)" ] || fail "a refused udp forward left tn-trace0"
note "refusals: not Ethernet, tracenet target, no device, not tracenet, multicast and bad MAC, bad address, nothing to turn off, no privilege"

events="sched:sched_switch sched:sched_process_exec sched:sched_process_fork
	net:netif_receive_skb net:net_dev_queue"
"$ctl" attach trace0 $events || fail "attach"
raw_pointers trace0
"$ctl" filter trace0 'net:netif_receive_skb: name ~ "v[ab]"' \
	'net:net_dev_queue: name ~ "v[ab]"' || fail "filter"
for b in bash cat ping; do cp "$(command -v $b)" /tmp/tn_$b; done

# tcpdump in namespace $1 on $2 into $3, filter $4; returns when listening.
collect() {
	local log=/tmp/collect.$2.log
	collect_ns=$1
	ip netns exec "$1" tcpdump -i "$2" -B 65536 -s 0 -w "$3" "$4" >"$log" 2>&1 &
	collect_pid=$!
	local t=100
	while [ $t -gt 0 ] && ! grep -q "listening on" "$log"; do sleep 0.1; t=$((t - 1)); done
	grep -q "listening on" "$log" || fail "tcpdump on $2 did not start: $(cat "$log")"
}
# tcpdump's last counts in its log: "captured received dropped".
collect_counts() {
	awk '{
		if (match($0, /[0-9]+ packets? captured/)) c = substr($0, RSTART, RLENGTH) + 0
		if (match($0, /[0-9]+ packets? received by filter/)) r = substr($0, RSTART, RLENGTH) + 0
		if (match($0, /[0-9]+ packets? dropped by kernel/)) d = substr($0, RSTART, RLENGTH) + 0
	} END { print c + 0, r + 0, d + 0 }' "$1"
}
# Stops once $1 has received nothing for a while (on a loaded VM the last
# frames may still be in a paced queue or the veth's ring) and tcpdump's
# count of captured frames has stopped growing: it reads its TPACKET_V3
# ring a block at a time, a block retiring after 1 s, and a block it has
# not read when interrupted is lost to the capture. SIGUSR1 makes it print
# its counts. (Immediate mode would avoid the wait but overruns the ring on
# the debug kernel. "Received by filter" can exceed "captured" for good:
# it counts what arrived before the filter was set, which libpcap then
# filters itself.) Loss is judged by the frames and sequence numbers.
collect_stop() {
	local log=/tmp/collect.$1.log n1 n2 t=60 c r d c0=-1
	rx() { ip netns exec "$collect_ns" cat "/sys/class/net/$1/statistics/rx_packets"; }
	n1=$(rx "$1")
	while sleep 1.5 && n2=$(rx "$1") && [ "$n2" != "$n1" ] && [ $((t -= 1)) -gt 0 ]; do
		n1=$n2
	done
	t=40
	while kill -USR1 "$collect_pid" && sleep 1.5 && read -r c r d < <(collect_counts "$log") &&
		[ "$c" != "$c0" ] && [ $((t -= 1)) -gt 0 ]; do
		c0=$c
	done
	kill -INT "$collect_pid"
	wait "$collect_pid"
	read -r c r d < <(collect_counts "$log")
	[ "$d" = 0 ] || fail "tcpdump on $1 dropped frames: $(cat "$log")"
}

# The workload, recorded by trace-cmd; then the collector's capture $1
# decoded must equal trace-cmd's lines of it (oracle_diff, as 03_oracle).
oracle_run() {
	# shellcheck disable=SC2086 # a list of events
	tracecmd_start $events
	/tmp/tn_bash -c '
		for i in 1 2 3; do /tmp/tn_cat /etc/hostname >/dev/null; done
		ip netns exec tn_a /tmp/tn_ping -c 4 -i 0.1 10.99.0.2 >/dev/null
	'
	sleep 1
	kill -INT $tc_pid
	wait $tc_pid
}
oracle_compare() {
	local pcap=$1 what=$2 pids
	trace-cmd report -i /tmp/trace.dat 2>/dev/null >/tmp/tc.txt
	"$ctl" dump -r "$pcap" >/tmp/dump.txt 2>/tmp/dump.err || fail "dump $pcap: $(cat /tmp/dump.err)"
	grep -q 'EVENTS DROPPED' /tmp/dump.txt && fail "$what: sequence gaps at the collector"
	pids=$(sed -nE 's/^ *tn_[^ ]*-([0-9]+) +\[.*/\1/p' /tmp/tc.txt /tmp/dump.txt | sort -u | tr '\n' ' ')
	# The veth pair's net events are the workload's.
	oracle_norm "$pids" 'v[ab]' </tmp/tc.txt >/tmp/want.txt
	oracle_norm "$pids" 'v[ab]' </tmp/dump.txt >/tmp/got.txt
	[ -s /tmp/want.txt ] || fail "trace-cmd recorded nothing of the workload: $(cat /tmp/tc.log)"
	for e in sched_switch sched_process_exec netif_receive_skb net_dev_queue; do
		grep -q " $e:" /tmp/want.txt || fail "no $e in the oracle"
	done
	oracle_diff /tmp/want.txt /tmp/got.txt "$what: the collector's capture"
}

# --- On a link, through fq ---------------------------------------------------
"$ctl" forward trace0 dev fa --raw-pointers 2>/tmp/fwd.err || fail "forward: $(cat /tmp/fwd.err)"
grep -q "MTU of trace0 lowered from [0-9]* to 1500" /tmp/fwd.err || fail "trace0's MTU not fitted to fa's: $(cat /tmp/fwd.err)"
"$ctl" forward trace0 | grep -q "^trace0 forwards to fa (ifindex [0-9]*), dst .*, raw pointers, and delivers locally; host tracenet-vm$" ||
	fail "forward: $("$ctl" forward trace0)"
out=$("$ctl" forward trace0 dev ra 2>&1) && fail "a second forward was accepted"
grep -q "already forwards to fa" <<<"$out" || fail "second forward: $out"
collect tn_c fb /tmp/fb.pcap "ether proto 0x88b5"
ip link set trace0 up
oracle_run
ip link set trace0 down
sleep 1
collect_stop fb
oracle_compare /tmp/fb.pcap "link"
# Formats do not fit 1500 bytes: metadata records went in parts.
meta_parts() {
	python3 - "$1" "$2" <<'PY'
import struct, sys
data, off, n = open(sys.argv[1], 'rb').read(), 24, 0
at = int(sys.argv[2])	# where the tracenet header is
while off + 16 <= len(data):
    incl = struct.unpack_from('<I', data, off + 8)[0]
    fr = data[off + 16:off + 16 + incl]
    off += 16 + incl
    if len(fr) > at + 3 and fr[at + 1] == 2 and fr[at + 2] & 4:
        n += 1
print(n)
PY
}
[ "$(meta_parts /tmp/fb.pcap 14)" -gt 0 ] || fail "no metadata record in parts on a 1500-byte link"
frames=$(python3 "$here/pcapstat.py" /tmp/fb.pcap | awk '$1 == "total" { print $7 + $9 }')
[ "$frames" -eq "$(stat trace0 fwd_frames)" ] ||
	fail "$(stat trace0 fwd_frames) frames forwarded, $frames captured at the collector"
[ "$(stat trace0 fwd_drop_frames)" -eq 0 ] || fail "frames not forwarded: $(stat trace0 fwd_drop_frames)"
tc -s qdisc show dev fa | grep -q "dropped 0," || fail "fq dropped frames: $(tc -s qdisc show dev fa)"
note "link: $(wc -l </tmp/got.txt) workload lines at the collector as trace-cmd's; $frames frames forwarded through fq, all captured"

# --- Forward only: nothing reaches trace0's stack ---------------------------------
"$ctl" forward trace0 --off || fail "forward --off"
"$ctl" forward trace0 dev fa --no-local || fail "forward --no-local"
nolocal() {
	echo "$(stat trace0 delivered) $(stat trace0 frames) $(stat trace0 meta_frames)" \
		"$(cat /sys/class/net/trace0/statistics/rx_packets)"
}
before=$(nolocal)
o0=$(stat trace0 fwd_only) e0=$(($(stat trace0 fwd_events) + $(stat trace0 fwd_drop_events)))
ip link set trace0 up
ip netns exec tn_a ping -c 4 -i 0.1 10.99.0.2 >/dev/null
sleep 0.5
check_accounting trace0
o1=$(stat trace0 fwd_only) e1=$(($(stat trace0 fwd_events) + $(stat trace0 fwd_drop_events)))
[ "$(nolocal)" = "$before" ] ||
	fail "--no-local: delivered frames meta_frames rx_packets went from $before to $(nolocal)"
[ $((o1 - o0)) -gt 0 ] && [ $((o1 - o0)) -eq $((e1 - e0)) ] ||
	fail "--no-local: fwd_only grew by $((o1 - o0)), the forward's events by $((e1 - e0))"
note "forward only: $((o1 - o0)) events forwarded, none counted delivered on trace0"

# --- Pointers: hashed on the wire ----------------------------------------------
"$ctl" forward trace0 --off || fail "forward --off"
"$ctl" forward trace0 dev fa || fail "forward, hashed"
# A ping's net events captured on trace0 into $1 and at the collector into
# $2: both captures are up before them (the workload's only net events).
ping_both() {
	ip link set trace0 up
	collect tn_c fb "$2" "ether proto 0x88b5"
	capture_start trace0 "$1"
	ip netns exec tn_a ping -c 4 -i 0.1 10.99.0.2 >/dev/null
	sleep 0.5
	capture_stop trace0
	collect_stop fb
	# A frame delivered between the two starts or stops (the flush of a
	# poll's tail) reaches one of them only.
	python3 "$here/pcapcommon.py" "$1" "$2" >/dev/null || fail "pcapcommon $1 $2"
}
ping_both /tmp/local.pcap /tmp/fbh.pcap
ptrs() { "$ctl" dump -R -r "$1" 2>/dev/null | grep -E ' (netif_receive_skb|net_dev_queue): ' |
	sed -E 's/^ *[^ ]+ +\[([0-9]+)\] +[0-9.]+: /\1 /'; }
ptrs /tmp/local.pcap >/tmp/raw.txt
ptrs /tmp/fbh.pcap >/tmp/hashed.txt
[ "$(wc -l </tmp/raw.txt)" -gt 8 ] || fail "too few net events: $(wc -l </tmp/raw.txt)"
[ "$(wc -l </tmp/raw.txt)" -eq "$(wc -l </tmp/hashed.txt)" ] || fail "local and forwarded net events differ in number"
# Per CPU, line by line: the same but skbaddr; raw -> hash a function both ways.
for c in $(cut -d' ' -f1 /tmp/raw.txt | sort -u); do
	paste -d'|' <(awk -v c="$c" '$1 == c' /tmp/raw.txt) <(awk -v c="$c" '$1 == c' /tmp/hashed.txt)
done | awk -F'|' '
	{
		r = $1; h = $2
		match(r, /skbaddr=0x[0-9a-f]+/); rp = substr(r, RSTART + 8, RLENGTH - 8)
		match(h, /skbaddr=0x[0-9a-f]+/); hp = substr(h, RSTART + 8, RLENGTH - 8)
		sub(/skbaddr=0x[0-9a-f]+/, "", r); sub(/skbaddr=0x[0-9a-f]+/, "", h)
		if (r != h) { print "differ beyond skbaddr: " $0; bad = 1 }
		if (rp == hp) { print "not hashed: " $0; bad = 1 }
		if ((rp in fw) && fw[rp] != hp) { print "two hashes for " rp; bad = 1 }
		if ((hp in bw) && bw[hp] != rp) { print "one hash for two pointers: " hp; bad = 1 }
		fw[rp] = hp; bw[hp] = rp; n++
		if (rp ~ /^0xffff/) kernel++
	}
	END { printf "%d pointers, %d kernel addresses on trace0\n", n, kernel; exit bad || !kernel }' >/tmp/ptr.txt ||
	{ head -20 /tmp/ptr.txt; fail "pointers were not hashed one to one"; }
# trace0 hashing (the default): its frames and the forwarded copies carry
# the same hashes, each frame says so, and a raw forward is refused.
"$ctl" forward trace0 --off || fail "forward --off"
"$ctl" pointers trace0 hashed | grep -q "^trace0: kernel addresses hashed$" || fail "pointers trace0 hashed"
out=$("$ctl" forward trace0 dev fa --raw-pointers 2>&1) && fail "a raw forward of a hashing device was accepted"
grep -q "the device hashes kernel addresses" <<<"$out" || fail "raw forward of a hashing device: $out"
"$ctl" forward trace0 dev fa || fail "forward, hashed device"
ping_both /tmp/local2.pcap /tmp/fbh2.pcap
ptrs /tmp/local2.pcap >/tmp/lraw.txt
ptrs /tmp/fbh2.pcap >/tmp/lhashed.txt
[ "$(wc -l </tmp/lraw.txt)" -gt 8 ] || fail "too few net events on the hashing device"
cmp -s /tmp/lraw.txt /tmp/lhashed.txt || fail "a hashing device's frames differ from their forwarded copies"
grep -q 'skbaddr=0xffff' /tmp/lraw.txt && fail "a kernel address on the hashing device: $(grep -m1 skbaddr=0xffff /tmp/lraw.txt)"
"$ctl" dump -r /tmp/local2.pcap 2>&1 >/dev/null | grep -q "kernel addresses are keyed hashes" ||
	fail "dump does not say the addresses are hashed"
"$ctl" dump -r /tmp/local.pcap 2>&1 >/dev/null | grep -q "kernel addresses are raw" ||
	fail "dump does not say the addresses are raw"
raw_pointers trace0
note "pointers: $(tail -1 /tmp/ptr.txt), each replaced by one keyed hash on the wire; a hashing trace0's frames the same as their copies"

# --- Routed: VXLAN across tn_r ----------------------------------------------------
"$ctl" forward trace0 --off || fail "forward --off"
"$ctl" forward trace0 udp 10.97.2.2 --raw-pointers 2>/tmp/fwd.err || fail "forward udp: $(cat /tmp/fwd.err)"
grep -q "MTU of trace0 lowered from 1500 to 1450" /tmp/fwd.err || fail "trace0's MTU not fitted to the path: $(cat /tmp/fwd.err)"
ip -d link show tn-trace0 | grep -q "vxlan id 1 remote 10.97.2.2 .*dstport 4789" || fail "tn-trace0: $(ip -d link show tn-trace0)"
collect tn_d rd /tmp/rd.pcap "host 10.97.1.1"
ip link set trace0 up
oracle_run
ip link set trace0 down
sleep 1
collect_stop rd
oracle_compare /tmp/rd.pcap "routed"
tcpdump -v -r /tmp/rd.pcap 2>/dev/null | grep -q "ttl 63" || fail "nothing came through the router"
[ "$(meta_parts /tmp/rd.pcap 64)" -gt 0 ] || fail "no metadata record in parts in VXLAN"
[ "$(stat trace0 fwd_drop_frames)" -eq 0 ] || fail "frames not forwarded: $(stat trace0 fwd_drop_frames)"
"$ctl" forward trace0 --off || fail "forward --off"
[ -z "$(ip link show tn-trace0 2>/dev/null)" ] || fail "--off left tn-trace0"
note "routed: $(wc -l </tmp/got.txt) workload lines at the collector behind the router as trace-cmd's; metadata in parts within the path MTU"

# --- A 1-packet egress queue under a storm: loss never silent ---------------------
"$ctl" detach trace0 --all || fail "detach"
"$ctl" forward trace1 dev fa || fail "forward trace1"
# fq paces the frames' one flow at 4 Mbit/s and queues one packet of it.
tc qdisc replace dev fa root fq flow_limit 1 maxrate 4mbit || fail "fq flow_limit 1"
# From 6.19 (commit 100dfa74cad9) a CPU that finds another on its way to
# fq's lock leaves its frame on a list for that one to enqueue, and
# dev_queue_xmit() tells it NET_XMIT_SUCCESS: fq's drop of it is counted
# by fq alone, one of the losses after the hand-over. One it refuses
# instead, a list longer than net.core.qdisc_max_burst, is counted by
# tracenet and by no qdisc: the limit is lifted while fq's counter is
# the one compared.
burst=/proc/sys/net/core/qdisc_max_burst burst0=
if [ -e $burst ]; then burst0=$(cat $burst) && echo 1000000000 >$burst || fail "qdisc_max_burst"; fi
collect tn_c fb /tmp/storm.pcap "ether proto 0x88b5"
# What the veth itself drops after the hand-over (its peer's NAPI ring
# full, on a slow kernel) is the link's loss, counted by the link in
# frames.
linkdrop0=$(cat /sys/class/net/fa/statistics/tx_dropped)
ip link set trace1 up
"$ctl" attach trace1 syscalls:sys_enter_getppid || fail "attach trace1"
getppid() { taskset -c "$1" python3 -c 'import os, sys, time
for _ in range(int(sys.argv[1])):
    os.getppid()
    time.sleep(float(sys.argv[2]))' "$2" "$3"; }
getppid 0 20000 0 & p0=$!
getppid 1 20000 0 & p1=$!
wait $p0 $p1
sleep 2
# Then a few, slowly, on each CPU: their frames go through and show the
# gaps left by the storm.
getppid 0 3 0.2; getppid 1 3 0.2
sleep 1
# Down, idle: no frame (metadata comes every 2 s) races the capture's end.
ip link set trace1 down
collect_stop fb
"$ctl" detach trace1 --all
[ -z "$burst0" ] || echo "$burst0" >$burst
sent=$(stat trace1 fwd_events) notsent=$(stat trace1 fwd_drop_events)
# Frames: metadata frames included.
fwded=$(stat trace1 fwd_frames) refused=$(stat trace1 fwd_drop_frames)
lost_before=$(ethtool -S trace1 | awk '$1 ~ /^drop_/ { s += $2 } END { print s + 0 }')
[ "$notsent" -gt 0 ] || fail "the 1-packet queue refused nothing"
python3 "$here/pcapstat.py" /tmp/storm.pcap >/tmp/storm.txt
got=$(awk '$1 == "cpu" { e += $4 } END { print e + 0 }' /tmp/storm.txt)
gaps=$(awk '$1 == "cpu" { g += $6 } END { print g + 0 }' /tmp/storm.txt)
frames=$(awk '$1 == "total" { print $7 + $9 }' /tmp/storm.txt)
linkdrop=$(($(cat /sys/class/net/fa/statistics/tx_dropped) - linkdrop0))
qdisc=$(tc -s qdisc show dev fa)
fqdrop=$(sed -nE 's/.*\(dropped ([0-9]+),.*/\1/p' <<<"$qdisc")
[ -n "$fqdrop" ] || fail "no drop count in: $qdisc"
# Each frame trace1 tried on fa is at the collector or counted dropped:
# refused (fwd_drop_frames) are fq's drops it was told of, the rest of
# fq's drops and the veth's came after the hand-over.
after=$((fqdrop - refused + linkdrop))
[ $((fwded + refused)) -eq $((frames + fqdrop + linkdrop)) ] ||
	fail "$((fwded + refused)) frames tried ($refused refused), $frames at the collector, $fqdrop dropped by fq, $linkdrop by the veth: $qdisc"
[ "$gaps" -eq $((notsent + lost_before + sent - got)) ] ||
	fail "collector: $got events, $gaps in gaps; sender: $sent forwarded, $notsent not sent + $lost_before dropped before; frames lost after the hand-over: $after"
note "storm: $sent events forwarded, $notsent not sent (fwd_drop_events) + $lost_before dropped before; $fqdrop frames dropped by fq, $((fqdrop - refused)) of them after the hand-over, + $linkdrop by the veth; the collector saw $got and gaps of exactly $gaps, $((sent - got)) of them after the hand-over"
tc qdisc del dev fa root

# --- Link down, target deleted, unload while forwarding ---------------------------
ip link set trace1 up
"$ctl" attach trace1 sched:sched_switch || fail "attach"
ip -n tn_c link set fb down
d0=$(stat trace1 fwd_drop_frames)
sleep 1
[ "$(stat trace1 fwd_drop_frames)" -gt "$d0" ] || fail "frames to a link that is down not counted"
ip -n tn_c link set fb up
ip netns del tn_c
sleep 0.5
"$ctl" forward trace1 | grep -q "^trace1 does not forward$" || fail "forwarding to a deleted device: $("$ctl" forward trace1)"
dmesg | grep -q "trace1: forwarding to fa ended: device unregistered" || fail "no word of the ended forward"
"$ctl" forward trace1 dev ra || fail "forward to ra"
"$ctl" forward trace0 udp 10.97.2.2 || fail "forward udp"
rmmod tracenet || fail "rmmod while forwarding"
ip link show tn-trace0 >/dev/null 2>&1 && ip link del tn-trace0
note "link down counted, target deleted ends the forward, unload while forwarding: ok"
