#!/bin/bash
# Filters: ftrace is the oracle. One workload; trace-cmd records it with
# every expression of the table as ftrace's own filter, each in its own
# instance (-B iK -e EVENT -f EXPR); tracenet captures it unfiltered. Each
# expression, compiled by tracenetctl to an XDP program, then runs on the
# capture (BPF_PROG_TEST_RUN on this kernel's verifier, filter --run): the
# event lines it passes must be the ones ftrace kept. Where a pcap-filter
# translation exists, tcpdump with it must select the very same frames.
# Bad expressions are refused with their position; when trace0 has native
# XDP, a refused expression leaves the filter in force.
. "$(dirname "$0")/lib.sh"

load
veth_pair
kprobe_undefine openat2_probe
kprobe_define openat2_probe 'do_sys_openat2 dfd=$arg1:s32 name=+0($arg2):ustring flags=+0($arg3):x64'

# EVENT|EXPRESSION: numbers, strings, globs, masks, negation, nesting,
# common and generic fields, __data_loc strings, a kprobe event.
table=(
	'sched:sched_switch|prev_pid > 0 && next_pid == 0'
	'sched:sched_switch|prev_comm ~ "tn_*"'
	'sched:sched_switch|next_comm == "swapper/0" || next_comm == "swapper/1"'
	'sched:sched_switch|prev_state & 1'
	'sched:sched_switch|!(prev_state & 3) && prev_prio >= 120'
	'sched:sched_switch|prev_comm ~ "*_ca*" || next_comm ~ "tn_?at"'
	'sched:sched_switch|cpu == 0 && common_pid != 0'
	'sched:sched_switch|COMM ~ "tn_[bp]*" && !(CPU > 0 && next_pid == 0)'
	'sched:sched_process_exec|filename ~ "*tn_cat"'
	'sched:sched_process_exec|filename == "/tmp/tn_ping" || pid < 0'
	'sched:sched_process_exec|comm ~ "tn_*" && old_pid > 1'
	'sched:sched_process_fork|child_comm ~ "tn_b*"'
	'sched:sched_process_fork|parent_pid > 1 && !(child_pid < 100)'
	'net:netif_receive_skb|len > 80'
	'net:netif_receive_skb|name == "vb" && len < 100'
	'net:netif_receive_skb|name ~ "v[ab]" && (len & 1 || len & 2)'
	'net:net_dev_queue|len >= 98 || name ~ "*a"'
	'net:net_dev_queue|skbaddr & 0x300'
	'syscalls:sys_enter_openat|flags & 0x80000'
	'syscalls:sys_enter_openat|common_pid > 0 && !(flags & 0x80000) && mode == 0'
	'tracenet_test:openat2_probe|name ~ "/etc/*" && dfd < 0'
	'tracenet_test:openat2_probe|name == "/etc/hostname" || (flags & 0x80000 && comm ~ "tn_c?t")'
	'tracenet_test:openat2_probe|((name ~ "*os-*")) || !(dfd == -100)'
)

events="sched:sched_switch sched:sched_process_exec sched:sched_process_fork
	net:netif_receive_skb net:net_dev_queue syscalls:sys_enter_openat
	tracenet_test:openat2_probe"
"$ctl" attach trace0 $events || fail "attach"
raw_pointers trace0
# A program run on the capture (--run) sees a frame's first event.
ethtool -C trace0 rx-frames 1 || fail "rx-frames 1"
ip link set trace0 up
capture_start trace0 /tmp/all.pcap

# Instance iK holds the K-th expression of each event: few instances (each
# has a recorder per CPU), one filter per event in each.
declare -A nth
inst=()
for i in "${!table[@]}"; do
	ev=${table[$i]%%|*}
	k=${nth[$ev]:-0}
	nth[$ev]=$((k + 1))
	inst[$i]=i$k
	eval "iargs_$k+=(-e \"\$ev\" -f \"\${table[\$i]#*|}\")"
done
targs=()
for ((k = 0; ; k++)); do
	declare -n a=iargs_$k
	[ ${#a[@]} -gt 0 ] || break
	targs+=(-B "i$k" "${a[@]}")
	unset -n a
done
rm -f /tmp/trace.dat
t0=$SECONDS
for b in bash cat ping; do cp "$(command -v $b)" /tmp/tn_$b; done
cat >/tmp/tn_work.sh <<'EOF'
for i in 1 2 3 4; do /tmp/tn_cat /etc/hostname /etc/os-release >/dev/null; done
ip netns exec tn_a /tmp/tn_ping -c 4 -i 0.1 -s 30 10.99.0.2 >/dev/null
ip netns exec tn_a /tmp/tn_ping -c 4 -i 0.1 -s 61 10.99.0.2 >/dev/null
EOF
# trace-cmd runs the workload once every instance records, and stops
# when it ends (with many instances it is slow to stop on a signal);
# --no-filter: its child, trace-cmd until it execs, is not filtered out.
# The workload runs in a second shell, whose forks count (the first
# one's do not: it was trace-cmd until it exec'd).
trace-cmd record -q --no-filter -b 1024 -o /tmp/trace.dat "${targs[@]}" \
	/tmp/tn_bash -c '/tmp/tn_bash /tmp/tn_work.sh; :' >/tmp/tc.log 2>&1 ||
	fail "trace-cmd record: $(tail -5 /tmp/tc.log)"
capture_stop trace0
[ "$(stat trace0 drop_full)" -eq 0 ] || fail "tracenet dropped events: no exact comparison"
trace-cmd report -i /tmp/trace.dat 2>/dev/null | grep -v 'dev=trace0 ' >/tmp/tc.txt
grep -q '^i0:' /tmp/tc.txt || fail "trace-cmd recorded nothing: $(head -5 /tmp/tc.log)"
"$ctl" dump -r /tmp/all.pcap >/tmp/all.txt 2>/dev/null || fail "dump of the capture"
# The workload: pids that ran a tn_* program (in the unfiltered capture).
pids=$(sed -nE 's/^ *tn_[^ ]*-([0-9]+) +\[.*/\1/p' /tmp/all.txt | sort -u | tr '\n' ' ')
[ -n "$pids" ] || fail "no workload in the capture"
# trace-cmd's child execs the workload's shell; before that it runs while
# trace-cmd switches the instances on one by one: leave its events out.
shpid=$(sed -nE 's/.*sched_process_exec: +filename=\/tmp\/tn_bash pid=([0-9]+) .*/\1/p' /tmp/all.txt | head -1)
[ -n "$shpid" ] || fail "no exec of the workload's shell in the capture"

# "pid [cpu] event: fields" of the workload's lines of EVENT (as 03_oracle).
norm() {
	awk -v pids="$pids" -v ev="$1" -v sh="$shpid" '
		BEGIN { n = split(pids, a, " "); for (i = 1; i <= n; i++) P[a[i]] = 1 }
		match($0, /-[0-9]+ +\[[0-9]+\] +[0-9.]+: /) {
			split(substr($0, RSTART + 1, RLENGTH), h, " ")
			rest = substr($0, RSTART + RLENGTH)
			if (index(rest, ev ":") != 1)
				next
			if (!(h[1] in P) && rest !~ /tn_/)
				next
			if (h[1] == sh || rest ~ /trace-cmd/)
				next
			gsub(/[ \t]+/, " ", rest)
			sub(/ $/, "", rest)
			print h[1], h[2], rest
		}' | exit_state_as_one
}

# Per CPU: trace-cmd merges CPUs by time, a capture by delivery.
same_per_cpu() {
	local cpu
	for cpu in $(awk '{ print $2 }' "$1" "$2" | sort -u); do
		diff -u <(awk -v c="$cpu" '$2 == c' "$1") <(awk -v c="$cpu" '$2 == c' "$2") \
			>/tmp/filter.diff || return 1
	done
}

# Only the frames the comparison looks at (a workload pid's, or naming a
# tn_* program): the loop then costs what the workload does, not what the
# recorders' noise does (on the debug kernel, minutes). A frame this
# wrongly dropped would show as a line ftrace kept and the program not.
pf=
for p in $pids; do pf+="${pf:+ || }common_pid == $p"; done
tn='"*tn_*"'
"$ctl" filter --run /tmp/all.pcap -w /tmp/work.pcap \
	"sched:sched_switch: $pf || prev_comm ~ $tn || next_comm ~ $tn" \
	"sched:sched_process_exec: $pf || filename ~ $tn" \
	"sched:sched_process_fork: $pf || parent_comm ~ $tn || child_comm ~ $tn" \
	"net:netif_receive_skb: $pf" "net:net_dev_queue: $pf" "syscalls:sys_enter_openat: $pf" \
	"tracenet_test:openat2_probe: $pf || name ~ $tn" 2>/tmp/run.err ||
	fail "the workload's frames: $(cat /tmp/run.err)"
"$ctl" dump -r /tmp/work.pcap >/tmp/work.txt 2>/dev/null || fail "dump of the workload's frames"

t1=$SECONDS
selective=0 npcap=0
for i in "${!table[@]}"; do
	ev=${table[$i]%%|*} expr=${table[$i]#*|}
	name=${ev#*:}
	"$ctl" filter --run /tmp/work.pcap -w /tmp/f$i.pcap "$ev: $expr" 2>/tmp/run.err ||
		fail "f$i '$ev: $expr': filter --run: $(cat /tmp/run.err)"
	"$ctl" dump -r /tmp/f$i.pcap >/tmp/f$i.txt 2>/dev/null
	sed -n "s/^${inst[$i]}: //p" /tmp/tc.txt | norm "$name" >/tmp/want.txt
	norm "$name" </tmp/f$i.txt >/tmp/got.txt
	norm "$name" </tmp/work.txt >/tmp/every.txt
	w=$(wc -l </tmp/want.txt) g=$(wc -l </tmp/got.txt) a=$(wc -l </tmp/every.txt)
	if ! same_per_cpu /tmp/want.txt /tmp/got.txt; then
		head -30 /tmp/filter.diff
		fail "f$i '$ev: $expr': ftrace kept $w of $a lines, the XDP filter $g"
	fi
	[ "$w" -gt 0 ] && [ "$w" -lt "$a" ] && selective=$((selective + 1))
	# The pcap-filter translation selects the same frames, or says why not.
	if pexpr=$("$ctl" filter --pcap "$ev: $expr" 2>/tmp/pcap.err); then
		tcpdump -r /tmp/work.pcap -w /tmp/p$i.pcap "$pexpr" 2>/dev/null ||
			fail "f$i: tcpdump refused '$pexpr'"
		"$ctl" dump -r /tmp/p$i.pcap >/tmp/p$i.txt 2>/dev/null
		cmp -s /tmp/f$i.txt /tmp/p$i.txt ||
			fail "f$i '$ev: $expr': the pcap expression selects other frames than the program: $pexpr"
		npcap=$((npcap + 1))
		note "f$i $ev: $expr: $g of $a lines, as ftrace; pcap expression selects the same frames"
	else
		grep -q 'pcap filters cannot' /tmp/pcap.err ||
			fail "f$i: --pcap failed without saying why: $(cat /tmp/pcap.err)"
		note "f$i $ev: $expr: $g of $a lines, as ftrace; no pcap form: $(head -1 /tmp/pcap.err | sed 's/.*: pcap/pcap/')"
	fi
done
[ "$selective" -ge 15 ] || fail "only $selective expressions kept some but not all lines: the table tests too little"
[ "$npcap" -ge 8 ] || fail "only $npcap expressions had a pcap form"
note "${#table[@]} expressions as ftrace filters them ($selective selective), $npcap also as pcap expressions"
note "$(grep -c . /tmp/all.txt) lines in the capture, $(grep -c . /tmp/work.txt) of the workload; recording $((t1 - t0))s, comparing $((SECONDS - t1))s"

# Bad expressions: refused, with the column of the problem.
bad() {
	local arg=$1 want=$2 col=$3 out
	out=$("$ctl" filter --run /tmp/work.pcap "$arg" 2>&1) && fail "accepted: $arg"
	echo "$out" | grep -q "$want" || fail "'$arg': no '$want' in: $out"
	echo "$out" | grep -q "at column $col:" || fail "'$arg': not at column $col: $out"
}
bad 'sched:sched_switch: prev_pidd == 1' "unknown field 'prev_pidd'" 21
bad 'sched:sched_switch: prev_pid == 1 && next_comm > "a"' "operator '>' cannot compare strings" 50
bad 'sched:sched_switch: (prev_pid == 1 || (next_pid == 2)' "'(' is never closed" 21
bad 'sched:sched_switch: prev_pid == 1)' "')' without '('" 34
bad 'sched:sched_switch: prev_comm & 1' "is a string" 33
bad 'sched:sched_process_exec: filename ~ 12' "is a string" 38
bad 'syscalls:sys_enter_openat: filename == "/etc/hostname"' "frames carry the pointer, not the string" 40
huge="sched:sched_switch: prev_pid == 1$(printf ' || prev_pid == 1%.0s' $(seq 300))"
bad "$huge" "at most 4096" 4116
out=$("$ctl" filter --run /tmp/work.pcap 'sched:nosuch: cpu == 1' 2>&1) && fail "unknown event accepted"
echo "$out" | grep -q "unknown event 'sched:nosuch'" || fail "unknown event: $out"

# On the device: only with native XDP in the driver.
if out=$("$ctl" filter trace0 'sched:sched_switch: prev_pid == 1' 2>&1); then
	"$ctl" filter trace0 'sched:sched_process_exec: pid > 1' || fail "second filter"
	bad_out=$("$ctl" filter trace0 'sched:sched_switch: prev_pid = 1' 2>&1) && fail "'=' accepted"
	out=$("$ctl" filter trace0 'sched:sched_wakeup: pid == 1' 2>&1) && fail "a filter of an event not attached accepted"
	echo "$out" | grep -q "'sched:sched_wakeup' is not attached to trace0" || fail "unattached event: $out"
	"$ctl" filter trace0 --show >/tmp/show.txt || fail "--show"
	printf '%s\n' 'sched:sched_switch: prev_pid == 1' 'sched:sched_process_exec: pid > 1' |
		diff -u - /tmp/show.txt || fail "the filters in force changed after a refused one ($bad_out)"
	"$ctl" filter trace0 --clear sched:sched_switch || fail "--clear one"
	[ "$("$ctl" filter trace0 --show)" = 'sched:sched_process_exec: pid > 1' ] || fail "--clear one left: $("$ctl" filter trace0 --show)"
	"$ctl" filter trace0 --clear || fail "--clear"
	[ -z "$("$ctl" filter trace0 --show)" ] || fail "--clear left filters"
	ip link show trace0 | grep -q xdp && fail "XDP program still attached after --clear"
	note "on trace0: set, refused, shown, cleared"

	# Live: the filters drop in the driver; what arrives is exactly what
	# the same filters pass on the unfiltered capture, with no sequence
	# gap for the filtered events, and the books balance.
	f1='sched:sched_process_exec: filename ~ "*tn_cat" || pid < 0'
	f2='sched:sched_switch: prev_comm ~ "tn_*" && !(prev_state & 1)'
	f3='net:netif_receive_skb: len > 80'
	# Nothing passes while tcpdump starts: libpcap drops what arrives
	# while it installs its capture filter, a gap in the sequence that
	# would not be tracenet's. Then the filters replace those, at once.
	"$ctl" detach trace0 --all || fail "detach --all"
	"$ctl" attach trace0 sched:sched_process_exec sched:sched_switch net:netif_receive_skb ||
		fail "attach"
	"$ctl" filter trace0 'sched:sched_process_exec: common_pid < 0' \
		'sched:sched_switch: common_pid < 0' 'net:netif_receive_skb: common_pid < 0' ||
		fail "filters that pass nothing"
	ip link set trace0 up
	capture_start trace0 /tmp/live.pcap
	"$ctl" filter trace0 "$f1" "$f2" "$f3" || fail "filter on trace0"
	/tmp/tn_bash -c '
		for i in 1 2; do /tmp/tn_cat /etc/hostname >/dev/null; done
		ip netns exec tn_a /tmp/tn_ping -c 3 -i 0.1 -s 61 10.99.0.2 >/dev/null
	'
	sleep 1
	capture_stop trace0
	check_accounting trace0
	[ "$(stat trace0 xdp_drop)" -gt 0 ] || fail "the filters dropped nothing"
	"$ctl" dump -r /tmp/live.pcap >/tmp/live.txt 2>/tmp/live.err || fail "dump: $(cat /tmp/live.err)"
	grep -q "EVENTS DROPPED" /tmp/live.txt && { grep -B3 -A3 "EVENTS DROPPED" /tmp/live.txt | head -40; fail "filtered events show as sequence gaps"; }
	"$ctl" filter --run /tmp/live.pcap -w /tmp/live2.pcap "$f1" "$f2" "$f3" 2>/tmp/run.err ||
		fail "filter --run on the live capture: $(cat /tmp/run.err)"
	grep -q ' 0 dropped' /tmp/run.err || fail "frames the driver's filter let through fail the same filters: $(cat /tmp/run.err)"
	grep -q 'sched_process_exec: *filename=/tmp/tn_cat' /tmp/live.txt || fail "no exec of tn_cat got through"
	grep 'sched_process_exec:' /tmp/live.txt | grep -qv 'tn_cat' && fail "an exec the filter rejects got through"
	grep -q 'netif_receive_skb:.*len=8[0-9]' /tmp/live.txt || fail "no large netif_receive_skb got through"
	"$ctl" filter trace0 --clear || fail "--clear"
	note "live: $(stat trace0 xdp_drop) events filtered in the driver, $(grep -c . /tmp/live.txt) lines delivered, no gaps"
else
	echo "$out" | grep -q "has no native XDP" || fail "filter on trace0: $out"
	note "trace0 has no native XDP yet: filters checked with BPF_PROG_TEST_RUN only"
fi

"$ctl" detach trace0 --all || fail "detach --all"
kprobe_undefine openat2_probe || fail "kprobe event still busy after detach"
