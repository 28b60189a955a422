#!/bin/bash
# With a tiny buffer and an event storm, produced == delivered + dropped
# exactly, per CPU, and the sequence numbers in the capture show the drops:
# every produced event took one number, so per CPU the gaps plus the
# numbers after the last captured frame equal the drop counters.
. "$(dirname "$0")/lib.sh"

load
ip link add trace1 type tracenet || fail "link add"
ethtool -G trace1 rx 2 || fail "tiny ring"
# Delivery normally runs right after each event (irq_work, then NAPI at
# irq exit) and keeps up with any storm. Threaded NAPI at nice 19 against a
# storm at nice -20 lets the producers outrun it, as a loaded machine would.
echo 1 >/sys/class/net/trace1/threaded || fail "threaded NAPI"
ip link set trace1 up
for t in $(pgrep '^napi/trace1'); do renice -n 19 -p "$t" >/dev/null; done
# Capture first, then attach: the capture sees every frame from seq 0.
capture_start trace1 /tmp/storm.pcap
"$ctl" attach trace1 syscalls:sys_enter_read syscalls:sys_enter_write || fail "attach"

pids=()
for cpu in 0 1; do
	nice -n -20 taskset -c $cpu dd if=/dev/zero of=/dev/null bs=1 count=100000 2>/dev/null &
	pids+=($!)
done
wait "${pids[@]}"
sleep 1
# Down while still capturing: production stops, what is buffered is
# counted as dropped, and nothing is delivered after the capture ends.
taskset -c 0 dd if=/dev/zero of=/dev/null bs=1 count=20000 2>/dev/null &
sleep 0.2
ip link set trace1 down
wait $!
capture_stop trace1

ethtool -S trace1 | grep -E '^ +(produced|delivered|drop_[a-z]+|suppressed):'
check_accounting trace1
[ "$(stat trace1 drop_full)" -gt 0 ] || fail "the storm dropped nothing: buffer not small enough"
[ "$(stat trace1 drop_down)" -gt 0 ] || echo "note: nothing was buffered at down"
python3 "$here/pcapstat.py" /tmp/storm.pcap | tee /tmp/storm.txt
events=$(awk '$1 == "total" { print $3 }' /tmp/storm.txt)
[ "$events" -eq "$(stat trace1 delivered)" ] || fail "capture has $events events, delivered $(stat trace1 delivered)"

for cpu in 0 1; do
	p=$(stat trace1 rx_queue_${cpu}_produced) d=$(stat trace1 rx_queue_${cpu}_delivered)
	x=$(ethtool -S trace1 | awk -v c="rx_queue_${cpu}_drop_" 'index($1, c) == 1 { x += $2 } END { print x }')
	read -r e g next < <(awk -v c=$cpu '$1 == "cpu" && $2 == c { print $4, $6, $8 }' /tmp/storm.txt)
	e=${e:-0} g=${g:-0} next=${next:-0}
	echo "cpu$cpu: produced $p delivered $d dropped $x | capture: events $e gaps $g next seq $next"
	[ "$p" -eq $((d + x)) ] || fail "cpu$cpu: produced != delivered + dropped"
	[ "$e" -eq "$d" ] || fail "cpu$cpu: captured $e events, delivered $d"
	[ $((g + p - next)) -eq "$x" ] || fail "cpu$cpu: gaps $g + unnumbered tail $((p - next)) != dropped $x"
done
