#!/usr/bin/env python3
"""Send malformed and hostile generic netlink requests to the tracenet
family and check each is refused with the expected errno and an extack
message, and that nothing was attached.

    badmsg.py DEV          run every case as root (prints TAP-ish lines)
    badmsg.py DEV --unpriv expect EPERM for attach/detach (unprivileged)
"""
import errno
import re
import socket
import struct
import sys

from tngenl import (A_DETACH_ALL, A_EVENT, A_EVENT_ID, A_FIELDS, A_FORMAT, A_IFINDEX,
                    A_NAME, A_SYSTEM, CMD_ATTACH, CMD_DETACH, CMD_GET_EVENTS,
                    CMD_GET_STATS, F_FIELD, F_NAME, F_OFFSET, F_SIZE, F_TYPE,
                    FIELD_DYNAMIC, FIELD_RELATIVE, NLA_F_NESTED, NLM_F_DUMP,
                    NLMSGERR_ATTR_MISS_TYPE, NLMSGERR_ATTR_MSG, Genl, field_attr,
                    fmt_of, nest, nla, s, u16, u32)


# Where an event's own fields start: struct trace_entry is 8 bytes, 12 on
# PREEMPT_RT (preempt_lazy_count, padded); read from the format.
COMMON = 8


def field(name='f', typ='int', off=None, size=4, flags=0):
    return field_attr(name, typ, COMMON if off is None else off, size, flags)


def layout(fmt):
    """name -> (offset, size) of each field of a tracefs format."""
    return {m[0].split()[-1].split('[')[0]: (int(m[1]), int(m[2]))
            for m in re.findall(r'field:([^;]*);\s*offset:(\d+);\s*size:(\d+);', fmt)}


def main():
    dev = sys.argv[1]
    unpriv = '--unpriv' in sys.argv
    ifindex = socket.if_nametoindex(dev)
    g = Genl()
    # An unprivileged caller cannot read tracefs; it is refused before parsing.
    sw_id, sw_fmt = (1, 'x') if unpriv else fmt_of('sched', 'sched_switch')
    prev_pid = (24, 4)
    if not unpriv:
        global COMMON
        lay = layout(sw_fmt)
        COMMON = min(o for f, (o, n) in lay.items() if not f.startswith('common_'))
        prev_pid = lay['prev_pid']
    good = [u32(A_IFINDEX, ifindex), u32(A_EVENT_ID, sw_id), s(A_SYSTEM, 'sched'),
            s(A_NAME, 'sched_switch'), s(A_FORMAT, sw_fmt),
            nest(A_FIELDS, field('prev_pid', 'pid_t', *prev_pid))]

    def attach(*a, drop=()):
        keep = [x for i, x in enumerate(good) if i not in drop]
        return g.request(g.family, CMD_ATTACH, b''.join(keep + list(a)))

    cases = []
    if unpriv:
        cases += [
            ('attach unprivileged', attach(), errno.EPERM, 'CAP_PERFMON'),
            ('detach unprivileged', g.request(g.family, CMD_DETACH,
             u32(A_IFINDEX, ifindex) + nla(A_DETACH_ALL, b'')), errno.EPERM, 'CAP_PERFMON'),
        ]
    else:
        lo = socket.if_nametoindex('lo')
        cases += [
            ('missing ifindex', attach(drop=(0,)), errno.EINVAL, A_IFINDEX),
            ('missing event id', attach(drop=(1,)), errno.EINVAL, A_EVENT_ID),
            ('missing fields', attach(drop=(5,)), errno.EINVAL, A_FIELDS),
            ('ifindex of a non-tracenet device', g.request(g.family, CMD_ATTACH,
             b''.join([u32(A_IFINDEX, lo)] + good[1:])), errno.EOPNOTSUPP, 'not a tracenet device'),
            ('ifindex that does not exist', g.request(g.family, CMD_ATTACH,
             b''.join([u32(A_IFINDEX, 999999)] + good[1:])), errno.ENODEV, 'no such device'),
            ('ifindex as u8', g.request(g.family, CMD_ATTACH,
             b''.join([nla(A_IFINDEX, b'\1')] + good[1:])), errno.EINVAL, None),
            ('event id 0', attach(u32(A_EVENT_ID, 0), drop=(1,)), errno.ERANGE, None),
            ('unknown event id', attach(u32(A_EVENT_ID, 65000), drop=(1,)), errno.ENOENT,
             'no such tracefs event id'),
            ('id names another event', attach(s(A_NAME, 'sched_wakeup'), drop=(3,)),
             errno.EINVAL, 'not the named system:event'),
            ('unterminated system string', attach(nla(A_SYSTEM, b'sched'), drop=(2,)),
             errno.EINVAL, None),
            ('oversized format', attach(s(A_FORMAT, 'x' * 20000), drop=(4,)), errno.EINVAL, None),
            ('unknown top-level attribute', attach(u32(99, 1)), errno.EINVAL, None),
            ('too many fields', attach(nest(A_FIELDS, *[field(f'f{i}') for i in range(200)]),
             drop=(5,)), errno.E2BIG, 'too many fields'),
            ('field inside the common header', attach(nest(A_FIELDS, field(off=2)), drop=(5,)),
             errno.ERANGE, None),
            ('field past the largest record', attach(nest(A_FIELDS, field(off=65530, size=16)),
             drop=(5,)), errno.EINVAL, 'past the largest record'),
            ('__data_loc of 8 bytes', attach(nest(A_FIELDS, field(size=8, flags=FIELD_DYNAMIC)),
             drop=(5,)), errno.EINVAL, '4 bytes'),
            ('__rel_loc not dynamic', attach(nest(A_FIELDS, field(flags=FIELD_RELATIVE)),
             drop=(5,)), errno.EINVAL, 'dynamic'),
            ('unknown field flag', attach(nest(A_FIELDS, field(flags=0x1000)), drop=(5,)),
             errno.EINVAL, None),
            ('field without a name', attach(nest(A_FIELDS, nest(F_FIELD, s(F_TYPE, 'int'),
             u16(F_OFFSET, COMMON), u16(F_SIZE, 4))), drop=(5,)), errno.EINVAL, F_NAME),
            ('field size 0', attach(nest(A_FIELDS, field(size=0)), drop=(5,)), errno.ERANGE, None),
            ('truncated nested attribute', attach(nla(A_FIELDS | NLA_F_NESTED,
             struct.pack('=HH', 40, F_FIELD) + b'\0' * 4), drop=(5,)), errno.EINVAL, None),
            ('detach without id or all', g.request(g.family, CMD_DETACH,
             u32(A_IFINDEX, ifindex)), errno.EINVAL, 'either an event id'),
            ('detach of an unattached event', g.request(g.family, CMD_DETACH,
             u32(A_IFINDEX, ifindex) + u32(A_EVENT_ID, sw_id)), errno.ENOENT, 'not attached'),
            ('stats of a non-tracenet device', g.request(g.family, CMD_GET_STATS,
             u32(A_IFINDEX, lo), ack=False, flags=NLM_F_DUMP), errno.EOPNOTSUPP,
             'not a tracenet device'),
            ('events of a non-tracenet device', g.request(g.family, CMD_GET_EVENTS,
             u32(A_IFINDEX, lo), ack=False, flags=NLM_F_DUMP), errno.EOPNOTSUPP,
             'not a tracenet device'),
            ('stats as a doit', g.request(g.family, CMD_GET_STATS,
             u32(A_IFINDEX, ifindex)), errno.EOPNOTSUPP, None),
            ('one event without its id', g.request(g.family, CMD_GET_EVENTS,
             u32(A_IFINDEX, ifindex)), errno.EINVAL, A_EVENT_ID),
            ('format of an unattached event', g.request(g.family, CMD_GET_EVENTS,
             u32(A_IFINDEX, ifindex) + u32(A_EVENT_ID, sw_id)), errno.ENOENT, 'not attached'),
            ('format on a non-tracenet device', g.request(g.family, CMD_GET_EVENTS,
             u32(A_IFINDEX, lo) + u32(A_EVENT_ID, sw_id)), errno.EOPNOTSUPP,
             'not a tracenet device'),
        ]

    failed = 0
    for name, (err, ext, _), want, msg in cases:
        text = ext.get(NLMSGERR_ATTR_MSG, b'').rstrip(b'\0').decode(errors='replace')
        if isinstance(msg, int):
            # A missing attribute is named by type, not by a message.
            miss = ext.get(NLMSGERR_ATTR_MISS_TYPE)
            text = f'missing attribute {struct.unpack("=I", miss)[0]}' if miss else text
            msg = f'missing attribute {msg}'
        ok = err == want and (msg is None or msg in text)
        if not ok:
            failed += 1
        print(f'{"ok" if ok else "FAIL"}: {name}: {errno.errorcode.get(err, err)} "{text}"'
              + ('' if ok else f' (want {errno.errorcode[want]} "{msg or ""}")'))

    # Whatever happened, nothing may be attached.
    err, _, attrs = g.request(g.family, CMD_GET_EVENTS, u32(A_IFINDEX, ifindex), ack=False,
                              flags=NLM_F_DUMP)
    if err or A_EVENT in attrs:
        print(f'FAIL: events attached after bad requests (err {err})')
        failed += 1
    else:
        print('ok: nothing attached')
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
