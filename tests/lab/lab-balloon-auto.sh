#!/bin/bash
# kvm-balloon auto on a host with a real memory budget: three guests of
# 256 MiB in a 640 MiB cgroup, two idle and one that grows by 8 MiB/s to
# 184 MiB, holds it 60 s and frees it. First a baseline with auto in
# --dry-run (what happens without it, and proof that a dry run changes no
# balloon), then auto for real: the idle guests give, the growing one gets
# its memory, no QEMU is killed, no guest meets its OOM killer, every
# heartbeat goes on, and the balloons grow back once the memory is freed.
#
# --wss 184, not 200: a 256 MiB guest's kernel and initramfs keep about
# 60 MiB, and 200 MiB meets the guest's own OOM killer with no balloon at
# all (the lab refuses a --wss that leaves less than 64 MiB).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/lab/harness.sh"

B=${KVM_BALLOON:-$top_builddir/cli/kvm-balloon}
LAB_DIR=${KVMOPS_LAB_DIR:-/var/tmp/kvmops-lab}
lab_start 1 --host-mem 640M
U=$(lab uri 1)
CG=$(lab cgroup 1)
MAX=262144

console() { cat "$LAB_DIR/host1/log/qemu/$1.serial" 2>/dev/null; }
kills() { dmesg | grep -c 'Memory cgroup out of memory: Killed process'; }
running() { virsh -c "$U" list --name | grep -c .; }

# current NAME: the balloon's size in KiB, from list --json.
current() {
	"$B" -c "$U" list --json >"$TEST_TMP/list.json"
	for i in 0 1 2 3 4; do
		[ "$($JSON_CHECK "$TEST_TMP/list.json" --get "$i.name" 2>/dev/null)" = "$1" ] &&
			{ $JSON_CHECK "$TEST_TMP/list.json" --get "$i.current_kib"; return; }
	done
	echo missing
}

# watch GROWER LOG: samples every 2 s until GROWER's console says it freed
# its memory (at most 180 s); fails when a guest is gone. Prints the peak
# use in MiB; leaves in $TEST_TMP/full how many lines LOG had when GROWER
# was full.
watch_grower() {
	local peak=0 use t
	for t in $(seq 90); do
		use=$(lab status | awk '/^host1/ { print $(NF-4) }')
		[ "${use%.*}" -gt "$peak" ] 2>/dev/null && peak=${use%.*}
		[ "$(running)" = 3 ] || { echo "$peak lost"; return 1; }
		[ -s "$TEST_TMP/full" ] || ! console "$1" | grep -q 'grow full' ||
			grep -c . "$2" >"$TEST_TMP/full"
		console "$1" | grep -q 'grow freed' && { echo "$peak"; return 0; }
		sleep 2
	done
	echo "$peak timeout"
	return 1
}

beats() { echo "$(lab heartbeat i1) $(lab heartbeat i2) $(lab heartbeat "$1" 2>/dev/null)"; }

# rising BEFORE AFTER: every heartbeat in AFTER passed its own in BEFORE.
rising() {
	local -a a=($1) b=($2)
	[ "${#b[@]}" = 3 ] && [ "${b[0]}" -gt "${a[0]}" ] && [ "${b[1]}" -gt "${a[1]}" ] &&
		[ "${b[2]}" -gt "${a[2]:-0}" ]
}

lab guest i1 >/dev/null || not_ok "lab guest i1"
lab guest i2 >/dev/null || not_ok "lab guest i2"
wait_heartbeat i1 5 90 >/dev/null || not_ok "i1 did not boot"
wait_heartbeat i2 5 90 >/dev/null || not_ok "i2 did not boot"
sleep 10 # their stats flow, their boot settles

# ---- baseline: auto only says what it would do -----------------------------
k0=$(kills)
"$B" -c "$U" auto --dry-run --json --interval 2 --cgroup "$CG" >"$TEST_TMP/dry.ndjson" 2>"$TEST_TMP/dry.err" &
dry=$!
lab guest gr --workload grow:8:60 --wss 184 >/dev/null || not_ok "lab guest gr"
before=$(beats gr)
peak=$(watch_grower gr "$TEST_TMP/dry.ndjson")
after=$(beats gr)
kill -TERM "$dry"
wait "$dry"
echo "# baseline at 640 MiB: $(running) of 3 guests alive, peak use $peak MiB, $(($(kills) - k0)) QEMU killed by the kernel, heartbeats $before -> $after"
cycles=$(grep -c . "$TEST_TMP/dry.ndjson")
[ "$cycles" -ge 10 ] && ok "the dry run reported a cycle every 2 s ($cycles)" || not_ok "dry run: $cycles cycles"
bad=0
while read -r line; do
	echo "$line" | $JSON_CHECK --type dry_run boolean --type host.pressure boolean --type guests array >/dev/null || bad=$((bad + 1))
done <"$TEST_TMP/dry.ndjson"
expect_eq "$bad" 0 "every dry-run line is one JSON object with host and guests"
grep -q '"dry_run": *true' "$TEST_TMP/dry.ndjson" && grep -q '"action": *"shrink"' "$TEST_TMP/dry.ndjson" &&
	ok "under the budget's pressure the dry run said it would shrink" || not_ok "no shrink in the dry run"
expect_eq "$(current i1) $(current i2) $(current gr)" "$MAX $MAX $MAX" "the dry run changed no balloon"

# ---- with auto --------------------------------------------------------------
virsh -c "$U" destroy gr >/dev/null && virsh -c "$U" undefine gr >/dev/null
sleep 4
k0=$(kills)
"$B" -c "$U" auto --interval 2 --cgroup "$CG" >"$TEST_TMP/auto.log" 2>&1 &
auto=$!
lab guest gr2 --workload grow:8:60 --wss 184 >/dev/null || not_ok "lab guest gr2"
before=$(beats gr2)
rm -f "$TEST_TMP/full"
peak=$(watch_grower gr2 "$TEST_TMP/auto.log") && ok "all three guests ran through gr2's growth and hold (peak use $peak MiB of 640)" ||
	not_ok "a guest was lost, or gr2 never freed its memory (peak $peak)"
after=$(beats gr2)
expect_eq "$(($(kills) - k0))" 0 "the kernel killed no QEMU"
rising "$before" "$after" && ok "every heartbeat went on ($before -> $after)" || not_ok "heartbeats $before -> $after"
grep -q '^.* i1 .* -> .*: shrink: ' "$TEST_TMP/auto.log" && grep -q '^.* i2 .* -> .*: shrink: ' "$TEST_TMP/auto.log" &&
	ok "both idle guests gave memory" || not_ok "the idle guests were not shrunk"
console gr2 | grep -q 'grow full 184 MiB' && ok "gr2 got all 184 MiB it asked for" || not_ok "gr2 never filled its 184 MiB"
head -n "$(cat "$TEST_TMP/full" 2>/dev/null || echo 0)" "$TEST_TMP/auto.log" | grep -q ' gr2 .* -> .*: shrink: ' &&
	not_ok "gr2 was shrunk while it grew" || ok "gr2 was not shrunk while it grew"
for g in i1 i2 gr2; do
	console "$g" | grep -qi 'out of memory\|oom-kill' && not_ok "$g's console shows its OOM killer"
done
ok "no guest console shows the OOM killer"

# Freed: the balloons grow back within a few cycles.
for t in $(seq 20); do
	[ "$(current i1) $(current i2) $(current gr2)" = "$MAX $MAX $MAX" ] && break
	sleep 2
done
expect_eq "$(current i1) $(current i2) $(current gr2)" "$MAX $MAX $MAX" \
	"once gr2 freed its memory every balloon grew back to 256 MiB (within $t cycles)"
grep -q ': grow: ' "$TEST_TMP/auto.log" && ok "the growth back is in the log, with its reason" || not_ok "no grow line"
kill -TERM "$auto"
wait "$auto"
expect_eq "$?" 0 "SIGTERM ends auto after its cycle, status 0"
expect_eq "$(current i1) $(current i2) $(current gr2)" "$MAX $MAX $MAX" "and the balloons stay where they are"
sed 's/^/# auto: /' "$TEST_TMP/auto.log" | cut -c1-220
finish
