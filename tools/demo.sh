#!/bin/bash
# make demo, inside the VM: load tracenet, attach sched and net events,
# make some traffic between two namespaces, and show the frames on trace0
# as tcpdump sees them and decoded by tracenetctl.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
ctl=$top/tools/tracenetctl
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "insmod tracenet.ko: trace0 appears"
insmod "$("$top/tools/module-path")"
ip -d link show trace0

say "tracenetctl attach trace0 sched:sched_switch sched:sched_process_exec net:netif_receive_skb"
"$ctl" attach trace0 sched:sched_switch sched:sched_process_exec net:netif_receive_skb
ip link set trace0 up
"$ctl" status trace0 | head -8

ip netns add a && ip netns add b
ip link add va netns a type veth peer name vb netns b
ip -n a addr add 10.0.0.1/24 dev va && ip -n b addr add 10.0.0.2/24 dev vb
ip -n a link set va up && ip -n b link set vb up

say "tcpdump -i trace0 -w /tmp/events.pcap, while: ping over veth, /bin/true"
tcpdump -i trace0 -w /tmp/events.pcap 2>/dev/null &
tcpdump=$!
sleep 1
ip netns exec a ping -c 3 -i 0.2 10.0.0.2
/bin/true
sleep 0.5
kill -INT $tcpdump; wait $tcpdump || true

say "tcpdump -r /tmp/events.pcap -c 2 -e -X: Ethernet frames, EtherType 0x88b5"
tcpdump -r /tmp/events.pcap -c 2 -e -X 2>/dev/null

say "tracenetctl dump -r /tmp/events.pcap: the lines trace-cmd report would print"
"$ctl" dump -r /tmp/events.pcap | grep -E "netif_receive_skb|sched_process_exec|ping" | sed -n 1,20p
echo "..."

say "ip -s link show trace0 / ethtool -S trace0"
ip -s link show trace0
ethtool -S trace0 | sed -n 1,13p
