#!/bin/bash
# Live migration convergence: 256 MiB pti=on guests dirtying 1, 4, 8, 16,
# 32 and 64 MiB/s of a 64 MiB set, each moved at --bandwidth 20 (MiB/s)
# three ways, all within the same time budget (BUDGET: Nova's completion
# timeout for 256 MiB, 800 s per GiB, 200 s), after which the bench aborts
# a move still running:
#   virsh     virsh migrate --live with its defaults (300 ms downtime)
#   nova      kvm-migrate live --converge off, the bench raising the
#             downtime limit on Nova's schedule (10 steps from 50 to 500 ms,
#             75 s per GiB of memory apart: 18.75 s here)
#   policy    kvm-migrate live with its defaults (--converge auto: timeout
#             60 s for 256 MiB, --max-downtime 500)
# and a hopeless case, the dirty:64 guest at --bandwidth 8, moved by virsh
# and by the policy.
# Each row: completed, total time, downtime, passes, the policy's actions,
# time over the bound (memory sent / bandwidth), and lab integrity after.
# Goals: the policy completes every case virsh completes, and dirty:32;
# every completed downtime within 500 ms; total time at most 1.3 x the
# bound; a hopeless case aborted at least 3 x sooner than the budget; no
# integrity failure. It takes the lab lock and replaces any running lab.
. "$(dirname "$0")/lib.sh"

LAB=${LAB:-$(dirname "$0")/../tests/lab/lab}
export KVMOPS_BUILDDIR=${KVMOPS_BUILDDIR:-$(dirname "$0")/../build}
RATES=${RATES:-1 4 8 16 32 64}
BUDGET=${BUDGET:-200}
CAP=20
[ "$(id -u)" = 0 ] || { echo "converge bench: needs root" >&2; exit 77; }
use_binary "${KVM_MIGRATE:-$KVMOPS_BUILDDIR/cli/kvm-migrate}"

lab_lock converge
trap '"$LAB" down >/dev/null 2>&1; rm -rf "$BENCH_TMP"' EXIT
"$LAB" down >/dev/null 2>&1
"$LAB" up --hosts 2 >/dev/null 7>&- || exit 1
U=("" "$("$LAB" uri 1)" "$("$LAB" uri 2)")
ADDR=("" 127.0.0.2 127.0.0.3)
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# job_field HOST NAME LABEL: a figure of the completed job, as virsh shows it
job_field() {
	virsh -c "${U[$1]}" domjobinfo "$2" --completed 2>/dev/null |
		awk -v l="$3" -F: '$1 == l { split($2, a, " "); print a[1] }'
}

# json NDJSON-FILE EVENT FIELD: a number of the first such event
json() {
	grep -m1 "\"event\":\"$2\"" "$1" | sed -nE "s/.*\"$3\":([0-9]+).*/\1/p"
}

# row WAY NAME COMPLETED MS DOWNTIME PASSES ACTIONS SENT_BYTES
row() {
	local bound=-
	[ "$3" = yes ] && [ -n "$8" ] && [ "$8" -gt 0 ] 2>/dev/null &&
		bound=$(awk -v t="$4" -v s="$8" -v c="$cap" 'BEGIN { printf "%.2f", t / 1000 / (s / 1048576 / c) }')
	sleep 2
	"$LAB" integrity "$2" >/dev/null 2>&1 && integ=intact || integ=LOST
	printf '%-7s %-6s %-9s %8.1f s %8s %6s  %-36s %6s  %s\n' "$1" "$2" "$3" \
		"$(awk -v t="$4" 'BEGIN { print t / 1000 }')" "${5:--}${5:+ ms}" "${6:--}" \
		"${7:--}" "$bound" "$integ" | tee -a "$BENCH_TMP/table"
	echo "$1 $2 $3 $4 ${5:--} ${6:--} $bound $integ" >>"$BENCH_TMP/rows"
}

other() { echo $((3 - $1)); }

virsh_row() {
	local name=$1 from=$2 to t0 t1 pid done=no
	to=$(other "$from")
	t0=$(now_ms)
	virsh -q -c "${U[$from]}" migrate --live --persistent --undefinesource --unsafe \
		--bandwidth "$cap" "$name" "${U[$to]}" "tcp://${ADDR[$to]}" >/dev/null 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null && [ $(($(now_ms) - t0)) -lt $((BUDGET * 1000)) ]; do
		sleep 0.2
	done
	kill -0 "$pid" 2>/dev/null && virsh -c "${U[$from]}" domjobabort "$name" >/dev/null 2>&1
	wait "$pid" && done=yes
	t1=$(now_ms)
	if [ "$done" = yes ]; then
		row virsh "$name" yes $((t1 - t0)) "$(job_field "$to" "$name" "Total downtime")" \
			"$(job_field "$to" "$name" "Iteration")" - \
			"$(virsh -c "${U[$to]}" domjobinfo "$name" --completed 2>/dev/null |
				awk '/^Memory processed:/ { printf "%d", $3 * unit[$4] }
				     BEGIN { unit["GiB"] = 1073741824; unit["MiB"] = 1048576; unit["KiB"] = 1024; unit["B"] = 1 }')"
		AT=$to
	else
		row virsh "$name" "no" $((t1 - t0)) "" "" "aborted at the budget" ""
	fi
}

# Nova's schedule for 0.25 GiB: step i at i x 18.75 s, 50 + 45 i ms.
nova_steps() {
	local name=$1 from=$2 pid=$3 t0=$4 i=1 at
	while [ "$i" -le 10 ] && kill -0 "$pid" 2>/dev/null; do
		at=$((t0 + i * 18750))
		while [ "$(now_ms)" -lt "$at" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
		virsh -c "${U[$from]}" migrate-setmaxdowntime "$name" $((50 + 45 * i)) >/dev/null 2>&1
		i=$((i + 1))
	done
}

kvm_row() {
	local way=$1 name=$2 from=$3 to t0 t1 pid stepper= out=$BENCH_TMP/$2-$1.ndjson
	shift 3
	to=$(other "$from")
	t0=$(now_ms)
	"$BIN" --json -c "${U[$from]}" live "$name" "${U[$to]}" --migrateuri "tcp://${ADDR[$to]}" \
		--bandwidth "$cap" --no-check "$@" >"$out" 2>/dev/null &
	pid=$!
	if [ "$way" = nova ]; then
		nova_steps "$name" "$from" "$pid" "$t0" &
		stepper=$!
	fi
	while kill -0 "$pid" 2>/dev/null && [ $(($(now_ms) - t0)) -lt $((BUDGET * 1000)) ]; do
		sleep 0.2
	done
	kill -0 "$pid" 2>/dev/null && kill -TERM "$pid"
	wait "$pid"
	local rc=$?
	t1=$(now_ms)
	[ -n "$stepper" ] && { kill "$stepper" 2>/dev/null; wait "$stepper" 2>/dev/null; }
	local actions
	actions=$(grep '"event":"policy"' "$out" | sed -E 's/.*"action":"([a-z-]+)".*/\1/' |
		awk '{ n[$1]++ } END { for (a in n) { printf "%s%s %d", s, a, n[a]; s = ", " } }')
	if [ "$rc" = 0 ]; then
		row "$way" "$name" yes "$(json "$out" completed elapsed_ms)" \
			"$(json "$out" completed downtime_ms)" "$(json "$out" completed iteration)" \
			"${actions:--}" "$(json "$out" completed memory_processed)"
		AT=$to
	else
		row "$way" "$name" no $((t1 - t0)) "" "" "${actions:+$actions; }$(
			[ $((t1 - t0)) -ge $((BUDGET * 1000)) ] && echo "aborted at the budget" || echo "failed")" ""
	fi
}

# The dirty:64 guest at 8 MiB/s: hopeless within the policy's timeout.
hopeless() {
	cap=8
	echo "# $1 at --bandwidth 8:" | tee -a "$BENCH_TMP/table"
	virsh_row "$1" "$AT"
	kvm_row hopeless "$1" "$AT"
	cap=$CAP
}

# The goals, from the rows: way guest completed time_ms downtime passes
# bound integrity.
summarize() {
	local t=$1
	echo
	awk '$1 == "virsh" && $3 == "yes" { v[$2] = 1 }
	     $1 == "policy" && $3 == "yes" { p[$2] = 1 }
	     END { for (g in v) if (!(g in p)) miss = miss " " g
		   if (miss == "") print "converge: every case virsh completes, the policy completes"
		   else print "converge: the policy MISSED" miss }' "$t"
	awk '$1 == "policy" && $2 == "cv32" { print "converge: dirty:32 by the policy: " ($3 == "yes" ? "completed" : "MISSED") }' "$t"
	awk '$3 == "yes" && $1 != "virsh" && $5 + 0 > 500 { bad = bad " " $1 "/" $2 }
	     END { if (bad == "") print "converge: every completed kvm-migrate downtime within 500 ms"
		   else print "converge: downtime above 500 ms:" bad }' "$t"
	awk '$1 == "policy" && $3 == "yes" && $7 + 0 > 1.3 { slow = slow " " $2 "(" $7 ")" }
	     END { if (slow == "") print "converge: policy moves within 1.3 x the bound"
		   else print "converge: above 1.3 x the bound:" slow }' "$t"
	awk -v b="$BUDGET" '($1 == "policy" || $1 == "hopeless") && $3 == "no" {
		     n++; s = $4 / 1000; if (s * 3 <= b) fast++; else slow = slow " " $2 "(" int(s) " s)" }
	     END { if (!n) print "converge: no hopeless case (the policy completed every move)"
		   else if (slow == "") print "converge: every hopeless case aborted at least 3 x sooner than the budget (" b " s)"
		   else print "converge: aborted later than a third of the budget:" slow }' "$t"
	awk '$8 == "LOST" { n++ } END { print "converge: " (n ? n " INTEGRITY FAILURES" : "0 integrity failures") }' "$t"
}

cap=$CAP
printf '%-7s %-6s %-9s %10s %11s %6s  %-36s %6s  %s\n' way guest completed time downtime passes \
	"policy actions" "/bound" integrity | tee "$BENCH_TMP/table"
for r in $RATES; do
	name=cv$r
	"$LAB" guest "$name" --disk shared --workload "dirty:$r" >/dev/null || exit 1
	for t in $(seq 450); do "$LAB" heartbeat "$name" >/dev/null 2>&1 && break; sleep 0.2; done
	sleep 10 # the workload under way
	AT=1
	virsh_row "$name" "$AT"
	kvm_row nova "$name" "$AT" --converge off --max-downtime 50
	kvm_row policy "$name" "$AT"
	# a whole round of the workload, every page verified once more
	sleep $((64 / r < 30 ? 64 / r : 30))
	"$LAB" integrity "$name" >/dev/null 2>&1 && echo "# $name: intact after its moves" |
		tee -a "$BENCH_TMP/table" || echo "# $name: INTEGRITY LOST" | tee -a "$BENCH_TMP/table"
	[ "$r" = 64 ] && hopeless "$name"
	virsh -c "${U[$AT]}" destroy "$name" >/dev/null 2>&1
	virsh -c "${U[$AT]}" undefine "$name" >/dev/null 2>&1
done

summarize "$BENCH_TMP/rows"
[ -n "${CONVERGE_ROWS:-}" ] && cp "$BENCH_TMP/rows" "$CONVERGE_ROWS"
exit 0
