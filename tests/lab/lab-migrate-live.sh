#!/bin/bash
# kvm-migrate live on real hosts: over shared storage, with whole disks
# copied, with only the top of a backing chain copied, aborted by SIGINT
# and SIGTERM, and aborted when the destination's libvirtd dies. Each move
# is proven by the heartbeat: the first beat the guest writes on host 2
# continues the count it had on host 1.
#
# The lab's guests boot with pti=on, which keeps QEMU 7.2 under TCG from
# losing pages they dirty during a migration of many passes (tests/lab/lab):
# a dirty:8 guest moved at 20 MiB/s, more than five passes, arrives alive.
. "$top_srcdir/tests/lab/migrate-lib.sh"

migrate_lab

# ---- over shared storage, with NDJSON ---------------------------------------
lab guest ml1 --disk shared --workload dirty:4 >/dev/null || not_ok "lab guest ml1"
before=$(wait_heartbeat ml1 10 90) || not_ok "ml1 did not boot"
expect_status 0 "live over shared storage, --json, no --unsafe" "$M" -c "$U1" --json live ml1 "$U2" \
	--migrateuri tcp://127.0.0.3
echo "$out" >"$TEST_TMP/live.ndjson"
expect_in '"event":"check"' "$out" "the check came first, as an event"
expect_in '"event":"progress"' "$out" "progress events followed"
last=$(tail -1 "$TEST_TMP/live.ndjson")
expect_in '"event":"completed"' "$last" "the last event says completed"
echo "$last" >"$TEST_TMP/done.json"
for key in elapsed_ms downtime_ms setup_ms data_processed throughput_bps; do
	v=$($JSON_CHECK "$TEST_TMP/done.json" --get "$key" 2>/dev/null)
	[[ "$v" =~ ^[0-9]+$ ]] && ok "the summary has $key ($v)" || not_ok "summary $key: '$v'"
done
moved ml1 "$before"

# ---- many passes: a dirty guest at a capped bandwidth ----------------------------
lab guest mp1 --disk shared --workload dirty:8 >/dev/null || not_ok "lab guest mp1"
before=$(wait_heartbeat mp1 10 90) || not_ok "mp1 did not boot"
expect_status 0 "live mp1 --bandwidth 20 (dirty:8)" "$M" -c "$U1" --json live mp1 "$U2" \
	--migrateuri tcp://127.0.0.3 --bandwidth 20
tail -1 <<<"$out" >"$TEST_TMP/mp1.json"
passes=$($JSON_CHECK "$TEST_TMP/mp1.json" --get iteration 2>/dev/null)
[[ "$passes" =~ ^[0-9]+$ ]] && [ "$passes" -gt 5 ] && ok "it took $passes passes (more than 5)" ||
	not_ok "passes: '$passes', wanted more than 5"
moved mp1 "$before"

# ---- whole disks copied -------------------------------------------------------
lab guest mc1 --disk local --workload dirty:2 >/dev/null || not_ok "lab guest mc1"
before=$(wait_heartbeat mc1 10 90) || not_ok "mc1 did not boot"
expect_status 0 "live --copy-storage all" "$M" -c "$U1" live mc1 "$U2" \
	--migrateuri tcp://127.0.0.3 --copy-storage all
expect_in "total time" "$out" "a summary closes the run"
expect_in "downtime" "$out" "it gives the downtime"
[ -s "$(host_file 2 /var/lib/libvirt/images/mc1.qcow2)" ] && ok "host 2 has its own copy of mc1's disk" ||
	not_ok "no mc1.qcow2 in host 2's private pool"
moved mc1 "$before"

# ---- only the top of a backing chain copied -----------------------------------
lab guest mi1 --disk local --backing --workload dirty:2 >/dev/null || not_ok "lab guest mi1"
before=$(wait_heartbeat mi1 10 90) || not_ok "mi1 did not boot"
expect_status 0 "live --copy-storage inc" "$M" -c "$U1" live mi1 "$U2" \
	--migrateuri tcp://127.0.0.3 --copy-storage inc
run virsh -c "$U2" vol-dumpxml /var/lib/libvirt/images/mi1.qcow2
expect_in "<path>/var/lib/libvirt/images/base.qcow2</path>" "$out" \
	"host 2's copy sits on host 2's own base.qcow2"
moved mi1 "$before"

# ---- aborted ----------------------------------------------------------------
lab guest ma1 --workload dirty:8 >/dev/null || not_ok "lab guest ma1"
wait_heartbeat ma1 10 90 >/dev/null || not_ok "ma1 did not boot"

# throttled TAG: starts a throttled move of ma1 that cannot converge, in
# the background ($pid), and waits until it copies memory.
throttled() {
	local i
	"$M" -c "$U1" live ma1 "$U2" --migrateuri tcp://127.0.0.3 --bandwidth 4 \
		>"$TEST_TMP/$1.out" 2>"$TEST_TMP/$1.err" &
	pid=$!
	for i in $(seq 100); do
		grep -q '^memory' "$TEST_TMP/$1.err" && break
		sleep 0.2
	done
	grep -q '^memory' "$TEST_TMP/$1.err" && ok "the throttled move copies memory ($1)" ||
		not_ok "no memory phase ($1): $(cat "$TEST_TMP/$1.err")"
}

still_on_host1() {
	local beat
	expect_eq "$(domstate 1 ma1)" running "ma1 still runs on host 1"
	beat=$(lab heartbeat ma1)
	wait_heartbeat ma1 "$beat" 10 >/dev/null && ok "ma1's heartbeat still rises on host 1" ||
		not_ok "ma1's heartbeat stopped at $beat"
}

# abort SIGNAL...: sends the signals to a throttled move, and checks that
# nothing moved.
abort() {
	throttled abort
	for sig in "$@"; do
		kill -"$sig" "$pid"
		sleep 0.2
	done
	wait "$pid"
	expect_eq "$?" 1 "kvm-migrate exits 1 after $*"
	expect_in "the migration was aborted: on the source ma1 is running; the destination has no trace of it" \
		"$(cat "$TEST_TMP/abort.err")" "it says where the guest is ($*)"
	expect_eq "$(domstate 2 ma1)" none "host 2 has no trace of ma1"
	still_on_host1
}
abort INT INT # a second Ctrl-C must not leave things half done
abort TERM

# ---- the destination lost mid-way ---------------------------------------------
# Host 2's libvirtd dies while memory streams to its QEMU: the source must
# not go on feeding a destination nobody can finish. Last, as host 2 is gone.
throttled lost
kill -KILL "$(cat "$LAB_DIR/host2/libvirtd.pid")" && ok "host 2's libvirtd killed mid-way" ||
	not_ok "cannot kill host 2's libvirtd"
# keepalive gives up after 5 s x 3; a closed socket is seen at once
for i in $(seq 150); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.2
done
if kill -0 "$pid" 2>/dev/null; then
	not_ok "kvm-migrate still runs 30 s after the destination died"
	kill -INT "$pid"
fi
wait "$pid"
expect_eq "$?" 1 "kvm-migrate exits 1 when the destination is lost"
expect_in "the connection to the destination was lost, so the migration was aborted: on the source ma1 is running; the destination cannot be reached" \
	"$(cat "$TEST_TMP/lost.err")" "it says what state each side is in"
still_on_host1
finish
