#!/usr/bin/env python3
"""Cut two captures of the same device's frames down to the event frames
both hold: CPU and sequence number say which frame is which, whichever
capture started or stopped first. Other frames (metadata) stay.

    pcapcommon.py A B     rewrites A and B in place
"""
import sys

from pcapstat import header, records


def key(fr):
    """(cpu, seq) of an events frame, else None."""
    h = header(fr)
    return (h[1], h[3]) if h and h[0] == 1 else None


def main(paths):
    recs = [list(records(p)) for p in paths]
    both = set.intersection(*({key(fr) for _, fr in r} - {None} for r in recs))
    for p, r in zip(paths, recs):
        with open(p, 'rb') as f:
            head = f.read(24)
        with open(p, 'wb') as f:
            f.write(head)
            for rec, fr in r:
                k = key(fr)
                if k is None or k in both:
                    f.write(rec)


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1:])
