#!/bin/bash
# kvm-migrate evacuate on three real hosts: four small guests drained off
# host 1, two at a time; a name clash that keeps one guest off host 2; and
# SIGINT while two moves are in flight. Each guest must end running on
# exactly one host and defined on exactly that one, with its heartbeat
# going on from where it was (the first beat on its new host continues
# the count: a live move, not a reboot).
#
# Each host's memory is given as 1 GiB (--host-mem): the lab's hosts share
# one machine, whose memory every host would otherwise report.
. "$top_srcdir/tests/lab/fleet-lib.sh"

GUESTS="ev1 ev2 ev3 ev4"
fleet_lab
for g in $GUESTS; do fleet_guest 1 "$g"; done
lists() { for h in 1 2 3; do virsh -q -c "$(lab uri $h)" list --all --name | sort | tr '\n' ' '; echo; done; }

# ---- --dry-run: the plan, and nothing moves -----------------------------------
before_lists=$(lists)
expect_status 0 "evacuate --dry-run" "$M" --json -c "$U1" evacuate --to "$U2,$U3" \
	--host-mem 1G --dry-run
echo "$out" >"$TEST_TMP/plan.json"
"$JSON_CHECK" "$TEST_TMP/plan.json" --len moves 4 --len unplaced 0 >/dev/null
result $? "the plan moves all four guests" "$out"
expect_eq "$(lists)" "$before_lists" "--dry-run changed no host's guests"

# ---- 1. four guests off host 1, two at a time ------------------------------------
expect_status 0 "evacuate --to host2,host3 --jobs 2" "$M" --json -c "$U1" evacuate \
	--to "$U2,$U3" --jobs 2 --host-mem 1G --bandwidth 16
echo "$out" >"$TEST_TMP/evacuate.ndjson"
for g in $GUESTS; do one_home "$g" "2 3"; done
for g in $GUESTS; do went_on "$g"; done
read -r total per_host < <(peaks "$TEST_TMP/evacuate.ndjson")
expect_eq "$total" 2 "the NDJSON shows 2 moves at a time at most, and 2 at its peak"
[ "$per_host" -le 2 ] && ok "at most 2 moves into one host ($per_host)" ||
	not_ok "$per_host moves at once into one host"
n=$(grep -c '"event":"progress"' "$TEST_TMP/evacuate.ndjson")
m=$(grep '"event":"progress"' "$TEST_TMP/evacuate.ndjson" | grep -c '"domain":"ev[1-4]"')
[ "$n" -gt 0 ] && [ "$n" = "$m" ] && ok "every one of the $n progress events names its guest" ||
	not_ok "$m of $n progress events name their guest"
tail -1 "$TEST_TMP/evacuate.ndjson" >"$TEST_TMP/summary.json"
expect_eq "$("$JSON_CHECK" "$TEST_TMP/summary.json" --get event --get result \
	--get source_running --len guests 4 | tr '\n' ' ')" "summary ok 0 " \
	"the summary: every guest moved, the source runs none"

# ---- shut-off guests: left alone, or moved offline with --include-shutoff ------------
lab guest evoff --mem 128M --disk shared >/dev/null && virsh -q -c "$U1" destroy evoff >/dev/null ||
	not_ok "a shut-off guest evoff on host 1"
expect_status 0 "evacuate of a host with only a shut-off guest left" "$M" -c "$U1" evacuate \
	--to "$U2,$U3" --host-mem 1G
expect_in "nothing to move" "$out" "without --include-shutoff it has nothing to move"
expect_eq "$(defined_on evoff)" 1 "evoff stays defined on host 1"
expect_status 0 "evacuate --include-shutoff" "$M" -c "$U1" evacuate --to "$U2,$U3" \
	--host-mem 1G --include-shutoff
expect_in "offline" "$out" "it moves offline"
on=$(defined_on evoff)
[[ "$on" =~ ^[23]$ ]] && [ "$(domstate "$on" evoff)" = "shut off" ] &&
	ok "evoff is defined on host $on only, shut off" || not_ok "evoff defined on '$on'"
virsh -q -c "$(lab uri "${on:-1}")" undefine evoff >/dev/null 2>&1

# ---- 2. a name clash on host 2 keeps that guest off it -------------------------------
# Everything back on host 1 first: host 2 and host 3 drained onto it.
for h in 2 3; do
	expect_status 0 "evacuate host $h onto host 1" "$M" -c "$(lab uri $h)" evacuate \
		--to "$U1" --host-mem 1G
done
for g in $GUESTS; do one_home "$g" 1; done
for g in $GUESTS; do went_on "$g"; done
virsh -c "$U1" dumpxml ev1 --inactive | sed '/<uuid>/d' >"$TEST_TMP/clash.xml"
virsh -q -c "$U2" define "$TEST_TMP/clash.xml" >/dev/null || not_ok "define the clash"
expect_status 0 "evacuate with ev1's name taken on host 2" "$M" --json -c "$U1" evacuate \
	--to "$U2,$U3" --host-mem 1G
echo "$out" >"$TEST_TMP/clash.ndjson"
expect_eq "$(runs_on ev1)" 3 "ev1 went to host 3"
grep -E '"event":"(start|retry)"' "$TEST_TMP/clash.ndjson" | grep '"domain":"ev1"' |
	grep -q "\"to\":\"$U2\""
[ $? = 1 ] && ok "host 2 was never tried for ev1" || not_ok "ev1 was started towards host 2"
grep '"event":"plan"' "$TEST_TMP/clash.ndjson" >"$TEST_TMP/clash-plan.json"
expect_eq "$("$JSON_CHECK" "$TEST_TMP/clash-plan.json" --get moves.0.domain --get moves.0.to |
	tr '\n' ' ')" "ev1 $U3 " "the plan sends ev1 to host 3"
expect_eq "$(defined_on ev1)" "2 3" "host 2's own ev1 is still there, host 3 defines the moved one"
virsh -q -c "$U2" undefine ev1 >/dev/null
for g in $GUESTS; do one_home "$g" "2 3"; done
for g in $GUESTS; do went_on "$g"; done

# ---- 3. SIGINT while two moves are in flight ------------------------------------
expect_status 0 "evacuate host 2 onto host 1" "$M" -c "$U2" evacuate --to "$U1" --host-mem 1G
for g in $GUESTS; do went_on "$g"; done
on3=0
for g in $GUESTS; do [ "$(runs_on "$g")" = 3 ] && on3=$((on3 + 1)); done
[ "$on3" -ge 2 ] && ok "host 3 runs $on3 guests" || not_ok "host 3 runs $on3 guests, wanted 2 or more"
"$M" --json -c "$U3" evacuate --to "$U1,$U2" --host-mem 1G --bandwidth 4 \
	>"$TEST_TMP/int.ndjson" 2>"$TEST_TMP/int.err" &
pid=$!
for t in $(seq 300); do
	[ "$(grep -c '"event":"progress"' "$TEST_TMP/int.ndjson")" -ge 4 ] && break
	sleep 0.1
done
expect_eq "$(tail -1 "$TEST_TMP/int.ndjson" | sed -E 's/.*"running":([0-9]+).*/\1/')" 2 \
	"two moves are in flight"
kill -INT "$pid"
wait "$pid"
expect_eq "$?" 1 "interrupted, evacuate exits 1"
tail -1 "$TEST_TMP/int.ndjson" >"$TEST_TMP/int.json"
expect_eq "$("$JSON_CHECK" "$TEST_TMP/int.json" --get event --get result | tr '\n' ' ')" \
	"summary interrupted " "the last event says it was interrupted"
expect_in "interrupted" "$(cat "$TEST_TMP/int.err")" "stderr says it was interrupted"
for g in $GUESTS; do one_home "$g"; done
for g in $GUESTS; do went_on "$g"; done
finish
