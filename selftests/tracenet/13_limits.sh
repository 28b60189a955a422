#!/bin/bash
# Every limit on what user space hands down, at its edge and one past it.
# At the edge the request is accepted; past it, it is refused with an
# extack message and nothing changes:
#   format text      TRACENET_MAX_FORMAT  16384 bytes with the NUL
#   fields per event TRACENET_MAX_FIELDS  128
#   names            TRACENET_MAX_NAME    64 bytes with the NUL (system,
#                    event, field name, field type)
#   events/device    TRACENET_MAX_EVENTS  1024
#   devices at load  numdevs              0 to 64
#   ring buffer      ethtool -G rx        2 to 16384 pages per CPU, device down
#   coalescing       ethtool -C rx-frames 1 to 64; rx-usecs, adaptive-rx any;
#                    no others
. "$(dirname "$0")/lib.sh"

kgroup=tn_$(printf 'g%.0s' $(seq 60))	# 63 characters, tracefs' longest
kname=$(printf 'e%.0s' $(seq 63))
cleanup_kprobe() { echo "-:$kgroup/$kname" >>/sys/kernel/tracing/kprobe_events 2>/dev/null; }
trap 'cleanup_kprobe; kill $(jobs -p) 2>/dev/null; wait 2>/dev/null' EXIT

# ---- devices at load --------------------------------------------------------
ndevs() { ip -o link show type tracenet 2>/dev/null | wc -l; }
rmmod tracenet 2>/dev/null
insmod "$ko" numdevs=0 || fail "numdevs=0 refused"
[ "$(ndevs)" -eq 0 ] || fail "numdevs=0 created devices"
rmmod tracenet || fail "rmmod"
t=$SECONDS
insmod "$ko" numdevs=64 || fail "numdevs=64 refused"
[ "$(ndevs)" -eq 64 ] || fail "numdevs=64 made $(ndevs) devices"
ip link show trace63 >/dev/null || fail "no trace63"
rmmod tracenet || fail "rmmod of 64 devices"
echo "numdevs=0 and numdevs=64: ok ($((SECONDS - t))s for 64 devices)"
for n in 65 4294967295 -1; do
	insmod "$ko" numdevs=$n 2>/dev/null && fail "numdevs=$n accepted"
	lsmod | grep -q '^tracenet ' && fail "module loaded with numdevs=$n"
done
dmesg | grep -q 'tracenet: numdevs=65: at most 64' || fail "no message for numdevs=65: $(dmesg)"
echo "numdevs=65, 2^32-1 and -1 refused: $(dmesg | grep -m1 'numdevs=65')"

# ---- ring buffer and coalescing ---------------------------------------------
load
ring() { ethtool -g trace0 | awk '/^Current/ { c = 1 } c && $1 == "RX:" { print $2; exit }'; }
frames() { ethtool -c trace0 | awk '$1 == "rx-frames:" { print $2 }'; }
usecs() { ethtool -c trace0 | awk '$1 == "rx-usecs:" { print $2 }'; }
# refused WHAT MESSAGE CMD...: CMD fails and prints MESSAGE (the extack).
refused() {
	local what=$1 msg=$2 out
	shift 2
	out=$("$@" 2>&1) && fail "$what accepted"
	grep -q "$msg" <<<"$out" || fail "$what: no '$msg' in: $out"
	echo "$what refused: $(tr '\n' ' ' <<<"$out")"
}
[ "$(ring)" -eq 64 ] || fail "default ring $(ring) pages"
ethtool -G trace0 rx 2 || fail "rx 2 refused"
[ "$(ring)" -eq 2 ] || fail "ring $(ring) after rx 2"
refused "rx 1" "at least 2 pages" ethtool -G trace0 rx 1
refused "rx 0" "at least 2 pages" ethtool -G trace0 rx 0
[ "$(ring)" -eq 2 ] || fail "ring changed to $(ring) by a refused request"
ethtool -G trace0 rx 16384 || fail "rx 16384 refused"
[ "$(ring)" -eq 16384 ] || fail "ring $(ring) after rx 16384"
refused "rx 16385" "exceeds maximum" ethtool -G trace0 rx 16385
[ "$(ring)" -eq 16384 ] || fail "ring changed to $(ring) by a refused request"
ethtool -G trace0 rx 2 || fail "back to rx 2"
ip link set trace0 up
refused "rx 8 while up" "set the device down" ethtool -G trace0 rx 8
[ "$(ring)" -eq 2 ] || fail "ring changed to $(ring) while up"
echo "ring: 2 and 16384 pages accepted"

ethtool -C trace0 rx-frames 1 || fail "rx-frames 1 refused"
ethtool -C trace0 rx-frames 64 || fail "rx-frames 64 refused"
[ "$(frames)" -eq 64 ] || fail "rx-frames $(frames) after 64"
refused "rx-frames 0" "is 1 to 64" ethtool -C trace0 rx-frames 0
refused "rx-frames 65" "is 1 to 64" ethtool -C trace0 rx-frames 65
refused "tx-frames 2" "unsupported" ethtool -C trace0 tx-frames 2
[ "$(frames)" -eq 64 ] || fail "rx-frames changed to $(frames) by a refused request"
ethtool -C trace0 rx-usecs 0 && [ "$(usecs)" -eq 0 ] || fail "rx-usecs 0: $(usecs)"
ethtool -C trace0 rx-usecs 4294967295 && [ "$(usecs)" -gt 0 ] || fail "rx-usecs 2^32-1: $(usecs)"
echo "coalescing: rx-frames 1 and 64, rx-usecs 0 and 2^32-1 accepted"

# The smallest ring with the largest batches still delivers, and accounts.
"$ctl" attach trace0 sched:sched_switch || fail "attach"
python3 -c 'import time; [time.sleep(0.001) for _ in range(300)]'
sleep 0.5
[ "$(stat trace0 delivered)" -gt 0 ] || fail "nothing delivered with a 2-page ring"
check_accounting trace0

# Batches fill up to the MTU, never past it: the allocation rounds up, and
# a frame filled to its tailroom (1522 bytes at MTU 1500, up to 16 KiB at
# 9000) is one a forward to a link of that MTU drops. adaptive-rx off:
# batches at any rate.
ethtool -G trace0 rx 64 || fail "rx 64"
ethtool -C trace0 adaptive-rx off || fail "adaptive-rx off"
"$ctl" attach trace0 syscalls:sys_enter_getppid || fail "attach getppid"
for mtu in 1500 9000; do
	ip link set trace0 mtu $mtu up || fail "mtu $mtu"
	capture_start trace0 /tmp/mtu.pcap
	taskset -c 0 python3 -c 'import os; [os.getppid() for _ in range(20000)]'
	sleep 0.5
	capture_stop trace0
	read -r big max < <(python3 - /tmp/mtu.pcap <<'PY'
import struct, sys
data, off, big, top = open(sys.argv[1], 'rb').read(), 24, 0, 0
while off + 16 <= len(data):
    incl, orig = struct.unpack_from('<II', data, off + 8)
    off += 16 + incl
    top = max(top, orig)
    big += orig > 1000
print(big, top)
PY
)
	[ "$max" -le $((mtu + 14)) ] || fail "MTU $mtu: a $max-byte frame"
	[ "$big" -gt 0 ] || fail "MTU $mtu: no batch filled a frame"
	echo "MTU $mtu, rx-frames 64: $big frames over 1000 bytes, the largest $max"
done
"$ctl" detach trace0 syscalls:sys_enter_getppid || fail "detach getppid"
q=$(($(sed 's/.*-//' /sys/devices/system/cpu/possible) + 2))	# possible CPUs + 1
refused "numrxqueues $q" "one RX queue per possible CPU" ip link add tnq numrxqueues $q type tracenet
ip link show tnq >/dev/null 2>&1 && fail "tnq created"
"$ctl" detach trace0 --all || fail "detach"

# ---- netlink: format, fields, names, events per device ----------------------
cleanup_kprobe
echo "p:$kgroup/$kname do_sys_openat2" >>/sys/kernel/tracing/kprobe_events ||
	fail "cannot define a kprobe event with 63-character names"
ip link set trace0 up
ip link add tnl type tracenet || fail "ip link add tnl"
t=$SECONDS
python3 - "$here" trace0 tnl "$kgroup" "$kname" <<'EOF' || fail "netlink limits"
import errno, os, socket, subprocess, sys, time
sys.path.insert(0, sys.argv[1])
from tngenl import (FIELD_DYNAMIC, MAX_EVENTS, MAX_FIELDS, MAX_FORMAT, MAX_NAME, Event, Genl,
                    ext_msg)

dev, many, kgroup, kname = sys.argv[2:]
g = Genl()
idx, midx = socket.if_nametoindex(dev), socket.if_nametoindex(many)
bad = 0


def attached(i):
    out = g.events(i)
    assert not isinstance(out, int), out
    return sorted(e[0] for e in out.get(i, ('', []))[1])


def accepted(what, res, ev, i=idx):
    global bad
    err, ext, _ = res
    if err:
        print(f'FAIL: {what}: {errno.errorcode.get(err, err)} {ext_msg(ext)}')
        bad += 1
        return
    ok = ev.id in attached(i)
    print(f'{"ok" if ok else "FAIL"}: {what}: accepted' + ('' if ok else ' but not attached'))
    bad += not ok


def refused(what, res, want, i=idx, before=None):
    """Refused with errno want and an extack message, nothing changed."""
    global bad
    err, ext, _ = res
    text = ext_msg(ext)
    now = attached(i)
    ok = err == want and text and now == (before or [])
    print(f'{"ok" if ok else "FAIL"}: {what}: {errno.errorcode.get(err, err)} "{text}"' +
          ('' if ok else f' (want {errno.errorcode[want]} with a message, attached {now})'))
    bad += not ok


ev = Event.load('sched', 'sched_wakeup')
plain = [f for f in ev.fields if not f[4] & FIELD_DYNAMIC][0]

# Format text: 16383 characters and the NUL fit, one more does not.
assert len(ev.format) < MAX_FORMAT - 1
ev.format += ' ' * (MAX_FORMAT - 1 - len(ev.format))
accepted('format of 16383 characters', g.attach(idx, ev), ev)
g.detach(idx, ev.id)
ev.format += ' '
refused('format of 16384 characters', g.attach(idx, ev), errno.EINVAL)
ev.format = ev.format[:len(ev.format) - 1]

# Fields: 128 copies of a real one, with the device up: every event comes
# with 128 TLVs, none is dropped; 129 are refused.
st0 = g.stats(idx)[2]
accepted('128 fields', g.attach(idx, ev, [plain] * MAX_FIELDS), ev)
time.sleep(1)
subprocess.run(['sh', '-c', 'for i in 1 2 3 4 5; do sleep 0.01; done'])
time.sleep(0.5)
st1 = g.stats(idx)[2]
moved = st1['delivered'] > st0['delivered'] and st1['drop_layout'] == st0['drop_layout']
print(f'{"ok" if moved else "FAIL"}: 128 fields: {st1["delivered"] - st0["delivered"]} events '
      f'delivered, {st1["drop_layout"] - st0["drop_layout"]} dropped for their layout')
bad += not moved
g.detach(idx, ev.id)
refused('129 fields', g.attach(idx, ev, [plain] * (MAX_FIELDS + 1)), errno.E2BIG)

# Names: 63 characters fit, 64 do not. A kprobe event has the longest
# system and event names tracefs allows (63).
kev = Event.load(kgroup, kname)
assert len(kev.system) == len(kev.name) == MAX_NAME - 1
accepted('system and event names of 63 characters', g.attach(idx, kev), kev)
g.detach(idx, kev.id)
for what, sysname, name in (('system', kev.system + 's', kev.name),
                            ('event', kev.system, kev.name + 'e')):
    e = Event(sysname, name, kev.format)
    refused(f'{what} name of 64 characters', g.attach(idx, e), errno.EINVAL)
for what, n63 in (('field name', lambda f: ('n' * 63,) + f[1:]),
                  ('field type', lambda f: (f[0], 't' * 63) + f[2:])):
    accepted(f'{what} of 63 characters', g.attach(idx, ev, [n63(plain)]), ev)
    g.detach(idx, ev.id)
    n64 = lambda f: (f[0] + 'x', *f[1:]) if what == 'field name' else (f[0], f[1] + 'x', *f[2:])
    refused(f'{what} of 64 characters', g.attach(idx, ev, [n64(n63(plain))]), errno.EINVAL)

# Everything at its limit at once: a metadata frame of ~35 KB goes out.
big = [('n' * 63, 't' * 63) + plain[2:]] * MAX_FIELDS
m0 = g.stats(idx)[2]['meta_frames']
accepted('format, 128 fields and names at their limits together', g.attach(idx, ev, big), ev)
m1 = g.stats(idx)[2]['meta_frames']
print(f'{"ok" if m1 > m0 else "FAIL"}: its metadata frame was sent')
bad += m1 <= m0
g.detach(idx, ev.id)

# Events per device: 1024 real events (no fields, device down), then one
# more is refused; the dump of 1024 events spans several messages. Syscall
# events first; never events that fire on the exception and NMI entry path
# or inside lockdep (rcu:rcu_dyntick, preemptirq:*, lock:* on a debug
# kernel): registering and unregistering a thousand tracepoints patches
# kernel text with int3, and a tracepoint in the int3 handler's own path
# recurses (kernel BUG in __nmi_enter on the debug kernel, whoever enables
# them: perf or ftrace alike).
t0 = time.monotonic()
names = []
root = '/sys/kernel/tracing/events'
unsafe = {'ftrace', 'rcu', 'preemptirq', 'lock', 'context_tracking', 'irq_vectors', 'nmi',
          'exceptions'}
for system in sorted(os.listdir(root), key=lambda x: (x != 'syscalls', x)):
    if system in unsafe or not os.path.isdir(f'{root}/{system}'):
        continue
    for name in sorted(os.listdir(f'{root}/{system}')):
        if os.path.isdir(f'{root}/{system}/{name}'):
            names.append((system, name))
n = 0
skipped = {}
spare = None
for system, name in names:
    try:
        e = Event.load(system, name)
    except (OSError, StopIteration, ValueError, KeyError):
        continue
    if n == MAX_EVENTS:
        spare = e
        break
    err, ext, _ = g.attach(midx, e, [])
    if err:
        k = f'{errno.errorcode.get(err, err)} {ext_msg(ext)}'
        skipped[k] = skipped.get(k, 0) + 1
        continue
    n += 1
print(f'attached {n} events in {time.monotonic() - t0:.0f}s; not attachable: {skipped}')
if spare is None or n != MAX_EVENTS:
    print(f'FAIL: fewer than {MAX_EVENTS + 1} attachable events')
    sys.exit(1)
full = attached(midx)
ok = len(full) == MAX_EVENTS
print(f'{"ok" if ok else "FAIL"}: the dump lists {len(full)} events')
bad += not ok
refused('event 1025', g.attach(midx, spare, []), errno.ENOSPC, i=midx, before=full)
g.detach(midx, full[-1])
accepted('an event in place of a detached one', g.attach(midx, spare, []), spare, i=midx)
sys.exit(1 if bad else 0)
EOF
echo "netlink limits: $((SECONDS - t))s"
t=$SECONDS
ip link del tnl || fail "ip link del tnl with 1024 events"
echo "deleting a device with 1024 events: $((SECONDS - t))s"
"$ctl" status trace0 | grep -q 'sched_wakeup\|eeee' && fail "events left attached to trace0"
cleanup_kprobe
rmmod tracenet || fail "rmmod"
