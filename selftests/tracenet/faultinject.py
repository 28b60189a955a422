#!/usr/bin/env python3
"""Fail every allocation of an attach and of a device creation in turn.

    faultinject.py attach DEV     fail the 1st, 2nd, ... allocation of an attach
    faultinject.py newlink        the same for "ip link add tnfi type tracenet"

/proc/thread-self/fail-nth makes the Nth fault-injection point this thread
reaches fail (failslab, fail_page_alloc; Documentation/fault-injection/).
Netlink requests run in the sender's context, so every allocation of the
request is reached. Each run must end in success or a clean error, and an
error must leave nothing behind: no event attached, no device. The loop
ends when a request no longer reaches its Nth point. kmemleak, run after
the suite, finds what an error path forgot to free.
"""
import errno
import os
import socket
import struct
import sys

from tngenl import (Genl, CMD_ATTACH, CMD_GET_EVENTS, CMD_DETACH, A_IFINDEX,
                    A_EVENT_ID, A_SYSTEM, A_NAME, A_FORMAT, A_FIELDS,
                    A_DETACH_ALL, A_EVENT, field_attr, fmt_of, nest, nla, s, u32)

NETLINK_ROUTE, RTM_NEWLINK, RTM_DELLINK = 0, 16, 17
IFLA_IFNAME, IFLA_LINKINFO, IFLA_INFO_KIND = 3, 18, 1
NLM_F_REQUEST, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_DUMP = 1, 4, 0x400, 0x200, 0x300
MAX_NTH = 2000


# Opened once: opening a file allocates, and would take the fault itself
# when a request did not reach it. Reading and writing it do not allocate.
FAIL_NTH = os.open('/proc/thread-self/fail-nth', os.O_RDWR)


def fail_nth(n):
    os.pwrite(FAIL_NTH, str(n).encode(), 0)


def fail_nth_left():
    """0 once the fault fired; the count still to go otherwise."""
    left = int(os.pread(FAIL_NTH, 32, 0))
    fail_nth(0)
    return left


def faulted(send):
    """Run send() with fault injection armed; send returns an errno (0: ok)."""
    n, tally = 0, {}
    while n < MAX_NTH:
        n += 1
        fail_nth(n)
        try:
            err = send()
        except OSError as e:     # the ack itself could not be allocated
            err = e.errno
        fired = fail_nth_left() == 0
        tally[err] = tally.get(err, 0) + 1
        yield n, err, fired
        if not fired:
            break
    names = ', '.join(f'{errno.errorcode.get(e, "ok") if e else "ok"} x{c}'
                      for e, c in sorted(tally.items()))
    print(f'{n} runs: {names}')
    if n >= MAX_NTH:
        sys.exit(f'still reaching new fault points after {MAX_NTH} runs')


def attached(g, ifindex):
    err, _, attrs = g.request(g.family, CMD_GET_EVENTS, u32(A_IFINDEX, ifindex),
                              ack=False, flags=NLM_F_DUMP)
    if err:
        sys.exit(f'listing the events failed: {os.strerror(err)}')
    return A_EVENT in attrs


def attach(dev):
    ifindex = socket.if_nametoindex(dev)
    eid, text = fmt_of('sched', 'sched_switch')
    msg = b''.join([u32(A_IFINDEX, ifindex), u32(A_EVENT_ID, eid), s(A_SYSTEM, 'sched'),
                    s(A_NAME, 'sched_switch'), s(A_FORMAT, text),
                    nest(A_FIELDS, field_attr('prev_pid', 'pid_t', 24, 4, 0))])
    detach_all = u32(A_IFINDEX, ifindex) + nla(A_DETACH_ALL, b'')
    g = Genl()
    g.sk.settimeout(10)
    for n, err, fired in faulted(lambda: g.request(g.family, CMD_ATTACH, msg)[0]):
        have = attached(g, ifindex)
        if err not in (0, errno.ENOBUFS) and have:
            sys.exit(f'allocation {n} failed the attach ({os.strerror(err)}) '
                     'but the event is attached')
        if err == 0 and not have:
            sys.exit(f'allocation {n}: attach succeeded but nothing is attached')
        if have:
            e = g.request(g.family, CMD_DETACH, detach_all)[0]
            if e:
                sys.exit(f'detach failed: {os.strerror(e)}')


class Rtnl:
    def __init__(self):
        self.sk = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
        self.sk.settimeout(10)
        self.sk.bind((0, 0))
        self.seq = 0

    def link(self, typ, name, kind=None, flags=0):
        self.seq += 1
        body = struct.pack('=BxHiII', socket.AF_UNSPEC, 0, 0, 0, 0) + s(IFLA_IFNAME, name)
        if kind:
            body += nest(IFLA_LINKINFO, s(IFLA_INFO_KIND, kind))
        self.sk.send(struct.pack('=IHHII', 16 + len(body), typ,
                                 NLM_F_REQUEST | NLM_F_ACK | flags, self.seq, 0) + body)
        data = self.sk.recv(65536)
        return -struct.unpack_from('=i', data, 16)[0]


def newlink():
    r = Rtnl()
    name = 'tnfi'
    create = lambda: r.link(RTM_NEWLINK, name, 'tracenet', NLM_F_CREATE | NLM_F_EXCL)
    for n, err, fired in faulted(create):
        exists = os.path.exists(f'/sys/class/net/{name}')
        if err not in (0, errno.ENOBUFS) and exists:
            sys.exit(f'allocation {n} failed the creation ({os.strerror(err)}) '
                     'but the device exists')
        if err == 0 and not exists:
            sys.exit(f'allocation {n}: creation succeeded but there is no device')
        if exists:
            e = r.link(RTM_DELLINK, name)
            if e:
                sys.exit(f'deleting {name} failed: {os.strerror(e)}')


if __name__ == '__main__':
    if sys.argv[1:2] == ['attach']:
        attach(sys.argv[2])
    elif sys.argv[1:2] == ['newlink']:
        newlink()
    else:
        sys.exit(__doc__)
