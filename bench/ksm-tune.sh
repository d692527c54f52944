#!/bin/bash
# kvm-ksm tune against its yardsticks, on the lab's guests and the real
# kernel: ksmtuned from Debian's package, the kernel's advisor alone, and
# kvm-ksm tune, each for RUN seconds from a fresh unmerge, once with three
# 'same' guests and once with three 'unique' ones. Each run prints the
# memory saved at 30, 60, 120 and 180 s, when 90% of its final saving was
# reached, ksmd's CPU seconds, the guests each tool saw and what one of its
# cycles costs in CPU. Goals (kvm-ksm tune against ksmtuned, same run):
# every guest seen; 90% of the final saving no later; ksmd CPU per GiB
# saved at most half; on unique guests ksmd CPU at most 10%; a cycle at
# most 1 ms of CPU. It takes the lab lock and the KSM lock, and puts every
# KSM knob back.
. "$(dirname "$0")/lib.sh"
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lab/ksm-lib.sh"

LAB=${LAB:-$TOP/tests/lab/lab}
export KVMOPS_BUILDDIR=${KVMOPS_BUILDDIR:-$TOP/build}
use_binary "${KVM_KSM:-$KVMOPS_BUILDDIR/cli/kvm-ksm}"
K=$BIN
RUN=${RUN:-180} INTERVAL=${INTERVAL:-10} SCAN_TIME=${SCAN_TIME:-20}
WSS=${WSS:-128} KINDS=${KINDS:-same unique} TOOLS=${TOOLS:-ksmtuned advisor tune}
KEEP=${KEEP:-} # a directory for the tuner's NDJSON and the samples
[ "$(id -u)" = 0 ] || { echo "ksm-tune bench: needs root" >&2; exit 77; }
[ -e $KSM/advisor_mode ] || { echo "ksm-tune bench: needs the KSM advisor" >&2; exit 77; }

# ksmtuned as Debian ships it, unpacked here, reading our config file.
KSMTUNED=$BENCH_TMP/ksmtuned
fetch_ksmtuned() {
	local deb
	(cd "$BENCH_TMP" && apt-get download ksmtuned >/dev/null 2>&1) || return 1
	deb=$(ls "$BENCH_TMP"/ksmtuned_*.deb) && dpkg-deb -x "$deb" "$BENCH_TMP/pkg" || return 1
	sed "s|/etc/ksmtuned.conf|$BENCH_TMP/ksmtuned.conf|g" \
		"$BENCH_TMP/pkg/usr/sbin/ksmtuned" >"$KSMTUNED" && chmod +x "$KSMTUNED"
	echo "# ksmtuned $(dpkg-deb -f "$deb" Version), the same threshold (KSM_THRES_COEF=100) and interval"
}
fetch_ksmtuned || { echo "ksm-tune bench: cannot fetch ksmtuned from Debian's archive" >&2; exit 77; }
printf 'KSM_MONITOR_INTERVAL=%s\nKSM_THRES_COEF=100\n' "$INTERVAL" >"$BENCH_TMP/ksmtuned.conf"

lab_lock ksm-tune
ksm_take
tool_pid=
cleanup() {
	stop_tool
	ksm_restore
	"$LAB" down >/dev/null 2>&1
	rm -rf "$BENCH_TMP"
}
trap cleanup EXIT

# The knobs as a fresh host has them, everything unmerged.
fresh_ksm() {
	echo 2 >$KSM/run
	echo none >$KSM/advisor_mode
	echo 100 >$KSM/pages_to_scan
	echo 20 >$KSM/sleep_millisecs
	echo 70 >$KSM/advisor_max_cpu
	echo 200 >$KSM/advisor_target_scan_time
	echo 30000 >$KSM/advisor_max_pages_to_scan
	echo 0 >$KSM/run
}

# CPU nanoseconds of a process and all its threads so far.
cpu_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'
}

# CPU milliseconds of a process, with the children it has waited for.
cpu_ms_with_children() {
	awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15 + $16 + $17) * 1000 / hz }' "/proc/$1/stat"
}

start_tool() {
	case $1 in
	ksmtuned)
		PIDFILE=$BENCH_TMP/ksmtuned.pid "$KSMTUNED"
		sleep 0.2
		tool_pid=$(cat "$BENCH_TMP/ksmtuned.pid")
		;;
	advisor)
		echo "$SCAN_TIME" >$KSM/advisor_target_scan_time
		echo scan-time >$KSM/advisor_mode
		echo 1 >$KSM/run
		tool_pid=
		;;
	tune)
		rm -f "$BENCH_TMP/tune.state" # each run from a fresh start
		"$K" -c "$("$LAB" uri 1)" tune --json --interval "$INTERVAL" \
			--threshold 100% --scan-time "$SCAN_TIME" \
			--state "$BENCH_TMP/tune.state" >"$BENCH_TMP/tune.jsonl" 2>"$BENCH_TMP/tune.err" &
		tool_pid=$!
		;;
	esac
}

stop_tool() {
	[ -n "$tool_pid" ] || return 0
	pkill -P "$tool_pid" 2>/dev/null
	kill "$tool_pid" 2>/dev/null
	wait "$tool_pid" 2>/dev/null
	tool_pid=
}

# The CPU one cycle costs, in ms, from what the tool used and its cycles.
cycle_cost() {
	case $1 in
	ksmtuned) awk -v ms="$2" -v n="$((RUN / INTERVAL))" 'BEGIN { printf "%.2f", n ? ms / n : 0 }' ;;
	tune)
		local n
		n=$(wc -l <"$BENCH_TMP/tune.jsonl")
		awk -v ns="$2" -v n="$((n - 1))" 'BEGIN { printf "%.3f", (n > 0 ? ns / n / 1e6 : 0) }'
		;;
	*) echo - ;;
	esac
}

guests_seen() {
	case $1 in
	ksmtuned) pgrep -f '^qemu-system.*-enable-kvm' | wc -l ;;
	tune) head -1 "$BENCH_TMP/tune.jsonl" | grep -o '"guests":[0-9]*' | cut -d: -f2 ;;
	*) echo - ;;
	esac
}

# run_tool KIND TOOL: one run; a line of figures into $BENCH_TMP/results.
run_tool() {
	local kind=$1 tool=$2 t0 t ticks0 saved s30 s60 s120 final t90 cpu_first=0 cpu_end=0 seen cost
	fresh_ksm
	ticks0=$(ksmd_ticks)
	: >"$BENCH_TMP/samples"
	t0=$SECONDS
	start_tool "$tool"
	while [ $((SECONDS - t0)) -lt "$RUN" ]; do
		sleep 5
		echo "$((SECONDS - t0)) $(($(cat $KSM/pages_sharing) * $(getconf PAGESIZE)))" >>"$BENCH_TMP/samples"
		if [ "$tool" = tune ] && [ "$cpu_first" = 0 ] && [ -s "$BENCH_TMP/tune.jsonl" ]; then
			cpu_first=$(cpu_ns "$tool_pid")
		fi
	done
	case $tool in
	tune) cpu_end=$(cpu_ns "$tool_pid"); cost=$(cycle_cost tune $((cpu_end - cpu_first))) ;;
	ksmtuned) cost=$(cycle_cost ksmtuned "$(cpu_ms_with_children "$tool_pid")") ;;
	*) cost=- ;;
	esac
	seen=$(guests_seen "$tool")
	stop_tool
	if [ -n "$KEEP" ]; then
		mkdir -p "$KEEP"
		cp "$BENCH_TMP/samples" "$KEEP/$kind-$tool.samples"
		[ "$tool" = tune ] && cp "$BENCH_TMP/tune.jsonl" "$KEEP/$kind-tune.jsonl"
	fi
	echo 0 >$KSM/run
	at() { awk -v t="$1" '$1 <= t { s = $2 } END { print s + 0 }' "$BENCH_TMP/samples"; }
	final=$(tail -1 "$BENCH_TMP/samples" | cut -d' ' -f2)
	t90=$(awk -v f="$final" '$2 >= 0.9 * f && f > 0 { print $1; exit }' "$BENCH_TMP/samples")
	echo "$kind $tool $(at 30) $(at 60) $(at 120) $final ${t90:--} $(( $(ksmd_ticks) - ticks0 )) $seen $cost" >>"$BENCH_TMP/results"
}

mib() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }
secs() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }'; }

: >"$BENCH_TMP/results"
for kind in $KINDS; do
	"$LAB" down >/dev/null 2>&1
	"$LAB" up --hosts 1 >/dev/null 7>&- 9>&- || exit 1
	for i in 1 2 3; do
		"$LAB" guest "$kind$i" --workload "$kind" --wss "$WSS" >/dev/null 7>&- 9>&- || exit 1
	done
	sleep 30 # booted, and the workload written
	for tool in $TOOLS; do
		run_tool "$kind" "$tool"
	done
	"$LAB" down >/dev/null 2>&1
done

echo "ksm-tune: three ${WSS} MiB workloads in 256 MiB TCG guests, $RUN s a run, every $INTERVAL s, scan time $SCAN_TIME s"
printf '%-7s %-9s %8s %8s %8s %8s %6s %9s %7s %12s\n' guests tool "30 s" "60 s" "120 s" "final" "90% at" "ksmd cpu" seen "cycle cpu"
while read -r kind tool s30 s60 s120 final t90 ticks seen cost; do
	printf '%-7s %-9s %5s MiB %5s MiB %5s MiB %5s MiB %5s s %7s s %7s %9s ms\n' "$kind" "$tool" \
		"$(mib "$s30")" "$(mib "$s60")" "$(mib "$s120")" "$(mib "$final")" "$t90" "$(secs "$ticks")" "$seen" "$cost"
done <"$BENCH_TMP/results"

# The goals, from this run's figures.
awk -v hz="$(getconf CLK_TCK)" '
	{ key = $1 " " $2; final[key] = $6; t90[key] = $7; ticks[key] = $8; seen[key] = $9; cost[key] = $10 }
	END {
		ok = 1
		for (k in seen) if (k ~ / tune$/ && seen[k] != 3) { print "ksm-tune: goal missed: tune saw " seen[k] " of 3 guests"; ok = 0 }
		if ("same tune" in final) {
			t = t90["same tune"]; y = t90["same ksmtuned"]
			printf "ksm-tune: 90%% of the saving: tune at %s s, ksmtuned at %s s (goal: no later)\n", t, y
			if (t == "-" || (y != "-" && t + 0 > y + 0)) ok = 0
			a = ticks["same tune"] / hz / (final["same tune"] / 2^30)
			b = final["same ksmtuned"] > 0 ? ticks["same ksmtuned"] / hz / (final["same ksmtuned"] / 2^30) : 0
			printf "ksm-tune: ksmd CPU s per GiB saved: tune %.1f, ksmtuned %.1f, ratio %.2f (goal <= 0.50)\n", a, b, b ? a / b : 0
			if (!b || a / b > 0.5) ok = 0
		}
		if ("unique tune" in ticks) {
			r = ticks["unique ksmtuned"] ? ticks["unique tune"] / ticks["unique ksmtuned"] : 0
			printf "ksm-tune: unique guests, ksmd CPU: tune %.1f s, ksmtuned %.1f s, ratio %.2f (goal <= 0.10)\n", ticks["unique tune"] / hz, ticks["unique ksmtuned"] / hz, r
			if (r > 0.1) ok = 0
		}
		for (k in cost) if (k ~ / tune$/) {
			printf "ksm-tune: one cycle of tune (%s guests): %s ms of CPU, ksmtuned %s ms (goal <= 1 ms)\n", substr(k, 1, index(k, " ") - 1), cost[k], cost[substr(k, 1, index(k, " ")) "ksmtuned"]
			if (cost[k] + 0 > 1) ok = 0
		}
		exit !ok
	}' "$BENCH_TMP/results"
