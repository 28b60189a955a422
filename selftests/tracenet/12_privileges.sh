#!/bin/bash
# Who may do what, the table in Documentation/tracenet.rst (Security):
# every operation is tried under every identity and must be allowed or
# refused with a permission error, exactly as the table says.
#
#   root          uid 0, every capability
#   net_admin     uid 65534 with only CAP_NET_ADMIN (ambient)
#   net_raw       uid 65534 with only CAP_NET_RAW
#   perfmon       uid 65534 with only CAP_PERFMON
#   sys_admin     uid 65534 with only CAP_SYS_ADMIN
#   nobody        uid 65534, no capability
#   userns        nobody's "unshare -Ur": root of a user namespace, in the
#                 initial network namespace
#   userns_netns  root of that user namespace in a network namespace it
#                 owns ("unshare -Urn"), where no tracenet device can be:
#                 devices live in the initial network namespace only
#
# Attaching is checked twice: with tracenetctl, which also reads tracefs
# (root only), and with raw netlink (tngenl.py, the format file copied out
# of tracefs by root), which is what the kernel enforces. So is capturing:
# with a packet socket (what the kernel enforces) and with tcpdump, which
# as root of a user namespace fails to switch to its own user (a refusal
# of tcpdump's, not the kernel's).
. "$(dirname "$0")/lib.sh"

ids=(root net_admin net_raw perfmon sys_admin nobody userns userns_netns)
# y: allowed; -: refused with a permission error; x: refused whatever the
# privilege (no tracenet device there, none may leave the initial netns or
# have an upper device).
expect="
create      y y - - - - - x
move        x x - - - - - x
upper       x x - - - - - x
delete      y y - - - - - x
configure   y y - - - - - x
attach_nl   y - - y y - - x
detach_nl   y - - y y - - x
attach_ctl  y - - - - - - x
detach_ctl  y - - y y - - x
raw_ptrs    y - - y y - - x
verdict_nl  y - - y y - - x
status      y y y y y y y x
stats_nl    y y y y y y y x
ethtool_S   y y y y y y y x
capture     y - y - - - - x
tcpdump     y - y - - - - x
filter      y - - - - - - x
follow      y - - - - - - x
forward     y - - - - - - x
"

nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
as() {
	local who=$1
	shift
	case $who in
	root) "$@" ;;
	nobody) "${nobody[@]}" --inh-caps=-all "$@" ;;
	userns) "${nobody[@]}" --inh-caps=-all unshare -Ur "$@" ;;
	userns_netns) nsenter -t "$holder" -U -n "$@" ;;
	*) "${nobody[@]}" --inh-caps=-all,+"$who" --ambient-caps=-all,+"$who" "$@" ;;
	esac
}

# Root's hand in the namespace: no user namespace, so every capability.
in_ns() { nsenter -t "$holder" -n "$@"; }

load
fmt=/tmp/tnpriv.sched_wakeup.format
cp /sys/kernel/tracing/events/sched/sched_wakeup/format "$fmt" && chmod 644 "$fmt" ||
	fail "cannot copy the sched_wakeup format"
wakeup_id=$(awk '$1 == "ID:" { print $2 }' "$fmt")
switch_id=$(cat /sys/kernel/tracing/events/sched/sched_switch/id)
"$ctl" attach trace0 sched:sched_switch || fail "attach sched_switch"
ip link set trace0 up

# The user namespace with its network namespace, kept alive by a sleep.
"${nobody[@]}" --inh-caps=-all unshare -Urn sleep 3600 &
holder=$!
for _ in $(seq 50); do
	[ "$(readlink /proc/$holder/ns/net)" != "$(readlink /proc/self/ns/net)" ] &&
		[ "$(readlink /proc/$holder/exe)" = "$(readlink -f /bin/sleep)" ] && break
	sleep 0.1
done
[ "$(readlink /proc/$holder/exe)" = "$(readlink -f /bin/sleep)" ] ||
	skip "cannot create a user and network namespace as uid 65534"
# Each identity has the capabilities it should, and no more.
capmask() { # CAP_NET_ADMIN 12, NET_RAW 13, SYS_ADMIN 21, PERFMON 38
	case $1 in
	net_admin) echo 0000000000001000 ;;
	net_raw) echo 0000000000002000 ;;
	sys_admin) echo 0000000000200000 ;;
	perfmon) echo 0000004000000000 ;;
	nobody) echo 0000000000000000 ;;
	esac
}
for who in "${ids[@]}"; do
	eff=$(as "$who" awk '$1 == "CapEff:" { print $2 }' /proc/self/status)
	want=$(capmask "$who")
	[ -z "$want" ] || [ "$eff" = "$want" ] || fail "$who has capabilities $eff, not $want"
done

# A scratch device root made, configured by the identities (left down).
ip link add tnp_x type tracenet || fail "cannot create a scratch device"
d_made=		# tnp_d, the device to delete, exists
# Where forwards go, in each namespace.
modprobe veth && ip link add tnp_fv type veth peer name tnp_fv1 &&
	in_ns ip link add tnp_fv type veth peer name tnp_fv1 || fail "cannot create forward targets"

# An upper device of a kind this kernel has (the debug kernel has none).
upper=()
if modprobe -q macvlan; then
	upper=(type macvlan mode passthru)
elif modprobe -q 8021q; then
	upper=(type vlan id 5)
fi

# One operation as one identity, output to $log: its status. Setup and
# cleanup around it are root's, and only what is needed: the debug kernel
# makes every process expensive.
log=/tmp/tnpriv.out
try() {
	local op=$1 who=$2 dev=trace0 rc
	case $op in
	create)
		as "$who" ip link add tnp_c type tracenet >$log 2>&1
		rc=$?
		[ $rc -ne 0 ] || ip link del tnp_c >/dev/null 2>&1
		return $rc
		;;
	move)
		# Into the user's own network namespace: CAP_NET_ADMIN over both
		# was enough before trace devices were pinned.
		as "$who" ip link set tnp_x netns "$holder" >$log 2>&1
		rc=$?
		[ $rc -ne 0 ] || in_ns ip link set tnp_x netns 1 >/dev/null 2>&1
		return $rc
		;;
	upper)
		as "$who" ip link add link tnp_x name tnp_mv "${upper[@]}" >$log 2>&1
		rc=$?
		[ $rc -ne 0 ] || ip link del tnp_mv >/dev/null 2>&1
		return $rc
		;;
	delete)
		if [ -z "$d_made" ]; then
			ip link add tnp_d type tracenet || return 99
			d_made=1
		fi
		as "$who" ip link del tnp_d >$log 2>&1
		rc=$?
		[ $rc -ne 0 ] || d_made=
		return $rc
		;;
	configure)
		as "$who" sh -c "ethtool -G tnp_x rx 8 && ethtool -C tnp_x rx-frames 2 &&
			ip link set tnp_x up && ip link set tnp_x down" >$log 2>&1
		;;
	raw_ptrs)
		as "$who" "$ctl" pointers "$dev" raw >$log 2>&1
		rc=$?
		"$ctl" pointers "$dev" hashed >/dev/null 2>&1
		return $rc
		;;
	attach_nl | attach_ctl)
		if [ "$op" = attach_nl ]; then
			as "$who" python3 -S "$here/tngenl.py" attach "$dev" sched:sched_wakeup "$fmt" \
				>$log 2>&1
		else
			as "$who" "$ctl" attach "$dev" sched:sched_wakeup >$log 2>&1
		fi
		rc=$?
		[ $rc -ne 0 ] || "$ctl" detach "$dev" sched:sched_wakeup >/dev/null 2>&1
		return $rc
		;;
	detach_nl | detach_ctl)
		"$ctl" attach "$dev" sched:sched_wakeup || return 99
		if [ "$op" = detach_nl ]; then
			as "$who" python3 -S "$here/tngenl.py" detach "$dev" "$wakeup_id" >$log 2>&1
		else
			as "$who" "$ctl" detach "$dev" sched:sched_wakeup >$log 2>&1
		fi
		rc=$?
		[ $rc -eq 0 ] || "$ctl" detach "$dev" sched:sched_wakeup >/dev/null 2>&1
		return $rc
		;;
	verdict_nl)
		# Removing the producer's verdict (none is set): the kernel's
		# check, before any program fd is looked at.
		as "$who" python3 -S "$here/tngenl.py" setfilter "$dev" "$switch_id" -1 >$log 2>&1
		;;
	status)
		as "$who" "$ctl" status "$dev" >$log 2>&1
		;;
	stats_nl)
		as "$who" python3 -S "$here/tngenl.py" stats "$dev" >$log 2>&1
		;;
	ethtool_S)
		as "$who" ethtool -S "$dev" >$log 2>&1
		;;
	capture)
		# sched_switch is attached: frames keep coming.
		as "$who" timeout 30 python3 -S -c '
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x88b5))
s.bind((sys.argv[1], 0))
f = s.recv(65536)
print(f"captured a frame of {len(f)} bytes, addresses",
      "raw" if f[16] & 0x08 else "hashed")' "$dev" >$log 2>&1
		;;
	tcpdump)
		as "$who" timeout 30 tcpdump -p -n -i "$dev" -c 1 -q ether proto 0x88b5 >$log 2>&1
		;;
	forward)
		as "$who" "$ctl" forward "$dev" dev tnp_fv >$log 2>&1
		rc=$?
		[ $rc -ne 0 ] || "$ctl" forward "$dev" --off >/dev/null 2>&1
		return $rc
		;;
	follow)
		as "$who" "$ctl" follow "$dev" --exec /bin/true >$log 2>&1
		rc=$?
		[ $rc -ne 0 ] || "$ctl" follow "$dev" --off >/dev/null 2>&1
		return $rc
		;;
	filter)
		as "$who" "$ctl" filter "$dev" 'sched:sched_switch: prev_pid == 1' >$log 2>&1
		rc=$?
		[ $rc -ne 0 ] || "$ctl" filter "$dev" --clear >/dev/null 2>&1
		return $rc
		;;
	esac
}

# What a successful operation must have printed.
proof() {
	case $1 in
	status) echo sched_switch ;;
	stats_nl) echo 'produced ' ;;
	ethtool_S) echo 'produced:' ;;
	capture) echo 'addresses hashed' ;;	# TRACENET_F_RAW_POINTERS clear
	raw_ptrs) echo 'kernel addresses raw' ;;
	tcpdump) echo '1 packet captured' ;;
	esac
}

perm_error='Operation not permitted|[Pp]ermission denied|EPERM|You don.t have permission|needs CAP_'
no_way='initial network namespace|netns is immutable|Invalid argument|cannot have an upper device|[Nn]o such device|[Cc]annot find device|not found|does not exist'
bad=0
# The table row by row as it is filled, so that a slow run shows how far
# it got.
printf -v head '%-11s' op
for who in "${ids[@]}"; do head+=" $who"; done
echo "$head"
while read -r op row; do
	[ -n "$op" ] || continue
	read -r -a want <<<"$row"
	if [ "$op" = upper ] && [ ${#upper[@]} -eq 0 ]; then
		echo "upper: not run, this kernel has no macvlan or 8021q module"
		continue
	fi
	printf -v line '%-11s' "$op"
	t0=$SECONDS
	for i in "${!ids[@]}"; do
		who=${ids[$i]}
		try "$op" "$who" </dev/null
		rc=$?
		out=
		[ ! -s $log ] || read -r -d '' out <$log
		pat=$(proof "$op")
		if [ $rc -eq 0 ] && [[ -z $pat || $out == *"$pat"* ]]; then
			got=y
		elif [ $rc -ne 0 ] && [ $rc -lt 90 ] && [[ $out =~ $perm_error ]]; then
			got=-
		elif [ $rc -ne 0 ] && [ $rc -ne 99 ] && [ $rc -ne 124 ] && [[ $out =~ $no_way ]]; then
			got=x
		else
			got='?'
		fi
		if [ "$got" != "${want[$i]}" ]; then
			bad=$((bad + 1))
			echo "MISMATCH: $op as $who: got '$got' (exit $rc), want '${want[$i]}':"
			head -5 $log | sed 's/^/    /'
		fi
		printf -v cell " %-${#who}s" "$got"
		line+=$cell
		: >$log
	done
	echo "$line $((SECONDS - t0))s"
done <<<"$expect"

# Filtering takes three capabilities, none of the identities above has
# them: CAP_BPF loads the program, CAP_PERFMON lets the verifier accept
# its variable packet offsets (Spectre v1 hardening), CAP_NET_ADMIN
# attaches it. Two are not enough; the three are (the formats come from
# the device, not from tracefs), but cannot replace a filter in force,
# whose program only CAP_SYS_ADMIN may open by id. Unless the kernel skips
# that hardening: from 6.7 on it does for every program when the CPU
# mitigations are off (bpf_bypass_spec_v1(): cpu_mitigations_off()), as
# tools/vm-run boots. Then CAP_BPF and CAP_NET_ADMIN are enough. The
# kernel says which: it is asked to load a program with a variable packet
# offset, as CAP_BPF and CAP_NET_ADMIN alone.
caps() { "${nobody[@]}" --inh-caps=-all,"$1" --ambient-caps=-all,"$1" "${@:2}"; }
specv1=$(caps +bpf,+net_admin python3 -S - 2>&1 <<'EOF'
import ctypes, errno, struct
def insn(code, dst=0, src=0, off=0, imm=0):
    return struct.pack('<BBhi', code, dst | src << 4, off, imm)
prog = ctypes.create_string_buffer(b''.join([
    insn(0x61, 2, 1, 0),        # r2 = ctx->data
    insn(0x61, 3, 1, 4),        # r3 = ctx->data_end
    insn(0xbf, 4, 2),           # r4 = r2
    insn(0x07, 4, imm=1),       # r4 += 1
    insn(0x2d, 4, 3, 7),        # if r4 > r3 goto out
    insn(0x71, 5, 2, 0),        # r5 = *(u8 *)(r2 + 0)
    insn(0x57, 5, imm=1),       # r5 &= 1
    insn(0x0f, 2, 5),           # r2 += r5: a variable packet offset
    insn(0xbf, 4, 2),           # r4 = r2
    insn(0x07, 4, imm=1),       # r4 += 1
    insn(0x2d, 4, 3, 1),        # if r4 > r3 goto out
    insn(0x71, 0, 2, 0),        # r0 = *(u8 *)(r2 + 0)
    insn(0xb7, 0, imm=2),       # out: r0 = XDP_PASS
    insn(0x95)]))               # exit
lic = ctypes.create_string_buffer(b'GPL')
log = ctypes.create_string_buffer(1 << 16)
attr = struct.pack('<IIQQIIQ', 6, len(prog.raw) // 8, ctypes.addressof(prog),
                   ctypes.addressof(lic), 1, len(log), ctypes.addressof(log))
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.syscall(321, 5, ctypes.create_string_buffer(attr.ljust(128, b'\0')), 128)
err = ctypes.get_errno()
if fd >= 0:
    print('accepted')
elif err == errno.EACCES and b'prohibited for !root' in log.value:
    print('refused')
else:
    print(f'BPF_PROG_LOAD: {errno.errorcode.get(err, err)}: {log.value.decode()[-300:]}')
EOF
)
expr='sched:sched_switch: prev_pid == 1'
case $specv1 in
refused)
	twos='+bpf,+net_admin +perfmon,+net_admin +bpf,+perfmon'
	;;
accepted)
	twos='+perfmon,+net_admin +bpf,+perfmon'
	note "this kernel skips the verifier's Spectre v1 hardening (CPU mitigations off):" \
		"it accepts variable packet offsets without CAP_PERFMON"
	caps +bpf,+net_admin "$ctl" filter trace0 "$expr" 2>/tmp/tnpriv.err ||
		fail "uid 65534 with CAP_BPF and CAP_NET_ADMIN cannot filter, though the kernel accepts their program"
	# The producer's verdict is a tracepoint program: CAP_PERFMON.
	grep -q "filtered after framing only (XDP): loading the producer's verdict needs CAP_BPF and CAP_PERFMON" \
		/tmp/tnpriv.err || fail "no word of the verdict left out: $(cat /tmp/tnpriv.err)"
	[ "$("$ctl" filter trace0 --show)" = "$expr" ] ||
		fail "that filter is not in force: $("$ctl" filter trace0 --show)"
	"$ctl" filter trace0 --clear || fail "filter --clear"
	;;
*) fail "cannot tell whether the verifier needs CAP_PERFMON for variable packet offsets: $specv1" ;;
esac
for two in $twos; do
	out=$(caps $two "$ctl" filter trace0 "$expr" 2>&1) && fail "$two may filter"
	[[ $out =~ $perm_error ]] || fail "$two: refused without a permission error: $out"
done
caps +bpf,+perfmon,+net_admin "$ctl" filter trace0 "$expr" ||
	fail "uid 65534 with CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN cannot filter"
"$ctl" status trace0 | grep -q "sched_switch .*filtered in the producer" ||
	fail "the three capabilities set no verdict: $("$ctl" status trace0)"
[ "$("$ctl" filter trace0 --show)" = "$expr" ] ||
	fail "that filter is not in force: $("$ctl" filter trace0 --show)"
out=$(caps +bpf,+perfmon,+net_admin "$ctl" filter trace0 "${expr/1/2}" 2>&1) &&
	fail "CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN replaced a filter in force"
[[ $out =~ $perm_error ]] || fail "replacing failed without a permission error: $out"
"$ctl" filter trace0 --clear || fail "filter --clear"
if [ "$specv1" = refused ]; then
	echo "filter: refused with any two of CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN; allowed with the three"
else
	echo "filter: allowed with CAP_BPF and CAP_NET_ADMIN (no Spectre v1 hardening), refused with" \
		"CAP_PERFMON and one of them; allowed with the three"
fi

# Forwarding is tracing that transmits on a device of the netns: it takes
# CAP_PERFMON (or CAP_SYS_ADMIN) and CAP_NET_ADMIN, either alone not.
caps +perfmon,+net_admin "$ctl" forward trace0 dev tnp_fv ||
	fail "uid 65534 with CAP_PERFMON and CAP_NET_ADMIN cannot forward"
"$ctl" forward trace0 --off || fail "forward --off"
echo "forward: allowed with CAP_PERFMON and CAP_NET_ADMIN"

# Nothing an identity did may have stuck: trace0 has its one event.
st=$("$ctl" status trace0)
grep -q sched_wakeup <<<"$st" && fail "sched_wakeup left attached: $st"
grep -q sched_switch <<<"$st" || fail "sched_switch was detached: $st"
ip link show tnp_c >/dev/null 2>&1 && fail "tnp_c left behind"
ip link del tnp_x
[ -z "$d_made" ] || ip link del tnp_d
kill "$holder"
wait "$holder" 2>/dev/null
[ $bad -eq 0 ] || fail "$bad operations not as Documentation/tracenet.rst says"
echo "every identity got exactly what the table allows"
