#!/usr/bin/env python3
"""Count tracenet events and sequence gaps per CPU in a pcap file.

An independent reader of the wire format (Documentation/tracenet.rst), used
by the accounting tests: it trusts nothing but the bytes. Sequences of a
fresh device start at 0, so events lost before the first frame count too.
Prints "cpu N events E gaps G next S" per CPU and a "total" line with
the frame counts (meta: metadata and host frames) and the most events a
frame carried.
"""
import struct
import sys


def records(path):
    """Each pcap record of PATH: (the record with its header, the frame)."""
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack_from('<I', data)[0]
    end = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack_from(end + 'IIII', data, off)
        yield data[off:off + 16 + incl], data[off + 16:off + 16 + incl]
        off += 16 + incl


def header(fr):
    """(type, cpu, count, seq) of a tracenet frame of wire version 1, or None."""
    if len(fr) < 30 or struct.unpack_from('>H', fr, 12)[0] != 0x88b5:
        return None
    ver, typ, _, _, cpu, count, seq = struct.unpack_from('>BBBBHHQ', fr, 14)
    return (typ, cpu, count, seq) if ver == 1 else None


def main(path):
    cpus = {}
    nframes = nmeta = largest = 0
    for _, fr in records(path):
        h = header(fr)
        if h is None:
            continue
        typ, cpu, count, seq = h
        if typ != 1:
            nmeta += typ in (2, 3)	# metadata and host frames
            continue
        nframes += 1
        largest = max(largest, count)
        st = cpus.setdefault(cpu, {'events': 0, 'gaps': 0, 'next': 0})
        if seq < st['next']:
            sys.exit(f'cpu {cpu}: sequence went back from {st["next"]} to {seq}')
        st['gaps'] += seq - st['next']
        st['events'] += count
        st['next'] = seq + count
    tot = {'events': 0, 'gaps': 0}
    for cpu in sorted(cpus):
        st = cpus[cpu]
        print(f'cpu {cpu} events {st["events"]} gaps {st["gaps"]} next {st["next"]}')
        tot['events'] += st['events']
        tot['gaps'] += st['gaps']
    print(f'total events {tot["events"]} gaps {tot["gaps"]} frames {nframes} meta {nmeta} largest {largest}')


if __name__ == '__main__':
    main(sys.argv[1])
