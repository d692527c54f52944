#!/bin/bash
# kvm-migrate evacuate against its yardstick, a sequential shell loop of
# virsh migrate --live: four idle 128 MiB guests drained off host 1 of a
# three-host lab, each move capped at --bandwidth 16 (MiB/s), so that a
# move is bound by its link as on a real network. The two alternate,
# ROUNDS times, the guests put back on host 1 between runs (untimed).
# Prints the wall ratio, each guest's downtime and the peak concurrency
# seen (from evacuate's NDJSON). Goals: wall ratio at most 0.6; peak
# concurrency equal to --jobs (2); no guest's downtime worse than in the
# loop (beyond noise: 10 ms and a quarter more). It takes the lab lock and replaces any running lab.
. "$(dirname "$0")/lib.sh"

LAB=${LAB:-$(dirname "$0")/../tests/lab/lab}
export KVMOPS_BUILDDIR=${KVMOPS_BUILDDIR:-$(dirname "$0")/../build}
ROUNDS=${ROUNDS:-3}
CAP=16
JOBS=2
GUESTS="eb1 eb2 eb3 eb4"
[ "$(id -u)" = 0 ] || { echo "evacuate bench: needs root" >&2; exit 77; }
use_binary "${KVM_MIGRATE:-$KVMOPS_BUILDDIR/cli/kvm-migrate}"

lab_lock evacuate
trap '"$LAB" down >/dev/null 2>&1; rm -rf "$BENCH_TMP"' EXIT
"$LAB" down >/dev/null 2>&1
"$LAB" up --hosts 3 >/dev/null 7>&- || exit 1
U=("" "$("$LAB" uri 1)" "$("$LAB" uri 2)" "$("$LAB" uri 3)")
ADDR=("" 127.0.0.2 127.0.0.3 127.0.0.4)
now() { date +%s%N; }

for g in $GUESTS; do
	"$LAB" guest "$g" --mem 128M --disk shared >/dev/null || exit 1
done
for g in $GUESTS; do
	for t in $(seq 450); do "$LAB" heartbeat "$g" >/dev/null 2>&1 && break; sleep 0.2; done
done

# Back on host 1, untimed.
home() {
	local h
	for h in 2 3; do
		"$BIN" -q -c "${U[$h]}" evacuate --to "${U[1]}" --host-mem 1G || return 1
	done
}

# ours: "wall_ns peak_total peak_per_host", downtimes into $BENCH_TMP/down.
ours() {
	local t0 t1
	t0=$(now)
	"$BIN" --json -c "${U[1]}" evacuate --to "${U[2]},${U[3]}" --jobs "$JOBS" \
		--bandwidth "$CAP" --host-mem 1G >"$BENCH_TMP/ours.ndjson" || return 1
	t1=$(now)
	grep '"event":"completed"' "$BENCH_TMP/ours.ndjson" |
		sed -E 's/.*"downtime_ms":([0-9]+).*"domain":"([^"]*)".*/ours \2 \1/' >>"$BENCH_TMP/down"
	echo "$((t1 - t0)) $(grep -E '"event":"(start|completed|failed)"' "$BENCH_TMP/ours.ndjson" |
		sed -E 's/.*"event":"([a-z]+)".*"to":"([^"]*)".*/\1 \2/' |
		awk '$1 == "start" { n++; to[$2]++; if (n > p) p = n; if (to[$2] > hp) hp = to[$2]; next }
		     { n--; to[$2]-- } END { print p + 0, hp + 0 }')"
}

# The loop an admin writes today: one guest after another, alternating
# the two destinations.
loop() {
	local t0 t1 g d=2 down
	t0=$(now)
	for g in $GUESTS; do
		virsh -q -c "${U[1]}" migrate --live --persistent --undefinesource --unsafe \
			--bandwidth "$CAP" "$g" "${U[$d]}" --migrateuri "tcp://${ADDR[$d]}" >/dev/null ||
			return 1
		down=$(virsh -c "${U[$d]}" domjobinfo "$g" --completed | awk '/^Total downtime:/ {print $3}')
		echo "virsh $g ${down:-0}" >>"$BENCH_TMP/down"
		d=$((5 - d))
	done
	t1=$(now)
	echo "$((t1 - t0))"
}

: >"$BENCH_TMP/down"
for ((i = 0; i < ROUNDS; i++)); do
	r=$(ours) || { echo "evacuate bench: evacuate failed" >&2; exit 1; }
	echo "ours $r" >>"$BENCH_TMP/runs"
	home || { echo "evacuate bench: cannot put the guests back" >&2; exit 1; }
	r=$(loop) || { echo "evacuate bench: the virsh loop failed" >&2; exit 1; }
	echo "virsh $r" >>"$BENCH_TMP/runs"
	home || { echo "evacuate bench: cannot put the guests back" >&2; exit 1; }
done

ow=$(awk '$1 == "ours" { print $2 }' "$BENCH_TMP/runs" | median)
vw=$(awk '$1 == "virsh" { print $2 }' "$BENCH_TMP/runs" | median)
peak=$(awk '$1 == "ours" { print $3 }' "$BENCH_TMP/runs" | sort -n | tail -1)
hpeak=$(awk '$1 == "ours" { print $4 }' "$BENCH_TMP/runs" | sort -n | tail -1)
r=$(ratio "$ow" "$vw")
echo "evacuate 4 x 128 MiB at --bandwidth $CAP: kvm-migrate evacuate --jobs $JOBS $(ms "$ow"), sequential virsh loop $(ms "$vw"), wall ratio $r (goal <= 0.6; medians of $ROUNDS runs each)"
echo "evacuate: peak concurrency $peak in all (goal $JOBS), $hpeak into one host (limit 2)"
worse=
for g in $GUESTS; do
	od=$(awk -v g="$g" '$1 == "ours" && $2 == g { print $3 }' "$BENCH_TMP/down" | median)
	vd=$(awk -v g="$g" '$1 == "virsh" && $2 == g { print $3 }' "$BENCH_TMP/down" | median)
	echo "evacuate: $g downtime kvm-migrate $od ms, virsh loop $vd ms (medians)"
	# Worse: beyond the noise of one machine, 10 ms and a quarter more.
	awk -v o="$od" -v v="$vd" 'BEGIN { exit !(o > v + 10 && o > v * 1.25) }' && worse="$worse $g"
done
awk -v r="$r" 'BEGIN { exit !(r <= 0.6) }' && echo "evacuate: wall goal met" || echo "evacuate: wall goal MISSED"
[ "$peak" = "$JOBS" ] && echo "evacuate: concurrency goal met" || echo "evacuate: concurrency goal MISSED"
[ -z "$worse" ] && echo "evacuate: downtime goal met" || echo "evacuate: downtime worse for:$worse"
