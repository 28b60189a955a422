#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check what the Wireshark dissector shows against tracenetctl dump.

    tncompare.py filters > FILE
        the display filters of the filter check, one a line (for
        filters.lua: tshark ... -z tnfilter,FILE,OUT)
    tncompare.py check --pcap P --json X --dump D [--named GLOBS]
                 [--filters OUT] [--stats S] [--min-unknown N] [--min-lost N]
        P: the capture; X: tshark -T json --no-duplicate-keys -J tracenet
        of it with tracenet.lua; D:
        tracenetctl dump -R -r P; GLOBS: the system:name globs of the events
        that must have named fields (tracenet.<event>.<field>), all others
        must not; OUT: filters.lua's result; S: tshark -z tracenet output.

Every event, in capture order, must agree: event name, CPU, pid, comm,
time (to the microsecond dump prints), and each field by name and
value, numbers as numbers: dump prints a field that its print fmt
prints with the print fmt's conversion, so octal or hex digits are read
in that base, known from the format the capture's metadata carries;
sequence gaps must be the same, at the same place. An event is
"unknown" to the dissector exactly when no metadata for its id came in an
earlier frame (tnpcap.py reads the capture itself, independently), and
then it must still be shown. Prints TAP lines; exits 1 on any failure.
"""
import argparse
import calendar
import fnmatch
import json
import re
import sys
import time

import tnpcap

# (name, display filter, predicate over a dump event). The predicates
# say, from tracenetctl's output alone, which events a filter must
# select; in a capture with one event per frame that is which frames.
FILTERS = [
    ('named int: sched_switch to the idle task',
     'tracenet.event == "sched:sched_switch" && tracenet.sched_switch.next_pid == 0',
     lambda e: e.name == 'sched_switch' and num(e.f['next_pid']) == 0),
    ('generic pair: next_pid=0 in any event',
     'tracenet.field == "next_pid=0"',
     lambda e: num(e.f.get('next_pid')) == 0),
    ('named string (__data_loc) of an exec',
     'tracenet.sched_process_exec.filename contains "/bin/true"',
     lambda e: e.name == 'sched_process_exec' and '/bin/true' in e.f['filename']),
    ('named string of a kprobe fetch arg',
     'tracenet.getname_probe.name == "/etc/hostname"',
     lambda e: e.name == 'getname_probe' and e.f['name'] == '/etc/hostname'),
    ('named signed int of a kprobe',
     'tracenet.getname_probe.dfd == -100',
     lambda e: e.name == 'getname_probe' and num(e.f['dfd']) == -100),
    ('named unsigned int of a net event',
     'tracenet.netif_receive_skb.len >= 84',
     lambda e: e.name == 'netif_receive_skb' and num(e.f['len']) >= 84),
    ('generic name and value',
     'tracenet.field.name == "name" && tracenet.field.value == "vb"',
     lambda e: e.f.get('name') == 'vb'),
    ('named syscall argument',
     'tracenet.sys_enter_openat.dfd == 4294967196',
     lambda e: e.name == 'sys_enter_openat' and num(e.f['dfd']) & 0xffffffff == 4294967196),
    ('common fields',
     'tracenet.cpu == 1 && tracenet.comm == "ping"',
     lambda e: e.cpu == 1 and e.comm == 'ping'),
    ('event and system',
     'tracenet.system == "syscalls" && !(tracenet.name == "sys_enter_openat")',
     lambda e: e.name == 'sys_exit_openat'),
]

failed = 0
passed = 0


def ok(cond, desc, diag=None):
    global failed, passed
    if cond:
        passed += 1
        print(f'ok - {desc}')
    else:
        failed += 1
        print(f'not ok - {desc}')
        for line in (diag or '').splitlines()[:20]:
            print(f'# {line}')
    return cond


def num(tok):
    """An integer as dump or tshark print it, or None."""
    if tok is None:
        return None
    tok = tok.strip()
    try:
        if re.fullmatch(r'-?0[xX][0-9a-fA-F]+', tok):
            return int(tok, 16)
        if re.fullmatch(r'-?\d+', tok):
            return int(tok)
    except ValueError:
        pass
    return None


class DumpEvent:
    def __init__(self, m):
        self.comm = m['comm'].strip()
        self.pid = int(m['pid'])
        self.cpu = int(m['cpu'])
        sec, usec = m['ts'].split('.')
        self.usecs = int(sec) * 10**6 + int(usec)
        self.name = m['event']
        self.rest = ' ' + m['rest'].lstrip()
        self.f = {}


LINE = re.compile(r'^(?P<comm>.*)-(?P<pid>\d+)\s+\[(?P<cpu>\d+)\]\s+(?P<ts>\d+\.\d+):\s+'
                  r'(?P<event>[^:\s]+):\s?(?P<rest>.*)$')
DROP = re.compile(r'^CPU:(\d+) \[(\d+) EVENTS DROPPED\]$')


def read_dump(path):
    """Events and drops, in order: ('event', DumpEvent) / ('drop', cpu, n)."""
    out = []
    with open(path, errors='replace') as f:
        for line in f:
            line = line.rstrip('\n')
            d = DROP.match(line)
            if d:
                out.append(('drop', int(d[1]), int(d[2])))
                continue
            m = LINE.match(line)
            if m:
                out.append(('event', DumpEvent(m)))
    return out


def split_fields(ev, names):
    """Cut dump's " a=1 b=2" by the field names the dissector gave."""
    rest = ev.rest
    for i, name in enumerate(names):
        key = f' {name}='
        if not rest.startswith(key):
            return False
        rest = rest[len(key):]
        if i + 1 < len(names):
            nxt = rest.find(f' {names[i + 1]}=')
            if nxt < 0:
                return False
            ev.f[name], rest = rest[:nxt], rest[nxt:]
        else:
            ev.f[name], rest = rest, ''
    return rest.strip() == ''


class Field:
    def __init__(self, name, text):
        self.name, self.text = name, text


def as_list(v):
    return v if isinstance(v, list) else ([] if v is None else [v])


def ts_ns(text):
    """"Nov 23, 2026 13:42:44.773547707 UTC" (base.UTC) in ns."""
    date, frac = text.rsplit(' ', 1)[0].rsplit('.', 1)
    secs = calendar.timegm(time.strptime(date, '%b %d, %Y %H:%M:%S'))
    return secs * 10**9 + int(frac.ljust(9, '0')[:9])


class TsEvent:
    """An event subtree (tracenet.id_tree) of tshark -T json."""

    def __init__(self, frame, ident, tree):
        self.frame = frame
        self.unknown = tree.get('tracenet.unknown') == '1'
        self.full = tree.get('tracenet.event')
        self.fields = []
        self.named = {}
        ftrees = as_list(tree.get('tracenet.field_tree'))
        self.nfield_items = len(ftrees)
        for ft in ftrees:
            if 'tracenet.field.name' in ft:
                self.fields.append(Field(ft['tracenet.field.name'], ft.get('tracenet.field.value', '')))
        self.vals = {'tracenet.id': int(ident)}
        for k in ('tracenet.cpu', 'tracenet.pid', 'tracenet.seq', 'tracenet.nfields'):
            if k in tree:
                self.vals[k] = int(tree[k])
        self.vals['tracenet.comm'] = tree.get('tracenet.comm')
        if 'tracenet.ts' in tree:
            self.vals['tracenet.ts'] = ts_ns(tree['tracenet.ts'])
        if self.full:
            prefix = 'tracenet.' + self.full.split(':', 1)[1] + '.'
            self.named = {k: v for k, v in tree.items() if k.startswith(prefix)}


def read_json(path):
    """Per tracenet frame: number, lost (cpu, n) or None, events."""
    with open(path, errors='replace') as f:
        packets = json.load(f)
    out = []
    for number, p in enumerate(packets, 1):
        tn = p['_source']['layers'].get('tracenet')
        if tn is None:
            continue
        ids = as_list(tn.get('tracenet.id'))
        trees = as_list(tn.get('tracenet.id_tree'))
        events = [TsEvent(number, i, t) for i, t in zip(ids, trees)]
        lost = int(tn['tracenet.lost']) if 'tracenet.lost' in tn else None
        cpu = int(tn['tracenet.hdr.cpu']) if 'tracenet.hdr.cpu' in tn else None
        out.append((number, (cpu, lost) if lost else None, events))
    return out


def text_bytes(text):
    """The bytes behind a field's text: hex for byte arrays, else the text."""
    if len(text) % 2 == 0 and re.fullmatch(r'[0-9a-f]*', text):
        return bytes.fromhex(text)
    return text.encode('utf-8', 'replace')


def c_string(s):
    """A C string literal at the start of @s: (its text, the rest)."""
    out, i = [], 1
    while i < len(s) and s[i] != '"':
        if s[i] == '\\' and i + 1 < len(s):
            i += 1
            out.append({'n': '\n', 't': '\t'}.get(s[i], s[i]))
        else:
            out.append(s[i])
        i += 1
    return ''.join(out), s[i + 1:]


def split_args(s):
    """The arguments after a print fmt's string, split at top-level commas."""
    args, depth, cur, quote = [], 0, '', False
    for i, c in enumerate(s):
        if quote:
            quote = not (c == '"' and s[i - 1] != '\\')
        elif c == '"':
            quote = True
        elif c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
        elif c == ',' and depth == 0:
            args.append(cur.strip())
            cur = ''
            continue
        cur += c
    args.append(cur.strip())
    return args


def rec_field(arg):
    """"((unsigned long)(REC->mode))" -> "mode"; None unless the argument
    is a field, maybe behind casts and parentheses."""
    arg = arg.strip()
    while arg.startswith('('):
        depth = 0
        for close, c in enumerate(arg):
            depth += (c == '(') - (c == ')')
            if depth == 0:
                break
        if close == len(arg) - 1:
            arg = arg[1:-1].strip()
        elif re.fullmatch(r'\s*[A-Za-z_][\w\s*]*', arg[1:close]):
            arg = arg[close + 1:].strip()       # a cast
        else:
            break
    m = re.fullmatch(r'REC->(\w+)', arg)
    return m[1] if m else None


FMT_CONV = re.compile(r'%([-+ #0]*)(\*|\d*)(\.(?:\*|\d*))?(hh|h|ll|l|L|z|j|t)?([diouxXcsp%])([a-zA-Z]?)')


def print_convs(fmt_text):
    """How tracenetctl dump -R (libtraceevent's tep_print_fields) prints
    each field: {field name: conversion character} for the fields that
    are an argument of the format's print fmt, itself behind casts. It
    prints those with the print fmt's conversion ("%o": octal digits, no
    prefix; "%x": hex digits, "0x" only where the print fmt has it),
    and the others by their type. A field that appears more than once
    takes its first conversion after the previous field's, as
    libtraceevent looks for it."""
    m = re.search(r'^print fmt: (".*)$', fmt_text or '', re.M)
    fields = [f for f in re.findall(r'^\s*field:[^;]*?(\w+)(?:\[[^;]*\])?;', fmt_text or '', re.M)
              if not f.startswith('common_')]
    if not m:
        return {}
    fmt, rest = c_string(m[1])
    args = split_args(rest.lstrip().lstrip(','))
    convs, nargs = [], 0      # (field or None, conversion) in print fmt order
    for c in FMT_CONV.finditer(fmt):
        if c[5] == '%':
            continue
        nargs += (c[2] == '*') + (c[3] == '.*')
        arg = args[nargs] if nargs < len(args) else ''
        nargs += 1
        # %pS, %pI4...: kernel extensions, not numbers; %px is hex
        conv = c[5] if c[5] != 'p' or c[6] in ('', 'x') else None
        convs.append((rec_field(arg), conv))
    out, cur = {}, 0
    for f in fields:
        for k in range(len(convs)):
            name, conv = convs[(cur + k) % len(convs)]
            if name == f:
                out[f] = conv
                cur = (cur + k + 1) % len(convs)
                break
    return out


BASES = {'o': 8, 'x': 16, 'X': 16, 'p': 16}


def same_value(ts, dump_tok, conv=None):
    """Does dissector field @ts show what dump printed as @dump_tok? @conv:
    the print fmt conversion dump printed it with (print_convs)."""
    if dump_tok.startswith('ARRAY['):
        want = bytes(int(b, 16) for b in dump_tok[6:-1].split(', ') if b)
        got = text_bytes(ts.text)
        return want == got or want.split(b'\0')[0] == got
    a, b = num(ts.text), num(dump_tok)
    # Octal or hex digits without a prefix: a number in the base of the
    # print fmt's conversion, as a bit pattern of 64 or 32 bits.
    base = BASES.get(conv)
    if a is not None and base and re.fullmatch(r'[0-9a-fA-F]+', dump_tok):
        try:
            b = int(dump_tok, base)
        except ValueError:
            return False
        return a % 2**64 == b or (b < 2**32 and a % 2**32 == b)
    if a is not None and b is not None and not dump_tok.startswith(('0x', '-0x')):
        return a == b
    # libtraceevent prints some fields with the conversion their print fmt
    # uses ("0x%lx", "%lx"): hex is a bit pattern, of 64 or 32 bits.
    if a is not None and b is None and re.fullmatch(r'[0-9a-fA-F]+', dump_tok):
        b = int(dump_tok, 16)
    if a is not None and b is not None:
        return a % 2**64 == b or (b < 2**32 and a % 2**32 == b)
    if ts.text == dump_tok:
        return True
    # a printable u8 array: dump prints it as text, the dissector in hex
    return text_bytes(ts.text).split(b'\0')[0].decode('latin-1') == dump_tok


def named_matches(show, f):
    """Does a named field show the value its generic pair shows?"""
    if show == f.text:
        return True
    a, b = num(show.split(' ')[0]), num(f.text)
    if a is not None and b is not None:
        return a == b
    return show.replace(':', '') == f.text     # bytes: "00:ff:10"


def compare_events(pcap_events, frames, dump, named_globs, formats):
    ts_events = [e for _, _, evs in frames for e in evs]
    dump_events = [d[1] for d in dump if d[0] == 'event']
    ok(len(ts_events) == len(pcap_events),
       f'dissector shows every event of the capture ({len(ts_events)} of {len(pcap_events)})')
    ok(len(dump_events) == len(pcap_events),
       f'dump prints every event of the capture ({len(dump_events)} of {len(pcap_events)})')
    n = min(len(ts_events), len(dump_events), len(pcap_events))
    bad_unknown, bad_common, bad_fields, bad_named = [], [], [], []
    decoded = unknown = nfields = named_items = 0
    convs = {}          # per event id: print_convs() of its format
    based = {}          # fields dump printed in octal or hex digits: count per base
    for i in range(n):
        t, d, p = ts_events[i], dump_events[i], pcap_events[i]
        if t.unknown == p[4] or t.vals['tracenet.id'] != p[3]:
            bad_unknown.append(f'event {i} (frame {p[0]} id {p[3]}): dissector unknown={t.unknown}, '
                               f'metadata before it: {p[4]}')
            continue
        if (t.vals.get('tracenet.cpu'), t.vals.get('tracenet.seq')) != (p[1], p[2]):
            bad_common.append(f'event {i} frame {p[0]}: cpu/seq {t.vals} != {p[1:3]}')
        want_comm = '<idle>' if d.pid == 0 else d.comm
        got_comm = '<idle>' if t.vals.get('tracenet.pid') == 0 else t.vals.get('tracenet.comm')
        usecs = (t.vals.get('tracenet.ts', 0) + 500) // 1000
        if (t.vals.get('tracenet.cpu'), t.vals.get('tracenet.pid'), got_comm, usecs) != \
                (d.cpu, d.pid, want_comm, d.usecs):
            bad_common.append(f'event {i} frame {t.frame}: cpu/pid/comm/usecs '
                              f'{t.vals.get("tracenet.cpu")}/{t.vals.get("tracenet.pid")}/{got_comm}/{usecs}'
                              f' != dump {d.cpu}/{d.pid}/{want_comm}/{d.usecs}')
        if t.unknown:
            unknown += 1
            if t.nfield_items != t.vals.get('tracenet.nfields'):
                bad_fields.append(f'event {i} frame {t.frame}: unknown id shows {t.nfield_items} '
                                  f'of {t.vals.get("tracenet.nfields")} fields')
            continue
        decoded += 1
        if t.full.split(':', 1)[1] != d.name:
            bad_common.append(f'event {i} frame {t.frame}: {t.full} != dump {d.name}')
            continue
        names = [f.name for f in t.fields]
        if not split_fields(d, names):
            bad_fields.append(f'event {i} frame {t.frame} {t.full}: dump fields "{d.rest.strip()}" '
                              f'are not {names}')
            continue
        ident = t.vals['tracenet.id']
        if ident not in convs:
            convs[ident] = print_convs(formats.get(ident))
        for f in t.fields:
            nfields += 1
            conv = convs[ident].get(f.name)
            if conv in BASES and re.fullmatch(r'[0-9a-fA-F]+', d.f[f.name]):
                key = f'{t.full}.{f.name} %{conv}'
                based[key] = based.get(key, 0) + 1
            if not same_value(f, d.f[f.name], conv):
                bad_fields.append(f'event {i} frame {t.frame} {t.full}.{f.name}: dissector '
                                  f'"{f.text}", dump "{d.f[f.name]}"')
        want_named = any(fnmatch.fnmatchcase(t.full, g) for g in named_globs)
        ev = t.full.split(':', 1)[1]
        for f in t.fields:
            abbr = f'tracenet.{ev}.{f.name}'
            item = t.named.get(abbr)
            if isinstance(item, list):      # the same field twice: never
                item = None
            if not want_named:
                if item is not None:
                    bad_named.append(f'frame {t.frame}: {abbr} present, not a start-up event')
                continue
            named_items += 1
            if item is None:
                bad_named.append(f'frame {t.frame}: no named field {abbr}')
                continue
            if not named_matches(item, f):
                bad_named.append(f'frame {t.frame}: {abbr} shows "{item}", generic "{f.text}"')
    ok(not bad_unknown, f'events are unknown exactly when no metadata came before them '
       f'({unknown} unknown, {decoded} decoded)', '\n'.join(bad_unknown))
    ok(not bad_common, f'event name, CPU, sequence, pid, comm and time equal dump ({n} events)',
       '\n'.join(bad_common))
    ok(not bad_fields and nfields > 0, f'every field name and value equals dump ({nfields} fields)',
       '\n'.join(bad_fields))
    # dump prints a field with its print fmt conversion: octal or hex
    # digits without a prefix are read in that base.
    for key in sorted(based):
        print(f'# dump printed {key} in the print fmt\'s base: {based[key]} values')
    if named_globs:
        ok(not bad_named and named_items > 0,
           f'named fields tracenet.<event>.<field> for {",".join(named_globs)} only, '
           f'equal to the generic ones ({named_items})', '\n'.join(bad_named))
    else:
        ok(not bad_named, 'no named fields without start-up formats', '\n'.join(bad_named))
    return ts_events, dump_events


def compare_drops(frames, dump):
    """Gaps: (events before it, cpu, count) on both sides."""
    got, want = [], []
    n = 0
    for _, lost, evs in frames:
        if lost:
            got.append((n, lost[0], lost[1]))
        n += len(evs)
    n = 0
    for d in dump:
        if d[0] == 'drop':
            want.append((n, d[1], d[2]))
        else:
            n += 1
    ok(got == want, f'sequence gaps equal dump\'s ({len(want)} gaps, '
       f'{sum(w[2] for w in want)} events lost)', f'dissector {got[:10]}\ndump {want[:10]}')
    return sum(w[2] for w in want)


def check_filters(path, ts_events, dump_events):
    results = {}
    with open(path) as f:
        for line in f:
            idx, _, frames = line.rstrip('\n').partition('\t')
            results[int(idx)] = frames if frames.startswith('error') else \
                set(int(x) for x in frames.split())
    for i, (desc, flt, pred) in enumerate(FILTERS, 1):
        want = set()
        for t, d in zip(ts_events, dump_events):
            try:
                if pred(d):
                    want.add(t.frame)
            except (KeyError, TypeError):
                pass
        got = results.get(i)
        if not isinstance(got, set):
            ok(False, f'display filter {desc}: {flt}', f'{got}')
            continue
        ok(got == want and len(want) > 0,
           f'display filter selects exactly the expected frames ({len(want)}): {desc}: {flt}',
           f'missing {sorted(want - got)[:10]}, extra {sorted(got - want)[:10]}')


def check_stats(path, ts_events, dump_events, lost):
    with open(path, errors='replace') as f:
        text = f.read()
    types = dict((m[0], int(m[1])) for m in
                 re.findall(r'^(\S+:\S+|\(unknown id\))\s+(\d+)\s+[\d.]+%$', text, re.M))
    cpus = dict((int(m[0]), (int(m[1]), int(m[2]))) for m in
                re.findall(r'^CPU (\d+)\s+(\d+)\s+(\d+)\s+\d+$', text, re.M))
    want_types, want_cpus = {}, {}
    for t, d in zip(ts_events, dump_events):
        key = '(unknown id)' if t.unknown else t.full
        want_types[key] = want_types.get(key, 0) + 1
        want_cpus[d.cpu] = want_cpus.get(d.cpu, 0) + 1
    ok(types == want_types, f'-z tracenet: events per type ({len(want_types)} types)',
       f'got {types}\nwant {want_types}')
    got_lost = sum(v[1] for v in cpus.values())
    ok({c: v[0] for c, v in cpus.items()} == want_cpus and got_lost == lost,
       f'-z tracenet: events per CPU and lost events ({lost})', f'got {cpus}\nwant {want_cpus} lost {lost}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('cmd', choices=('filters', 'check'))
    ap.add_argument('--pcap')
    ap.add_argument('--json')
    ap.add_argument('--dump')
    ap.add_argument('--named', default='')
    ap.add_argument('--filters')
    ap.add_argument('--stats')
    ap.add_argument('--min-unknown', type=int, default=0)
    ap.add_argument('--min-lost', type=int, default=0)
    ap.add_argument('--min-batched', type=int, default=0)
    a = ap.parse_args()
    if a.cmd == 'filters':
        for _, flt, _ in FILTERS:
            print(flt)
        return 0
    pcap_events = tnpcap.events_in_order(a.pcap)
    frames = read_json(a.json)
    dump = read_dump(a.dump)
    ntn = sum(1 for _ in tnpcap.frames(a.pcap))
    ok(len(frames) == ntn, f'every tracenet frame is dissected ({len(frames)} of {ntn})')
    globs = [g for g in a.named.split(',') if g]
    ts_events, dump_events = compare_events(pcap_events, frames, dump, globs,
                                            tnpcap.formats(a.pcap))
    lost = compare_drops(frames, dump)
    unknown = sum(1 for e in ts_events if e.unknown)
    batched = sum(1 for _, _, evs in frames if len(evs) > 1)
    ok(unknown >= a.min_unknown and lost >= a.min_lost and batched >= a.min_batched,
       f'the capture has what it must test: {unknown} unknown events (>= {a.min_unknown}), '
       f'{lost} lost (>= {a.min_lost}), {batched} batched frames (>= {a.min_batched})')
    if a.filters:
        check_filters(a.filters, ts_events, dump_events)
    if a.stats:
        check_stats(a.stats, ts_events, dump_events, lost)
    print(f'# {passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
