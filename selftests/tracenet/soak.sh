#!/bin/bash
# make soak: an event storm on every CPU (sched, syscalls, net, a kprobe
# event) while attaching and detaching, adding and deleting devices,
# starting and stopping captures, swapping XDP programs, taking CPUs
# offline and online, and unloading and reloading the module. At every quiet point each device's
# produced == delivered + dropped. Not in the numbered suite: run it with
# selftests/run.sh soak, which fails it on any kernel report.
#
#   SOAK_SECONDS   how long (default 600)
#   SOAK_SEED      random seed (default: the time)
. "$(dirname "$0")/lib.sh"

secs=${SOAK_SECONDS:-600}
seed=${SOAK_SEED:-$(date +%s)}
RANDOM=$seed
echo "soak: ${secs}s, seed $seed"
events=(sched:sched_switch sched:sched_wakeup sched:sched_process_exec
	sched:sched_process_fork syscalls:sys_enter_getppid syscalls:sys_exit_getppid
	syscalls:sys_enter_read net:netif_receive_skb net:net_dev_queue
	tracenet_test:soak_probe)
cpus=$(nproc)
hotplug=/sys/devices/system/cpu/cpu$((cpus - 1))/online
[ "$cpus" -gt 1 ] && [ -w "$hotplug" ] || hotplug=

kprobe_define soak_probe 'do_sys_openat2 dfd=%di:s32 flags=+0(%dx):u64'
veth_pair
# The XDP programs of 17_xdp, verified once and pinned: attaching is cheap.
pin=/sys/fs/bpf/tn_soak
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || fail "cannot mount bpffs"
clang -O2 -target bpf -I/usr/include/x86_64-linux-gnu \
	-DEVENT_ID="$(cat /sys/kernel/tracing/events/sched/sched_switch/id)" \
	-DREDIRECT_IFINDEX=1 -c "$here/xdp_progs.bpf.c" -o /tmp/soak_xdp.o &&
	bpftool prog loadall /tmp/soak_xdp.o $pin type xdp || fail "cannot load the XDP programs"
cleanup() {
	kill $(jobs -p) 2>/dev/null
	wait 2>/dev/null
	[ -z "$hotplug" ] || echo 1 >"$hotplug"
	rmmod tracenet 2>/dev/null
	kprobe_undefine soak_probe
	rm -rf $pin
}
trap cleanup EXIT

# The storm: one of each load per CPU, for the whole soak, niced so that
# the churn below still gets its turn.
for _ in $(seq "$cpus"); do
	nice -n 19 python3 -c 'import os
while True: os.getppid()' &
	nice -n 19 bash -c 'while :; do /bin/true; cat /proc/self/stat >/dev/null; done' &
done
nice -n 19 ip netns exec tn_a ping -q -f 10.99.0.2 >/dev/null 2>&1 &
storm=$(jobs -p)

devs() { ls /sys/class/net | grep '^trace'; }
pick() { local a=("$@"); echo "${a[RANDOM % ${#a[@]}]}"; }

# Quiet point: captures stopped, every device down (which ends production
# and counts what was buffered as dropped); then check the books.
quiet() {
	local d p
	for p in $(jobs -p); do
		grep -qxF "$p" <<<"$storm" || kill "$p" 2>/dev/null
	done
	for d in $(devs); do check_accounting "$d" >/dev/null; done
}

# Events a device produced, counted when it goes away.
total=0
gone() {
	local d
	for d in "$@"; do
		check_accounting "$d" >/dev/null
		total=$((total + $(stat "$d" produced)))
	done
}

load numdevs=2
end=$(($(date +%s) + secs))
n=0
declare -A acts
while [ "$(date +%s)" -lt "$end" ]; do
	n=$((n + 1))
	act=$(pick attach attach attach detach up up down capture capture \
		newdev deldev xdp xdp cpu quiet reload)
	acts[$act]=$((${acts[$act]:-0} + 1))
	d=$(pick $(devs))
	case $act in
	attach)
		"$ctl" attach "$d" "$(pick "${events[@]}")" "$(pick "${events[@]}")" \
			>/dev/null 2>&1
		ip link set "$d" up
		;;
	detach) "$ctl" detach "$d" "$(pick "${events[@]}")" >/dev/null 2>&1 ;;
	up) ip link set "$d" up ;;
	down) ip link set "$d" down ;;
	capture)
		timeout $((RANDOM % 3 + 1)) tcpdump -i "$d" -w /dev/null >/dev/null 2>&1 &
		;;
	newdev) [ "$(devs | wc -l)" -ge 6 ] || ip link add "trace$((RANDOM % 90 + 10))" \
		type tracenet 2>/dev/null ;;
	deldev) [ "$(devs | wc -l)" -le 1 ] || { gone "$d"; ip link del "$d"; } ;;
	xdp)
		p=$(pick off xdp_pass xdp_drop xdp_drop_event xdp_aborted)
		if [ "$p" = off ]; then
			ip link set "$d" xdpdrv off
		else
			ip -force link set "$d" xdpdrv pinned "$pin/$p"
		fi
		;;
	cpu) [ -z "$hotplug" ] || { echo 0 >"$hotplug"; sleep 0.$((RANDOM % 9)); echo 1 >"$hotplug"; } ;;
	quiet) quiet ;;
	reload)
		quiet
		gone $(devs)
		rmmod tracenet || fail "rmmod after $n steps"
		load numdevs=$((RANDOM % 3 + 1))
		;;
	esac
	sleep 0.$((RANDOM % 3))
done
quiet
gone $(devs)
for a in "${!acts[@]}"; do printf '%s %d, ' "$a" "${acts[$a]}"; done
echo "$n steps"
echo "soak: $total events produced, every quiet point balanced"
