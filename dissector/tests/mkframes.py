#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Hand-made tracenet captures for the dissector's host tests.

    mkframes.py cases DIR     DIR/cases.pcap, DIR/udp.pcap, DIR/startup.pcap
                              and DIR/cases.json: what tshark must show
    mkframes.py corpus N SEED FILE
                              N frames of a plausible capture (metadata,
                              some of it in parts, host frames, single and
                              batched events of real formats, sequence
                              gaps), for editcap -E to damage
    mkframes.py garbage N SEED FILE
                              N frames of random bytes behind headers that
                              are nearly right
    mkframes.py tracefs DIR   a tracefs tree of the test formats, for
                              tracenetctl formats -t and TRACENET_TRACEFS
    mkframes.py dump N SEED FILE
                              N frames of events whose print fmt has octal
                              and hex conversions, which tracenetctl dump
                              -R prints fields with (tncompare.py)

Frames are written from Documentation/tracenet.rst's byte tables, not from
the dissector; everything is deterministic (seeded), so a failure repeats.
"""
import json
import os
import random
import struct
import sys

import tnpcap

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', '..', 'tools', 'tests', 'fixtures')
TS = 1700000000123456789

SIGNED, DYNAMIC, RELATIVE, STRING, ARRAY, POINTER = 1, 2, 4, 8, 16, 32
F_BIG, F_LONG64, F_MORE = 1, 2, 4


def fixture(name):
    path = os.path.join(HERE, name) if name.startswith('tn_') else os.path.join(FIXTURES, name)
    with open(path) as f:
        return f.read()


# Field tables as tracenetctl attach sends them (libtraceevent's flags),
# written out by hand: (offset, size, flags, name, C type).
TABLES = {
    'sched_switch': (372, 'sched', 'sched_switch.format', [
        (8, 16, STRING | ARRAY, 'prev_comm', 'char[16]'),
        (24, 4, SIGNED, 'prev_pid', 'pid_t'),
        (28, 4, SIGNED, 'prev_prio', 'int'),
        (32, 8, SIGNED, 'prev_state', 'long'),
        (40, 16, STRING | ARRAY, 'next_comm', 'char[16]'),
        (56, 4, SIGNED, 'next_pid', 'pid_t'),
        (60, 4, SIGNED, 'next_prio', 'int')]),
    'netif_receive_skb': (2303, 'net', 'netif_receive_skb.format', [
        (8, 8, POINTER, 'skbaddr', 'void *'),
        (16, 4, 0, 'len', 'unsigned int'),
        (20, 4, DYNAMIC | STRING | ARRAY, 'name', '__data_loc char[]')]),
    'sched_process_exec': (365, 'sched', 'sched_process_exec.format', [
        (8, 4, DYNAMIC | STRING | ARRAY, 'filename', '__data_loc char[]'),
        (12, 4, SIGNED, 'pid', 'pid_t'),
        (16, 4, SIGNED, 'old_pid', 'pid_t')]),
    'tn_types': (3000, 'tn_test', 'tn_types.format', [
        (8, 1, 0, 'on', 'bool'),
        (9, 1, SIGNED, 's8v', 's8'),
        (10, 2, 0, 'u16v', 'u16'),
        (12, 4, SIGNED, 's32v', 'int'),
        (16, 8, SIGNED, 's64v', 's64'),
        (24, 8, 0, 'u64v', 'u64'),
        (32, 8, POINTER, 'ptr', 'void *'),
        (40, 8, 0, 'ulongv', 'unsigned long'),
        (48, 4, 0, 'gfp_flags', 'unsigned int'),
        (52, 4, STRING | ARRAY, 'saddr', '__u8[4]'),
        (56, 16, STRING | ARRAY, 'daddr_v6', '__u8[16]'),
        (72, 12, ARRAY, 'vals', 'u32[3]'),
        (84, 16, SIGNED | STRING | ARRAY, 'comm', 'char[16]'),
        (100, 4, SIGNED | DYNAMIC | STRING | ARRAY, 'str', '__data_loc char[]'),
        (104, 4, DYNAMIC | STRING | ARRAY, 'blob', '__data_loc u8[]'),
        (108, 4, SIGNED | DYNAMIC | RELATIVE | STRING | ARRAY, 'rel', '__rel_loc char[]')]),
    # 7.3's sys_enter_openat prints its mode in octal ("0%03o").
    'tn_modes': (3001, 'tn_test', 'tn_modes.format', [
        (8, 8, 0, 'dfd', 'int'),
        (16, 8, 0, 'mode', 'umode_t'),
        (24, 4, 0, 'flags', 'unsigned int'),
        (28, 4, SIGNED, 'uid', 'int')]),
}


def pad4(b):
    return b + b'\0' * (-len(b) % 4)


def tlv(typ, val, length=None):
    return struct.pack('>HH', typ, len(val) if length is None else length) + pad4(val)


def hdr(ftype, count, seq=0, cpu=1, flags=F_LONG64, version=1, hdr_len=16, extra=b''):
    return struct.pack('>BBBBHHQ', version, ftype, flags, hdr_len, cpu, count, seq) + extra


def event(ident, tlvs, pid=42, comm=b'bash', ts=TS, nfields=None, length=None, cflags=0):
    body = b''.join(tlvs)
    n = len(tlvs) if nfields is None else nfields
    size = 40 + len(body) if length is None else length
    return struct.pack('>HHIQIBBH16s', size, n, ident, ts, pid, cflags, 1, 0, comm) + body


def meta_field(offset, size, flags, name, ctype):
    return struct.pack('>HHI', offset, size, flags) + name.encode() + b'\0' + ctype.encode() + b'\0'


def meta(name, ident=None, table=True, tlvs=None, length=None):
    """A metadata record of one of TABLES, or of @tlvs as given."""
    tid, system, fname, fields = TABLES[name]
    ident = tid if ident is None else ident
    if tlvs is None:
        tlvs = [tlv(1, system.encode() + b'\0'), tlv(2, name.encode() + b'\0'),
                tlv(3, fixture(fname).encode() + b'\0')]
        if table:
            tlvs += [tlv(4, meta_field(*f)) for f in fields]
    body = b''.join(tlvs)
    return struct.pack('>HHI', 8 + len(body) if length is None else length, 0, ident) + body


def parts(record, cuts, flags=F_LONG64, cpu=1):
    """Metadata frames carrying @record in parts, cut at the byte offsets
    @cuts: seq is each part's offset, all but the last have F_MORE."""
    edges = [0] + list(cuts) + [len(record)]
    return [hdr(2, 1, a, cpu=cpu, flags=flags | (F_MORE if b < len(record) else 0)) + record[a:b]
            for a, b in zip(edges, edges[1:])]


def eth(payload, src, ethertype=0x88B5):
    return src + src + struct.pack('>H', ethertype) + payload


def le(v, size, signed=False):
    return v.to_bytes(size, 'little', signed=signed)


def sched_switch(prev=b'bash', prev_pid=42, state=1, nxt=b'swapper/1', next_pid=0, big=False):
    o = 'big' if big else 'little'
    return [tlv(0, prev.ljust(16, b'\0')), tlv(1, prev_pid.to_bytes(4, o, signed=True)),
            tlv(2, (120).to_bytes(4, o)), tlv(3, state.to_bytes(8, o, signed=True)),
            tlv(4, nxt.ljust(16, b'\0')), tlv(5, next_pid.to_bytes(4, o, signed=True)),
            tlv(6, (120).to_bytes(4, o))]


def tn_types(big=False, **over):
    o = 'big' if big else 'little'
    v = dict(on=b'\1', s8v=(-5).to_bytes(1, o, signed=True), u16v=(65535).to_bytes(2, o),
             s32v=(-123456).to_bytes(4, o, signed=True),
             s64v=(-9000000000000).to_bytes(8, o, signed=True),
             u64v=(2**64 - 1).to_bytes(8, o), ptr=(0xffff888012345678).to_bytes(8, o),
             ulongv=(0xdeadbeef).to_bytes(8, o), gfp_flags=(3264).to_bytes(4, o),
             saddr=bytes([10, 99, 0, 1]), daddr_v6=bytes.fromhex('fe800000000000000000000000000001'),
             vals=b''.join(x.to_bytes(4, o) for x in (1, 2, 2**32 - 1)),
             comm=b'bash'.ljust(16, b'\0'), str=b'hello\0', blob=b'\x00\xff\x10',
             rel=b'relstr\0')
    v.update(over)
    return [tlv(i, v[f[3]]) for i, f in enumerate(TABLES['tn_types'][3])]


TN_TYPES_TEXT = ['on=1', 's8v=-5', 'u16v=65535', 's32v=-123456', 's64v=-9000000000000',
                 'u64v=18446744073709551615', 'ptr=0xffff888012345678', 'ulongv=0xdeadbeef',
                 'gfp_flags=3264', 'saddr=10.99.0.1', 'daddr_v6=fe80::1',
                 'vals={1, 2, 4294967295}', 'comm=bash', 'str=hello', 'blob=00ff10',
                 'rel=relstr']


class Cases:
    """Frames with what tshark must show for them."""

    def __init__(self):
        self.frames = []
        self.checks = []
        self.tags = {}
        self.src_n = 0
        self.one_part_types = None  # frame of a tn_types event after one-part metadata
        self.same_named = []        # (that frame, a frame that must decode the same, why)

    def source(self):
        """A producer of its own: formats and sequences are per source."""
        self.src_n += 1
        return bytes([0x02, 0x74, 0x6e, 0x01, 0x00, self.src_n])

    def add(self, case, payload, src, tags=(), ethertype=0x88B5, wrap=None, **check):
        fr = eth(payload, src, ethertype) if wrap is None else wrap(payload, src)
        self.frames.append((TS + len(self.frames) * 1000, fr))
        n = len(self.frames)
        check.update(case=case, frame=n)
        self.checks.append(check)
        for t in tags:
            self.tags.setdefault(t, []).append(n)
        return n


def vlan(payload, src):
    return src + src + struct.pack('>HHH', 0x8100, 7, 0x88B5) + payload


def padded(payload, src):
    fr = eth(payload, src)
    return fr + b'\0' * (60 - len(fr))


def ipv4_udp(payload, src, port=7777):
    udp = struct.pack('>HHHH', 40000, port, 8 + len(payload), 0) + payload
    ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    s = sum(struct.unpack('>10H', ip))
    s = (s & 0xffff) + (s >> 16)
    ip = ip[:10] + struct.pack('>H', ~s & 0xffff) + ip[12:]
    return b'\x02\0\0\0\0\x02' + src + b'\x08\x00' + ip + udp


def build_cases(c):
    m = lambda name, **kw: hdr(2, 1, 0) + meta(name, **kw)

    s = c.source()
    c.add('metadata frame', m('sched_switch'), s, info='metadata: sched:sched_switch (id 372)',
          no_expert=True, tags=['meta'])
    c.add('one sched_switch', hdr(1, 1, 10) + event(372, sched_switch()), s,
          info='bash-42 [001] sched_switch: prev_comm=bash prev_pid=42 prev_prio=120 prev_state=1 '
               'next_comm=swapper/1 next_pid=0 next_prio=120',
          fields=['prev_comm=bash', 'next_pid=0', 'prev_state=1'], no_expert=True,
          tags=['next_pid0', 'switch'])
    c.add('batched frame', hdr(1, 3, 11) + b''.join(
        event(372, sched_switch(next_pid=p, nxt=b'ping')) for p in (7, 0, 9)), s,
        info='(+2 more)', seqs=[11, 12, 13], fields=['next_pid=7', 'next_pid=0', 'next_pid=9'],
        no_expert=True, tags=['next_pid0', 'switch', 'batched'])
    c.add('sequence gap', hdr(1, 1, 20) + event(372, sched_switch(next_pid=5)), s,
          expert=['6 events lost on CPU 1'], lost=6, tags=['lost', 'switch'])
    c.add('sequence back', hdr(1, 1, 3) + event(372, sched_switch(next_pid=5)), s,
          expert=['CPU 1 sequence went back from 21 to 3'], tags=['switch'])
    c.add('other CPU, own sequence', hdr(1, 1, 500, cpu=0) + event(372, sched_switch(next_pid=5)), s,
          no_expert=True, tags=['switch'])

    s = c.source()
    c.add('types metadata', m('tn_types'), s, no_expert=True)
    c.one_part_types = c.add('every field type', hdr(1, 1, 0) + event(3000, tn_types()), s,
          fields=TN_TYPES_TEXT,
          info='bash-42 [001] tn_types: on=1 s32v=-123456 u16v=0xffff ptr=0xffff888012345678 str=hello',
          no_expert=True, tags=['types'])
    s = c.source()
    c.add('types metadata, big-endian producer', hdr(2, 1, 0, flags=F_LONG64 | F_BIG) +
          meta('tn_types'), s, no_expert=True)
    c.add('every field type, big-endian', hdr(1, 1, 0, flags=F_LONG64 | F_BIG) +
          event(3000, tn_types(big=True)), s, fields=TN_TYPES_TEXT, no_expert=True, tags=['types'])
    c.add('string without NUL, empty string', hdr(1, 1, 1) + event(3000, tn_types(
        comm=b'abcdefghijklmnop', str=b'')), s, fields=['comm=abcdefghijklmnop', 'str='],
        no_expert=True, tags=['types2'])
    c.add('bytes that are not UTF-8', hdr(1, 1, 2) + event(3000, tn_types(
        str=b'\xff\xfe\x80bad\0', comm=b'\xc3\x28x'.ljust(16, b'\0'))), s, no_expert=True,
        tags=['types2'])
    c.add('scalar field of the wrong length', hdr(1, 1, 3) + event(3000, tn_types(
        s32v=b'\1\2\3\4\5\6\7\x08')), s, expert=['s32v: 8 bytes for a field of 4'],
        tags=['badlen'])
    c.add('address of the wrong length', hdr(1, 1, 4) + event(3000, tn_types(saddr=b'\1\2')), s,
          expert=['saddr: address of unexpected length'], tags=['badaddr'])

    s = c.source()
    c.add('event before its metadata', hdr(1, 1, 0) + event(365, [
        tlv(0, b'/bin/true\0'), tlv(1, le(5, 4)), tlv(2, le(5, 4))]), s,
        info='bash-42 [001] event id 365 (no metadata yet)',
        expert=['no metadata for event id 365 (yet)'], tags=['unknown'], nfield_items=3)
    c.add('metadata without field table', m('sched_process_exec', table=False), s, no_expert=True)
    c.add('event after its metadata', hdr(1, 1, 1) + event(365, [
        tlv(0, b'/bin/true\0'), tlv(1, le(5, 4)), tlv(2, le(5, 4))]), s,
        info='sched_process_exec: filename=/bin/true pid=5 old_pid=5', no_expert=True,
        tags=['exec'])

    s = c.source()
    for n in (0, 1, 15):
        c.add(f'{n}-byte frame', bytes(range(n)), s, expert=['truncated tracenet header'],
              tags=['malformed'])
    for v in (0, 2, 255):
        c.add(f'version {v}', hdr(1, 1, 0, version=v) + event(372, sched_switch()), s,
              expert=[f'wire version {v}'], tags=['badversion'])
    c.add('header length 8', hdr(1, 0, hdr_len=8), s, expert=['header length 8 shorter than 16'],
          tags=['malformed'])
    c.add('header length past the end', hdr(1, 0, hdr_len=200), s,
          expert=['header length 200 past the end of the frame'], tags=['malformed'])
    c.add('unknown frame type', hdr(7, 1, 0), s, expert=['unknown frame type 7'], info='frame type 7')
    c.add('events frame, count 0', hdr(1, 0, 0), s, no_expert=True)
    c.add('metadata frame, count 0', hdr(2, 0, 0), s, no_expert=True)
    c.add('count past the events', hdr(1, 3, 0, cpu=2) + event(372, sched_switch()), s,
          expert=['event 2 of 3: truncated (0 bytes left, header is 40)'],
          tags=['malformed', 'unknown', 'count'])
    c.add('event length 20', hdr(1, 1, 0, cpu=3) + event(372, sched_switch(), length=20), s,
          expert=['length 20 shorter than its header (40)'], tags=['malformed'])
    c.add('event length 65535', hdr(1, 1, 0, cpu=4) + event(372, sched_switch(), length=65535), s,
          expert=['length 65535 past the end of the frame'], tags=['malformed'])
    c.add('65535 events announced', hdr(1, 65535, 0, cpu=5), s,
          expert=['event 1 of 65535: truncated'], tags=['malformed', 'count'])
    c.add('unknown id, 200 fields announced', hdr(1, 1, 0, cpu=6) +
          event(999, [tlv(0, b'ab')], nfields=200), s,
          expert=['200 fields, more than 128', 'field 1 of 200: truncated TLV header'],
          tags=['malformed', 'unknown'])

    s = c.source()
    c.add('metadata', m('sched_switch'), s, no_expert=True)
    c.add('TLV past the end', hdr(1, 1, 0) + event(372, sched_switch()[:6] + [
        struct.pack('>HH', 6, 400) + b'\0\0\0\0']), s,
        expert=['TLV type 6 length 400 past the end'], tags=['malformed', 'switch', 'next_pid0'])
    c.add('TLV type beyond the field table', hdr(1, 1, 1) + event(372, sched_switch() + [
        tlv(50, b'xx')]), s, expert=['field 50: sched:sched_switch has only 7 fields'],
        tags=['malformed', 'switch', 'next_pid0'])
    c.add('bytes after the fields', hdr(1, 1, 2) + event(372, sched_switch()[:-1] + [
        sched_switch()[-1] + b'\0\0\0\0']), s, expert=['4 bytes after its 7 fields'],
        tags=['malformed', 'switch', 'next_pid0'])
    c.add('padded to 60 bytes', hdr(1, 1, 3) + event(372, [tlv(0, b'a\0')], nfields=1), s,
          wrap=padded, no_expert=True, tags=['switch'])
    c.add('longer header (hdr_len 20)', hdr(1, 1, 4, hdr_len=20, extra=b'\xee' * 4) +
          event(372, sched_switch(next_pid=0)), s, no_expert=True, tags=['next_pid0', 'switch'])
    c.add('VLAN-tagged', hdr(1, 1, 5) + event(372, sched_switch(next_pid=77)), s, wrap=vlan,
          fields=['next_pid=77'], no_expert=True, tags=['switch'])

    s = c.source()
    nul = lambda b: b + b'\0'
    bad = [
        ('no system', [tlv(2, nul(b'x')), tlv(3, nul(b'x'))], 'no system'),
        ('string without NUL', [tlv(1, b'sched')], 'system not NUL-terminated'),
        ('system twice', [tlv(1, nul(b'a')), tlv(1, nul(b'b'))], 'system given twice'),
        ('short field TLV', [tlv(4, b'\0' * 6)], 'field 0: length 6 too short'),
        ('dynamic field of size 8', [tlv(4, meta_field(8, 8, DYNAMIC, 'x', 'char[]'))],
         'dynamic field \'x\' of size 8 (must be 4)'),
        ('129 fields', [tlv(4, meta_field(8, 4, 0, f'f{i}', 'int')) for i in range(129)],
         'more than 128 fields'),
        ('field without type', [tlv(4, struct.pack('>HHI', 8, 4, 0) + b'name\0')],
         'name or type not NUL-terminated'),
        ('garbage format, no table', [tlv(1, nul(b'x')), tlv(2, nul(b'y')),
                                      tlv(3, nul(b'\x01garbage'))], 'format text does not parse'),
        ('TLV past the record', [struct.pack('>HH', 1, 99) + b'ab\0\0'], 'past the end'),
    ]
    for i, (desc, tlvs, want) in enumerate(bad):
        c.add(f'metadata: {desc}', hdr(2, 1, 0) + struct.pack('>HHI', 8 + sum(map(len, tlvs)), 0,
                                                               4000 + i) + b''.join(tlvs), s,
              expert=[want], tags=['badmeta'])
    c.add('metadata record length 4', hdr(2, 1, 0) + struct.pack('>HHI', 4, 0, 1), s,
          expert=['metadata record 1 of 1: length 4 shorter than its header (8)'],
          tags=['malformed'])
    c.add('metadata with an unknown TLV', hdr(2, 1, 0) + meta_unknown_tlv(), s, no_expert=True)
    c.add('event of it', hdr(1, 1, 0) + event(4100, sched_switch(next_pid=0)), s,
          no_expert=True, tags=['next_pid0', 'switch'])
    c.add('same id, another event', hdr(2, 1, 0) + meta('tn_types', ident=4100), s,
          expert=['event id 4100 was sched:sched_switch, now tn_test:tn_types'])
    c.add('event of the new definition', hdr(1, 1, 1) + event(4100, tn_types()), s,
          fields=TN_TYPES_TEXT[:3], no_expert=True, tags=['types'])
    build_host_cases(c)
    build_parts_cases(c)


def build_parts_cases(c):
    """Metadata records in parts (Documentation/tracenet.rst, "Metadata
    record"): joined per source; a part missing drops the record."""
    rec = meta('tn_types')  # 1708 bytes: FORMAT TLV at 36, field 'saddr' named at 1500
    assert len(rec) == 1708
    more = lambda i, a, b: f'metadata part {i} (bytes {a}-{b}), more follow'
    last = lambda i, a, b: f'metadata part {i} (bytes {a}-{b}), last'
    types_meta = '; metadata: tn_test:tn_types (id 3000)'
    no_more = {'tracenet.meta.reassembled': [], 'tracenet.meta.name': []}

    # Three parts cut in the FORMAT TLV's header and in a field's name.
    s = c.source()
    p = parts(rec, [38, 1502])
    f1 = c.add('metadata part 1 of 3', p[0], s, info=more(1, 0, 37), no_expert=True,
               values=dict(no_more, **{'tracenet.hdr.flags.more': ['1'],
                                       'tracenet.meta.part.index': ['1'],
                                       'tracenet.meta.part.offset': ['0']}))
    f2 = c.add('metadata part 2 of 3, from the middle of a TLV header', p[1], s,
               info=more(2, 38, 1501), no_expert=True,
               values=dict(no_more, **{'tracenet.meta.part.index': ['2'],
                                       'tracenet.meta.part.offset': ['38']}))
    c.add('metadata part 3 of 3, from the middle of a string: record joined', p[2], s,
          info=last(3, 1502, 1707) + types_meta, no_expert=True,
          values={'tracenet.hdr.flags.more': ['0'], 'tracenet.meta.part.index': ['3'],
                  'tracenet.meta.reassembled': ['1708'], 'tracenet.meta.name': ['tn_types'],
                  'tracenet.meta.reassembled.frame': [str(f1), str(f2), str(f2 + 1)],
                  'tracenet.padding': []})
    c.same_named = [(c.one_part_types, c.add(
        'event after metadata in 3 parts: decodes', hdr(1, 1, 0) + event(3000, tn_types()), s,
        fields=TN_TYPES_TEXT, no_expert=True, tags=['types']), 'metadata in 3 parts')]

    # A part missing: the record is dropped, said once; the events of its
    # id stay unknown. Before it, the tail of a record whose start the
    # capture missed.
    s = c.source()
    p = parts(rec, [600, 1200, 1500])
    c.add('metadata part of a record begun before the capture', parts(rec, [1502])[1], s,
          info='metadata part (bytes 1502-1707), last', only_expert=True,
          expert=['metadata part at byte 1502, a first part (byte 0) expected: record dropped'])
    c.add('metadata part 1 of 4', p[0], s, info=more(1, 0, 599), no_expert=True)
    dropped = c.add('metadata part 3 of 4 without part 2: record dropped', p[2], s,
                    info='metadata part (bytes 1200-1499), more follow', only_expert=True,
                    expert=['metadata part at byte 1200, byte 600 expected: record dropped'],
                    values=dict(no_more, **{'tracenet.meta.part.index': []}))
    c.add('metadata part 4 of 4, of the dropped record: not reported again', p[3], s,
          info=f'metadata part (bytes 1500-1707), last, of the record dropped in frame {dropped}',
          no_expert=True, values=no_more)
    c.add('event after a record in parts that lost a part: unknown', hdr(1, 1, 0) +
          event(3000, tn_types()), s, info='event id 3000 (no metadata yet)',
          expert=['no metadata for event id 3000 (yet)'], tags=['unknown'])

    # A first part twice: the second restarts; a record whose first part
    # is 1 byte (half its length) and whose last part is padded to 60 bytes.
    s = c.source()
    first = c.add('metadata part 1 of sched_switch', parts(meta('sched_switch'), [500])[0], s,
                  info=more(1, 0, 499), no_expert=True)
    p = parts(rec, [1, 700, 1690])
    c.add('metadata part at byte 0 again: restarts the record', p[0], s,
          info=more(1, 0, 0) + ', restarts the record', only_expert=True,
          expert=[f'restarts the record: the 500 bytes gathered since frame {first} dropped'])
    c.add('metadata part 2 of 4, from the middle of the record length', p[1], s,
          info=more(2, 1, 699), no_expert=True)
    c.add('metadata part 3 of 4', p[2], s, info=more(3, 700, 1689), no_expert=True)
    c.add('metadata part 4 of 4, padded to 60 bytes: record joined', p[3], s, wrap=padded,
          info=last(4, 1690, 1707) + types_meta, no_expert=True,
          values={'tracenet.meta.reassembled': ['1708'], 'tracenet.padding': ['00' * 12]})
    c.same_named.append((c.one_part_types, c.add(
        'event after a restarted record in parts: decodes', hdr(1, 1, 0) +
        event(3000, tn_types()), s, fields=TN_TYPES_TEXT, no_expert=True, tags=['types']),
        'restarted metadata in 4 parts'))
    c.add('event of the record the restart dropped: unknown', hdr(1, 1, 1) +
          event(372, sched_switch()), s, expert=['no metadata for event id 372 (yet)'],
          tags=['unknown'])

    # 64 KiB: a record of 65532 bytes (an unknown TLV makes it so) in 8
    # parts decodes; 8 bytes more and it is dropped at the part that
    # passes 65535 bytes, the rest of it not reported again.
    s = c.source()
    body = rec[8:] + tlv(9, b'\xab' * (65532 - len(rec) - 4))
    big = struct.pack('>HHI', 8 + len(body), 0, 3000) + body
    assert len(big) == 65532
    p = parts(big, range(8192, len(big), 8192))
    for i, part in enumerate(p[:-1], 1):
        c.add(f'metadata part {i} of a 65532-byte record', part, s,
              info=more(i, 8192 * (i - 1), 8192 * i - 1), no_expert=True)
    c.add('metadata part 8 of a 65532-byte record: record joined', p[-1], s,
          info=last(8, 57344, 65531) + types_meta, no_expert=True,
          values={'tracenet.meta.reassembled': ['65532']})
    c.same_named.append((c.one_part_types, c.add(
        'event after a 65532-byte record in parts: decodes', hdr(1, 1, 0) +
        event(3000, tn_types()), s, fields=TN_TYPES_TEXT, no_expert=True, tags=['types']),
        'metadata of 65532 bytes in 8 parts'))
    over = struct.pack('>HHI', 0xffff, 0, 3001) + body + b'\0' * 8
    p = parts(over, range(8192, len(over), 8192))
    assert len(p) == 9
    for i, part in enumerate(p[:7], 1):
        c.add(f'metadata part {i} of a 65540-byte record', part, s,
              info=more(i, 8192 * (i - 1), 8192 * i - 1), no_expert=True)
    too_big = c.add('metadata part 8 of a 65540-byte record: over 64 KiB, dropped', p[7], s,
                    info='metadata part 8 (bytes 57344-65535), more follow', only_expert=True,
                    expert=['metadata record in parts over 64 KiB (65536 bytes with part 8): dropped'],
                    tags=['badmeta'], values=no_more)
    c.add('metadata part 9 of the dropped record: not reported again', p[8], s,
          info=f'metadata part 9 (bytes 65536-65539), last, of the record dropped in frame {too_big}',
          no_expert=True, values=no_more)
    c.add('event of the dropped record\'s id: unknown', hdr(1, 1, 1) + event(3001, tn_types()), s,
          expert=['no metadata for event id 3001 (yet)'], tags=['unknown'])


# Host frames: a boot id, a clock sample (TAI 37 s ahead, up 3 h 25 min,
# 10 s of it suspended), and how tshark shows them (-T fields).
BOOT_ID = bytes.fromhex('1234abcd5678ef0190ab2345cdef6789')
CLOCK = (TS, TS + 37000000000, 12345678901234, 12355678901234)
HOST_VALUES = {
    'tracenet.host.boot_id': ['1234abcd-5678-ef01-90ab-2345cdef6789'],
    'tracenet.host.clock.realtime': ['Nov 14, 2023 22:13:20.123456789 UTC'],
    'tracenet.host.clock.tai': [str(CLOCK[1])],
    'tracenet.host.clock.monotonic': ['12345.678901234'],
    'tracenet.host.clock.boottime': ['12355.678901234'],
    'tracenet.host.clock.tai_offset': ['37000000000'],
    'tracenet.host.unknown': [],
}
VALUE_FIELDS = ['tracenet.hdr.type', 'tracenet.host', 'tracenet.host.name'] + list(HOST_VALUES) + [
    'tracenet.hdr.flags.more', 'tracenet.meta.part.index', 'tracenet.meta.part.offset',
    'tracenet.meta.reassembled', 'tracenet.meta.reassembled.frame', 'tracenet.meta.name',
    'tracenet.padding']


def host(*tlvs, count=None):
    """A host frame of @tlvs; @count TLVs announced (default: all)."""
    return hdr(3, len(tlvs) if count is None else count, 0, cpu=2) + b''.join(tlvs)


def host_name(name):
    return tlv(1, name + b'\0')


def host_clock(clock=CLOCK):
    return tlv(3, struct.pack('>4Q', *clock))


def build_host_cases(c):
    s = c.source()
    v = lambda name, **kw: dict(HOST_VALUES, **{'tracenet.hdr.type': ['3'], 'tracenet.host': [name],
                                                'tracenet.host.name': [name]}, **kw)
    c.add('host frame: name, boot id, clocks', host(host_name(b'hostA'), tlv(2, BOOT_ID), host_clock()),
          s, info='host: hostA (boot 1234abcd\u2026)', no_expert=True, values=v('hostA'),
          tags=['hostA', 'count', 'boot'])
    c.add('metadata after a host frame: its host', hdr(2, 1, 0) + meta('sched_switch'), s,
          no_expert=True, values={'tracenet.host': ['hostA'], 'tracenet.host.name': []},
          tags=['hostA'])
    c.add('event after a host frame: its host', hdr(1, 1, 0) + event(372, sched_switch()), s,
          no_expert=True, fields=['next_pid=0'], values={'tracenet.host': ['hostA']},
          tags=['hostA', 'switch', 'next_pid0'])
    c.add('host frame without boot id', host(host_name(b'hostB'), host_clock((1, 2, 3, 4))), s,
          info='host: hostB', no_expert=True,
          values=v('hostB', **{'tracenet.host.boot_id': [],
                               'tracenet.host.clock.realtime': ['Jan  1, 1970 00:00:00.000000001 UTC'],
                               'tracenet.host.clock.tai': ['2'],
                               'tracenet.host.clock.monotonic': ['0.000000003'],
                               'tracenet.host.clock.boottime': ['0.000000004'],
                               'tracenet.host.clock.tai_offset': ['1']}),
          tags=['count'])
    c.add('host frame with an unknown TLV type 9, skipped', host(
        tlv(9, b'future'), host_name(b'hostB'), tlv(2, BOOT_ID), host_clock(), tlv(9, b'')), s,
        info='host: hostB (boot 1234abcd', no_expert=True,
        values=v('hostB', **{'tracenet.host.unknown': ['000900066675747572650000', '00090000']}),
        tags=['count', 'boot'])
    c.add('host frame: TAI behind realtime', host(host_name(b'hostB'), host_clock((10**9, 0, 0, 0))),
          s, no_expert=True, values={'tracenet.host.clock.tai_offset': ['-1000000000']},
          tags=['count'])
    clock = host_clock()
    broken = [
        ('TLV length past the frame', [host_name(b'x'), struct.pack('>HH', 3, 400) + b'\0' * 8],
         'host TLV 2 of 2: TLV type 3 length 400 past the end (8 bytes left)'),
        ('TLV length 65535', [host_name(b'x'), clock, struct.pack('>HH', 2, 65535)],
         'host TLV 3 of 3: TLV type 2 length 65535 past the end (0 bytes left)'),
        ('unknown TLV of length 65535', [struct.pack('>HH', 9, 65535)],
         'host TLV 1 of 1: TLV type 9 length 65535 past the end'),
        ('truncated TLV header', [host_name(b'x'), clock, b'\0\3'],
         'host TLV 3 of 3: truncated TLV header (2 bytes left)'),
        ('count past the TLVs', [host_name(b'x'), clock, None],
         'host TLV 3 of 3: truncated TLV header (0 bytes left)'),
        ('boot id of 20 bytes', [host_name(b'x'), tlv(2, BOOT_ID + b'\xff' * 4)],
         'host frame: boot id of 20 bytes, not 16'),
        ('clock of 16 bytes', [host_name(b'x'), tlv(3, b'\1' * 16)],
         'host frame: clock sample of 16 bytes, not 32'),
        ('no name', [clock], 'host frame without a name'),
        ('name without NUL', [tlv(1, b'abcd'), clock], 'host frame: host name not NUL-terminated'),
        ('name twice', [host_name(b'x'), host_name(b'y')], 'host frame: host name given twice'),
        ('count 0', [], 'host frame without a name'),
    ]
    for desc, tlvs, want in broken:
        n = len(tlvs)
        tlvs = [t for t in tlvs if t is not None]
        c.add(f'host frame: {desc}', host(*tlvs, count=n), s, expert=[want],
              tags=['malformed'] + (['count'] if n > 1 else []))
    c.add('event after broken host frames: the last good host', hdr(1, 1, 1) + event(
        372, sched_switch(next_pid=3)), s, no_expert=True, values={'tracenet.host': ['hostB']},
        tags=['switch'])
    c.add('another source: no host', hdr(1, 1, 0) + event(372, sched_switch(next_pid=3)),
          c.source(), values={'tracenet.host': []}, tags=['unknown'])


def meta_unknown_tlv():
    """sched_switch's record with a TLV type 9 a newer producer might add."""
    tid, system, fname, fields = TABLES['sched_switch']
    tlvs = [tlv(1, b'sched\0'), tlv(9, b'future'), tlv(2, b'sched_switch\0'),
            tlv(3, fixture(fname).encode() + b'\0')] + [tlv(4, meta_field(*f)) for f in fields]
    body = b''.join(tlvs)
    return struct.pack('>HHI', 8 + len(body), 0, 4100) + body


def build_udp(c):
    s = c.source()
    c.add('metadata over UDP', hdr(2, 1, 0) + meta('sched_switch'), s, wrap=ipv4_udp,
          info='metadata: sched:sched_switch (id 372)')
    c.add('event over UDP', hdr(1, 1, 0) + event(372, sched_switch(next_pid=31)), s,
          wrap=ipv4_udp, fields=['next_pid=31'], no_expert=True)


def build_startup(c):
    s = c.source()
    c.add('no metadata, start-up format by id', hdr(1, 1, 0) + event(3000, tn_types()), s,
          fields=TN_TYPES_TEXT, tags=['startup'])
    c.add('no metadata, tracefs format found by id', hdr(1, 1, 1) + event(374, [
        tlv(0, b'kworker/1:2'.ljust(16, b'\0')), tlv(1, le(9, 4)), tlv(2, le(120, 4)),
        tlv(3, le(1, 4))]), s, fields=['comm=kworker/1:2', 'pid=9', 'prio=120', 'target_cpu=1'],
        tags=['startup'])


# Display filters of the named-field run: (filter, tags of the frames it
# must select; "types" are tn_types events with the default values).
FILTERS = [
    ('tracenet.sched_switch.next_pid == 0', ['next_pid0']),
    ('tracenet.field == "next_pid=0"', ['next_pid0']),
    ('tracenet.event == "sched:sched_switch"', ['switch']),
    ('tracenet.tn_types.s64v == -9000000000000', ['types', 'types2', 'badlen', 'badaddr']),
    ('tracenet.tn_types.ptr == 0xffff888012345678', ['types', 'types2', 'badlen', 'badaddr']),
    ('tracenet.tn_types.saddr == 10.99.0.1', ['types', 'types2', 'badlen']),
    ('tracenet.tn_types.daddr_v6 == fe80::1', ['types', 'types2', 'badlen', 'badaddr']),
    ('tracenet.tn_types.s32v == -123456', ['types', 'types2', 'badaddr']),
    ('tracenet.tn_types.on == 1 && tracenet.tn_types.str == "hello"',
     ['types', 'badlen', 'badaddr']),
    ('tracenet.tn_types.u64v == 18446744073709551615', ['types', 'types2', 'badlen', 'badaddr']),
    ('tracenet.sched_process_exec.filename == "/bin/true"', ['exec']),
    ('tracenet.unknown', ['unknown']),
    ('tracenet.lost == 6', ['lost']),
    ('tracenet.hdr.count > 1', ['batched', 'count']),
    ('tracenet.malformed', ['malformed']),
    ('_ws.expert.message contains "wire version"', ['badversion']),
    ('tracenet.expert.bad_metadata', ['badmeta']),
    ('tracenet.host == "hostA"', ['hostA']),
    ('tracenet.host.boot_id == 1234abcd-5678-ef01-90ab-2345cdef6789', ['boot']),
    ('tracenet.hdr.type == 3 && tracenet.host.clock.tai_offset == 37000000000 && !tracenet.malformed',
     ['boot']),
]


def write_cases(out):
    c = Cases()
    build_cases(c)
    tnpcap.write_pcap(os.path.join(out, 'cases.pcap'), c.frames)
    u = Cases()
    u.src_n = 100
    build_udp(u)
    tnpcap.write_pcap(os.path.join(out, 'udp.pcap'), u.frames)
    st = Cases()
    st.src_n = 200
    build_startup(st)
    tnpcap.write_pcap(os.path.join(out, 'startup.pcap'), st.frames)
    filters = [{'filter': f, 'frames': sorted(set(n for t in tags for n in c.tags.get(t, [])))}
               for f, tags in FILTERS]
    named = ['tracenet.tn_types.' + f[3] for f in TABLES['tn_types'][3]]
    with open(os.path.join(out, 'cases.json'), 'w') as f:
        json.dump({'cases': c.checks, 'udp': u.checks, 'startup': st.checks,
                   'filters': filters, 'value_fields': VALUE_FIELDS,
                   'same_named': {'fields': named, 'pairs': c.same_named}}, f, indent=1)


def rand_event(rnd, big):
    o = 'big' if big else 'little'
    kind = rnd.choice(['sched_switch', 'netif_receive_skb', 'sched_process_exec', 'tn_types'])
    if kind == 'sched_switch':
        return event(372, sched_switch(next_pid=rnd.randrange(0, 4000),
                                       prev_pid=rnd.randrange(0, 4000), big=big),
                     pid=rnd.randrange(0, 4000), cflags=rnd.randrange(256))
    if kind == 'netif_receive_skb':
        dev = rnd.choice([b'eth0', b'veth12345678', b'lo', b''])
        return event(2303, [tlv(0, rnd.getrandbits(64).to_bytes(8, o)),
                            tlv(1, rnd.randrange(2**32).to_bytes(4, o)), tlv(2, dev + b'\0')])
    if kind == 'sched_process_exec':
        name = b'/usr/bin/' + bytes(rnd.choice(b'abcxyz') for _ in range(rnd.randrange(1, 40)))
        return event(365, [tlv(0, name + b'\0'), tlv(1, le(rnd.randrange(99999), 4)),
                           tlv(2, le(rnd.randrange(99999), 4))])
    return event(3000, tn_types(big=big, str=bytes(rnd.randrange(32, 127) for _ in range(
        rnd.randrange(0, 300))) + b'\0'))


def corpus_host(rnd, src, flags):
    """A host frame as the module sends it, with the metadata."""
    now = TS + rnd.randrange(10**12)
    tlvs = [host_name(b'host-' + src[-1:].hex().encode())]
    if src[-1] == 1:
        tlvs.append(tlv(2, BOOT_ID))
    tlvs.append(host_clock((now, now + 37 * 10**9 + rnd.randrange(100), 5 * 10**12,
                            5 * 10**12 + rnd.randrange(10**9))))
    return hdr(3, len(tlvs), 0, cpu=rnd.randrange(4), flags=flags) + b''.join(tlvs)


def write_corpus(n, seed, path):
    """A capture as the module would write it, two producers, several CPUs."""
    rnd = random.Random(seed)
    srcs = [(b'\x02\x74\x6e\x02\x00\x01', 0), (b'\x02\x74\x6e\x02\x00\x02', F_BIG)]
    seqs = {}
    frames = []
    for i in range(n):
        src, big = rnd.choice(srcs)
        flags = F_LONG64 | big
        if i % 50 == 4:
            payload = corpus_host(rnd, src, flags)
        elif i % 50 < 4:
            name = ['sched_switch', 'netif_receive_skb', 'sched_process_exec', 'tn_types'][i % 50]
            record = meta(name, table=rnd.random() < 0.8)
            if rnd.random() < 0.3:
                # In parts, as over a link of a small MTU: cut anywhere.
                size = rnd.randrange(100, 1400)
                frames += [(TS + i * 1000, eth(p, src)) for p in
                           parts(record, range(size, len(record), size), flags=flags)]
                continue
            payload = hdr(2, 1, 0, flags=flags) + record
        else:
            cpu = rnd.randrange(4)
            count = rnd.choice([1, 1, 1, 2, 3, 8, 16])
            seq = seqs.get((src, cpu), 0) + (rnd.randrange(1, 50) if rnd.random() < 0.02 else 0)
            seqs[(src, cpu)] = seq + count
            payload = hdr(1, count, seq, cpu=cpu, flags=flags) + b''.join(
                rand_event(rnd, big) for _ in range(count))
        frames.append((TS + i * 1000, eth(payload, src)))
    tnpcap.write_pcap(path, frames)


def write_dump(n, seed, path):
    """Events of print fmts with octal and hex conversions, of two
    producers of either byte order: tracenetctl dump -R prints those
    fields in octal or hex digits without a prefix."""
    rnd = random.Random(seed)
    srcs = [(b'\x02\x74\x6e\x03\x00\x01', 0), (b'\x02\x74\x6e\x03\x00\x02', F_BIG)]
    frames, seqs = [], {}
    for src, big in srcs:
        for name in ('tn_modes', 'netif_receive_skb', 'sched_process_exec'):
            frames.append((TS, eth(hdr(2, 1, 0, flags=F_LONG64 | big) + meta(name), src)))
    for i in range(n):
        src, big = rnd.choice(srcs)
        o = 'big' if big else 'little'
        if rnd.random() < 0.5:
            mode = rnd.choice([0o644, 0o755, 0o600, 0o4755, 0o10, 0, rnd.randrange(2**16)])
            ev = event(3001, [tlv(0, (2**64 - 100).to_bytes(8, o)), tlv(1, mode.to_bytes(8, o)),
                              tlv(2, rnd.choice([0x10, 0x80000, 0, rnd.randrange(2**32)]).to_bytes(4, o)),
                              tlv(3, rnd.randrange(-2, 70000).to_bytes(4, o, signed=True))])
        else:
            ev = rand_event(rnd, big)
            if ev[4:8] not in ((2303).to_bytes(4, 'big'), (365).to_bytes(4, 'big')):
                continue
        seqs[src] = seqs.get(src, -1) + 1
        frames.append((TS + i * 1000, eth(hdr(1, 1, seqs[src], flags=F_LONG64 | big) + ev, src)))
    tnpcap.write_pcap(path, frames)


def write_garbage(n, seed, path):
    """Random bytes behind headers that are right, nearly right, or not."""
    rnd = random.Random(seed)
    src = b'\x02\x74\x6e\x03\x00\x01'
    frames = []
    part_off = 0
    for i in range(n):
        body = rnd.randbytes(rnd.choice([0, 4, 8, 24, 40, 41, 100, 1500, 9000]))
        r = rnd.random()
        if r < 0.4:
            payload = hdr(rnd.choice([1, 2, 3]), rnd.randrange(0, 5), rnd.getrandbits(64),
                          cpu=rnd.randrange(8), flags=rnd.randrange(8)) + body
        elif r < 0.7:
            n_ev = rnd.randrange(1, 4)
            payload = hdr(1, n_ev, i) + b''.join(
                struct.pack('>HHI', rnd.choice([40, 44, 48, 80, len(body) + 40]),
                            rnd.randrange(0, 140), rnd.choice([372, 2303, 365, 3000, 7]))
                + body[:32] for _ in range(n_ev))
        elif r < 0.75:
            payload = hdr(2, 1, 0) + struct.pack('>HHI', 8 + len(body), 0, 9000) + body
        elif r < 0.8:
            # metadata parts at offsets that are right, nearly right, or not
            off = rnd.choice([0, 0, part_off, part_off, part_off + 1, rnd.getrandbits(16)])
            payload = hdr(2, 1, off, flags=rnd.choice([F_MORE, F_MORE, 0])) + body
            part_off = off + len(body)
        elif r < 0.85:
            # host TLVs of known types and random lengths, random values
            n_tlv = rnd.randrange(0, 5)
            payload = hdr(3, n_tlv, 0) + b''.join(
                struct.pack('>HH', rnd.choice([1, 2, 3, 9]), rnd.choice([0, 4, 16, 32, 33, 65535]))
                + body[:rnd.choice([0, 16, 32])] for _ in range(n_tlv))
        else:
            payload = rnd.randbytes(rnd.randrange(0, 64))
        frames.append((TS + i * 1000, eth(payload, src)))
    tnpcap.write_pcap(path, frames)


def write_tracefs(out):
    """events/SYSTEM/NAME/{format,id}, events/SYSTEM/enable, available_events."""
    events = [('sched', 'sched_switch.format'), ('sched', 'sched_process_exec.format'),
              ('sched', 'sched_wakeup.format'), ('net', 'netif_receive_skb.format'),
              ('tn_test', 'tn_types.format')]
    names = []
    for system, fname in events:
        text = fixture(fname)
        name = text.split('\n')[0].split(': ')[1]
        ident = text.split('\n')[1].split(': ')[1]
        d = os.path.join(out, 'events', system, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(out, 'events', system, 'enable'), 'w') as f:
            f.write('0\n')
        with open(os.path.join(d, 'format'), 'w') as f:
            f.write(text)
        with open(os.path.join(d, 'id'), 'w') as f:
            f.write(ident + '\n')
        names.append(f'{system}:{name}')
    with open(os.path.join(out, 'available_events'), 'w') as f:
        f.write('\n'.join(names) + '\n')


def main(argv):
    if argv[1:2] == ['cases']:
        write_cases(argv[2])
    elif argv[1:2] == ['corpus']:
        write_corpus(int(argv[2]), int(argv[3]), argv[4])
    elif argv[1:2] == ['garbage']:
        write_garbage(int(argv[2]), int(argv[3]), argv[4])
    elif argv[1:2] == ['tracefs']:
        write_tracefs(argv[2])
    elif argv[1:2] == ['dump']:
        write_dump(int(argv[2]), int(argv[3]), argv[4])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv)
