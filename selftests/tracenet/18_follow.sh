#!/bin/bash
# follow --exec: only the events of the processes that exec'd a program,
# and of their children, until each exits. ftrace is the oracle: trace-cmd
# records the same run unfiltered, with the fork/exec/exit events from
# which the followed tree is derived (exec of the path starts a task,
# fork from a followed task starts the child, exit ends it). The lines of
# the tree's tasks between their start and their exit, per pid, must be
# exactly those trace0 delivers (but where the two recordings may
# disagree: below); nothing else is delivered.
# The workload: an unrelated loop in parallel; the followed shell opens
# files, forks a child that opens files and forks a grandchild that execs
# another program; the same program runs again after the first exits.
# Then: filter and follow together, --off, and the refusals.
. "$(dirname "$0")/lib.sh"

path=/tmp/tn_follow_bash
pins=/sys/fs/bpf/tracenet
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || fail "cannot mount bpffs"
rm -rf $pins
cp "$(command -v bash)" $path && cp "$(command -v cat)" /tmp/tn_fcat || fail "cp"
load
follow_progs() { bpftool prog show 2>/dev/null | grep -c 'name tn_follow_' || true; }

# --- Refusals: each says what is wrong, and leaves nothing behind ----------
bad() {
	local want=$1 out
	shift
	out=$("$@" 2>&1) && fail "accepted: $*"
	grep -q -- "$want" <<<"$out" || fail "$*: no '$want' in: $out"
	[ ! -e $pins ] || fail "$*: left $(find $pins)"
}
bad "not an absolute path" "$ctl" follow trace0 --exec tn_follow_bash
bad "empty path" "$ctl" follow trace0 --exec ''
bad "device 'tn_nosuch' not found" "$ctl" follow tn_nosuch --exec $path
bad "lo: .*: not a tracenet device" "$ctl" follow lo --exec $path
bad "no BPF file system on /sys/fs/bpf" unshare -m sh -c "umount /sys/fs/bpf && $ctl follow trace0 --exec $path"
bad "missing: CAP_BPF CAP_PERFMON CAP_NET_ADMIN" \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$ctl" follow trace0 --exec $path
bad "missing: CAP_BPF CAP_PERFMON$" \
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all,+net_admin \
	--ambient-caps=-all,+net_admin "$ctl" follow trace0 --exec $path
bad "trace0 has no follow" "$ctl" follow trace0 --off
[ "$(follow_progs)" -eq 0 ] || fail "refused follows left programs loaded"
note "refusals: relative and empty path, no device, not tracenet, no bpffs, no privilege, nothing to turn off"

# --- The run -------------------------------------------------------------------
events="sched:sched_switch syscalls:sys_enter_openat sched:sched_process_fork sched:sched_process_exec"
"$ctl" attach trace0 $events || fail "attach"
raw_pointers trace0
"$ctl" follow trace0 --exec $path 2>/tmp/follow.err || fail "follow: $(cat /tmp/follow.err)"
grep -q "attached sched:sched_process_exit to trace0" /tmp/follow.err || fail "no word of the exit event: $(cat /tmp/follow.err)"
"$ctl" status trace0 | grep -q 'sched:sched_process_exit' || fail "sched_process_exit not attached"
for f in pids exec fork exit free; do [ -e $pins/trace0/$f ] || fail "$pins/trace0/$f not pinned"; done
[ "$(follow_progs)" -eq 4 ] || fail "$(follow_progs) follow programs loaded, not 4"
out=$("$ctl" follow trace0 --exec /usr/bin/true 2>&1) && fail "a second follow was accepted"
grep -q "already follows --exec $path" <<<"$out" || fail "second follow: $out"
[ "$("$ctl" filter trace0 --show)" = "follow --exec $path" ] || fail "filter --show: $("$ctl" filter trace0 --show)"

cat >/tmp/tn_follow_wl.sh <<EOF
# Unrelated: a loop that opens files and forks, before, during, after.
( for i in \$(seq 30); do cat /etc/hostname >/dev/null; done ) &
bg=\$!
$path -c '
	exec 3</etc/hostname 3<&-
	(
		exec 4</etc/os-release 4<&-
		/tmp/tn_fcat /etc/hostname /etc/passwd >/dev/null
		( exec 5</etc/hostname 5<&- ; exec /tmp/tn_fcat /etc/os-release ) >/dev/null
	)
	sleep 0.2 &
	wait
'
$path -c 'exec 3</etc/passwd 3<&-; /tmp/tn_fcat /etc/hostname >/dev/null'
wait \$bg
for i in 1 2 3; do cat /etc/hostname >/dev/null; done
EOF
ip link set trace0 up
capture_start trace0 /tmp/follow.pcap
t0=$SECONDS
trace-cmd record -q --no-filter -C mono -b 4096 -o /tmp/follow.dat \
	-e sched:sched_switch -e syscalls:sys_enter_openat -e sched:sched_process_fork \
	-e sched:sched_process_exec -e sched:sched_process_exit \
	bash /tmp/tn_follow_wl.sh >/tmp/tc.log 2>&1 || fail "trace-cmd record: $(tail -5 /tmp/tc.log)"
t1=$SECONDS
# An entry goes at sched_process_free, which runs after an RCU grace period
# (delayed_put_task_struct): slow on the debug kernel, so wait up to 10 s.
follow_tasks() { "$ctl" follow trace0 | sed -n 's/^tasks: //p'; }
t=100
while [ $t -gt 0 ] && [ "$(follow_tasks)" != 0 ]; do sleep 0.1; t=$((t - 1)); done
tasks=$(follow_tasks)
capture_stop trace0
check_accounting trace0
[ "$(stat trace0 drop_full)" -eq 0 ] || fail "tracenet dropped events: no exact comparison"
dropped=$(stat trace0 xdp_drop)
[ "$dropped" -gt 0 ] || fail "follow dropped nothing"
[ "$tasks" = 0 ] || fail "the map still holds tasks after every followed one was reaped: $tasks"

trace-cmd report -i /tmp/follow.dat 2>/dev/null >/tmp/tc.txt
"$ctl" dump -r /tmp/follow.pcap >/tmp/got.txt 2>/tmp/dump.err || fail "dump: $(cat /tmp/dump.err)"
grep -q 'EVENTS DROPPED' /tmp/got.txt && fail "followed events show as sequence gaps"

# The oracle, in time order: the tree, and the lines of its tasks from
# their start (exec of the path, fork) to their exit, as "pid cpu line".
# The comm column and the time go: trace-cmd's clock is not tracenet's.
# The run of preemptions of a root right before its exec, in prestart.txt:
# trace0 may have some of it after (below).
: >/tmp/prestart.txt
awk -v path="$path" '
	match($0, /-[0-9]+ +\[[0-9]+\] +[0-9.]+: /) {
		split(substr($0, RSTART + 1, RLENGTH), h, " ")
		pid = h[1]; cpu = h[2]
		rest = substr($0, RSTART + RLENGTH)
		gsub(/[ \t]+/, " ", rest); sub(/ $/, "", rest)
		if (rest ~ /^sched_process_exec: / && index(rest, "filename=" path " ") &&
		    !(pid in live)) {
			live[pid] = 1; tree[pid] = 1; roots++; depth[pid] = 0; root[pid] = 1
			printf "%s", pre[pid] >"/tmp/prestart.txt"
		}
		if (!(pid in live)) {
			if (rest ~ /^sys_enter_openat: /)
				other++
			pre[pid] = rest ~ /^sched_switch: .* R\+? ==> / ? pre[pid] pid " " cpu " " rest "\n" : ""
			next
		}
		print pid, cpu, rest >"/tmp/want.txt"
		if (rest ~ /^sched_process_fork: /) {
			c = rest; sub(/.*child_pid=/, "", c); sub(/ .*/, "", c)
			live[c] = 1; tree[c] = 1; depth[c] = depth[pid] + 1
			if (depth[c] > maxd) maxd = depth[c]
		}
		if (rest ~ /^sched_process_exit: /)
			delete live[pid]
	}
	END {
		for (p in tree) { n++; t = t " " p }
		print roots, n, maxd + 0, other + 0, t >"/tmp/tree.txt"
		for (p in root) r = r " " p
		print r >"/tmp/roots.txt"
	}' /tmp/tc.txt
read -r roots ntree depth others treepids </tmp/tree.txt
note "oracle: $roots execs of $path, $ntree tasks in the tree ($treepids), $depth generations below the execs, $others openat of other tasks"
[ "$roots" -eq 2 ] || fail "trace-cmd saw $roots execs of $path, not 2"
[ "$ntree" -ge 6 ] && [ "$depth" -ge 2 ] || fail "the tree has $ntree tasks, $depth generations: the workload forked too little"
[ "$others" -gt 0 ] || fail "no unrelated openat in the oracle"
for e in sched_switch sys_enter_openat sched_process_fork sched_process_exec sched_process_exit; do
	grep -q " $e: " /tmp/want.txt || fail "no $e of the tree in the oracle"
done

# trace0: every line is a tree task's; none of a time after the task's
# exit event but that event (whatever CPU's frame came first). The times
# have the same number of digits: compared as strings, not as doubles.
awk -v pids="$treepids" '
	BEGIN { n = split(pids, a, " "); for (i = 1; i <= n; i++) T[a[i]] = 1 }
	match($0, /-[0-9]+ +\[[0-9]+\] +[0-9.]+: /) {
		split(substr($0, RSTART + 1, RLENGTH), h, " ")
		pid = h[1]; ts = h[3] ""; sub(/:$/, "", ts)
		rest = substr($0, RSTART + RLENGTH)
		if (NR == FNR) {
			if (rest ~ /^sched_process_exit: /) exit_ts[pid] = ts
			next
		}
		if (!(pid in T)) { print "not followed: " $0; bad = 1 }
		else if (rest !~ /^sched_process_exit: / && (pid in exit_ts) && ts > exit_ts[pid]) {
			print "after exit: " $0; bad = 1
		}
	}
	END { exit bad }' /tmp/got.txt /tmp/got.txt >/tmp/stray.txt || {
	head -20 /tmp/stray.txt
	fail "trace0 delivered events of unfollowed tasks or after an exit"
}
# Per pid, the sequences are the same (a capture interleaves CPUs by
# delivery, trace-cmd by time), but where the two recordings may disagree.
# A tracepoint's probes, perf's (tracenet's and the follow programs) then
# ftrace's, run with preemption on after 6.19 (SRCU-fast, as 7.3 does;
# the syscall ones since 6.13, and they read user memory since 6.19), so
# that the task may be switched out between the two: an event fired with
# preemption on (all but sched_switch here) can be on either side of a
# switch in the two recordings, and on another CPU. So the switches of a
# pid are compared apart from its other lines, which go without their
# CPU. And a preemption between the probes of a root's exec or of an exit
# is in trace0's window and not the oracle's, or the reverse: the run of
# preemptions (R) that a root's switches start with, and that any task's
# end with, is compared apart.
# "pid cpu line" in time order in; per pid out: its switches, then its
# other lines as "pid line"; those runs to file $1, "S|E pid cpu line".
norm_tree() {
	awk -v roots="$(cat /tmp/roots.txt)" -v left="$1" '
		BEGIN { n = split(roots, a, " "); for (i = 1; i <= n; i++) R[a[i]] = 1 }
		{
			p = $1; P[p] = 1
			if ($3 == "sched_switch:") {
				sw[p, ++ns[p]] = $0
			} else {
				l = $0; sub(/^[^ ]+ [^ ]+ /, "", l)
				ev[p, ++ne[p]] = p " " l
				if ($3 == "sched_process_exit:") X[p] = 1
			}
		}
		END {
			for (p in P) {
				f = 1; l = ns[p]
				if (p in R) while (f <= l && sw[p, f] ~ / R\+? ==> /) f++
				if (p in X) while (l >= f && sw[p, l] ~ / R\+? ==> /) l--
				for (i = 1; i < f; i++) print "S", sw[p, i] >left
				for (i = f; i <= l; i++) print sw[p, i]
				for (i = l + 1; i <= ns[p]; i++) print "E", sw[p, i] >left
				for (i = 1; i <= ne[p]; i++) print ev[p, i]
			}
		}'
}
: >/tmp/want.left; : >/tmp/got.left
norm_tree /tmp/want.left </tmp/want.txt >/tmp/want.norm
awk '
	match($0, /-[0-9]+ +\[[0-9]+\] +[0-9.]+: /) {
		split(substr($0, RSTART + 1, RLENGTH), h, " ")
		rest = substr($0, RSTART + RLENGTH)
		gsub(/[ \t]+/, " ", rest); sub(/ $/, "", rest)
		sub(/:$/, "", h[3])
		print h[3], h[1], h[2], rest
	}' /tmp/got.txt | LC_ALL=C sort -s -k1,1 | cut -d' ' -f2- | tee /tmp/got.norm |
	norm_tree /tmp/got.left >/tmp/got.tree
for p in $(awk '{ print $1 }' /tmp/want.norm /tmp/got.tree | sort -u); do
	if ! diff -u <(awk -v p="$p" '$1 == p' /tmp/want.norm) \
		     <(awk -v p="$p" '$1 == p' /tmp/got.tree) >/tmp/follow.diff; then
		head -30 /tmp/follow.diff
		fail "pid $p: trace0 differs from trace-cmd's lines of the tree"
	fi
done
# The runs apart: a root's first run on trace0 is the last preemptions
# of the run before its exec, then the oracle's; a task's last run on
# trace0 is the start of the oracle's.
awk '
	function tag() { k = $1; sub(/^[SE] /, ""); p = $1; P[p] = 1 }
	FILENAME == ARGV[1] { M[$1, ++m[$1]] = $0; next }
	FILENAME == ARGV[2] { tag(); O[k, p, ++o[k, p]] = $0; next }
	{ tag(); T[k, p, ++t[k, p]] = $0 }
	function differ(what) { print "pid " p ": " what; bad = 1 }
	END {
		for (p in P) {
			n = t["S", p] - o["S", p]
			if (n < 0 || n > m[p] + 0) {
				differ(t["S", p] + 0 " preemptions first on trace0, " o["S", p] + 0 " in the oracle, " m[p] + 0 " before the exec")
				continue
			}
			for (i = 1; i <= n; i++)
				if (T["S", p, i] != M[p, m[p] - n + i]) differ("not before the exec: " T["S", p, i])
			for (i = 1; i <= o["S", p]; i++)
				if (T["S", p, n + i] != O["S", p, i]) differ("first preemptions differ: " O["S", p, i])
			if (t["E", p] > o["E", p]) differ(t["E", p] " preemptions last on trace0, " o["E", p] + 0 " in the oracle")
			for (i = 1; i <= t["E", p]; i++)
				if (T["E", p, i] != O["E", p, i]) differ("last preemptions differ: " T["E", p, i])
		}
		exit bad
	}' /tmp/prestart.txt /tmp/want.left /tmp/got.left >/tmp/ends.txt || {
	head -20 /tmp/ends.txt
	fail "trace0's preemptions at a start or an exit are not the oracle's"
}
for e in sched_switch sys_enter_openat sched_process_fork sched_process_exec sched_process_exit; do
	eval "n_$e=$(grep -c " $e: " /tmp/got.norm)"
done
note "trace0: $(wc -l </tmp/got.norm) lines of $ntree followed tasks, as trace-cmd's ($(wc -l </tmp/got.left) and $(wc -l </tmp/want.left) preemptions at a start or exit, $(wc -l </tmp/prestart.txt) before an exec) (openat $n_sys_enter_openat, sched_switch $n_sched_switch, fork $n_sched_process_fork, exec $n_sched_process_exec, exit $n_sched_process_exit); $dropped events of other tasks and after exits dropped in XDP; workload $((t1 - t0))s"

# --- With filters; --off --------------------------------------------------------
ip link set trace0 up
"$ctl" filter trace0 'sched:sched_switch: prev_pid > 0' || fail "filter with a follow"
printf '%s\n' "follow --exec $path" 'sched:sched_switch: prev_pid > 0' | diff -u - <("$ctl" filter trace0 --show) ||
	fail "filter --show with a follow"
"$ctl" filter trace0 --clear 2>/tmp/clear.err || fail "filter --clear"
grep -q "follow --exec $path stays in force" /tmp/clear.err || fail "--clear said nothing of the follow: $(cat /tmp/clear.err)"
[ "$("$ctl" filter trace0 --show)" = "follow --exec $path" ] || fail "--clear took the follow: $("$ctl" filter trace0 --show)"
"$ctl" filter trace0 'sched:sched_switch: prev_pid > 0' || fail "filter with a follow"
"$ctl" follow trace0 --off 2>/tmp/off.err || fail "--off: $(cat /tmp/off.err)"
grep -q "detached sched:sched_process_exit" /tmp/off.err || fail "--off said nothing of the exit event: $(cat /tmp/off.err)"
[ "$("$ctl" filter trace0 --show)" = 'sched:sched_switch: prev_pid > 0' ] || fail "--off took the filter: $("$ctl" filter trace0 --show)"
"$ctl" filter trace0 --clear || fail "--clear"
[ ! -e $pins ] || fail "--off left pins: $(find $pins)"
ip -d link show trace0 | grep -q 'prog/xdp' && fail "an XDP program is left after --off and --clear"
"$ctl" status trace0 | grep -q 'sched:sched_process_exit' && fail "sched_process_exit still attached"
t=50
while [ $t -gt 0 ] && [ "$(follow_progs)" -gt 0 ]; do sleep 0.1; t=$((t - 1)); done
[ "$(follow_progs)" -eq 0 ] || fail "follow programs still loaded: $(bpftool prog show | grep tn_follow)"
note "filters beside a follow, kept by --clear; --off keeps the filters, leaves no pin, program or exit event"

# Stale pins (a device of that name deleted while it followed): refused,
# then --off removes them.
mkdir -p $pins/trace0
bad_out=$("$ctl" follow trace0 --exec $path 2>&1) && fail "follow over stale pins accepted"
grep -q "$pins/trace0 exists" <<<"$bad_out" || fail "stale pins: $bad_out"
"$ctl" follow trace0 --off 2>&1 | grep -q "removed the stale pins" || fail "--off of stale pins"
[ ! -e $pins ] || fail "stale pins left"
"$ctl" detach trace0 --all || fail "detach --all"
note "stale pins refused, then removed by --off (${SECONDS}s)"
