#!/bin/bash
# Live moves that converge, on pti=on guests, each move followed by lab
# integrity. A guest dirtying 24 MiB/s at --bandwidth 20, which virsh with
# its defaults has not moved after 60 s (the test then aborts it), moves
# under kvm-migrate's convergence policy within the admin's downtime: the
# throttle first, then post-copy if the throttle has not done it. (Under
# TCG the throttle bites only near its top, and QEMU's own bandwidth
# estimate lags: with auto-converge alone this move finished in about one
# run of three here, though the policy raised the limit when it fitted;
# the throttle takes about 35 s to reach its top, so kvm-migrate has a
# 120 s timeout, time for post-copy after that.) One
# dirtying 64 MiB/s at --bandwidth 8 with only auto-converge allowed is
# aborted early, long before its timeout, and stays on host 1. With
# --allow postcopy a stalled move (at 12 MiB/s, 100 ms at most) switches
# to post-copy and completes.
# (Five dirty:8 moves under the policy are lab-integrity.sh's.)
. "$top_srcdir/tests/lab/migrate-lib.sh"

migrate_lab
U=("" "$U1" "$U2")
ADDR=("" 127.0.0.2 127.0.0.3)

# event NAME: the first NDJSON line of that event in $out
event() {
	grep -m1 -E "\"event\": ?\"$1\"" <<<"$out"
}

field() {
	event "$1" | "$JSON_CHECK" --get "$2"
}

intact() {
	sleep "$2" # the workload's round: every page verified once
	expect_status 0 "$3: lab integrity finds no lost write" lab integrity "$1"
}

# The hopeless case first, alone on the machine's two cores: its figures
# are then the guest's, not another guest's contention.
lab guest cv64 --disk shared --workload dirty:64 >/dev/null || not_ok "lab guest cv64"
wait_heartbeat cv64 10 90 >/dev/null || not_ok "cv64 did not boot"

# ---- 3. hopeless: dirty:64 at 8 MiB/s, auto-converge only ------------------
start=$(date +%s)
run "$M" -c "$U1" live cv64 "$U2" --migrateuri "tcp://${ADDR[2]}" --bandwidth 8 \
	--allow auto-converge --no-check --json
took=$(($(date +%s) - start))
expect_eq "$status" 1 "the hopeless move of cv64 fails"
expect_eq "$(field policy action)" abort "... aborted by the policy" ||
	grep -E '"event": ?"progress"' <<<"$out" | while read -r line; do
		echo "#   $("$JSON_CHECK" --get elapsed_ms --get iteration --get memory_remaining <<<"$line" | tr '\n' ' ')"
	done
[ "$took" -lt 60 ] && ok "... after $took s, before its 60 s timeout" ||
	not_ok "the abort came after $took s; the timeout is 60 s"
expect_in "would not converge" "$err" "... and says why, with the figures"
printf '%s\n' "$err" | sed 's/^/#   /'
expect_eq "$(domstate 1 cv64)" running "cv64 runs on host 1"
expect_eq "$(domstate 2 cv64)" none "host 2 has no trace of cv64"
intact cv64 1 "cv64 after the abort"
virsh -c "$U1" destroy cv64 >/dev/null 2>&1 # its cores, for the rest

lab guest cv24 --disk shared --workload dirty:24 >/dev/null || not_ok "lab guest cv24"
before=$(wait_heartbeat cv24 10 90) || not_ok "cv24 did not boot"

# ---- 2. dirty:24 at 20 MiB/s: virsh does not finish, the policy does -------
virsh -c "$U1" migrate --live --persistent --undefinesource --unsafe cv24 "$U2" \
	"tcp://${ADDR[2]}" --bandwidth 20 >"$TEST_TMP/virsh.out" 2>&1 &
virsh_pid=$!
sleep 60
if kill -0 "$virsh_pid" 2>/dev/null; then
	ok "virsh with its defaults has not moved cv24 after 60 s"
	virsh -c "$U1" domjobabort cv24 >/dev/null 2>&1
else
	not_ok "virsh finished cv24's move within 60 s: $(cat "$TEST_TMP/virsh.out")"
fi
wait "$virsh_pid"
expect_eq "$(domstate 1 cv24)" running "after virsh's abort cv24 runs on host 1"
intact cv24 2 "after virsh's abort"

# The throttle takes about 35 s to reach its top here: a 120 s timeout
# leaves the policy time for post-copy after it (it usually ends at 33 s).
run "$M" -c "$U1" live cv24 "$U2" --migrateuri "tcp://${ADDR[2]}" --bandwidth 20 \
	--allow auto-converge,postcopy --timeout 120 --json
expect_eq "$status" 0 "kvm-migrate live moves cv24 at --bandwidth 20 (converge auto)"
if [ "$status" != 0 ]; then
	printf '%s\n' "$err" | sed 's/^/#   /'
	grep -E '"event": ?"(policy|progress)"' <<<"$out" | tail -n 40 | while read -r line; do
		echo "#   $("$JSON_CHECK" --get event --get elapsed_ms --get iteration \
			--get memory_remaining --get reason <<<"$line" 2>/dev/null | tr '\n' ' ')"
	done
fi
downtime=$(field completed downtime_ms)
[ -n "$downtime" ] && [ "$downtime" -le 500 ] 2>/dev/null &&
	ok "... within the admin's downtime: libvirt reports $downtime ms (at most 500)" ||
	not_ok "downtime '$downtime' ms, wanted at most 500; $(event completed)"
expect_in '"policy_actions"' "$(event completed)" "... and the summary names the policy's actions"
grep -E '"event": ?"policy"' <<<"$out" | tail -n 5 | while read -r line; do
	"$JSON_CHECK" --get reason <<<"$line" | sed 's/^/#   policy: /'
done
expect_eq "$(domstate 2 cv24)" running "cv24 runs on host 2"
after=$(wait_heartbeat cv24 "$before" 30) && ok "cv24's heartbeat went on ($after)" ||
	not_ok "cv24's heartbeat: $before before, '$after' after"
intact cv24 3 "cv24 on host 2"

# ---- 4. post-copy allowed: a stalled move switches and completes ------------
# At 12 MiB/s, half the guest's dirty rate, with at most 100 ms of
# downtime (1.2 MiB left at a switch-over): at 20 MiB/s, or at 12 with a
# 500 ms maximum, a lucky pass and a raised limit have finished it.
before=$(lab heartbeat cv24)
run "$M" -c "$U2" live cv24 "$U1" --migrateuri "tcp://${ADDR[1]}" --bandwidth 12 \
	--max-downtime 100 --allow postcopy --no-check --json
expect_eq "$status" 0 "cv24 moves back with --allow postcopy"
[ "$status" = 0 ] || printf '%s\n' "$err" | sed 's/^/#   /'
expect_eq "$(field policy action)" postcopy "... the stalled move switched to post-copy"
field policy reason | sed 's/^/#   policy: /'
expect_eq "$(domstate 1 cv24)" running "cv24 runs on host 1"
after=$(wait_heartbeat cv24 "$before" 30) && ok "cv24's heartbeat went on ($after)" ||
	not_ok "cv24's heartbeat: $before before, '$after' after"
intact cv24 3 "cv24 after post-copy"
finish
