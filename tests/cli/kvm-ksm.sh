#!/bin/bash
# kvm-ksm against fixture trees: output, JSON, Prometheus, completion,
# scripts, and every bad input (exit 2, message naming it, nothing changed).
. "$top_srcdir/tests/lib.sh"

K=$KVM_KSM
EXPECTED=$top_srcdir/tests/cli/expected
NEW=$(fixture ksm-6.18)
OLD=$(fixture ksm-old)
mkdir -p "$TEST_TMP/empty"
export KVMOPS_SYSFS_ROOT=$NEW KVMOPS_PROC_ROOT=$(fixture proc)
KNOBS=$NEW/sys/kernel/mm/ksm

# ---- output against expected files ----------------------------------------
compare() {
	name=$1
	shift
	run "$@"
	if [ "$status" = 0 ] && diff -u "$EXPECTED/$name" "$TEST_TMP/out" >"$TEST_TMP/diff"; then
		ok "output of $name"
	else
		not_ok "output of $name (exit $status): $(cat "$TEST_TMP/diff") $err"
	fi
}

compare status-6.18.txt "$K" status
KVMOPS_SYSFS_ROOT=$OLD compare status-old.txt "$K" status
compare vms.txt "$K" vms
compare vms-by-pid.txt "$K" vms --sort=pid
compare help-set.txt "$K" help set

expect_status 0 "help help lists the commands" "$K" help help
expect_in "unmerge" "$out" "help help shows the command list"

run "$K" --version
expect_in "libkvmops" "$out" "--version names the library version"

# ---- JSON, parsed by a real parser ----------------------------------------
run "$K" status --json
echo "$out" >"$TEST_TMP/status.json"
expect_eq "$($JSON_CHECK "$TEST_TMP/status.json" --len entries 24 --get entries.pages_sharing)" 31162 "status --json: 24 entries, pages_sharing"
expect_eq "$($JSON_CHECK "$TEST_TMP/status.json" --get entries.advisor_mode --get derived.profit_source)" "none
general_profit" "status --json: advisor_mode and profit source"
expect_eq "$($JSON_CHECK "$TEST_TMP/status.json" --type derived.sharing_ratio double --get derived.saved_bytes)" $((31162 * 4096)) "status --json: saved bytes"
KVMOPS_SYSFS_ROOT=$OLD run "$K" --json status
expect_eq "$(echo "$out" | $JSON_CHECK --len entries 9 --get derived.profit_source)" formula "old kernel: 9 entries, profit from the formula"
run "$K" vms --json
expect_eq "$(echo "$out" | $JSON_CHECK --len vms 2 --get vms.0.name --get vms.1.name --get total.merging_pages)" "db,two
web1
35162" "vms --json: two guests by saving, decoy left out"
# Their 35162 merging pages are all of pages_shared + pages_sharing: their
# fair shares add up to what status says is saved.
expect_eq "$(echo "$out" | $JSON_CHECK --get total.saved_bytes --get total.merged_bytes)" "$((31162 * 4096))
$((35162 * 4096))" "vms --json: total saved is status's saved; merged is the raw sum"
expect_eq "$(echo "$out" | $JSON_CHECK --get vms.0.saved_bytes --get vms.1.saved_bytes)" "$((17868 * 4096))
$((13294 * 4096))" "vms --json: each guest's fair share of pages_sharing"
run "$K" watch --count 2 --interval 0.1 --json
expect_eq "$(echo "$out" | head -1 | $JSON_CHECK --get state)" running "watch --json prints one object per line"
expect_eq "$(echo "$out" | wc -l)" 2 "watch --count 2 takes two samples"

# ---- figures no kernel holds: refused or exact, never wrapped --------------
# Each was found by fuzzing (tests/fuzz): a negated INT64_MIN, a product
# past 64 bits, a total that wrapped.
HUGE=$TEST_TMP/huge
cp -a "$NEW" "$HUGE"
echo -9223372036854775808 >"$HUGE/sys/kernel/mm/ksm/general_profit"
KVMOPS_SYSFS_ROOT=$HUGE expect_status 0 "status with general_profit at INT64_MIN" "$K" status
expect_in "-8 EiB" "$out" "status shows a profit of INT64_MIN as -8 EiB"
KVMOPS_SYSFS_ROOT=$HUGE run "$K" status --json
expect_eq "$(echo "$out" | $JSON_CHECK --get derived.profit_bytes)" -9223372036854775808 "status --json: general_profit at INT64_MIN as it is"
rm "$HUGE/sys/kernel/mm/ksm/general_profit"
echo 4503599627370496 >"$HUGE/sys/kernel/mm/ksm/pages_sharing"
KVMOPS_SYSFS_ROOT=$HUGE expect_status 1 "status with pages_sharing past 64 bits of bytes" "$K" status
expect_in "pages_sharing: 4503599627370496 pages" "$err" "status names the entry and its value"
expect_eq "$out" "" "status prints no figure it could not work out"
PROC=$TEST_TMP/proc-huge
cp -a "$KVMOPS_PROC_ROOT" "$PROC"
for pid in 100 200; do
	printf 'ksm_rmap_items 0\nksm_zero_pages 2251799813685247\nksm_merging_pages 0\n' >"$PROC/proc/$pid/ksm_stat"
done
KVMOPS_PROC_ROOT=$PROC run "$K" vms --json
expect_eq "$status $(echo "$out" | $JSON_CHECK --get total.saturated --get total.profit_bytes)" "0 true
9223372036854775807" "vms --json: two profits near 2^63 add up to a saturated total"
expect_in "64 bits" "$err" "vms says its total is saturated"
KVMOPS_PROC_ROOT=$PROC run "$K" vms
expect_in "8.00 EiB" "$out" "vms shows the saturated total at its limit"
printf 'ksm_rmap_items 9223372036854775807\nksm_merging_pages 1\n' >"$PROC/proc/100/ksm_stat"
KVMOPS_PROC_ROOT=$PROC expect_status 1 "vms with ksm_rmap_items past 64 bits of bytes" "$K" vms
expect_in "ksm_rmap_items 9223372036854775807 is out of range" "$err" "vms names the figure"

# ---- Prometheus text format ------------------------------------------------
run "$K" status --prometheus
bad=$(echo "$out" | prom_lint)
expect_eq "$bad" "" "status --prometheus is valid exposition format"
expect_in 'kvmops_ksm_full_scans_total 7' "$out" "full_scans is a counter with _total"
expect_in 'kvmops_ksm_advisor_mode{mode="scan-time"} 0' "$out" "advisor_mode as labelled gauges"
expect_in "kvmops_ksm_saved_bytes $((31162 * 4096))" "$out" "derived saved bytes exported"
run "$K" vms --prometheus
expect_eq "$(echo "$out" | prom_lint)" "" "vms --prometheus is valid exposition format"
expect_in 'kvmops_ksm_vm_saved_bytes{domain="web1",pid="100"} '"$((13294 * 4096))" "$out" "vms --prometheus: a domain label per guest"
expect_in 'kvmops_ksm_vm_merged_bytes{domain="db,two",pid="200"} '"$((20162 * 4096))" "$out" "vms --prometheus: the raw figure as merged_bytes"
expect_status 2 "vms --prometheus with --json" "$K" --json vms --prometheus
expect_in "contradict" "$err" "vms --prometheus and --json: the message says why"

# ---- completion --------------------------------------------------------------
expect_eq "$("$K" complete -- '')" "status
set
start
stop
unmerge
vms
tune
watch
help" "complete: commands"
expect_eq "$("$K" complete -- set pages_to)" "pages_to_scan=" "complete: a knob"
expect_eq "$("$K" complete -- set use_zero_pages=)" "use_zero_pages=0
use_zero_pages=1" "complete: a boolean's values"
expect_eq "$("$K" complete -- -c test:///default vms --sort=n)" "--sort=name" "complete: an inline option value after a global option"

# ---- changes on a fixture copy ----------------------------------------------
expect_status 0 "set two knobs" "$K" set pages_to_scan=500 sleep_millisecs=50
expect_eq "$(cat "$KNOBS/pages_to_scan") $(cat "$KNOBS/sleep_millisecs")" "500 50" "set wrote both knobs"
expect_in "pages_to_scan: 1000 -> 500" "$out" "set reports old and new values"
expect_status 0 "set a choice" "$K" set advisor_mode=scan-time
expect_eq "$(cat "$KNOBS/advisor_mode")" "scan-time" "set wrote the chosen word"
expect_status 0 "stop" "$K" stop
expect_eq "$(cat "$KNOBS/run")" 0 "stop wrote run=0"
expect_status 0 "start --pages --sleep" "$K" start --pages 2000 --sleep=10
expect_eq "$(cat "$KNOBS/run") $(cat "$KNOBS/pages_to_scan") $(cat "$KNOBS/sleep_millisecs")" "1 2000 10" "start set its knobs and run=1"
expect_status 0 "unmerge" "$K" unmerge
expect_eq "$(cat "$KNOBS/run")" 2 "unmerge wrote run=2"

# ---- bad input: exit 2, a message naming it, nothing changed ---------------
before=$(tree_sum "$NEW")
bad_input frobnicate "unknown command" "$K" frobnicate
bad_input frobnicate "unknown command after global options" "$K" -q --json frobnicate
bad_input nope "help for an unknown command" "$K" help nope
bad_input bogus_knob "unknown key" "$K" set bogus_knob=1
bad_input pages_to_scan "unknown key lists the known ones" "$K" set bogus_knob=1
bad_input abc "non-numeric value" "$K" set pages_to_scan=abc
bad_input -5 "negative value" "$K" set pages_to_scan=-5
bad_input 4294967296 "value too large for the type" "$K" set pages_to_scan=4294967296
bad_input 99999999999999999999999 "value beyond 64 bits" "$K" set sleep_millisecs=99999999999999999999999
bad_input "'2'" "boolean out of range" "$K" set merge_across_nodes=2
bad_input "'1'" "max_page_sharing below 2" "$K" set max_page_sharing=1
bad_input "'0'" "advisor_max_cpu below 1" "$K" set advisor_max_cpu=0
bad_input bogus "unknown choice" "$K" set advisor_mode=bogus
bad_input pages_shared "a read-only counter" "$K" set pages_shared=5
bad_input run "run through set" "$K" set run=1
bad_input pages_to_scan "a pair without =" "$K" set pages_to_scan
bad_input "=5" "a pair without a key" "$K" set =5
bad_input "no value" "a pair without a value" "$K" set pages_to_scan=
bad_input "given twice" "a key given twice" "$K" set pages_to_scan=1 pages_to_scan=2
bad_input abc "all or nothing: one bad pair of two" "$K" set pages_to_scan=777 sleep_millisecs=abc
bad_input KEY=VALUE "missing arguments" "$K" set
bad_input extra "extra arguments" "$K" status extra
bad_input extra "extra arguments to stop" "$K" stop extra
bad_input --bogus "unknown option" "$K" status --bogus
bad_input --bogus "unknown global option" "$K" --bogus status
bad_input interval "option without its value" "$K" watch --interval
bad_input abc "non-numeric option value" "$K" watch --interval=abc
bad_input 0 "interval out of range" "$K" watch --interval 0
bad_input -1 "negative count" "$K" watch --count -1
bad_input abc "start with a bad --pages" "$K" start --pages abc
bad_input 4294967296 "start with --pages too large" "$K" start --pages 4294967296
bad_input bogus "vms with a bad --sort" "$K" vms --sort bogus
bad_input prometheus "--json with --prometheus" "$K" status --json --prometheus
bad_input json "a flag given a value" "$K" status --json=yes
bad_input quote "an unclosed quote on stdin" sh -c "echo 'status \"x' | '$K'"
KVMOPS_SYSFS_ROOT=$OLD bad_input smart_scan "a knob this kernel lacks" "$K" set smart_scan=0
expect_eq "$(tree_sum "$NEW")" "$before" "no bad input changed any file"

# ---- failed operations: exit 1 --------------------------------------------
KVMOPS_SYSFS_ROOT=$TEST_TMP/empty expect_status 1 "no KSM directory" "$K" status
expect_in CONFIG_KSM "$err" "no KSM directory: says CONFIG_KSM"
expect_status 1 "vms with an unreachable libvirt URI" "$K" -c bogus:///nowhere vms
expect_in "bogus:///nowhere" "$err" "the connection error names the URI"

# ---- scripts on stdin --------------------------------------------------------
echo 0 >"$KNOBS/run"
run sh -c "printf 'status -q\nset bogus=1\nstart\n' | '$K'"
expect_eq "$status $(cat "$KNOBS/run")" "2 0" "a script stops at its first failure"
run sh -c "printf '# a comment\n\nset bogus=1\nstart\n' | '$K' --keep-going"
expect_eq "$status $(cat "$KNOBS/run")" "2 1" "--keep-going runs the rest and still fails"
run sh -c "printf 'stop\nstatus --json\n' | '$K' -q"
expect_eq "$(echo "$out" | $JSON_CHECK --get derived.state)" stopped "a script's commands run in order"

# -c on one line stays in effect for the next (it once pointed into freed words).
run sh -c "printf 'vms -q -c test:///default\nvms -q\n' | '$K'"
expect_eq "$status" 0 "-c given on a script line outlives that line"

finish
