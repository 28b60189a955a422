#!/usr/bin/env python3
"""Generic netlink for the tracenet selftests, with no package beyond the
standard library: attribute builders, a socket talking to the "tracenet"
family, reply parsing, and tracefs event formats turned into the field
table tracenetctl would send. badmsg.py and genlfuzz.py import it.

As a command, one request, for tests that run it under other credentials
(setpriv, unshare): it prints "ok ..." or "ERRNO extack" and exits 0 or 1.

    tngenl.py attach DEV SYSTEM:NAME [FORMAT_FILE]   default: from tracefs
    tngenl.py detach DEV ID|all
    tngenl.py events [DEV]      one "DEV system:name count" line per event
    tngenl.py stats DEV         "produced N delivered N" summed over CPUs
    tngenl.py setfilter DEV ID FD|file|socket_filter
                                the producer's verdict: an fd number, an
                                open file, or a BPF program of another type
"""
import errno
import os
import socket
import struct
import sys

NETLINK_GENERIC = 16
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK, NLM_F_ECHO = 1, 2, 4, 8
NLM_F_ROOT, NLM_F_MATCH, NLM_F_DUMP = 0x100, 0x200, 0x300
NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE, NLMSG_OVERRUN = 1, 2, 3, 4
GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 0x10, 3, 1, 2
NETLINK_CAP_ACK, NETLINK_EXT_ACK, SOL_NETLINK = 10, 11, 270
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS, NLMSGERR_ATTR_MISS_TYPE = 1, 2, 5
NLA_F_NESTED, NLA_F_NET_BYTEORDER = 0x8000, 0x4000
NLA_TYPE_MASK = 0x3fff

# include/uapi/linux/tracenet.h
GENL_VERSION = 1
CMD_ATTACH, CMD_DETACH, CMD_GET_EVENTS, CMD_GET_STATS = 1, 2, 3, 4
CMD_SET_FORWARD, CMD_GET_FORWARD, CMD_SET_DEVICE, CMD_GET_DEVICE = 5, 6, 7, 8
CMD_SET_FILTER = 9
(A_IFINDEX, A_IFNAME, A_EVENT_ID, A_SYSTEM, A_NAME, A_FORMAT, A_FIELDS, A_DETACH_ALL,
 A_EVENT, A_EVENT_COUNT, A_CPU_STATS, A_PAD, A_FWD_IFINDEX, A_FWD_IFNAME, A_FWD_DST,
 A_FWD_FLAGS, A_FWD_OFF, A_HOST_NAME, A_BOOT_ID, A_RAW_POINTERS, A_FILTER_FD,
 A_FILTER_ID) = range(1, 23)
A_MAX = A_FILTER_ID
FWD_ALL = 0x3
F_FIELD, F_NAME, F_TYPE, F_OFFSET, F_SIZE, F_FLAGS = range(1, 7)
F_MAX = F_FLAGS
FIELD_SIGNED, FIELD_DYNAMIC, FIELD_RELATIVE = 0x01, 0x02, 0x04
FIELD_STRING, FIELD_ARRAY, FIELD_POINTER, FIELD_ALL = 0x08, 0x10, 0x20, 0x3f
STAT_CPU, STAT_PRODUCED, STAT_DELIVERED = 1, 2, 3
STAT_NAMES = ['produced', 'delivered', 'drop_full', 'drop_toobig', 'drop_nomem',
              'drop_layout', 'drop_detached', 'drop_down', 'drop_xdp_error',
              'suppressed', 'frames', 'bytes', 'meta_frames', 'xdp_drop',
              'xdp_redirect', None, 'fwd_frames', 'fwd_events', 'fwd_drop_frames',
              'fwd_drop_events', 'fwd_only', 'filtered']
MAX_FIELDS, MAX_FORMAT, MAX_NAME, MAX_EVENTS = 128, 16384, 64, 1024
COMMON_SIZE = 8		# sizeof(struct trace_entry)

TRACEFS = '/sys/kernel/tracing'


def nla(t, payload):
    hdr = struct.pack('=HH', 4 + len(payload), t)
    return hdr + payload + b'\0' * ((4 - len(payload) % 4) % 4)


def u16(t, v): return nla(t, struct.pack('=H', v))
def u32(t, v): return nla(t, struct.pack('=I', v))
def s(t, v): return nla(t, v.encode() + b'\0')
def nest(t, *a): return nla(t | NLA_F_NESTED, b''.join(a))


def nlmsg(family, flags, seq, body):
    return struct.pack('=IHHII', 16 + len(body), family, flags, seq, 0) + body


def genlhdr(cmd, version=GENL_VERSION, reserved=0):
    return struct.pack('=BBH', cmd, version, reserved)


def parse_attrs(data, off, end):
    """Attributes of data[off:end] by type (flags stripped); the last wins."""
    out = {}
    for t, v in iter_attrs(data, off, end):
        out[t] = v
    return out


def iter_attrs(data, off, end):
    while off + 4 <= end:
        ln, t = struct.unpack_from('=HH', data, off)
        if ln < 4:
            break
        yield t & NLA_TYPE_MASK, data[off + 4:off + ln]
        off += (ln + 3) & ~3


def iter_msgs(data):
    """(type, flags, seq, message bytes) of each netlink message in data."""
    off = 0
    while off + 16 <= len(data):
        ln, typ, flags, seq, _ = struct.unpack_from('=IHHII', data, off)
        if ln < 16 or off + ln > len(data):
            break
        yield typ, flags, seq, data[off:off + ln]
        off += (ln + 3) & ~3


def parse_error(msg):
    """errno (positive) and extack attributes of an NLMSG_ERROR message."""
    err = -struct.unpack_from('=i', msg, 16)[0]
    flags = struct.unpack_from('=H', msg, 6)[0]
    ext = {}
    if flags & 0x200:		# NLM_F_ACK_TLVS
        # The original request follows, whole unless NLM_F_CAPPED (0x100).
        olen = 16 if flags & 0x100 else struct.unpack_from('=I', msg, 20)[0]
        ext = parse_attrs(msg, 20 + ((olen + 3) & ~3), len(msg))
    return err, ext


def parse_done(msg):
    """errno (positive) and extack attributes a dump ended with."""
    if len(msg) < 20:
        return 0, {}
    err = -struct.unpack_from('=i', msg, 16)[0]
    flags = struct.unpack_from('=H', msg, 6)[0]
    return err, parse_attrs(msg, 20, len(msg)) if flags & 0x200 else {}


def ext_msg(ext):
    text = ext.get(NLMSGERR_ATTR_MSG, b'').rstrip(b'\0').decode(errors='replace')
    miss = ext.get(NLMSGERR_ATTR_MISS_TYPE)
    if miss and not text:
        text = f'missing attribute {struct.unpack("=I", miss)[0]}'
    return text


class Genl:
    def __init__(self, rcvbuf=1 << 20):
        self.sk = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.sk.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sk.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.sk.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sk.bind((0, 0))
        self.seq = 1
        err, _, attrs = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                                     s(CTRL_ATTR_FAMILY_NAME, 'tracenet'), ack=False)
        if err:
            sys.exit('tracenet family not found')
        self.family = struct.unpack_from('=H', attrs[CTRL_ATTR_FAMILY_ID])[0]

    def request(self, family, cmd, payload, ack=True, flags=0):
        """(errno, extack, attributes merged over the replies)."""
        err, ext, msgs = self.request_msgs(family, cmd, payload, ack, flags)
        attrs = {}
        for m in msgs:
            attrs.update(parse_attrs(m, 20, len(m)))
        return err, ext, attrs

    def request_msgs(self, family, cmd, payload, ack=True, flags=0):
        """(errno, extack, [reply messages]) of one request."""
        self.seq += 1
        msg = nlmsg(family, NLM_F_REQUEST | (NLM_F_ACK if ack else 0) | flags,
                    self.seq, genlhdr(cmd) + payload)
        self.sk.send(msg)
        msgs = []
        while True:
            data = self.sk.recv(1 << 20)
            for typ, _, _, m in iter_msgs(data):
                if typ == NLMSG_DONE:
                    return (*parse_done(m), msgs)
                if typ == NLMSG_ERROR:
                    err, ext = parse_error(m)
                    return err, ext, msgs
                msgs.append(m)
            if not ack and not flags & NLM_F_DUMP:
                return 0, {}, msgs

    # The four commands, as tracenetctl sends them.
    def attach(self, ifindex, ev, fields=None):
        return self.request(self.family, CMD_ATTACH, attach_attrs(ifindex, ev, fields))

    def detach(self, ifindex, eid=None):
        what = u32(A_EVENT_ID, eid) if eid is not None else nla(A_DETACH_ALL, b'')
        return self.request(self.family, CMD_DETACH, u32(A_IFINDEX, ifindex) + what)

    def events(self, ifindex=None):
        """{ifindex: (ifname, [(id, system, name, count)])}, or errno."""
        payload = u32(A_IFINDEX, ifindex) if ifindex else b''
        err, ext, msgs = self.request_msgs(self.family, CMD_GET_EVENTS, payload,
                                           ack=False, flags=NLM_F_DUMP)
        if err:
            return err
        out = {}
        for m in msgs:
            a = parse_attrs(m, 20, len(m))
            idx = struct.unpack('=I', a[A_IFINDEX])[0]
            name = a[A_IFNAME].rstrip(b'\0').decode()
            evs = out.setdefault(idx, (name, []))[1]
            for t, v in iter_attrs(m, 20, len(m)):
                if t != A_EVENT:
                    continue
                e = parse_attrs(v, 0, len(v))
                evs.append((struct.unpack('=I', e[A_EVENT_ID])[0],
                            e[A_SYSTEM].rstrip(b'\0').decode(),
                            e[A_NAME].rstrip(b'\0').decode(),
                            struct.unpack('=Q', e[A_EVENT_COUNT])[0]))
        return out

    def stats(self, ifindex):
        """(errno, {counter: sum over CPUs}, ncpus)."""
        err, ext, msgs = self.request_msgs(self.family, CMD_GET_STATS,
                                           u32(A_IFINDEX, ifindex),
                                           ack=False, flags=NLM_F_DUMP)
        tot = dict.fromkeys(filter(None, STAT_NAMES), 0)
        ncpu = 0
        for m in msgs:
            for t, v in iter_attrs(m, 20, len(m)):
                if t != A_CPU_STATS:
                    continue
                ncpu += 1
                for st, sv in iter_attrs(v, 0, len(v)):
                    if (STAT_PRODUCED <= st < STAT_PRODUCED + len(STAT_NAMES)
                            and STAT_NAMES[st - STAT_PRODUCED]):
                        tot[STAT_NAMES[st - STAT_PRODUCED]] += struct.unpack('=Q', sv)[0]
        return err, ext, tot, ncpu


class Event:
    """A tracefs event: id, names, format text and the field table, as
    tracenetctl derives it (every field after the common ones, in order)."""

    def __init__(self, system, name, text):
        self.system, self.name, self.format = system, name, text
        self.id = int(next(l for l in text.splitlines() if l.startswith('ID:')).split()[1])
        self.fields = []	# (name, type, offset, size, flags)
        for line in text.splitlines():
            line = line.strip()
            if not line.startswith('field:'):
                continue
            parts = dict(p.strip().split(':', 1) for p in line.split(';') if ':' in p)
            decl = parts['field'].strip()
            fname = decl.split()[-1]
            ftype = decl[:len(decl) - len(fname)].strip()
            off, size = int(parts['offset']), int(parts['size'])
            if fname.startswith('common_'):
                continue
            flags = FIELD_SIGNED if parts.get('signed', '0').strip() == '1' else 0
            if '[' in fname:
                fname = fname[:fname.index('[')]
                flags |= FIELD_ARRAY
            if ftype.startswith('__data_loc') or ftype.startswith('__rel_loc'):
                flags |= FIELD_DYNAMIC
                if ftype.startswith('__rel_loc'):
                    flags |= FIELD_RELATIVE
                ftype = ftype.split(None, 1)[1]
                if '[' in ftype:
                    flags |= FIELD_ARRAY
            if '*' in ftype:
                flags |= FIELD_POINTER
            if ftype.startswith('char') and flags & FIELD_ARRAY:
                flags |= FIELD_STRING
            self.fields.append((fname, ftype, off, size, flags))

    @classmethod
    def load(cls, system, name, path=None):
        path = path or f'{TRACEFS}/events/{system}/{name}/format'
        with open(path) as f:
            return cls(system, name, f.read())


def field_attr(name, typ, off, size, flags):
    return nest(F_FIELD, s(F_NAME, name), s(F_TYPE, typ), u16(F_OFFSET, off),
                u16(F_SIZE, size), u32(F_FLAGS, flags))


def attach_attrs(ifindex, ev, fields=None):
    fields = ev.fields if fields is None else fields
    return b''.join([u32(A_IFINDEX, ifindex), u32(A_EVENT_ID, ev.id), s(A_SYSTEM, ev.system),
                     s(A_NAME, ev.name), s(A_FORMAT, ev.format),
                     nest(A_FIELDS, *[field_attr(*f) for f in fields])])


def fmt_of(system, name):
    """(id, format text) of a tracefs event."""
    ev = Event.load(system, name)
    return ev.id, ev.format


def bpf_socket_filter():
    """fd of a BPF program of type socket filter ("r0 = 0; exit")."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    insns = struct.pack('=BBhi', 0xb7, 0, 0, 0) + struct.pack('=BBhi', 0x95, 0, 0, 0)
    ibuf = ctypes.create_string_buffer(insns)
    lic = ctypes.create_string_buffer(b'GPL')
    # union bpf_attr for BPF_PROG_LOAD: prog_type, insn_cnt, insns, license.
    attr = ctypes.create_string_buffer(struct.pack(
        '=IIQQ', 1, 2, ctypes.addressof(ibuf), ctypes.addressof(lic)), 128)
    fd = libc.syscall(321, 5, attr, 128)  # __NR_bpf on x86_64, BPF_PROG_LOAD
    if fd < 0:
        sys.exit(f'bpf(BPF_PROG_LOAD): {errno.errorcode.get(ctypes.get_errno())}')
    return fd


def _report(err, ext, what='ok'):
    if err:
        print(f'{errno.errorcode.get(err, err)} {ext_msg(ext)}')
        return 1
    print(what)
    return 0


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    g = Genl()

    def idx(name):
        try:
            return socket.if_nametoindex(name)
        except OSError:
            sys.exit(f'{name}: no such device')
    if cmd == 'attach':
        system, name = args[1].replace('/', ':').split(':')
        ev = Event.load(system, name, args[2] if len(args) > 2 else None)
        err, ext, _ = g.attach(idx(args[0]), ev)
        return _report(err, ext, f'ok attached {system}:{name} id {ev.id}')
    if cmd == 'detach':
        err, ext, _ = g.detach(idx(args[0]), None if args[1] == 'all' else int(args[1]))
        return _report(err, ext)
    if cmd == 'events':
        out = g.events(idx(args[0]) if args else None)
        if isinstance(out, int):
            return _report(out, {})
        for _, (dev, evs) in sorted(out.items()):
            print(f'{dev} -')
            for eid, system, name, count in evs:
                print(f'{dev} {system}:{name} {count}')
        return 0
    if cmd == 'setfilter':
        fd = {'file': lambda: os.open('/etc/hostname', os.O_RDONLY),
              'socket_filter': bpf_socket_filter}.get(args[2], lambda: int(args[2]))()
        err, ext, _ = g.request(g.family, CMD_SET_FILTER,
                                u32(A_IFINDEX, idx(args[0])) + u32(A_EVENT_ID, int(args[1])) +
                                nla(A_FILTER_FD, struct.pack('=i', fd)))
        return _report(err, ext)
    if cmd == 'stats':
        err, ext, tot, ncpu = g.stats(idx(args[0]))
        if err:
            return _report(err, ext)
        print(' '.join(f'{k} {v}' for k, v in tot.items()) + f' cpus {ncpu}')
        return 0
    sys.exit(__doc__)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
