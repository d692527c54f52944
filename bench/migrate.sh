#!/bin/bash
# kvm-migrate live against its yardstick, virsh migrate --live, moving the
# same lab guest back and forth between two hosts in paired runs (the
# order alternates, so drift hits both alike): wall time and downtime.
# Goal: at most 1.05x virsh's wall time, the same downtime within noise.
#
# Then the baseline for convergence work: a guest dirtying RATE MiB/s,
# moved with the bandwidth capped at CAP MiB/s (and a 30 s timeout that
# aborts), for several rates: does it complete, in what time, with what
# downtime, and does the guest live on. It takes the lab lock and
# replaces any running lab (a demo's, too).
. "$(dirname "$0")/lib.sh"

LAB=${LAB:-$(dirname "$0")/../tests/lab/lab}
export KVMOPS_BUILDDIR=${KVMOPS_BUILDDIR:-$(dirname "$0")/../build}
PAIRS=${PAIRS:-5}
CAP=${CAP:-20}
RATES=${RATES:-"1 2 4 8 16 32"}
LAB_DIR=${KVMOPS_LAB_DIR:-/var/tmp/kvmops-lab}
[ "$(id -u)" = 0 ] || { echo "migrate bench: needs root" >&2; exit 77; }
use_binary "${KVM_MIGRATE:-$KVMOPS_BUILDDIR/cli/kvm-migrate}"

lab_lock migrate
trap '"$LAB" down >/dev/null 2>&1; rm -rf "$BENCH_TMP"' EXIT
"$LAB" down >/dev/null 2>&1
"$LAB" up --hosts 2 >/dev/null 7>&- || exit 1
U=("" "$("$LAB" uri 1)" "$("$LAB" uri 2)")
ADDR=("" 127.0.0.2 127.0.0.3)

now() { date +%s%N; }

# wait_beat GUEST: until it has booted and beats (90 s at the most).
wait_beat() {
	local t
	for t in $(seq 450); do
		"$LAB" heartbeat "$1" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "migrate bench: $1 does not beat" >&2
	return 1
}

# ours FROM TO NAME / virsh_move FROM TO NAME: "wall_ns downtime_ms"
ours() {
	local t0 t1 down
	t0=$(now)
	"$BIN" -c "${U[$1]}" --json live "$3" "${U[$2]}" --migrateuri "tcp://${ADDR[$2]}" \
		--unsafe $OURS_OPTS >"$BENCH_TMP/ours.ndjson" || return 1
	t1=$(now)
	down=$(tail -1 "$BENCH_TMP/ours.ndjson" | sed -n 's/.*"downtime_ms":\([0-9]*\).*/\1/p')
	echo "$((t1 - t0)) ${down:-0}"
}

virsh_move() {
	local t0 t1 down
	t0=$(now)
	virsh -q -c "${U[$1]}" migrate --live --persistent --undefinesource --unsafe "$3" \
		"${U[$2]}" --migrateuri "tcp://${ADDR[$2]}" >/dev/null || return 1
	t1=$(now)
	down=$(virsh -c "${U[$2]}" domjobinfo "$3" --completed | awk '/^Total downtime:/ {print $3}')
	echo "$((t1 - t0)) ${down:-0}"
}

# paired GUEST: PAIRS rounds of four moves: ours 1->2, virsh 2->1, virsh
# 1->2, ours 2->1. Prints "ours|virsh wall_ns downtime_ms" lines.
paired() {
	local i r
	for ((i = 0; i < PAIRS; i++)); do
		r=$(ours 1 2 "$1") && echo "ours $r" || return 1
		r=$(virsh_move 2 1 "$1") && echo "virsh $r" || return 1
		r=$(virsh_move 1 2 "$1") && echo "virsh $r" || return 1
		r=$(ours 2 1 "$1") && echo "ours $r" || return 1
	done
}

# col WHO COL: that column of WHO's runs, one value a line.
col() { awk -v who="$1" -v c="$2" '$1 == who { print $c }' "$BENCH_TMP/pairs"; }
col_median() { col "$1" "$2" | median; }

# col_spread WHO COL: "Q1..Q3", the middle half of the runs, to judge noise.
col_spread() {
	col "$1" "$2" | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 3) / 4)] ".." v[int((3 * NR + 3) / 4)] }'
}

# why GUEST: the end of its console on each host, to tell a kvm-migrate
# failure from a guest that died on arrival.
why() {
	local h
	for h in 1 2; do
		echo "--- $1's console on host $h:"
		tail -5 "$LAB_DIR/host$h/log/qemu/$1.serial" 2>/dev/null
	done >&2
}

# A fresh guest for each mode, so each mode's moves start alike.
for mode in check no-check; do
	OURS_OPTS=""
	[ "$mode" = no-check ] && OURS_OPTS=--no-check
	g=mbench-$mode
	"$LAB" guest "$g" --disk shared --workload dirty:2 >/dev/null || exit 1
	wait_beat "$g" || exit 1
	paired "$g" >"$BENCH_TMP/pairs" || { echo "migrate bench: a move failed" >&2; why "$g"; exit 1; }
	virsh -q -c "${U[1]}" destroy "$g" >/dev/null 2>&1
	ow=$(col_median ours 2) vw=$(col_median virsh 2)
	od=$(col_median ours 3) vd=$(col_median virsh 3)
	echo "migrate live ($mode): kvm-migrate $(ms "$ow"), virsh migrate $(ms "$vw"), ratio $(ratio "$ow" "$vw") (goal <= 1.05; medians of $((PAIRS * 2)) moves each)"
	echo "migrate live ($mode): downtime kvm-migrate ${od} ms, virsh ${vd} ms (medians; middle halves $(col_spread ours 3) and $(col_spread virsh 3) ms)"
done

# ---- convergence: dirty rate against a capped bandwidth --------------------------
# where GUEST: which host runs it, judged by a heartbeat that still rises.
where() {
	local before beat h
	before=$("$LAB" heartbeat "$1" 2>/dev/null) || { echo "runs nowhere"; return; }
	sleep 3
	beat=$("$LAB" heartbeat "$1" 2>/dev/null)
	for h in 1 2; do
		[ "$(virsh -q -c "${U[$h]}" domstate "$1" 2>/dev/null | head -1)" = running ] && break
	done
	[ -n "$beat" ] && [ "$beat" -gt "$before" ] && echo "runs on host $h" || echo "stopped beating"
}

secs() { awk -v ns="$1" 'BEGIN { printf "%.1f", ns / 1e9 }'; }
field() { sed -n "s/.*\"$1\":\\([0-9]*\\).*/\\1/p"; }

echo "convergence at --bandwidth $CAP MiB/s, 256 MiB guests, --timeout 30 --on-timeout abort:"
printf '  %-11s %-9s %8s %9s %6s  %s\n' "dirty MiB/s" completed "time (s)" downtime passes "the guest after"
for rate in $RATES; do
	g=conv$rate
	"$LAB" guest "$g" --workload "dirty:$rate" >/dev/null || exit 1
	wait_beat "$g" || exit 1
	t0=$(now)
	"$BIN" -c "${U[1]}" --json live "$g" "${U[2]}" --migrateuri tcp://127.0.0.3 \
		--bandwidth "$CAP" --timeout 30 --on-timeout abort --no-check >"$BENCH_TMP/conv.ndjson" 2>/dev/null
	rc=$?
	t=$(secs $(($(now) - t0)))
	last=$(tail -1 "$BENCH_TMP/conv.ndjson")
	passes=$(grep '"iteration"' "$BENCH_TMP/conv.ndjson" | tail -1 | field iteration)
	if [ $rc = 0 ]; then
		printf '  %-11s %-9s %8s %6s ms %6s  %s\n' "$rate" yes "$t" "$(echo "$last" | field downtime_ms)" \
			"$passes" "$(where "$g")"
	else
		why=$(echo "$last" | sed -n 's/.*"error":"\([^"]*\)".*/\1/p' | cut -c1-60)
		printf '  %-11s %-9s %8s %9s %6s  %s (%s)\n' "$rate" no "$t" - "${passes:-?}" "$(where "$g")" "$why"
	fi
	virsh -q -c "${U[1]}" destroy "$g" >/dev/null 2>&1
	virsh -q -c "${U[2]}" destroy "$g" >/dev/null 2>&1
done
echo "(the lab's guests boot with pti=on, so QEMU 7.2's TCG loses no page they dirty"
echo " however many passes a move takes: 'the guest after' tells whether it lives on)"
