#!/bin/bash
# kvm-ksm on the machine's real kernel: set, start, stop, unmerge, a real
# EBUSY and a real EACCES. Every knob it touches is put back, pass or fail.
. "$top_srcdir/tests/lib.sh"

K=$KVM_KSM
KSM=/sys/kernel/mm/ksm
unset KVMOPS_SYSFS_ROOT KVMOPS_PROC_ROOT

[ "$(id -u)" = 0 ] || skip_or_fail "needs root to change the real KSM knobs"
[ -d $KSM ] || skip_or_fail "this kernel has no $KSM (CONFIG_KSM)"
# sleep_millisecs: pages_to_scan refuses writes while the advisor is on.
cur=$(cat $KSM/sleep_millisecs)
echo "$cur" >$KSM/sleep_millisecs 2>/dev/null ||
	skip_or_fail "$KSM is not writable here"

# One real-kernel test at a time on this machine (make -j, distcheck, a
# second work tree): they would undo each other's knobs.
exec 9>/run/lock/kvmops-ksm-real.lock 2>/dev/null || exec 9>/tmp/kvmops-ksm-real.lock
flock 9

# The chosen word of "[none] scan-time", or the number.
value_of() {
	sed 's/.*\[\(.*\)\].*/\1/' "$KSM/$1"
}

TOUCHED="pages_to_scan sleep_millisecs max_page_sharing merge_across_nodes
use_zero_pages smart_scan advisor_mode"
declare -A SAVED
for knob in $TOUCHED run; do
	[ -e "$KSM/$knob" ] && SAVED[$knob]=$(value_of "$knob")
done
# A run killed mid-way may have left the advisor on, owning pages_to_scan.
[ ! -e $KSM/advisor_mode ] || echo none >$KSM/advisor_mode
pages_pid=

restore() {
	[ -n "$pages_pid" ] && kill "$pages_pid" 2>/dev/null && wait "$pages_pid" 2>/dev/null
	pages_pid=
	# Knobs that refuse changes while pages are shared need them split.
	echo 2 >$KSM/run
	[ ! -e $KSM/advisor_mode ] || echo none >$KSM/advisor_mode
	for knob in $TOUCHED; do
		[ -n "${SAVED[$knob]:-}" ] && echo "${SAVED[$knob]}" >"$KSM/$knob" 2>/dev/null
	done
	echo "${SAVED[run]}" >$KSM/run
}
trap 'restore; rm -rf "$TEST_TMP"' EXIT

expect_status 0 "set two knobs" "$K" set pages_to_scan=1234 sleep_millisecs=33
expect_eq "$(cat $KSM/pages_to_scan) $(cat $KSM/sleep_millisecs)" "1234 33" "the kernel took both"
expect_status 2 "one bad pair of two" "$K" set pages_to_scan=555 sleep_millisecs=abc
expect_eq "$(cat $KSM/pages_to_scan)" 1234 "the good pair was not written either"

expect_status 0 "start with settings" "$K" start --pages 5000 --sleep 10
expect_eq "$(cat $KSM/run) $(cat $KSM/pages_to_scan)" "1 5000" "ksmd runs with them"

"$top_builddir/tests/helpers/ksm-pages" 32 >"$TEST_TMP/pages" &
pages_pid=$!
for _ in $(seq 100); do
	[ "$(cat $KSM/pages_sharing)" -gt 1000 ] && break
	sleep 0.3
done
sharing=$(cat $KSM/pages_sharing)
if [ "$sharing" -gt 1000 ]; then ok "ksmd merged real pages ($sharing sharing)"; else not_ok "ksmd merged only $sharing pages in 30 s"; fi

run "$K" status --json
saved=$(echo "$out" | $JSON_CHECK --get derived.saved_bytes)
if [ "${saved:-0}" -gt 4096000 ]; then ok "status --json reports the real saving ($saved bytes)"; else not_ok "status saved_bytes=$saved"; fi

mps=$(cat $KSM/max_page_sharing)
new_mps=$((mps + 1))
expect_status 1 "max_page_sharing while pages are shared" "$K" set max_page_sharing=$new_mps
expect_in "still shared" "$err" "EBUSY is explained"
expect_in "unmerge" "$err" "EBUSY offers to unmerge first"
expect_eq "$(cat $KSM/max_page_sharing)" "$mps" "max_page_sharing unchanged"

expect_status 0 "set --unmerge-first" "$K" set --unmerge-first max_page_sharing=$new_mps
expect_eq "$(cat $KSM/max_page_sharing) $(cat $KSM/run)" "$new_mps 1" "it was set and ksmd runs again"

# The build tree may sit where nobody cannot read (mktemp -d is 0700):
# nobody runs a copy of the program and its library from a directory of
# its own.
nobody_home=$TEST_TMP/nobody
mkdir -p "$nobody_home" && chmod 755 "$TEST_TMP" && chmod 777 "$nobody_home"
nobody_k=$K
if [ -x "$(dirname "$K")/.libs/kvm-ksm" ]; then
	cp "$(dirname "$K")/.libs/kvm-ksm" "$nobody_home/"
	cp -P "$top_builddir"/lib/.libs/libkvmops.so* "$nobody_home/"
	nobody_k=$nobody_home/kvm-ksm
fi
run setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$nobody_home" \
	LD_LIBRARY_PATH="$nobody_home" "$nobody_k" set pages_to_scan=100
expect_eq "$status" 1 "a user who is not root fails with exit 1"
expect_in "root" "$err" "and is told it needs root"

expect_status 0 "stop" "$K" stop
expect_eq "$(cat $KSM/run)" 0 "ksmd stopped"
expect_status 0 "unmerge" "$K" unmerge
expect_eq "$(cat $KSM/run) $(cat $KSM/pages_shared)" "2 0" "every page was split"

run "$K" watch --count 2 --interval 0.2
expect_eq "$(echo "$out" | grep -c 'state=')" 2 "watch logs a line per sample when not on a terminal"

restore
same=yes
for knob in "${!SAVED[@]}"; do
	# The advisor sets pages_to_scan itself when it comes on.
	[ "$knob" = pages_to_scan ] && [ "${SAVED[advisor_mode]:-}" = scan-time ] && continue
	[ "$(value_of "$knob")" = "${SAVED[$knob]}" ] || same="no: $knob"
done
expect_eq "$same" yes "every knob is back as it was"
finish
