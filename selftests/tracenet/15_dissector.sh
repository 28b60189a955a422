#!/bin/bash
# The Wireshark dissector (dissector/tracenet.lua) on captures of the real
# module: sched, net, syscall and kprobe events, one per frame and batched
# (ethtool -C rx-frames, adaptive-rx off: batches at any rate). tshark's view of every event, in capture order,
# equals what tracenetctl dump -R prints for the same capture: event, CPU,
# sequence, pid, comm, time, every field's name and value, the sequence
# gaps. Named fields (tracenet.<event>.<field>) exist for exactly the
# events given at start-up, from this tracefs or from a tracenetctl
# formats file. Display filters on named and generic fields select exactly
# the frames dump's output says they must. The batched capture starts
# between two rounds of metadata: its first events show as unknown, the
# rest decode; -z tracenet counts as dump does. (dissector/tests/run.sh
# tests hand-made and damaged frames on the host.)
. "$(dirname "$0")/lib.sh"

dis=$top/dissector
cmp() { python3 "$dis/tests/tncompare.py" "$@"; }
command -v tshark >/dev/null || skip "tshark is not installed (tools/setup)"
# No personal plugins or preferences: an installed tracenet.lua would
# load twice.
export HOME=/tmp/tshark-home
mkdir -p "$HOME"
unset XDG_CONFIG_HOME TRACENET_EVENTS TRACENET_FORMATS TRACENET_TRACEFS
tn_tshark() { tshark -X lua_script:"$dis/tracenet.lua" "$@"; }

load meta_interval=1
veth_pair
kprobe_undefine getname_probe
kprobe_define getname_probe 'do_sys_openat2 dfd=$arg1:s32 name=+0($arg2):ustring flags=+0($arg3):x64'
events="sched:sched_switch sched:sched_process_exec net:netif_receive_skb
	net:net_dev_queue syscalls:sys_enter_openat syscalls:sys_exit_openat
	tracenet_test:getname_probe"
named='sched:*,net:*,syscalls:sys_*_openat,tracenet_test:*'

# execs, opens (the kprobe too), ping on CPU 1 across the veth pair
workload() {
	for i in 1 2 3; do /bin/true; done
	cat /etc/hostname >/dev/null
	ip netns exec tn_a taskset -c 1 ping -c 3 -i 0.2 -q 10.99.0.2 >/dev/null ||
		fail "ping over veth"
}

# One event per frame, the capture running before the attach.
ethtool -C trace0 rx-frames 1 || fail "ethtool -C trace0 rx-frames 1"
ip link set trace0 up
capture_start trace0 /tmp/single.pcap
"$ctl" attach trace0 $events || fail "attach $events"
workload
capture_stop trace0

# Batched, and a capture that starts while events flow: drop the metadata
# before its 20th event (the real start is often like that; now it is for
# sure), and two frames out of its middle for sequence gaps. No
# sched_switch here (four events in five of the first capture): under TCG
# every event decoded costs.
"$ctl" detach trace0 sched:sched_switch || fail "detach sched:sched_switch"
ethtool -C trace0 adaptive-rx off rx-frames 16 || fail "ethtool -C trace0 adaptive-rx off rx-frames 16"
ip link set trace0 up
capture_start trace0 /tmp/batch-raw.pcap
workload
sleep 1.2	# the next round of metadata
capture_stop trace0
python3 "$dis/tests/tnpcap.py" late /tmp/batch-raw.pcap /tmp/late.pcap || fail "late capture"
gaps=$(python3 "$dis/tests/tnpcap.py" gaps /tmp/late.pcap)
[ -n "$gaps" ] || fail "batched capture too small"
editcap -F pcap /tmp/late.pcap /tmp/batch.pcap $gaps || fail "editcap"
"$ctl" formats -o /tmp/sched.formats 'sched:*' 'tracenet_test:*' || fail "tracenetctl formats"
"$ctl" detach trace0 --all || fail "detach --all"
note "captures made (${SECONDS}s)"

fails=0
for c in single batch; do
	"$ctl" dump -R -r /tmp/$c.pcap >/tmp/$c.dump 2>/tmp/$c.dump.err || fail "dump -R $c"
done

# One tshark start per capture: under TCG each costs seconds. The filters
# run as taps of the same pass (filters.lua), through Wireshark's display
# filter engine as -Y would. JSON: a third of PDML's size, quicker to
# write and to read under TCG.
json="-T json -J tracenet --no-duplicate-keys"
cmp filters >/tmp/filters.txt
TRACENET_EVENTS=$named TRACENET_FORMATS=off tn_tshark \
	-X lua_script:"$dis/tests/filters.lua" -r /tmp/single.pcap \
	-z tnfilter,/tmp/filters.txt,/tmp/filters.out $json >/tmp/single.json 2>/tmp/single.err
note "one event per frame, named fields from tracefs for $named (${SECONDS}s):"
cmp check --pcap /tmp/single.pcap --json /tmp/single.json --dump /tmp/single.dump \
	--named "$named" --filters /tmp/filters.out || fails=$((fails + 1))
note "compared (${SECONDS}s)"

TRACENET_TRACEFS=off TRACENET_FORMATS=/tmp/sched.formats tn_tshark -r /tmp/batch.pcap \
	$json -z tracenet >/tmp/batch.out 2>/tmp/batch.err
sed -n '/^=\{20\}/,$p' /tmp/batch.out >/tmp/batch.stats
sed '/^=\{20\}/,$d' /tmp/batch.out >/tmp/batch.json
note "batched, late, gaps at frames $gaps, named fields from a formats file of sched:*, tracenet_test:* (${SECONDS}s):"
cmp check --pcap /tmp/batch.pcap --json /tmp/batch.json --dump /tmp/batch.dump \
	--named 'sched:*,tracenet_test:*' --stats /tmp/batch.stats \
	--min-unknown 1 --min-lost 1 --min-batched 10 || fails=$((fails + 1))

# The kprobe event stays defined up to here: tshark read its format.
kprobe_undefine getname_probe || fail "kprobe event still busy after detach"
errs=$(grep -hE 'Lua Error|tracenet\.lua:[0-9]+' /tmp/single.json /tmp/batch.json \
	/tmp/single.err /tmp/batch.err | head -5)
[ -z "$errs" ] || fail "Lua errors: $errs"
[ $fails -eq 0 ] || fail "tshark and tracenetctl dump disagree"
note "done (${SECONDS}s)"
