# SPDX-License-Identifier: GPL-2.0
"""Reading and writing pcap files of tracenet frames, with the stdlib only.

An independent reader of the wire format (Documentation/tracenet.rst),
so that the dissector tests do not check the dissector against itself,
and a writer for the hand-made frames of the robustness test.
"""
import struct

ETH_P_TRACENET = 0x88B5
LINKTYPE_ETHERNET = 1
F_MORE = 0x04
MAX_META_PARTS = 65535


def read_pcap(path):
    """Yield (timestamp ns, frame bytes) of a little- or big-endian pcap."""
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack_from('<I', data)[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        end = '<'
    elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
        end = '>'
        magic = struct.unpack_from('>I', data)[0]
    else:
        raise ValueError(f'{path}: not a pcap file (pcapng? write with editcap -F pcap)')
    nano = magic == 0xa1b23c4d
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack_from(end + 'IIII', data, off)
        off += 16
        ns = sec * 10**9 + (frac if nano else frac * 1000)
        yield ns, data[off:off + incl]
        off += incl


def write_pcap(path, frames, snaplen=262144):
    """Write (timestamp ns, bytes) pairs as a microsecond pcap file."""
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, snaplen,
                            LINKTYPE_ETHERNET))
        for ns, fr in frames:
            sec, usec = divmod(ns // 1000, 10**6)
            f.write(struct.pack('<IIII', sec, usec, len(fr), len(fr)))
            f.write(fr)


class Frame:
    """One tracenet frame: header fields, and its events or metadata ids
    (a host frame has neither); a metadata frame that carries a part of a
    record (seq: its byte offset, flag MORE but on the last) has the
    part's bytes in .part instead."""

    def __init__(self, number, src, payload):
        self.number = number
        self.src = src
        (self.version, self.type, self.flags, self.hdr_len, self.cpu,
         self.count, self.seq) = struct.unpack_from('>BBBBHHQ', payload, 0)
        self.events = []        # (id, len) per event
        self.meta_ids = []
        self.records = []       # metadata records, whole
        self.more = bool(self.flags & F_MORE)
        self.part = None
        off = self.hdr_len
        if self.type == 2 and (self.more or self.seq):
            self.part = payload[off:]
            return
        # Host frames (type 3) hold TLVs, not events or records: none here.
        for _ in range(self.count if self.type in (1, 2) else 0):
            n = struct.unpack_from('>H', payload, off)[0]
            ident = struct.unpack_from('>I', payload, off + 4)[0]
            if self.type == 1:
                self.events.append(ident)
            elif self.type == 2:
                self.meta_ids.append(ident)
                self.records.append(payload[off:off + n])
            off += n


def frames(path):
    """The tracenet frames of a capture made by the real module (trusted)."""
    for number, (_, fr) in enumerate(read_pcap(path), 1):
        if len(fr) < 30 or struct.unpack_from('>H', fr, 12)[0] != ETH_P_TRACENET:
            continue
        yield Frame(number, fr[6:12], fr[14:])


def records(fr, chains):
    """The metadata records that metadata frame @fr completes: its own, or
    the record in parts it ends (@chains: per source, the parts gathered
    so far)."""
    if fr.part is None:
        return fr.records
    rec = chains.pop(fr.src, None) if fr.seq else bytearray()
    if rec is None or fr.seq != len(rec) or len(rec) + len(fr.part) > MAX_META_PARTS:
        return []       # a part missing, or too much: record dropped
    rec += fr.part
    if fr.more:
        chains[fr.src] = rec
        return []
    return [bytes(rec)] if len(rec) >= 8 else []


def record_format(rec):
    """The FORMAT text (the tracefs format file) of a metadata record."""
    off = 8
    while off + 4 <= len(rec):
        typ, n = struct.unpack_from('>HH', rec, off)
        if typ == 3:
            return rec[off + 4:off + 4 + n].split(b'\0')[0].decode('utf-8', 'replace')
        off += 4 + (n + 3) // 4 * 4
    return None


def events_in_order(path):
    """(frame number, cpu, seq, id, known) for every event, in capture
    order; known: metadata for its id came in an earlier frame of the
    same source."""
    seen = set()
    out = []
    chains = {}
    for fr in frames(path):
        if fr.type == 2:
            seen.update((fr.src, struct.unpack_from('>I', r, 4)[0]) for r in records(fr, chains))
            continue
        for i, ident in enumerate(fr.events):
            out.append((fr.number, fr.cpu, fr.seq + i, ident, (fr.src, ident) in seen))
    return out


def formats(path):
    """{event id: its tracefs format text}, from the metadata of a capture."""
    out = {}
    chains = {}
    for fr in frames(path):
        for r in records(fr, chains) if fr.type == 2 else ():
            text = record_format(r)
            if text is not None:
                out[struct.unpack_from('>I', r, 4)[0]] = text
    return out


def make_late(src, dst, nevents=20):
    """Copy @src without the metadata frames that come before its
    @nevents-th event: a capture that starts between two rounds of
    metadata, whatever the timing of the real one was."""
    out, seen = [], 0
    skipping = set()    # sources whose record in parts is being left out
    for ts, fr in read_pcap(src):
        is_tn = len(fr) >= 30 and struct.unpack_from('>H', fr, 12)[0] == ETH_P_TRACENET
        if is_tn and fr[15] == 2:
            # A record in parts goes or stays whole, as its first part does.
            more, seq = fr[16] & F_MORE, struct.unpack_from('>Q', fr, 22)[0]
            if seq == 0 and seen < nevents:
                if more:
                    skipping.add(fr[6:12])
                continue
            if seq == 0:
                skipping.discard(fr[6:12])
            elif fr[6:12] in skipping:
                if not more:
                    skipping.discard(fr[6:12])
                continue
        if is_tn and fr[15] == 1:
            seen += struct.unpack_from('>H', fr, 20)[0]
        out.append((ts, fr))
    write_pcap(dst, out)


def event_frames(path, parts=3):
    """Numbers of event frames at 1/parts, 2/parts... of @path: frames
    whose removal makes sequence gaps (editcap's frame list)."""
    ev = [f.number for f in frames(path) if f.type == 1]
    return [ev[len(ev) * i // parts] for i in range(1, parts)] if len(ev) > parts else []


if __name__ == '__main__':
    import sys
    if sys.argv[1:2] == ['late']:
        make_late(sys.argv[2], sys.argv[3])
    elif sys.argv[1:2] == ['gaps']:
        print(' '.join(map(str, event_frames(sys.argv[2]))))
    else:
        sys.exit('usage: tnpcap.py late IN OUT | gaps PCAP')
