#!/bin/bash
# The fuzz targets' corpora and regression inputs, each replayed through
# its harness (tests/fuzz/replay-TARGET, built for make check): a finding
# aborts the replay. A regression input that fails is a bug come back.
#
# Environment (set by 'make check'): top_srcdir, top_builddir, FUZZ_TARGETS.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/lib.sh"
# The harnesses' temporary trees, which an abort leaves behind, go too.
export TMPDIR=$TEST_TMP

: "${FUZZ_TARGETS:=size ksm ksm-vms args-ksm args-balloon args-migrate domain-xml}"

# The report's first lines: where it aborted, and why.
why() {
	grep -v '^replay: ' "$TEST_TMP/err" | head -n 12
}

for target in $FUZZ_TARGETS; do
	bin=$top_builddir/tests/fuzz/replay-$target
	corpus=$top_srcdir/tests/fuzz/corpus/$target
	n=$(find "$corpus" -type f | wc -l)
	[ "$n" -gt 0 ] || not_ok "$target: no corpus in $corpus"
	run "$bin" "$corpus"
	result "$status" "$target: its corpus of $n inputs replays" "$(why)"
	for input in "$top_srcdir/tests/fuzz/regress/$target"/*; do
		[ -f "$input" ] || continue
		run "$bin" "$input"
		result "$status" "$target: regress/$target/${input##*/} stays fixed" "$(why)"
	done
done
finish
