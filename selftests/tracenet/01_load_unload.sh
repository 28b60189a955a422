#!/bin/bash
# Loading creates trace0 (numdevs of them), the link kind adds and deletes
# more, and unloading with devices present tears everything down.
. "$(dirname "$0")/lib.sh"

for i in 1 2 3 4 5; do
	load
	ip link show trace0 >/dev/null || fail "no trace0 after load $i"
	rmmod tracenet || fail "rmmod $i"
done

load numdevs=3
for d in trace0 trace1 trace2; do
	ip -d link show "$d" | grep -q tracenet || fail "$d missing or not tracenet"
done
ip link add trace7 type tracenet || fail "ip link add type tracenet"
ip link add tnx address 02:11:22:33:44:55 type tracenet || fail "ip link add with address"
ip link show tnx | grep -q 02:11:22:33:44:55 || fail "address not taken"
ip link add tny address 01:00:00:00:00:01 type tracenet 2>/dev/null && fail "multicast MAC accepted"
ip link set trace7 up && ip link set trace1 up || fail "set up"
ip link del trace7 || fail "ip link del"
ip link show trace7 2>/dev/null && fail "trace7 still there"

ethtool -i trace0 | grep -q "driver: tracenet" || fail "ethtool -i"
ethtool -S trace0 | grep -q "rx_queue_0_produced:" || fail "ethtool -S per-CPU counters"
ethtool -g trace0 | grep -q "RX:" || fail "ethtool -g"
ethtool -G trace0 rx 8 || fail "ethtool -G while down"
ethtool -g trace0 | awk '/Current/{c=1} c && /^RX:/{print $2; exit}' | grep -qx 8 || fail "ring size not 8"
ip link set trace0 up
ethtool -G trace0 rx 16 2>/dev/null && fail "ring resized while up"
# Trace frames, not IP: no IPv6 autoconf (link-local address, router
# solicitations) on a trace device.
[ -z "$(ip -6 addr show dev trace0)" ] || fail "IPv6 on trace0: $(ip -6 addr show dev trace0)"
ethtool -C trace0 rx-frames 8 || fail "ethtool -C rx-frames"
ethtool -C trace0 rx-frames 0 2>/dev/null && fail "rx-frames 0 accepted"
ethtool -C trace0 rx-usecs 0 || fail "rx-usecs 0 (kick at every event)"
ethtool -c trace0 | grep -q "^rx-usecs: *0" || fail "rx-usecs not 0"
ethtool -T trace0 | grep -q "software-receive" || fail "ethtool -T"

# Trace devices live in the initial network namespace: none is created in
# another (directly, or through a link netns), none moves to one.
ip netns add tn_ns
out=$(ip -n tn_ns link add trace5 type tracenet 2>&1) && fail "link add in a netns accepted"
grep -q "initial network namespace" <<<"$out" || fail "link add in a netns: $out"
ip link add trace5 netns tn_ns type tracenet 2>/dev/null && fail "link add into a netns accepted"
ip link add trace5 type tracenet || fail "link add"
ip link set trace5 netns tn_ns 2>/dev/null && fail "trace5 moved to a netns"
ip link show trace5 >/dev/null || fail "a refused move lost trace5"
ip netns del tn_ns
rmmod tracenet || fail "rmmod with devices"
lsmod | grep -q '^tracenet' && fail "module still loaded"
echo "5 load/unload cycles, link add/del, no device in or to another netns: ok"
