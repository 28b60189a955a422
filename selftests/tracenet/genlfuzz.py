#!/usr/bin/env python3
"""Fuzz the tracenet generic netlink family: random and mutated requests
against every command, and read every reply.

    genlfuzz.py DEV0 DEV1

DEV0 and DEV1 are tracenet devices (up: accepted hostile field tables are
then exercised by real records). Each request starts from a valid one of
a random command (ATTACH with a real tracefs event's id, names, format and
field table; DETACH; the GET_EVENTS dump and doit; GET_STATS) or from random
attributes, then gets mutations: attribute types (unknown, out of range,
NLA_F_NESTED on flat attributes and not on nests), payloads (lengths,
edge values, unterminated and oversized strings), dropped, duplicated and
misplaced attributes, extra nesting, hostile field tables (offsets and
sizes past the record, overlapping, 0, 128+ fields), genl command numbers
and version, netlink flags (a dump flag on do-commands), and at the byte
level bit flips, inserted and deleted bytes, nla_len of 0, 3 or past the
end, truncated messages and wrong nlmsg_len, several messages in one send.
Only the tracenet family (and netlink control types, and one unregistered
family id) ever receives a message.

Environment: TN_FUZZ_SEED (random seed, printed), TN_FUZZ_MSGS (messages,
default 100000), TN_FUZZ_JOBS (workers sending at the same time, each from
its own socket with seed TN_FUZZ_SEED + N; default 1, which makes a run
reproducible from its seed).

Exit status 0 when every reply was read, the socket never failed, a
known-good request was answered all along, and at the end (after detaching
everything) no device has an event left attached.
"""
import collections
import errno
import json
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import time

from tngenl import (A_FWD_DST, A_FWD_FLAGS, A_FWD_IFINDEX, A_FWD_OFF, CMD_GET_FORWARD,
                    CMD_SET_FORWARD, FWD_ALL, A_DETACH_ALL, A_EVENT_ID, A_FIELDS, A_FORMAT, A_IFINDEX, A_MAX,
                    A_NAME, A_SYSTEM, CMD_ATTACH, CMD_DETACH, CMD_GET_EVENTS,
                    CMD_GET_STATS, F_FIELD, F_FLAGS, F_MAX, F_NAME, F_OFFSET, F_SIZE,
                    F_TYPE, FIELD_ALL, FIELD_ARRAY, FIELD_DYNAMIC, FIELD_POINTER,
                    FIELD_RELATIVE, FIELD_SIGNED, FIELD_STRING, GENL_VERSION,
                    MAX_FIELDS, MAX_FORMAT, MAX_NAME, NLA_F_NESTED, NLA_F_NET_BYTEORDER,
                    NLM_F_ACK, NLM_F_DUMP, NLM_F_ECHO, NLM_F_REQUEST, NLMSG_DONE,
                    NLMSG_ERROR, Event, Genl, ext_msg, iter_msgs, parse_error)

# Events whose formats seed the valid requests: a __data_loc string, arrays,
# hardirq context, a syscall; the ones that exist are used.
POOL = ['sched:sched_switch', 'sched:sched_wakeup', 'sched:sched_process_exec',
        'irq:irq_handler_entry', 'raw_syscalls:sys_enter', 'net:netif_receive_skb',
        'timer:hrtimer_start', 'syscalls:sys_enter_getppid', 'signal:signal_generate']
UNUSED_FAMILY = 0xfff0	# checked to be unregistered before use

COMMON_END = 8		# sizeof(struct trace_entry): where a record's own fields start
INT_EDGES = [0, 1, 2, 3, 4, 7, 8, 9, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xfffe,
             0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff]


class A:
    """An attribute: type (with flags), bytes or a list of attributes, and an
    nla_len to write instead of the real one."""
    __slots__ = ('t', 'v', 'ln')

    def __init__(self, t, v, ln=None):
        self.t, self.v, self.ln = t, v, ln

    def copy(self):
        return A(self.t, [c.copy() for c in self.v] if isinstance(self.v, list) else self.v,
                 self.ln)


def a_u16(t, v): return A(t, struct.pack('=H', v & 0xffff))
def a_u32(t, v): return A(t, struct.pack('=I', v & 0xffffffff))
def a_str(t, v): return A(t, v.encode() + b'\0')
def a_nest(t, kids): return A(t | NLA_F_NESTED, kids)


def field_kids(name, typ, off, size, flags):
    return [a_str(F_NAME, name), a_str(F_TYPE, typ), a_u16(F_OFFSET, off),
            a_u16(F_SIZE, size), a_u32(F_FLAGS, flags)]


def serialize(attrs, base, offs):
    out = bytearray()
    for a in attrs:
        start = base + len(out)
        payload = serialize(a.v, start + 4, offs) if isinstance(a.v, list) else a.v
        offs.append(start)
        ln = 4 + len(payload) if a.ln is None else a.ln
        out += struct.pack('=HH', ln & 0xffff, a.t & 0xffff) + payload
        out += b'\0' * ((4 - len(payload) % 4) % 4)
    return bytes(out)


class Fuzzer:
    def __init__(self, rnd, g, devs, pool):
        self.r = rnd
        self.g = g
        self.devs = devs		# [(name, ifindex)]
        self.pool = pool
        self.lo = socket.if_nametoindex('lo')
        self.fwd = socket.if_nametoindex('tn_fuzzfwd')
        self.valid = {}		# event id -> FIELDS payload of its real table
        self.tables = {}		# event id -> FIELDS payloads of hostile tables

    # ---- valid requests ------------------------------------------------

    def ifindex(self):
        r = self.r.random()
        if r < 0.9:
            return self.r.choice(self.devs)[1]
        return self.r.choice([self.lo, 0, 999999, 0xffffffff])

    def fields_payload(self, fields):
        """The payload of a FIELDS nest: a FIELD nest per field."""
        return serialize([A(F_FIELD | NLA_F_NESTED, field_kids(*f)) for f in fields], 0, [])

    def hostile_fields(self, ev):
        """A field table for ev that policy may accept but the records
        contradict; tables are reused, a tenth of the time a new one."""
        r = self.r
        cache = self.tables.setdefault(ev.id, [])
        if len(cache) >= 32 and r.random() < 0.9:
            return r.choice(cache)
        rec = max([COMMON_END] + [o + s for _, _, o, s, _ in ev.fields])
        n = r.choice([0, 1, 2, 3, 5, 8, 16, MAX_FIELDS - 1, MAX_FIELDS, MAX_FIELDS + 1,
                      r.randint(1, 40)])
        out = []
        for i in range(n):
            if out and r.random() < 0.15:		# duplicated / overlapping
                out.append(r.choice(out))
                continue
            off = r.choice([8, 9, 12, rec - 4, rec - 1, rec, rec + 1, 0xfff0, 0xfffb,
                            r.randint(8, rec + 8), r.randint(8, 0xffff)])
            flags = r.choice([0, 0, FIELD_SIGNED, FIELD_DYNAMIC, FIELD_DYNAMIC | FIELD_RELATIVE,
                              FIELD_DYNAMIC | FIELD_STRING | FIELD_ARRAY, FIELD_ARRAY,
                              FIELD_POINTER, r.randint(0, FIELD_ALL)])
            if flags & FIELD_DYNAMIC and r.random() < 0.9:
                size = 4
            else:
                size = r.choice([0, 1, 2, 4, 8, 16, rec, rec - off, 0xffff - off,
                                 0x10000 - off, r.randint(1, 64)])
            name = r.choice(['f%d' % i, 'x', 'a' * (MAX_NAME - 1), ''])
            typ = r.choice(['int', 'char[16]', 'unsigned long', 'b' * (MAX_NAME - 1)])
            out.append((name, typ, max(off, 0) & 0xffff, max(size, 0) & 0xffff, flags))
        out = self.fields_payload(out)
        if len(cache) < 32:
            cache.append(out)
        else:
            cache[r.randrange(len(cache))] = out
        return out

    def t_attach(self):
        r = self.r
        ev = r.choice(self.pool)
        if r.random() < 0.5:
            fields = self.valid.get(ev.id)
            if fields is None:
                fields = self.valid[ev.id] = self.fields_payload(ev.fields)
        else:
            fields = self.hostile_fields(ev)
        fmt = ev.format
        x = r.random()
        if x < 0.03:
            fmt = 'y' * (MAX_FORMAT - 1)	# the largest accepted
        elif x < 0.05:
            fmt = ''
        attrs = [a_u32(A_IFINDEX, self.ifindex()), a_u32(A_EVENT_ID, ev.id),
                 a_str(A_SYSTEM, ev.system), a_str(A_NAME, ev.name), a_str(A_FORMAT, fmt),
                 A(A_FIELDS | NLA_F_NESTED, fields)]
        if r.random() < 0.2:
            r.shuffle(attrs)
        return CMD_ATTACH, attrs

    def t_detach(self):
        r = self.r
        attrs = [a_u32(A_IFINDEX, self.ifindex())]
        x = r.random()
        if x < 0.75:
            attrs.append(a_u32(A_EVENT_ID, r.choice(self.pool).id))
        elif x < 0.85:
            attrs.append(A(A_DETACH_ALL, b''))
        elif x < 0.95:
            attrs += [a_u32(A_EVENT_ID, r.choice(self.pool).id), A(A_DETACH_ALL, b'')]
        return CMD_DETACH, attrs

    def t_events(self):
        attrs = [a_u32(A_IFINDEX, self.ifindex())] if self.r.random() < 0.5 else []
        return CMD_GET_EVENTS, attrs

    def t_event(self):
        # The doit: one event with its format.
        return CMD_GET_EVENTS, [a_u32(A_IFINDEX, self.ifindex()),
                                a_u32(A_EVENT_ID, self.r.choice(self.pool).id)]

    def t_stats(self):
        return CMD_GET_STATS, [a_u32(A_IFINDEX, self.ifindex())]

    def t_forward(self):
        # To lo (not Ethernet), a tracenet device (refused), nowhere, or
        # off; bad destinations and flags. A forward that takes is to a
        # dummy device (11_genl_fuzz.sh: nothing comes back).
        r = self.r
        if r.random() < 0.3:
            return CMD_GET_FORWARD, [a_u32(A_IFINDEX, self.ifindex())]
        attrs = [a_u32(A_IFINDEX, self.ifindex())]
        x = r.random()
        if x < 0.8:
            attrs.append(a_u32(A_FWD_IFINDEX, r.choice([self.lo, self.fwd, self.ifindex(),
                                                       0, r.getrandbits(32)])))
        if x > 0.6:
            attrs.append(A(A_FWD_OFF, b''))
        if r.random() < 0.4:
            attrs.append(A(A_FWD_DST, r.choice([b'\x02' + bytes(5), b'\x01' * 6, bytes(6),
                                                b'\xff' * 6, self.rbytes()])))
        if r.random() < 0.4:
            attrs.append(a_u32(A_FWD_FLAGS, r.choice([0, FWD_ALL, FWD_ALL + 1,
                                                      r.getrandbits(32)])))
        return CMD_SET_FORWARD, attrs

    def t_random(self):
        r = self.r
        cmd = r.choice([0, CMD_ATTACH, CMD_DETACH, CMD_GET_EVENTS, CMD_GET_STATS, 5, 6,
                        0x7f, 0x80, 0xff, r.randint(0, 255)])
        return cmd, [self.random_attr(2) for _ in range(r.randint(0, 6))]

    def random_attr(self, depth):
        r = self.r
        t = r.choice([0, r.randint(1, A_MAX + 2), r.randint(0, 0x3fff)])
        if depth and r.random() < 0.3:
            return A(t | NLA_F_NESTED, [self.random_attr(depth - 1)
                                         for _ in range(r.randint(0, 3))])
        return A(t | r.choice([0, 0, 0, NLA_F_NESTED, NLA_F_NET_BYTEORDER]), self.rbytes())

    def rbytes(self):
        r = self.r
        return r.randbytes(r.choice([0, 1, 2, 3, 4, 5, 8, 16, r.randint(0, 300)]))

    # ---- mutations -----------------------------------------------------

    def all_attrs(self, attrs, out=None, depth=0):
        """[(list, index, depth)] of every attribute of the tree."""
        out = [] if out is None else out
        for i, a in enumerate(attrs):
            out.append((attrs, i, depth))
            if isinstance(a.v, list):
                self.all_attrs(a.v, out, depth + 1)
        return out

    def mutate_attrs(self, attrs):
        r = self.r
        spots = self.all_attrs(attrs)
        op = r.randrange(12)
        if not spots:
            attrs.append(self.random_attr(2))
            return
        lst, i, depth = r.choice(spots)
        a = lst[i]
        if (a.t & NLA_F_NESTED and isinstance(a.v, bytes) and a.v and
                r.random() < 0.6):
            # A nest kept serialized (FIELDS, FIELD): open it up a level
            # and mutate inside.
            a.v = self.parse_leaf(a.v)
            self.mutate_attrs(a.v)
            return
        if op == 0:				# missing attribute
            del lst[i]
        elif op == 1:				# duplicated attribute
            lst.insert(r.randint(0, len(lst)), a.copy())
        elif op == 2:				# another type
            a.t = r.choice([0, r.randint(1, A_MAX + 2), F_MAX + 1, 0x3fff,
                            r.randint(0, 0xffff)]) | (a.t & NLA_F_NESTED)
        elif op == 3:				# toggle the nested flag
            a.t ^= NLA_F_NESTED if r.random() < 0.8 else NLA_F_NET_BYTEORDER
        elif op == 4:				# random payload
            a.v = self.rbytes()
        elif op == 5 and not isinstance(a.v, list):	# integer edges
            width = r.choice([len(a.v)] * 3 + [1, 2, 4, 8]) or 4
            v = r.choice(INT_EDGES + [r.getrandbits(32)])
            a.v = (v & ((1 << (8 * width)) - 1)).to_bytes(width, 'little')
        elif op == 6 and not isinstance(a.v, list):	# string edges
            c = r.choice([0, 1, 2, 3, 4])
            if c == 0:
                a.v = a.v.rstrip(b'\0')			# unterminated
            elif c == 1:
                a.v = b'n' * r.choice([MAX_NAME - 1, MAX_NAME, MAX_NAME + 1]) + b'\0'
            elif c == 2:
                a.v = b'F' * r.choice([MAX_FORMAT - 2, MAX_FORMAT - 1, MAX_FORMAT,
                                       MAX_FORMAT + 1]) + b'\0'
            elif c == 3:
                a.v = b'\0' + a.v			# empty, junk after the NUL
            else:
                a.v = a.v[:r.randint(0, len(a.v))]
        elif op == 7:				# wrap in an extra nest
            lst[i] = A(r.choice([a.t & 0x3fff, A_FIELDS, F_FIELD, 0]) | NLA_F_NESTED, [a])
        elif op == 8:				# misplaced: into another nest / out to the top
            nests = [x for x in spots if isinstance(x[0][x[1]].v, list)]
            if nests:
                nl, ni, _ = r.choice(nests)
                if nl[ni] is not a:
                    nl[ni].v.append(a.copy())
            else:
                attrs.append(a.copy())
        elif op == 9:				# a wrong nla_len
            a.ln = r.choice([0, 1, 3, 4, 5, 0xffff, r.randint(0, 0xffff)])
        elif op == 10:				# random sibling
            lst.insert(r.randint(0, len(lst)), self.random_attr(1))
        elif isinstance(a.v, list) and a.v:	# reorder / empty a nest
            if r.random() < 0.5:
                r.shuffle(a.v)
            else:
                a.v = []

    @staticmethod
    def parse_leaf(b):
        out = []
        off = 0
        while off + 4 <= len(b):
            ln, t = struct.unpack_from('=HH', b, off)
            if ln < 4:
                break
            out.append(A(t, b[off + 4:off + ln]))
            off += (ln + 3) & ~3
        return out

    def build(self, seq):
        """One mutated message, its declared type stamped later."""
        r = self.r
        x = r.random()
        # Accepted attaches and detaches cost grace periods and tracepoint
        # (un)registration: detaches are few, so most attaches find their
        # event attached already and stop at -EEXIST.
        if x < 0.49:
            kind, (cmd, attrs) = 'attach', self.t_attach()
        elif x < 0.52:
            kind, (cmd, attrs) = 'detach', self.t_detach()
        elif x < 0.62:
            kind, (cmd, attrs) = 'get_events', self.t_events()
        elif x < 0.70:
            kind, (cmd, attrs) = 'get_event', self.t_event()
        elif x < 0.76:
            kind, (cmd, attrs) = 'get_stats', self.t_stats()
        elif x < 0.82:
            kind, (cmd, attrs) = 'forward', self.t_forward()
        else:
            kind, (cmd, attrs) = 'random', self.t_random()
        dump = cmd == CMD_GET_EVENTS and kind != 'get_event'
        flags = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if dump else 0)
        family = self.g.family
        version, reserved = GENL_VERSION, 0

        nmut = r.choice([0, 1, 1, 1, 2, 2, 3, 4])
        for _ in range(nmut):
            y = r.random()
            if y < 0.8:
                self.mutate_attrs(attrs)
            elif y < 0.86:
                cmd = r.choice([0, CMD_ATTACH, CMD_DETACH, CMD_GET_EVENTS, CMD_GET_STATS,
                                5, 0xff, r.randint(0, 255)])
            elif y < 0.9:
                version, reserved = r.choice([0, 2, 0xff, GENL_VERSION]), r.getrandbits(16)
            elif y < 0.97:
                flags = r.choice([flags ^ NLM_F_DUMP, flags | NLM_F_DUMP,
                                  flags & ~NLM_F_ACK, flags & ~NLM_F_REQUEST,
                                  flags | NLM_F_ECHO, r.getrandbits(16) | NLM_F_REQUEST,
                                  r.getrandbits(16)])
            else:
                family = r.choice([r.randint(0, 15), UNUSED_FAMILY])

        offs = []
        payload = serialize(attrs, 20, offs)
        msg = bytearray(struct.pack('=IHHIIBBH', 20 + len(payload), family, flags, seq, 0,
                                    cmd, version, reserved) + payload)
        if r.random() < 0.25:
            self.mutate_bytes(msg, offs)
        return bytes(msg), kind

    def mutate_bytes(self, msg, offs):
        r = self.r
        op = r.randrange(7)
        if op == 0:				# bit flips past the netlink header
            for _ in range(r.randint(1, 8)):
                if len(msg) > 16:
                    msg[r.randrange(16, len(msg))] ^= 1 << r.randrange(8)
        elif op == 1:				# inserted bytes
            p = r.randint(20, len(msg))
            msg[p:p] = self.rbytes()
        elif op == 2:				# deleted bytes
            p = r.randint(20, len(msg))
            del msg[p:p + r.randint(1, 16)]
        elif op == 3 and offs:			# nla_len of 0, 3, or past the end
            o = r.choice(offs)
            if o + 2 <= len(msg):
                v = r.choice([0, 3, len(msg) - o + r.randint(1, 64), 0xffff])
                struct.pack_into('=H', msg, o, v & 0xffff)
        elif op == 4:				# truncated
            del msg[r.randint(16, len(msg)):]
        elif op == 5:				# nlmsg_len shorter, longer or tiny
            struct.pack_into('=I', msg, 0, r.choice([0, 4, 15, 16, 19, len(msg) + 1,
                                                     len(msg) + 4096,
                                                     r.randint(16, len(msg))]))
            return
        else:					# the genl header only
            del msg[r.choice([16, 17, 18, 20]):]
        if r.random() < 0.9:			# keep nlmsg_len true
            struct.pack_into('=I', msg, 0, len(msg))

    def sanitize(self, buf):
        """Walk buf as netlink_rcv_skb() does: every message it would process
        goes to tracenet, a control type, or the unregistered family."""
        buf = bytearray(buf)
        off = 0
        while len(buf) - off >= 16:
            ln, typ = struct.unpack_from('=IH', buf, off)
            if ln < 16 or ln > len(buf) - off:
                break
            if typ != self.g.family and typ >= 16 and typ != UNUSED_FAMILY:
                struct.pack_into('=H', buf, off + 4, self.g.family)
            off += min((ln + 3) & ~3, len(buf) - off)
        return bytes(buf)


def events_attached(g):
    out = g.events()
    if isinstance(out, int):
        return None
    return {dev: evs for _, (dev, evs) in out.items()}


def no_answer(signum, frame):
    raise TimeoutError('no answer to GET_STATS within 60s')


def fuzz(wid, seed, total, devs, pool, out):
    """One worker: total messages from its own socket, tallies to out."""
    rnd = random.Random(seed)
    signal.signal(signal.SIGALRM, no_answer)
    g = Genl(rcvbuf=4 << 20)
    g.sk.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    fz = Fuzzer(rnd, g, devs, pool)
    replies = collections.Counter()	# errno name / "ack" / "done" / "data"
    exts = collections.Counter()	# "errno: extack message" of refusals
    acks = collections.Counter()	# template of acknowledged requests
    kinds = collections.Counter()	# sends by template of their first message
    ktime = collections.Counter()	# seconds from send to the last reply
    failures = []
    silent = 0
    ncpus = None
    seq = 1000
    sent = 0
    t0 = time.monotonic()
    next_report = 10000
    sk = g.sk

    while sent < total:
        # Now and then a device bounces and changes its batch size, with
        # whatever layouts are attached; a known-good request is answered.
        if wid == 0 and sent and sent % 5000 == 0:
            dev = devs[-1][0]
            subprocess.run(['ip', 'link', 'set', dev, 'down'], check=False)
            subprocess.run(['ethtool', '-C', dev, 'rx-frames', str(rnd.randint(1, 64))],
                           check=False, stdout=subprocess.DEVNULL)
            subprocess.run(['ip', 'link', 'set', dev, 'up'], check=False)
        if sent % 1000 == 0:
            signal.alarm(60)		# a request the kernel never answers
            err, ext, tot, n = g.stats(devs[0][1])
            signal.alarm(0)
            if err or not n or (ncpus is not None and n != ncpus):
                failures.append(f'GET_STATS after {sent} messages: err {err} cpus {n}')
                break
            ncpus = n

        parts = []
        seqs = {}
        for _ in range(1 if rnd.random() < 0.9 else rnd.randint(2, 3)):
            seq += 1
            m, kind = fz.build(seq)
            parts.append(m + b'\0' * ((4 - len(m) % 4) % 4))
            seqs[seq] = kind
        buf = fz.sanitize(b''.join(parts))
        sent += len(parts)
        t1 = time.monotonic()
        try:
            sk.send(buf)
        except OSError as e:
            replies['send:' + errno.errorcode.get(e.errno, str(e.errno))] += 1
            continue

        # The kernel answers before send() returns; a dump goes on as it
        # is read. Drain until nothing is left.
        answered = set()
        while True:
            try:
                data = sk.recv(4 << 20, socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            except OSError as e:
                failures.append(f'recv after {sent} messages: {e}')
                break
            for typ, _, rseq, m in iter_msgs(data):
                answered.add(rseq)
                if typ == NLMSG_ERROR:
                    err, ext = parse_error(m)
                    name = errno.errorcode.get(err, str(err)) if err else 'ack'
                    replies[name] += 1
                    if not err:
                        acks[seqs.get(rseq, '?')] += 1
                    else:
                        exts[f'{name}: {ext_msg(ext) or "(no message)"}'] += 1
                elif typ == NLMSG_DONE:
                    err = -struct.unpack_from('=i', m, 16)[0] if len(m) >= 20 else 0
                    replies['done' if not err else 'done:' + errno.errorcode.get(err, '?')] += 1
                else:
                    replies['data'] += 1
        if failures:
            break
        silent += len(seqs.keys() - answered)
        kind = next(iter(seqs.values()))
        kinds[kind] += 1
        ktime[kind] += time.monotonic() - t1
        if sent >= next_report:
            el = time.monotonic() - t0
            print(f'worker {wid}: {sent} messages, {el:.0f}s, {sent / el:.0f}/s', flush=True)
            next_report += 10000

    json.dump({'sent': sent, 'secs': time.monotonic() - t0, 'silent': silent,
               'ncpus': ncpus, 'failures': failures, 'replies': replies, 'exts': exts,
               'acks': acks, 'kinds': kinds, 'ktime': ktime}, out)


def main():
    devnames = sys.argv[1:] or ['trace0']
    seed = int(os.environ.get('TN_FUZZ_SEED', '20240518'))
    total = int(os.environ.get('TN_FUZZ_MSGS', '100000'))
    jobs = int(os.environ.get('TN_FUZZ_JOBS', '1'))
    print(f'seed {seed} (TN_FUZZ_SEED), messages {total} (TN_FUZZ_MSGS), '
          f'{jobs} workers (TN_FUZZ_JOBS) with seeds {seed}..{seed + jobs - 1}')

    g = Genl()
    devs = [(d, socket.if_nametoindex(d)) for d in devnames]
    pool = []
    for spec in POOL:
        try:
            pool.append(Event.load(*spec.split(':')))
        except OSError:
            pass
    if len(pool) < 3:
        sys.exit('fewer than 3 of the pool events exist in tracefs')
    print('events: ' + ' '.join(f'{e.system}:{e.name}' for e in pool))
    # Messages of random types must not reach a real family.
    err, _, _ = g.request(0x10, 3, struct.pack('=HHH2x', 6, 1, UNUSED_FAMILY))
    if not err:
        sys.exit(f'family id {UNUSED_FAMILY:#x} is registered')

    # Start with every pool event attached to the first device, valid.
    for ev in pool:
        err, ext, _ = g.attach(devs[0][1], ev)
        if err:
            sys.exit(f'attach {ev.system}:{ev.name}: {errno.errorcode.get(err)} {ext_msg(ext)}')

    t0 = time.monotonic()
    workers = []
    sys.stdout.flush()
    for wid in range(jobs):
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(rfd)
            with os.fdopen(wfd, 'w') as out:
                try:
                    fuzz(wid, seed + wid, total // jobs + (wid < total % jobs), devs, pool,
                         out)
                except Exception as e:		# a Python bug is no kernel pass
                    json.dump({'failures': [f'worker {wid}: {e!r}']}, out)
            os._exit(0)
        os.close(wfd)
        workers.append((pid, os.fdopen(rfd)))
    res = []
    for pid, f in workers:
        res.append(json.load(f))
        os.waitpid(pid, 0)
    elapsed = time.monotonic() - t0

    tot = collections.defaultdict(collections.Counter)
    failures = []
    sent = silent = 0
    for r in res:
        failures += r['failures']
        if 'sent' not in r:
            continue
        sent += r['sent']
        silent += r['silent']
        for k in ('replies', 'exts', 'acks', 'kinds', 'ktime'):
            tot[k].update(r[k])
    ncpus = next((r['ncpus'] for r in res if r.get('ncpus')), None)

    print(f'sent {sent} messages in {elapsed:.1f}s ({sent / max(elapsed, 1e-9):.0f}/s)')
    print(f'replies by kind ({sum(tot["replies"].values())}; {silent} messages had none):')
    for k, v in tot['replies'].most_common():
        print(f'  {k:14} {v}')
    print('acknowledged (0) by template: ' +
          ', '.join(f'{k} {v}' for k, v in tot['acks'].most_common()))
    print('sends by template, seconds from send to the last reply: ' +
          ', '.join(f'{k} {tot["kinds"][k]} {tot["ktime"][k]:.1f}s' for k in sorted(tot['kinds'])))
    print('errors by extack message:')
    for k, v in tot['exts'].most_common():
        print(f'  {v:7}  {k}')
    att = events_attached(g)
    print('attached after fuzzing: ' + (
        '; '.join(f'{d}: {len(e)}' for d, e in att.items()) if att is not None else '?'))
    if sent < total:
        failures.append(f'{sent} messages sent, not {total}')

    # Clean up what fuzzed attaches left, then nothing may remain.
    for name, idx in devs:
        err, ext, _ = g.detach(idx)
        if err:
            failures.append(f'detach-all on {name}: {errno.errorcode.get(err, err)} {ext_msg(ext)}')
    att = events_attached(g)
    if att is None or any(att.values()):
        failures.append(f'events attached after detach-all: {att}')
    for name, idx in devs:
        err, ext, st, n = g.stats(idx)
        if err or n != ncpus:
            failures.append(f'GET_STATS {name}: err {err}, {n} CPUs')
        else:
            print(f'{name}: ' + ' '.join(f'{k} {v}' for k, v in st.items() if v))
    for f in failures:
        print('FAIL: ' + f)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
