#!/bin/bash
# kvm-balloon auto against libvirt's test driver and fixture files: its
# decisions in --once --dry-run --json, a cgroup's budget, what a real
# cycle changes (a stats period where there was none), the config file,
# bad values and unknown keys (exit 2, nothing changed), the Prometheus
# file and SIGTERM.
. "$top_srcdir/tests/lib.sh"

KB=$KVM_BALLOON
U=test:///default
CONF=$TEST_TMP/auto.conf
SYS=$TEST_TMP/sys
PROC=$TEST_TMP/proc
export KVMOPS_SYSFS_ROOT=$SYS KVMOPS_PROC_ROOT=$PROC
mkdir -p "$PROC/proc/pressure" "$SYS/sys/fs/cgroup/machine.slice"
printf 'MemTotal:  4194304 kB\nMemAvailable:  1048576 kB\n' >"$PROC/proc/meminfo"
printf 'some avg10=1.50 avg60=0.00 avg300=0.00 total=1\n' >"$PROC/proc/pressure/memory"
CG=$SYS/sys/fs/cgroup
echo "cpu memory" >"$CG/cgroup.controllers"
echo 1073741824 >"$CG/machine.slice/memory.max"
echo 805306368 >"$CG/machine.slice/memory.current"
printf 'anon 1\ninactive_file 0\n' >"$CG/machine.slice/memory.stat"
echo "some avg10=0.00 avg60=0.00 avg300=0.00 total=0" >"$CG/machine.slice/memory.pressure"

# get FIELD...: fields of the last JSON object in $out.
get() {
	local args=() f
	for f in "$@"; do args+=(--get "$f"); done
	echo "$out" | tail -1 | $JSON_CHECK "${args[@]}"
}

# ---- decisions, changing nothing ---------------------------------------------
run "$KB" -c $U --json auto --once --dry-run
expect_eq "$status" 0 "auto --once --dry-run --json runs"
expect_eq "$(get host.budget_bytes host.used_bytes host.pressure host.cgroup)" "$((4194304 * 1024))
$(((4194304 - 1048576) * 1024))
false
null" "the whole host from /proc/meminfo: 3 of 4 GiB used, under the 80% target"
expect_eq "$(get host.psi_some_avg10)" "1.5" "the host's PSI"
expect_eq "$(get guests.0.name guests.0.action)" "test
skip" "the test driver's guest has no stats: skipped"
expect_in "no stats period" "$(get guests.0.reason)" "and the reason says why"
run "$KB" -c $U --json auto --once --dry-run --no-set-period
expect_eq "$(get dry_run)" "true" "dry run said in the object"

run "$KB" -c $U --json auto --once --dry-run --cgroup machine.slice --target 70%
expect_eq "$(get host.budget_bytes host.used_bytes host.cgroup host.cgroup_version host.pressure)" "1073741824
805306368
machine.slice
2
true" "--cgroup: the slice's limit and use; 75% > 70% is pressure"
expect_in "host use 768 MiB of 1 GiB (75%) > target 70% (717 MiB)" "$(get host.reason)" "the host's reason in one line"

run "$KB" -c $U auto --once --dry-run
expect_in "dry run: test: skip: no stats period" "$out" "text: a line for the skipped guest, said as a dry run"

# ---- bad input: exit 2, nothing done -----------------------------------------
bad_input "--target" "a target of 0%" "$KB" -c $U auto --once --target 0
bad_input "--target" "a target above 100%" "$KB" -c $U auto --once --target 101%
bad_input "--psi" "a PSI limit that is not a number" "$KB" -c $U auto --once --psi lots
bad_input "--max-step" "a step under 1 MiB" "$KB" -c $U auto --once --max-step 4K
bad_input "--shares" "a share without a domain" "$KB" -c $U auto --once --shares =5
bad_input "--shares" "a share of 0" "$KB" -c $U auto --once --shares web=0
bad_input "--interval" "--interval with --once" "$KB" -c $U auto --once --interval 5
bad_input "nope.slice" "a cgroup that is not there" "$KB" -c $U auto --once --dry-run --cgroup nope.slice
printf 'target=75\nfrobnicate=1\n' >"$CONF"
bad_input "$CONF:2: unknown key 'frobnicate'" "an unknown key, by file and line" \
	"$KB" -c $U auto --once --config "$CONF"
printf '# comment\ntarget = 75%%\ndeadband="8M"\nshares=test=2000\nmax-step=lots\n' >"$CONF"
bad_input "$CONF:5: max-step: invalid value 'lots'" "a bad value, by file, line and key" \
	"$KB" -c $U auto --once --config "$CONF"
bad_input "--config" "a config file that is not there" "$KB" -c $U auto --once --config "$TEST_TMP/none.conf"
run virsh -c $U dommemstat test
expect_eq "$status" 0 "the guest is as it was"

# ---- the config file ---------------------------------------------------------
printf '# comment\ntarget = 75%%\ndeadband="8M"\nshares=test=2000\ncgroup=machine.slice\n' >"$CONF"
run "$KB" -c $U --json auto --once --dry-run --config "$CONF"
expect_eq "$(get host.target_bytes guests.0.share host.cgroup)" "805306368
2000
machine.slice" "the config file's target, share and cgroup"
run "$KB" -c $U --json auto --once --dry-run --config "$CONF" --target 90
expect_eq "$(get host.target_bytes)" "966367232" "an option overrides the file"
run "$KB" -c $U --json auto --once --dry-run --shares web=5 --shares test=3000
expect_eq "$(get guests.0.share)" 3000 "--shares given again adds to the earlier ones"

# ---- a real cycle: the guest without stats gets a period -----------------------
run "$KB" -c $U auto --once --prometheus-file "$TEST_TMP/auto.prom"
expect_eq "$status" 0 "a real cycle runs"
expect_in "test had no stats period: set to 5 s" "$err" "it gives the guest a stats period, and says so"
expect_eq "$(prom_lint <"$TEST_TMP/auto.prom")" "" "the Prometheus file is well formed"
expect_in 'kvmops_balloon_auto_balloon_bytes{domain="test"} 2147483648' "$(cat "$TEST_TMP/auto.prom")" \
	"with each guest's balloon"

# ---- the loop: SIGTERM ends it -----------------------------------------------------
"$KB" -c $U --json auto --interval 1 --dry-run >"$TEST_TMP/loop.jsonl" 2>"$TEST_TMP/loop.err" &
pid=$!
for _ in $(seq 50); do
	[ "$(wc -l <"$TEST_TMP/loop.jsonl")" -ge 2 ] && break
	sleep 0.1
done
kill -TERM $pid
wait $pid
expect_eq "$?" 0 "SIGTERM ends the loop, exit 0"
[ "$(wc -l <"$TEST_TMP/loop.jsonl")" -ge 2 ]
result $? "a cycle every interval until then"

finish
