#!/bin/bash
# Malformed, hostile and unprivileged requests are refused with a clear
# message and change nothing; a layout the records contradict drops events
# (counted) instead of reading past the record.
. "$(dirname "$0")/lib.sh"

load
python3 "$here/badmsg.py" trace0 || fail "bad requests"
setpriv --reuid=65534 --regid=65534 --clear-groups python3 "$here/badmsg.py" trace0 --unpriv ||
	fail "unprivileged requests"
# Root of a user namespace has every capability, but not in the initial one.
unshare -Ur python3 "$here/badmsg.py" trace0 --unpriv || fail "user namespace requests"
# CAP_NET_ADMIN alone is not enough either.
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=+net_admin --ambient-caps=+net_admin \
	python3 "$here/badmsg.py" trace0 --unpriv || fail "CAP_NET_ADMIN-only requests"

# tracenetctl names what was wrong and changes nothing.
out=$("$ctl" attach trace0 sched:sched_switch sched:nosuch 2>&1) && fail "attach of sched:nosuch succeeded"
grep -q "unknown event 'sched:nosuch'" <<<"$out" || fail "message: $out"
out=$("$ctl" attach trace9 sched:sched_switch 2>&1) && fail "attach to trace9 succeeded"
grep -q "device 'trace9' not found" <<<"$out" || fail "message: $out"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$ctl" attach trace0 sched:sched_switch 2>&1) &&
	fail "unprivileged attach succeeded"
grep -q "permission denied" <<<"$out" || fail "message: $out"
"$ctl" status trace0 | grep -q sched_switch && fail "something was attached"
echo "tracenetctl errors: ok"
