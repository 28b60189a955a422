#!/bin/bash
# Run the tracenet selftests inside the VM (tools/vm-run -- selftests/run.sh)
# and print KTAP. After every test the kernel log is checked: a WARNING, BUG,
# Oops, lockdep or KASAN report, or "sleeping function called from invalid
# context" fails the test that caused it.
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

echo "TAP version 13"
echo "1..${#tests[@]}"
n=0 pass=0 fail=0 skip=0
for t in "${tests[@]}"; do
	n=$((n + 1))
	dmesg -C
	start=$(date +%s)
	out=$(cd /tmp && timeout 600 bash "$dir/$t.sh" 2>&1)
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
echo "# selftests: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
