#!/bin/bash
# kvm-ksm tune on the real kernel, seeing the lab's libvirt guests:
#   1. three 'same' guests, KSM always needed: ksmd starts, savings come
#      within a few cycles;
#   2. three 'unique' guests: within two windows of full scans the tuner
#      stops ksmd, and ksmd's CPU time stops rising;
#   3. a new guest: the tuner looks again at once, back-off or not;
#   4. SIGTERM ends the loop cleanly and leaves KSM as it is;
#   5. kvm-ksm vms' total saved is status's saved, to a page per guest.
# Every KSM knob is put back, under the lock the real-kernel tests share.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/lab/harness.sh"
. "$top_srcdir/tests/lab/ksm-lib.sh"

K=$KVM_KSM
WSS=128
INTERVAL=5
unset KVMOPS_SYSFS_ROOT KVMOPS_PROC_ROOT
[ -w $KSM/run ] || skip_or_fail "needs a writable $KSM"
[ -e $KSM/advisor_mode ] || skip_or_fail "needs the KSM advisor (Linux 6.7)"

lab_start 1
ksm_take
tuner=
stop_tuner() {
	[ -z "$tuner" ] && return 0
	kill -TERM "$tuner" 2>/dev/null
	wait "$tuner"
	local rc=$?
	tuner=
	return $rc
}
trap 'stop_tuner; ksm_restore; lab down >/dev/null 2>&1; rm -rf "$TEST_TMP"' EXIT
URI=$(lab uri 1)
LOG=$TEST_TMP/tune.jsonl

start_guests() {
	local kind=$1 i
	shift
	for i in "$@"; do
		lab guest "$i" --workload "$kind" --wss $WSS >/dev/null || not_ok "lab guest $i"
	done
	for i in "$@"; do
		wait_heartbeat "$i" 5 90 >/dev/null || not_ok "$i did not boot"
	done
	sleep 3 # the workload fills its memory right after boot
}

# start_tuner ARGS...: the loop in the background, an NDJSON line a cycle.
start_tuner() {
	: >"$LOG"
	"$K" -c "$URI" tune --json --interval $INTERVAL --threshold 100% \
		--scan-time 10 --state "$TEST_TMP/tune.state" "$@" \
		>"$LOG" 2>"$TEST_TMP/tune.err" &
	tuner=$!
}

# field N PATH: PATH of the Nth cycle's object (from 1; 0 the last).
field() {
	local line
	if [ "$1" = 0 ]; then line=$(tail -1 "$LOG"); else line=$(sed -n "$1p" "$LOG"); fi
	echo "$line" | $JSON_CHECK --get "$2"
}

cycles() { wc -l <"$LOG"; }

# wait_for ACTION SECONDS [AFTER]: waits for a cycle with ACTION after
# cycle AFTER (0); prints its number.
wait_for() {
	local t n
	for t in $(seq $(($2 * 2))); do
		n=$(grep -n "\"action\":\"$1\"" "$LOG" | cut -d: -f1 |
			awk -v after="${3:-0}" '$1 > after { print; exit }')
		[ -n "$n" ] && { echo "$n"; return 0; }
		sleep 0.5
	done
	return 1
}

# ---- 1. the same content: ksmd starts, and saves -----------------------------
"$K" unmerge >/dev/null
start_guests same same1 same2 same3
start_tuner
n=$(wait_for start 20)
result $? "1: the tuner starts ksmd (cycle ${n:-none})" "$(cat "$TEST_TMP/tune.err")"
expect_eq "$(ksm_value run) $(ksm_value advisor_mode) $(ksm_value advisor_target_scan_time)" "1 scan-time 10" \
	"1: ksmd runs under the advisor, aiming at 10 s a scan"
expect_eq "$(field 1 figures.guests) $(field 1 figures.guest_memory_from)" "3 libvirt" \
	"1: the tuner sees the three guests, through libvirt"
expect_in "start: MemAvailable" "$(field 1 reason)" "1: the reason in one line: $(field 1 reason)"
# Three guests of 128 MiB alike save two of them: more than 192 MiB.
want=$((192 * 1048576)) saved=0
for t in $(seq 24); do
	saved=$(field 0 figures.saved_bytes)
	[ "${saved:-0}" -gt "$want" ] && break
	sleep $INTERVAL
done
[ "${saved:-0}" -gt "$want" ]
result $? "1: savings come within $(cycles) cycles: $((saved / 1048576)) MiB" \
	"$(tail -3 "$LOG")"
grep -q '"rearm_advisor":true' "$LOG" && echo "# the advisor was re-armed: $(grep -o 'a full scan at[^;"]*' "$LOG" | head -1)"

# ---- 5. (while the same guests share) vms adds up to status ----------------
# Once merging stops paying the tuner stops ksmd: the counters hold still.
n=$(wait_for back-off 120)
result $? "1: once the merging is done the tuner stops ksmd (cycle ${n:-none}): $(field "${n:-0}" reason)"
"$K" vms --json -c "$URI" >"$TEST_TMP/vms.json"
"$K" status --json >"$TEST_TMP/status.json"
vms_saved=$($JSON_CHECK "$TEST_TMP/vms.json" --get total.saved_bytes)
status_saved=$($JSON_CHECK "$TEST_TMP/status.json" --get derived.saved_bytes)
page=$(getconf PAGESIZE)
diff=$((vms_saved - status_saved))
[ "${diff#-}" -le $((3 * page)) ]
result $? "5: vms' total saved $vms_saved is status's $status_saved, within a page per guest"
merged=$($JSON_CHECK "$TEST_TMP/vms.json" --get total.merged_bytes)
[ "$merged" -gt "$vms_saved" ]
result $? "5: what the guests merged ($((merged / 1048576)) MiB) exceeds what it saves ($((vms_saved / 1048576)) MiB)"

# ---- 4. SIGTERM ------------------------------------------------------------------
before=$(ksm_value run)
stop_tuner
expect_eq "$?" 0 "4: SIGTERM ends the loop, exit 0"
expect_eq "$(ksm_value run)" "$before" "4: KSM is left as the tuner left it"

# ---- 2. unique content: ksmd stops, and costs nothing more -------------------
for i in 1 2 3; do virsh -q -c "$URI" destroy "same$i" >/dev/null; done
"$K" unmerge >/dev/null
start_guests unique uniq1 uniq2 uniq3
rm -f "$TEST_TMP/tune.state"
# The guests' identical kernels merge some 16 MiB in their first full
# scans; above that the scanning finds nothing: a 5% bar (38 MiB) tells.
start_tuner --min-gain 5%
n=$(wait_for start 20)
result $? "2: the tuner starts ksmd for three new guests"
n=$(wait_for back-off 120)
result $? "2: it stops ksmd once two full scans save too little (cycle ${n:-none})" "$(tail -2 "$LOG")"
reason=$(field "${n:-0}" reason)
expect_in "back-off: the last " "$reason" "2: the reason: $reason"
scans=$(echo "$reason" | sed -n 's/.*the last \([0-9]*\) full scans.*/\1/p')
[ "${scans:-99}" -ge 2 ] && [ "${scans:-99}" -le 4 ]
result $? "2: judged on ${scans:-?} full scans"
expect_eq "$(ksm_value run)" 0 "2: ksmd is stopped"
t0=$(ksmd_ticks)
sleep 10
t1=$(ksmd_ticks)
[ $((t1 - t0)) -le 1 ]
result $? "2: ksmd's CPU time stops rising ($t0 -> $t1 ticks in 10 s)"

# ---- 3. a new guest ends the back-off ---------------------------------------
before=$(cycles)
lab guest uniq4 --workload unique --wss 64 >/dev/null || not_ok "lab guest uniq4"
n=$(wait_for start $((INTERVAL * 3)) "$before")
result $? "3: a new guest: the tuner looks again at the next cycle, not after 10" "$(tail -2 "$LOG")"
expect_in "guests came or went (4 QEMU processes, were 3)" "$(field "${n:-0}" reason)" "3: the reason says why"
[ "${n:-0}" -le $((before + 2)) ]
result $? "3: within two cycles of the guest (cycle $before, then ${n:-none})"
expect_eq "$(ksm_value run)" 1 "3: ksmd runs again"
stop_tuner
expect_eq "$?" 0 "4: SIGTERM again, in mid-scan: exit 0"
finish
