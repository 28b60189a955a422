#!/usr/bin/env python3
"""Cut two captures of the same device's frames down to the event frames
both hold: CPU and sequence number say which frame is which, whichever
capture started or stopped first. Other frames (metadata) stay.

    pcapcommon.py A B     rewrites A and B in place
"""
import struct
import sys


def records(data):
    end = '<' if struct.unpack_from('<I', data)[0] in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack_from(end + 'IIII', data, off)[2]
        yield data[off:off + 16 + incl], data[off + 16:off + 16 + incl]
        off += 16 + incl


def key(fr):
    """(cpu, seq) of an events frame, else None."""
    if len(fr) < 30 or struct.unpack_from('>H', fr, 12)[0] != 0x88b5:
        return None
    ver, typ, _, _, cpu, _, seq = struct.unpack_from('>BBBBHHQ', fr, 14)
    return (cpu, seq) if ver == 1 and typ == 1 else None


def main(paths):
    data = [open(p, 'rb').read() for p in paths]
    keys = [{key(fr) for _, fr in records(d)} - {None} for d in data]
    both = keys[0] & keys[1]
    for p, d in zip(paths, data):
        with open(p, 'wb') as f:
            f.write(d[:24])
            for rec, fr in records(d):
                k = key(fr)
                if k is None or k in both:
                    f.write(rec)
        print(f'{p}: {len(both)} of {len(keys[paths.index(p)])} event frames in both')


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1:])
