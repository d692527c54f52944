#!/bin/bash
# kvm-balloon on real guests: list shows real stats, set --wait shrinks a
# guest that goes on beating, the floor refuses and --force passes, period
# makes stats flow, and overcommit agrees with virsh.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/lab/harness.sh"

B=${KVM_BALLOON:-$top_builddir/cli/kvm-balloon}
lab_start 1
U=$(lab uri 1)
lab guest bal1 >/dev/null || not_ok "lab guest bal1"
lab guest bal2 --no-stats >/dev/null || not_ok "lab guest bal2"
wait_heartbeat bal1 5 90 >/dev/null || not_ok "bal1 did not boot"
wait_heartbeat bal2 5 90 >/dev/null || not_ok "bal2 did not boot"

# field GUEST KEY: a figure of one guest from list --json.
field() {
	"$B" -c "$U" list --json >"$TEST_TMP/list.json"
	for i in 0 1 2 3; do
		[ "$($JSON_CHECK "$TEST_TMP/list.json" --get "$i.name" 2>/dev/null)" = "$1" ] &&
			{ $JSON_CHECK "$TEST_TMP/list.json" --get "$i.$2"; return; }
	done
	echo missing
}

# Stats from the guest arrive every 2 s once its driver is up.
for _ in $(seq 30); do [ "$(field bal1 usable_kib)" != null ] && break; sleep 1; done
usable=$(field bal1 usable_kib)
[ "$usable" != null ] && [ "$usable" -gt 0 ] && ok "list shows bal1's real usable memory ($usable KiB)" ||
	not_ok "no usable figure for bal1: $usable"
expect_eq "$(field bal1 problem)" null "bal1 has no problem flag"
total0=$(field bal1 available_kib)

beat=$(lab heartbeat bal1)
expect_status 0 "set bal1 128M --wait" "$B" -c "$U" set bal1 128M --wait --timeout 30
expect_in "reached 128 MiB" "$out" "it reports what was reached and how long it took"
expect_eq "$(field bal1 current_kib)" 131072 "the balloon is at 128 MiB"
sleep 3
total1=$(field bal1 available_kib)
[ "$total1" -lt $((total0 - 100000)) ] && ok "the guest's own MemTotal dropped ($total0 -> $total1 KiB)" ||
	not_ok "MemTotal $total0 -> $total1 KiB"
after=$(wait_heartbeat bal1 "$beat" 10) && ok "its heartbeat goes on ($beat -> $after)" || not_ok "heartbeat stuck at $beat"

expect_status 0 "growing it back with set 256M --wait" "$B" -c "$U" set bal1 256M --wait --timeout 30
expect_eq "$(field bal1 current_kib)" 262144 "the balloon is back at 256 MiB"

run "$B" -c "$U" stats bal1 --json
floor=$(echo "$out" | $JSON_CHECK --get floor_kib)
below=$(((floor - 8192) / 1024))M
expect_status 2 "a target below the floor ($below, floor $floor KiB)" "$B" -c "$U" set bal1 "$below"
expect_in "safety floor" "$err" "the refusal names the floor"
expect_eq "$(field bal1 current_kib)" 262144 "the refused set changed nothing"
expect_status 0 "--force passes the floor" "$B" -c "$U" set bal1 "$below" --force --wait --timeout 30
expect_status 0 "and back" "$B" -c "$U" set bal1 256M --wait --timeout 30

# A guest without a period sends one set of stats at boot, then nothing.
for _ in $(seq 30); do [ "$(field bal2 problem)" = no-period ] && break; sleep 1; done
expect_eq "$(field bal2 problem)" no-period "list flags the guest without a stats period"
expect_status 2 "set refuses without stats" "$B" -c "$U" set bal2 200M
expect_status 0 "period bal2 2" "$B" -c "$U" period bal2 2
for _ in $(seq 15); do [ "$(field bal2 problem)" = null ] && break; sleep 1; done
expect_eq "$(field bal2 problem)" null "stats flow for bal2 after period"
age=$(field bal2 stats_age_s)
[ "$age" -le 4 ] && ok "bal2's stats are fresh (${age}s)" || not_ok "bal2's stats are ${age}s old"

run "$B" -c "$U" overcommit --json
echo "$out" >"$TEST_TMP/oc.json"
expect_eq "$($JSON_CHECK "$TEST_TMP/oc.json" --get host_cpus)" "$(virsh -c "$U" nodeinfo | awk '/^CPU\(s\)/ { print $2 }')" "overcommit's CPUs match virsh nodeinfo"
expect_eq "$($JSON_CHECK "$TEST_TMP/oc.json" --get host_memory_kib)" "$(virsh -c "$U" nodeinfo | awk '/^Memory size/ { print $3 }')" "overcommit's memory matches virsh nodeinfo"
maxsum=0 cpus=0
for g in bal1 bal2; do
	maxsum=$((maxsum + $(virsh -c "$U" dominfo $g | awk '/^Max memory/ { print $3 }')))
	cpus=$((cpus + $(virsh -c "$U" dominfo $g | awk '/^CPU\(s\)/ { print $2 }')))
done
expect_eq "$($JSON_CHECK "$TEST_TMP/oc.json" --get sum_max_kib) $($JSON_CHECK "$TEST_TMP/oc.json" --get sum_vcpus)" "$maxsum $cpus" "overcommit's sums match virsh dominfo"
expect_eq "$($JSON_CHECK "$TEST_TMP/oc.json" --get memory_verdict)" PASS "two small guests: memory verdict PASS"
finish
