# Shared by the benchmarks: run the real binary (not libtool's wrapper
# script, which costs more than the command), and time loops of runs.

# use_binary PATH: sets $BIN to the program behind a libtool wrapper (with
# its libraries on the path), and checks that it runs.
use_binary() {
	local dir base
	dir=$(dirname "$1") base=$(basename "$1")
	BIN=$1
	if [ -x "$dir/.libs/$base" ]; then
		export LD_LIBRARY_PATH="$dir/../lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
		BIN=$dir/.libs/$base
	fi
	"$BIN" --version >/dev/null || {
		echo "bench: $BIN does not run" >&2
		exit 1
	}
}

# ns_per_run RUNS CMD...: mean wall time of one run, in nanoseconds.
ns_per_run() {
	local runs=$1 start end i
	shift
	start=$(date +%s%N)
	for ((i = 0; i < runs; i++)); do
		"$@" >/dev/null 2>&1
	done
	end=$(date +%s%N)
	echo $(((end - start) / runs))
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# Alternates the two commands ROUNDS times so noise hits both alike, and
# prints "median_a median_b" in nanoseconds.
compare_runs() {
	local rounds=$1 runs=$2 a=$3 b=$4 i
	for ((i = 0; i < rounds; i++)); do
		echo "a $(ns_per_run "$runs" bash -c "$a")"
		echo "b $(ns_per_run "$runs" bash -c "$b")"
	done >"$BENCH_TMP/times"
	echo "$(awk '$1 == "a" { print $2 }' "$BENCH_TMP/times" | median)" \
		"$(awk '$1 == "b" { print $2 }' "$BENCH_TMP/times" | median)"
}

ms() {
	awk -v ns="$1" 'BEGIN { printf "%.2f ms", ns / 1e6 }'
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

# test_node FILE COUNT MEMORY_KIB CURRENT_KIB [DEVICES_XML]: a node of
# COUNT domains d1..dCOUNT for libvirt's test driver (test+tcp://HOST/FILE).
test_node() {
	local i
	{
		echo "<node>"
		for i in $(seq "$2"); do
			echo "<domain type='test'><name>d$i</name><memory>$3</memory><currentMemory>$4</currentMemory><vcpu>1</vcpu><os><type>hvm</type></os>${5:+<devices>$5</devices>}</domain>"
		done
		echo "</node>"
	} >"$1"
}

# lab_lock NAME: the lab's lock on fd 7, as the lab tests take it (one lab
# on the machine at a time), or exits saying NAME's bench could not.
lab_lock() {
	exec 7>/run/lock/kvmops-lab.lock
	flock -w 1800 7 || {
		echo "$1 bench: the lab lock stayed taken" >&2
		exit 1
	}
}

BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/kvmops-bench.XXXXXX")
trap 'rm -rf "$BENCH_TMP"' EXIT
export HOME=$BENCH_TMP XDG_STATE_HOME=$BENCH_TMP/state
