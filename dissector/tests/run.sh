#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of the Wireshark dissector (dissector/tracenet.lua), no VM:
#   - hand-made frames with known contents (mkframes.py cases): every field
#     type, byte orders, batching, sequence gaps, late metadata, host
#     frames, metadata records in parts (joined, a part lost, restarted,
#     over 64 KiB), and each way a frame, a metadata record or a host frame
#     can be broken, with the expert info each must raise (checkcases.py);
#   - start-up formats: a formats file that tracenetctl formats wrote, a
#     tracefs tree, the by-id preference; UDP; display filters on named
#     and generic fields; the -z tracenet statistics;
#   - robustness: captures damaged with editcap -E, cut with editcap -s, and
#     random frames, dissected in full (-V): not one Lua error, not one
#     internal error, expert info on the damage;
#   - the time to decode a large capture.
# Prints TAP ("ok - ...", "not ok - ..."); exit status 1 on any failure.
# Everything is seeded: a failure repeats.
#
#   dissector/tests/run.sh           DISSECTOR_FUZZ_FRAMES (5000) per corpus,
#                                    DISSECTOR_BIG_FRAMES (20000) for timing
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
lua=$top/dissector/tracenet.lua
ctl=$top/tools/tracenetctl
fuzz_frames=${DISSECTOR_FUZZ_FRAMES:-5000}
big_frames=${DISSECTOR_BIG_FRAMES:-20000}
work=$(mktemp -d /tmp/tracenet-dissector.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

# No personal plugins or preferences: an installed tracenet.lua would be
# loaded twice, and a user's settings would change what the tests see.
export HOME=$work/home
unset XDG_CONFIG_HOME TRACENET_EVENTS TRACENET_FORMATS TRACENET_TRACEFS
mkdir -p "$HOME"

failed=0
ok() { echo "ok - $*"; }
not_ok() {
	echo "not ok - $*"
	failed=$((failed + 1))
}
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
diag() { sed 's/^/# /'; }

# tshark with the dissector and no start-up formats unless asked for.
tn_tshark() {
	TRACENET_TRACEFS=${TRACENET_TRACEFS:-off} TRACENET_FORMATS=${TRACENET_FORMATS:-off} \
		tshark -X lua_script:"$lua" "$@"
}

# Any sign of a Lua error, or of our own last-resort catch, in FILEs.
lua_errors() {
	grep -hE 'Lua Error|\[Lua|tracenet\.lua:[0-9]+|Dissector bug|attempt to|stack traceback' "$@" |
		grep -v '^Running as user' | head -5
}

FIELDS=(-T fields -E separator=/t -E "aggregator=$(printf '\036')"
	-e frame.number -e _ws.col.Info -e _ws.expert.message -e tracenet.field
	-e tracenet.seq -e tracenet.lost)

# Run a command that prints TAP lines; count its failures.
tap() {
	local out
	out=$("$@")
	echo "$out"
	failed=$((failed + $(grep -c '^not ok' <<<"$out")))
}
cases() { tap python3 "$here/checkcases.py" "$@"; }

for t in tshark editcap capinfos python3; do
	command -v $t >/dev/null || { not_ok "$t is installed (tools/setup)"; exit 1; }
done

python3 "$here/mkframes.py" cases "$work" || { not_ok "mkframes.py cases"; exit 1; }
python3 "$here/mkframes.py" tracefs "$work/tracefs" || { not_ok "mkframes.py tracefs"; exit 1; }

# --- hand-made frames, generic fields only ------------------------------
tn_tshark -r cases.pcap "${FIELDS[@]}" >cases.txt 2>cases.err
errs=$(lua_errors cases.txt cases.err)
check "tracenet.lua loads and dissects the hand-made frames without Lua errors" \
	test -z "$errs" -a -s cases.txt
[ -z "$errs" ] || diag <<<"$errs"
cases cases.json cases cases.txt

# --- host frames: their values, and the host of a source's later frames ---
mapfile -t vfields < <(python3 -c 'import json, sys
print("\n".join(json.load(open(sys.argv[1]))["value_fields"]))' cases.json)
tn_tshark -r cases.pcap -T fields -E separator=/t -E "aggregator=$(printf '\036')" \
	-e frame.number "${vfields[@]/#/-e}" >values.txt 2>values.err
errs=$(lua_errors values.txt values.err)
check "host frame fields (${#vfields[@]}) print without Lua errors" test -z "$errs" -a -s values.txt
[ -z "$errs" ] || diag <<<"$errs"
tap python3 "$here/checkcases.py" --values cases.json cases values.txt

# --- start-up formats: the formats file tracenetctl writes ---------------
if [ -x "$ctl" ] && "$ctl" formats -t "$work/tracefs" -o test.formats 2>ctl.err; then
	ok "tracenetctl formats -t wrote $(grep -c '^system:' test.formats) formats"
else
	not_ok "tracenetctl formats -t DIR -o FILE (make tools first)"
	diag <ctl.err
fi
python3 - "$work/cases.json" >filters.txt <<'EOF'
import json, sys
for f in json.load(open(sys.argv[1]))['filters']:
    print(f['filter'])
EOF
TRACENET_FORMATS=test.formats tn_tshark -X lua_script:"$here/filters.lua" -r cases.pcap \
	-z "tnfilter,filters.txt,filters.out" "${FIELDS[@]}" >named.txt 2>named.err
errs=$(lua_errors named.txt named.err)
check "with named fields from the formats file: no Lua errors" test -z "$errs"
[ -z "$errs" ] || diag <<<"$errs"
LABEL="cases, named fields" cases cases.json cases named.txt filters.out

# --- metadata in parts: events decode as after one-part metadata ----------
mapfile -t nfields < <(python3 -c 'import json, sys
print("\n".join(json.load(open(sys.argv[1]))["same_named"]["fields"]))' cases.json)
TRACENET_FORMATS=test.formats tn_tshark -r cases.pcap -T fields -E separator=/t \
	-E "aggregator=$(printf '\036')" -e frame.number "${nfields[@]/#/-e}" >parts.txt 2>parts.err
errs=$(lua_errors parts.txt parts.err)
check "named fields of events after metadata in parts: no Lua errors" test -z "$errs" -a -s parts.txt
[ -z "$errs" ] || diag <<<"$errs"
tap python3 - cases.json parts.txt <<'EOF'
import json, sys
spec = json.load(open(sys.argv[1]))['same_named']
rows = {}
for line in open(sys.argv[2], errors='replace'):
    num, _, rest = line.rstrip('\n').partition('\t')
    rows[int(num)] = rest.split('\t')
for one, other, why in spec['pairs']:
    a, b = rows.get(one, []), rows.get(other, [])
    full = len(a) == len(spec['fields']) and all(a)
    good = full and a == b
    print(('ok' if good else 'not ok') + f' - {why}: frame {other} has the {len(spec["fields"])} '
          f'named fields of frame {one} (after one-part metadata), equal')
    if not good:
        print(f'# frame {one}: {a}')
        print(f'# frame {other}: {b}')
EOF

# --- start-up formats from a tracefs tree, for some events only ----------
printf '%s\n' 'tracenet.tn_types.s64v == -9000000000000' 'tracenet.netif_receive_skb.len' \
	'tracenet.sched_switch.next_pid == 0' >tfilters.txt
TRACENET_TRACEFS=$work/tracefs TRACENET_EVENTS='sched:*, tn_test:tn_*' \
	tn_tshark -X lua_script:"$here/filters.lua" -r cases.pcap \
	-z "tnfilter,tfilters.txt,tfilters.out" -q 2>tracefs.err
tap python3 - cases.json tfilters.out <<'EOF'
import json, sys
spec = json.load(open(sys.argv[1]))
want = {f['filter']: f['frames'] for f in spec['filters']}
got = [l.rstrip('\n').split('\t', 1) + [''] for l in open(sys.argv[2])]
def frames(i):
    return sorted(int(x) for x in got[i][1].split())
checks = [
    (frames(0) == want['tracenet.tn_types.s64v == -9000000000000'],
     'tracefs at start-up, events sched:*,tn_test:tn_*: tracenet.tn_types.s64v filters'),
    (frames(2) == want['tracenet.sched_switch.next_pid == 0'],
     'tracefs at start-up: tracenet.sched_switch.next_pid filters'),
    (got[1][1].startswith('error'),
     'tracefs at start-up: net:* was not asked for, tracenet.netif_receive_skb.len does not exist'),
]
for good, desc in checks:
    print(('ok' if good else 'not ok') + ' - ' + desc)
    if not good:
        print(f'# {got}')
EOF

# --- events without metadata: start-up formats by id, lazy tracefs -------
TRACENET_TRACEFS=$work/tracefs TRACENET_EVENTS= TRACENET_FORMATS=test.formats \
	tn_tshark -o tracenet.startup_ids:TRUE -r startup.pcap "${FIELDS[@]}" >startup.txt 2>startup.err
cases cases.json startup startup.txt
TRACENET_TRACEFS=$work/tracefs TRACENET_FORMATS=test.formats \
	tn_tshark -r startup.pcap "${FIELDS[@]}" >startup-off.txt 2>&1
check "by-id start-up formats are off by default: both events unknown" \
	test "$(grep -c 'no metadata yet' startup-off.txt)" -eq 2

# --- UDP ------------------------------------------------------------------
tn_tshark -o tracenet.udp_port:7777 -r udp.pcap "${FIELDS[@]}" >udp.txt 2>udp.err
cases cases.json udp udp.txt
tn_tshark -r udp.pcap -T fields -e frame.protocols >udp-off.txt 2>&1
check "UDP port preference 0 (default): UDP is not taken" \
	test "$(grep -c tracenet udp-off.txt)" -eq 0
tn_tshark -d udp.port==7777,tracenet -r udp.pcap -T fields -e _ws.col.Info >udp-as.txt 2>&1
check "Decode As udp.port==7777,tracenet works" grep -q 'next_pid=31' udp-as.txt

# --- against tracenetctl dump -R: fields its print fmt shows in octal, hex ---
# What 15_dissector checks on the real module's captures, on events whose
# print fmt has "0%03o" and "%x" (7.3's sys_enter_openat has the first).
python3 "$here/mkframes.py" dump 400 3 dump.pcap
if [ -x "$ctl" ] && "$ctl" dump -R -r dump.pcap >dump.txt 2>dump.err; then
	tn_tshark -r dump.pcap -T json -J tracenet --no-duplicate-keys >dump.json 2>dump.tserr
	tap python3 "$here/tncompare.py" check --pcap dump.pcap --json dump.json --dump dump.txt
else
	not_ok "tracenetctl dump -R -r dump.pcap (make tools first)"
	diag <dump.err
fi

# --- statistics -----------------------------------------------------------
tn_tshark -r cases.pcap -q -z tracenet >stats.txt 2>&1
tn_tshark -r cases.pcap -T fields -E "aggregator=$(printf '\036')" -e tracenet.event \
	-e tracenet.unknown -e tracenet.lost >events.txt 2>/dev/null
tap python3 - stats.txt events.txt <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
types, unknown, lost = {}, 0, 0
for line in open(sys.argv[2]):
    ev, unk, lo = (line.rstrip('\n').split('\t') + ['', ''])[:3]
    for e in filter(None, ev.split('\x1e')):
        types[e] = types.get(e, 0) + 1
    unknown += len([u for u in unk.split('\x1e') if u])
    lost += sum(int(x) for x in lo.split('\x1e') if x)
got = dict((m[0], int(m[1])) for m in re.findall(r'^(\S+:\S+)\s+(\d+)\s+[\d.]+%$', text, re.M))
m = re.search(r'Events: (\d+), unknown id: (\d+), lost \(sequence gaps\): (\d+)', text)
good = got == types and m and int(m[2]) == unknown and int(m[3]) == lost and lost == 6
print(('ok' if good else 'not ok') + f' - -z tracenet: events per type, {unknown} unknown, {lost} lost')
if not good:
    print('# ' + text.replace('\n', '\n# '))
    print(f'# want {types} unknown {unknown} lost {lost}')
EOF

# --- robustness -------------------------------------------------------------
# Every frame through every path: -V builds and prints the whole tree
# (texts, generated fields), -z expert and -z tracenet run the taps.
total=0
robust() {
	local desc=$1 file=$2 want_expert=$3 frames out
	frames=$(capinfos -Mc "$file" | awk '/Number of packets/ { print $NF }')
	tn_tshark -r "$file" -V -z expert -z tracenet >robust.out 2>robust.err
	local rc=$?
	local errs
	errs=$(lua_errors robust.out robust.err)
	local dissected
	dissected=$(grep -c '^Frame [0-9]*:' robust.out)
	local experts
	experts=$(grep -cE 'Expert Info \((Error|Warning)/Malformed' robust.out)
	total=$((total + frames))
	if [ $rc -eq 0 ] && [ -z "$errs" ] && [ "$dissected" -eq "$frames" ] &&
	   { [ "$want_expert" = 0 ] || [ "$experts" -gt 0 ]; } &&
	   { [ "$want_expert" = 1 ] || [ "$experts" -eq 0 ]; }; then
		ok "$desc: $frames frames, no Lua error, $experts malformed-frame expert infos"
	else
		not_ok "$desc: $frames frames ($dissected dissected, tshark exit $rc), $experts expert infos"
		{ echo "$errs"; tail -3 robust.err; } | diag
	fi
}

python3 "$here/mkframes.py" corpus "$fuzz_frames" 1 corpus.pcap
robust "clean corpus (metadata, host frames, batches, gaps, two producers)" corpus.pcap 0
for seed in 1 2 3 4; do
	editcap -F pcap -E 0.02 --seed $seed -o 14 corpus.pcap damaged.pcap
	robust "corpus, editcap -E 0.02 -o 14 --seed $seed (tracenet bytes)" damaged.pcap 1
done
editcap -F pcap -E 0.02 --seed 5 corpus.pcap damaged.pcap
robust "corpus, editcap -E 0.02 --seed 5 (any byte)" damaged.pcap 1
for snap in 60 200; do
	editcap -F pcap -s $snap corpus.pcap cut.pcap
	robust "corpus cut to $snap bytes a frame (editcap -s)" cut.pcap 1
done
for seed in 1 2 3; do
	editcap -F pcap -E 0.05 --seed $seed cases.pcap damaged.pcap
	robust "hand-made frames, editcap -E 0.05 --seed $seed" damaged.pcap 1
done
python3 "$here/mkframes.py" garbage 3000 7 garbage.pcap
robust "random frames behind nearly right headers" garbage.pcap 1
echo "# robustness: $total frames through tshark -V"

# --- a large capture --------------------------------------------------------
python3 "$here/mkframes.py" corpus "$big_frames" 9 big.pcap
events=$(python3 -c "import sys; sys.path.insert(0, '$here'); import tnpcap
print(sum(len(f.events) for f in tnpcap.frames('big.pcap')))")
start=$(date +%s.%N)
tn_tshark -r big.pcap -q -z tracenet >big.out 2>big.err
secs=$(echo "$(date +%s.%N) - $start" | bc)
got=$(sed -n 's/^Events: \([0-9]*\),.*/\1/p' big.out)
check "large capture: $big_frames frames, $events events in ${secs}s, all counted" \
	test "${got:-0}" -eq "$events"

echo "# dissector tests: $failed failed"
[ $failed -eq 0 ]
