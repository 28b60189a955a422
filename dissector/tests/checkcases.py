#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check tshark's view of mkframes.py's hand-made frames.

    checkcases.py CASES.json KEY FIELDS.txt [FILTERS.out]

FIELDS.txt: tshark -T fields -E separator=/t -E aggregator=$'\\x1e'
-e frame.number -e _ws.col.Info -e _ws.expert.message -e tracenet.field
-e tracenet.seq -e tracenet.lost; KEY: which capture's checks ("cases",
"udp", "startup"; $LABEL names it in the output). With FILTERS.out (filters.lua's result for the
filters of CASES.json), the frames each display filter selects too.
Prints a TAP line per case and per filter.

    checkcases.py --values CASES.json KEY VALUES.txt

VALUES.txt: tshark -T fields, separator and aggregator as above, -e
frame.number and then -e of each of CASES.json's "value_fields", in
order; each case with "values" ({field: [every value, in order]}, [] for
none) gets a TAP line.
"""
import json
import os
import sys

AGG = '\x1e'


def read_fields(path):
    frames = {}
    with open(path, errors='replace') as f:
        for line in f:
            parts = line.rstrip('\n').split('\t')
            parts += [''] * (6 - len(parts))
            num, info, expert, fields, seqs, lost = parts[:6]
            split = lambda s: [x for x in s.split(AGG) if x != ''] if s else []
            frames[int(num)] = dict(info=info, expert=split(expert), fields=split(fields),
                                    seqs=split(seqs), lost=split(lost))
    return frames


def check(c, fr):
    """Why frame @fr is not what case @c wants, or None."""
    if fr is None:
        return 'frame missing from the output'
    if 'info' in c and c['info'] not in fr['info']:
        return f'Info "{fr["info"]}" lacks "{c["info"]}"'
    if c.get('no_expert') and fr['expert']:
        return f'unexpected expert info {fr["expert"]}'
    for want in c.get('expert', []):
        if not any(want in e for e in fr['expert']):
            return f'no expert info with "{want}" in {fr["expert"]}'
    if c.get('only_expert'):
        other = [e for e in fr['expert'] if not any(w in e for w in c.get('expert', []))]
        if other:
            return f'expert info other than {c.get("expert", [])}: {other}'
    for want in c.get('fields', []):
        if want not in fr['fields']:
            return f'no field "{want}" in {fr["fields"]}'
    if 'seqs' in c and [int(x) for x in fr['seqs']] != c['seqs']:
        return f'sequence numbers {fr["seqs"]}, want {c["seqs"]}'
    if 'lost' in c and fr['lost'] != [str(c['lost'])]:
        return f'lost {fr["lost"]}, want {c["lost"]}'
    if 'nfield_items' in c and len(fr['fields']) != c['nfield_items']:
        return f'{len(fr["fields"])} field items, want {c["nfield_items"]}'
    return None


def read_values(path, names):
    frames = {}
    with open(path, errors='replace') as f:
        for line in f:
            parts = line.rstrip('\n').split('\t')
            parts += [''] * (len(names) + 1 - len(parts))
            frames[int(parts[0])] = {n: [x for x in v.split(AGG)] if v else []
                                     for n, v in zip(names, parts[1:])}
    return frames


def check_values(spec, key, path):
    frames = read_values(path, spec['value_fields'])
    failed = 0
    label = os.environ.get('LABEL', key)
    for c in spec[key]:
        if 'values' not in c:
            continue
        fr = frames.get(c['frame'])
        why = 'frame missing from the output' if fr is None else None
        for name, want in c['values'].items():
            if why is None and fr[name] != want:
                why = f'{name}: {fr[name]}, want {want}'
        print(f'{"not ok" if why else "ok"} - {label}: frame {c["frame"]}: {c["case"]}: '
              f'values of {len(c["values"])} fields')
        if why:
            failed += 1
            print(f'# {why}')
    return 1 if failed else 0


def main(argv):
    if argv[1:2] == ['--values']:
        with open(argv[2]) as f:
            return check_values(json.load(f), argv[3], argv[4])
    with open(argv[1]) as f:
        spec = json.load(f)
    frames = read_fields(argv[3])
    failed = 0
    label = os.environ.get('LABEL', argv[2])
    for c in spec[argv[2]]:
        why = check(c, frames.get(c['frame']))
        print(f'{"not ok" if why else "ok"} - {label}: frame {c["frame"]}: {c["case"]}')
        if why:
            failed += 1
            print(f'# {why}')
    if len(argv) > 4:
        got = {}
        with open(argv[4]) as f:
            for line in f:
                idx, _, nums = line.rstrip('\n').partition('\t')
                got[int(idx)] = nums if nums.startswith('error') else \
                    sorted(int(x) for x in nums.split())
        for i, flt in enumerate(spec['filters'], 1):
            want = flt['frames']
            bad = got.get(i) != want or not want
            print(f'{"not ok" if bad else "ok"} - filter selects frames {want}: {flt["filter"]}')
            if bad:
                failed += 1
                print(f'# selected {got.get(i)}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
