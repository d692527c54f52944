#!/bin/bash
# make fuzz: runs each libFuzzer harness for FUZZ_SECONDS from a copy of
# its corpus (the source's is never written), and fails on any finding: a
# crash, a sanitizer's report, a leak, a timeout, too much memory.
#
# run.sh SRCDIR BUILDDIR; FUZZ_TARGETS names the harnesses (tests/fuzz/fuzz-T),
# FUZZ_SECONDS (60) how long each runs. Under BUILDDIR/fuzz-work: corpus/T
# (kept, and grown, from run to run), logs/T.log, findings/T-* (the inputs
# that failed: copy one to tests/fuzz/regress/T once it is fixed).
set -u
src=$1 build=$2
seconds=${FUZZ_SECONDS:-60}
work=$build/fuzz-work
failed=0

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# The figures of a finished run, from libFuzzer's final statistics.
stat_of() {
	sed -n "s/^stat::$1: *//p" "$2" | tail -n 1
}

# The lines that say what went wrong.
report_of() {
	grep -m 8 -E 'ERROR|runtime error|fuzz: finding|Deadly signal|timeout|out-of-memory|leak|Test unit written' "$1"
}

mkdir -p "$work/logs" "$work/findings"
printf '%-14s %12s %8s %8s  %s\n' TARGET RUNS "EXEC/S" CORPUS RESULT
for t in $FUZZ_TARGETS; do
	corpus=$work/corpus/$t log=$work/logs/$t.log
	mkdir -p "$corpus"
	cp -n "$src/tests/fuzz/corpus/$t"/* "$corpus"/ 2>/dev/null
	chmod -R u+w "$corpus"
	dict=
	[ -f "$src/tests/fuzz/$t.dict" ] && dict=-dict=$src/tests/fuzz/$t.dict
	# The harness's temporary tree, which a crash leaves behind.
	export TMPDIR=$work/tmp/$t
	mkdir -p "$TMPDIR"
	"$build/tests/fuzz/fuzz-$t" -max_total_time="$seconds" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$work/findings/$t-" $dict "$corpus" \
		>"$log" 2>&1
	status=$?
	rm -rf "$TMPDIR"
	runs=$(stat_of number_of_executed_units "$log")
	speed=$(stat_of average_exec_per_sec "$log")
	result=ok
	if [ "$status" != 0 ]; then
		result="FAILED (exit $status, $log)"
		failed=$((failed + 1))
	fi
	printf '%-14s %12s %8s %8s  %s\n' "$t" "${runs:-?}" "${speed:-?}" \
		"$(find "$corpus" -type f | wc -l)" "$result"
	[ "$status" = 0 ] || report_of "$log" | awk '!seen[$0]++' | sed 's/^/    /'
done
if [ "$failed" != 0 ]; then
	echo "make fuzz: $failed of the targets failed; see $work/logs" >&2
	exit 1
fi
