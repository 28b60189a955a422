#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run one libFuzzer harness for a fixed time and print one TAP line:
#
#   ok - NAME: N runs in Ss, no crash
#   not ok - NAME: crash, reproducer PATH
#
# N and S are libFuzzer's own ("Done N runs in S second(s)"). Called by
# "make fuzz-check" and "make fuzz" (tools/Makefile), from tools/.
#
#   fuzz/run.sh NAME BUILD_DIR SECONDS CORPUS_DIR [LIBFUZZER_ARG...]
#
# New inputs go to CORPUS_DIR; BUILD_DIR/seeds/NAME is read too. Crash
# reproducers go to BUILD_DIR/crashes/, the whole log to BUILD_DIR/log/.
# Reproduce a crash with: BUILD_DIR/NAME PATH
set -uo pipefail

name=$1 build=$(cd "$2" && pwd) seconds=$3 corpus=$4
shift 4
log=$build/log/$name.log
crashes=$build/crashes
mkdir -p "$corpus" "$crashes" "$build/log"

case $name in
fuzz_decode) max_len=16384 ;;
*) max_len=8192 ;;
esac
# Each harness has the words of its own input's language.
case $name in
fuzz_filter) dict=filter.dict ;;
*) dict=format.dict ;;
esac

# fuzz_filter reads the events of tests/fixtures.
export TN_FUZZ_FIXTURES=${TN_FUZZ_FIXTURES:-$(cd "$(dirname "$0")/../tests/fixtures" && pwd)}

# Leaks are detected (libFuzzer's -detect_leaks, on by default with ASan):
# what a harness allocates is freed per input. The suppressions are for
# libtraceevent's own, named in lsan.supp.
ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=1:malloc_context_size=255 \
LSAN_OPTIONS=${LSAN_OPTIONS:-}${LSAN_OPTIONS:+:}suppressions=$(dirname "$0")/lsan.supp:print_suppressions=0 \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}print_stacktrace=1:halt_on_error=1 \
"$build/$name" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
	-max_len=$max_len -dict="$(dirname "$0")/$dict" \
	-artifact_prefix="$crashes/$name-" "$@" \
	"$corpus" "$build/seeds/$name" >"$log" 2>&1
rc=$?

done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -n1)
# What the format guard (ctl/formatguard.c) kept away from libtraceevent,
# what fuzz_filter's inputs reached.
grep -E '^fuzz guard: ' "$log" | tail -n1 | sed "s/^/# $name: /"
grep -E '^fuzz filter: ' "$log" | tail -n1 | sed "s/^/# $name: /"
if [ $rc -eq 0 ] && [ -n "$done_line" ]; then
	read -r _ runs _ _ secs _ <<<"$done_line"
	echo "ok - $name: $runs runs in ${secs}s, no crash"
	exit 0
fi

repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n1)
grep -E '^(SUMMARY|==[0-9]+==ERROR|.*runtime error)' "$log" | head -n5 | sed 's/^/# /'
if [ -n "$repro" ]; then
	echo "# reproduce: $build/$name $repro"
	echo "not ok - $name: crash, reproducer $repro (log $log)"
else
	echo "not ok - $name: exit status $rc, no \"Done\" line (log $log)"
fi
exit 1
