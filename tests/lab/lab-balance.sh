#!/bin/bash
# kvm-migrate balance on three real hosts: --goal consolidate over three
# lightly loaded hosts frees at least one and moves the guests there live;
# --goal spread, after every guest was put on host 1, evens memory use
# out. Heartbeats go on through every move. Each host's memory is given
# as 1 GiB (--host-mem): the lab's hosts share one machine.
. "$top_srcdir/tests/lab/fleet-lib.sh"

GUESTS="bl1 bl2 bl3"
fleet_lab
fleet_guest 1 bl1
fleet_guest 2 bl2
fleet_guest 3 bl3
count_on() { local g n=0; for g in $GUESTS; do [ "$(runs_on "$g")" = "$1" ] && n=$((n + 1)); done; echo $n; }

# ---- 4. consolidate three lightly loaded hosts ------------------------------------
expect_status 0 "balance --goal consolidate --dry-run" "$M" balance "$U1" "$U2" "$U3" \
	--goal consolidate --host-mem 1G --dry-run
expect_in "frees " "$out" "the plan names a host it frees"
expect_eq "$(count_on 1) $(count_on 2) $(count_on 3)" "1 1 1" "--dry-run moved nothing"
expect_status 0 "balance --goal consolidate" "$M" --json balance "$U1" "$U2" "$U3" \
	--goal consolidate --host-mem 1G
grep '"event":"plan"' <<<"$out" >"$TEST_TMP/plan.json"
freed=$("$JSON_CHECK" "$TEST_TMP/plan.json" --get freed | tr -d '[]"' | tr ',' ' ')
[ -n "$freed" ] && ok "the plan frees: $freed" || not_ok "the plan frees no host"
for uri in $freed; do
	for h in 1 2 3; do
		[ "$(lab uri $h)" = "$uri" ] && expect_eq "$(count_on $h)" 0 "host $h, freed, runs no guest"
	done
done
for g in $GUESTS; do one_home "$g"; done
for g in $GUESTS; do went_on "$g"; done

# ---- 5. spread, after every guest was put on host 1 --------------------------------
for h in 2 3; do
	[ "$(count_on $h)" = 0 ] && continue
	expect_status 0 "evacuate host $h onto host 1" "$M" -c "$(lab uri $h)" evacuate \
		--to "$U1" --host-mem 1G
done
expect_eq "$(count_on 1)" 3 "host 1 runs every guest"
for g in $GUESTS; do went_on "$g"; done
expect_status 0 "balance --goal spread" "$M" --json balance "$U1" "$U2" "$U3" --host-mem 1G
grep '"event":"plan"' <<<"$out" >"$TEST_TMP/spread.json"
read -r before after < <("$JSON_CHECK" "$TEST_TMP/spread.json" --get cv_before --get cv_after | tr '\n' ' ')
awk -v b="$before" -v a="$after" 'BEGIN { exit !(a < b) }' &&
	ok "the plan lowers the coefficient of variation: $before -> $after" ||
	not_ok "cv $before -> $after"
expect_eq "$(count_on 1) $(count_on 2) $(count_on 3)" "1 1 1" "memory use evened out: a guest a host"
for g in $GUESTS; do one_home "$g"; done
for g in $GUESTS; do went_on "$g"; done
expect_status 0 "balance again: nothing is worth moving" "$M" balance "$U1" "$U2" "$U3" --host-mem 1G
expect_in "nothing to move" "$out" "it says so"
finish
