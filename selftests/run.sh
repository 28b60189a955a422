#!/bin/bash
# Run the tracenet selftests inside the VM (tools/vm-run -- selftests/run.sh)
# and print KTAP. After every test the kernel log is checked: a WARNING, BUG,
# Oops, lockdep or KASAN report, or "sleeping function called from invalid
# context" fails the test that caused it. On a kernel with kmemleak (the
# debug kernel) a last test scans for objects tracenet leaked.
#
#   selftests/run.sh [TEST...]     default: every selftests/tracenet/*.sh
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/selftests/tracenet
KSFT_SKIP=4

if [ $# -gt 0 ]; then
	tests=("$@")
else
	tests=()
	for t in "$dir"/[0-9]*.sh; do tests+=("$(basename "$t" .sh)"); done
fi

bad='WARNING:|BUG:|Oops|general protection|sleeping function called|possible recursive locking|circular locking|inconsistent lock state|KASAN|UBSAN|kmemleak|refcount_t|list_add corruption|list_del corruption|RCU.*stall|soft lockup|hard LOCKUP'

kmemleak=/sys/kernel/debug/kmemleak
[ -w $kmemleak ] || kmemleak=
# Boot leaves suspects of its own; only what the suite leaks counts.
[ -z "$kmemleak" ] || echo clear >$kmemleak

echo "TAP version 13"
echo "1..$((${#tests[@]} + (${kmemleak:+1} + 0)))"
n=0 pass=0 fail=0 skip=0
for t in "${tests[@]}"; do
	n=$((n + 1))
	dmesg -C
	start=$(date +%s)
	out=$(cd /tmp && timeout "${TN_TEST_TIMEOUT:-600}" bash "$dir/$t.sh" 2>&1)
	rc=$?
	secs=$(( $(date +%s) - start ))
	echo "$out" | sed 's/^/# /'
	klog=$(dmesg | grep -E -A12 "$bad")
	if [ -n "$klog" ]; then
		echo "# kernel log after $t:"
		echo "$klog" | head -60 | sed 's/^/#   /'
		rc=1
	fi
	case $rc in
	0) echo "ok $n $t # ${secs}s"; pass=$((pass + 1)) ;;
	"$KSFT_SKIP") echo "ok $n $t # SKIP"; skip=$((skip + 1)) ;;
	*) echo "not ok $n $t # exit $rc, ${secs}s"; fail=$((fail + 1)) ;;
	esac
	# Leave the next test a clean kernel: no module, no stray devices.
	rmmod tracenet 2>/dev/null
	ip -all netns delete 2>/dev/null
done
# tracenet is the only loadable module on the debug kernel, so a backtrace
# through an address in module space without a symbol is an unloaded
# tracenet's. kmemleak reports objects unreferenced for 5 s in a scan.
if [ -n "$kmemleak" ]; then
	n=$((n + 1))
	sleep 6
	echo scan >$kmemleak
	echo scan >$kmemleak
	leaks=$(awk '/^unreferenced object/ { if (obj ~ /tracenet|\[<ffffffffc/) print obj; obj = "" }
		{ obj = obj $0 "\n" }
		END { if (obj ~ /tracenet|\[<ffffffffc/) print obj }' $kmemleak)
	others=$(grep -c '^unreferenced object' $kmemleak)
	if [ -n "$leaks" ]; then
		printf '%b' "$leaks" | head -80 | sed 's/^/# /'
		echo "not ok $n kmemleak # tracenet leaked"
		fail=$((fail + 1))
	else
		echo "# kmemleak: nothing of tracenet's ($others suspects elsewhere)"
		echo "ok $n kmemleak"
		pass=$((pass + 1))
	fi
fi
echo "# selftests: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
