#!/bin/bash
# kvm-migrate evacuate and balance without a lab: help, every bad input
# (exit 2, a message naming the bad part, nothing printed on stdout, so
# nothing was planned or moved), and --dry-run's plan over libvirt's test
# driver, three hosts from node files. The test driver cannot migrate and
# fails the check's emulator item, so every guest is "cannot place" there:
# that path, and the plan's shape, are what this proves. The lab tests
# (tests/lab/lab-evacuate.sh, lab-balance.sh) move real guests.
#
# Environment (set by 'make check'): top_srcdir, top_builddir, KVM_MIGRATE,
# JSON_CHECK.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/lib.sh"

M=${KVM_MIGRATE:-$top_builddir/cli/kvm-migrate}
: "${JSON_CHECK:=$top_builddir/tests/helpers/json-check}"
export LC_ALL=C
for prog in "$M" "$JSON_CHECK"; do
	[ -x "$prog" ] || { echo "not built: $prog" >&2; exit 99; }
done

guest() { # NAME MEM_KIB CURRENT_KIB VCPUS
	printf "<domain type='test'><name>%s</name><memory>%s</memory>" "$1" "$2"
	printf "<currentMemory>%s</currentMemory><vcpu>%s</vcpu>" "$3" "$4"
	printf "<os><type>hvm</type></os></domain>"
}
{ echo "<node>"; guest web1 524288 262144 2; guest web2 262144 262144 1; echo "</node>"; } >"$TEST_TMP/h1.xml"
echo "<node></node>" >"$TEST_TMP/h2.xml"
echo "<node></node>" >"$TEST_TMP/h3.xml"
H1=test://$TEST_TMP/h1.xml H2=test://$TEST_TMP/h2.xml H3=test://$TEST_TMP/h3.xml
GONE=qemu+tcp://127.0.0.254:1/system

# ---- help ------------------------------------------------------------------
expect_status 0 "--help" "$M" --help
expect_in evacuate "$out" "--help lists evacuate"
expect_in balance "$out" "--help lists balance"
expect_status 0 "help evacuate" "$M" help evacuate
for opt in --to --include-shutoff --jobs --per-host --mode --headroom --host-mem \
	--dry-run --continue-on-error --bandwidth --max-downtime "--compress[=METHODS]" \
	--parallel --auto-converge --postcopy --tls --timeout --on-timeout; do
	expect_in "$opt" "$out" "help evacuate shows $opt"
done
expect_status 0 "help balance" "$M" help balance
for opt in --goal --max-moves --min-gain --jobs --per-host --dry-run --bandwidth; do
	expect_in "$opt" "$out" "help balance shows $opt"
done

# ---- bad input: exit 2, the bad part named, nothing on stdout ---------------
bad() { # NAME WHAT ARGS...
	local name=$1 what=$2
	shift 2
	bad_input "$name" "$what" "$M" "$@"
	[ -z "$out" ]
	result $? "$what: nothing printed on stdout" "stdout: $out"
}
evac() { bad "$1" "$2" -c "$H1" evacuate "${@:3}"; }
bad "-c URI" "evacuate without -c" evacuate --to "$H2"
evac "--to URI" "evacuate without --to"
evac "--to names the source" "--to naming the source" --to "$H2,$H1"
evac "names $H2 twice" "--to naming a host twice" --to "$H2,$H2"
evac "--to 'host2'" "--to that is not a URI" --to host2
evac "empty host" "--to with an empty item" --to "$H2,,$H3"
evac "empty host" "--to ending in a comma" --to "$H2,"
evac "--jobs" "--jobs 0" --to "$H2" --jobs 0
evac "--jobs" "--jobs 65" --to "$H2" --jobs 65
evac "--per-host" "--per-host 0" --to "$H2" --per-host 0
evac "--mode" "--mode of no known mode" --to "$H2" --mode teleport
evac "--headroom" "--headroom 0" --to "$H2" --headroom 0
evac "--headroom" "--headroom 101" --to "$H2" --headroom 101
evac "--host-mem 'lots'" "--host-mem that is not a size" --to "$H2" --host-mem lots
evac "not one of the hosts" "--host-mem of a host not named" --to "$H2" --host-mem "$H3=1G"
evac "--bandwidth" "--bandwidth 0" --to "$H2" --bandwidth 0
evac "--on-timeout" "--on-timeout without --timeout" --to "$H2" --on-timeout suspend
evac "unexpected argument 'web1'" "an extra argument" web1 --to "$H2"
evac "127.0.0.254:1" "--to a host that does not answer" --to "$H2,$GONE"
bad "127.0.0.254:1" "a source that does not answer" -c "$GONE" evacuate --to "$H2"
bal() { bad "$1" "$2" balance "${@:3}"; }
bal "URI URI" "balance of one host" "$H1"
bal "names $H1 twice" "balance naming a host twice" "$H1" "$H1"
bal "'host2' is not a libvirt URI" "balance of a host that is not a URI" "$H1" host2
bal "--goal" "--goal of no known goal" "$H1" "$H2" --goal tidy
bal "--max-moves" "--max-moves -1" "$H1" "$H2" --max-moves -1
bal "--min-gain 'much'" "--min-gain that is not a size" "$H1" "$H2" --min-gain much
bal "--jobs" "balance --jobs 0" "$H1" "$H2" --jobs 0
bal "--to" "balance has no --to" "$H1" "$H2" --to "$H3"
bal "127.0.0.254:1" "balance of a host that does not answer" "$H1" "$GONE"

# ---- --dry-run: the plan, and nothing moves ------------------------------------
run "$M" -c "$H1" evacuate --to "$H2,$H3" --dry-run --host-mem 2G
expect_eq "$status" 1 "a dry run that cannot place every guest exits 1"
expect_in "Plan: 0 moves off" "$out" "the plan's heading says how many moves"
expect_in "(dry run: nothing moves)" "$out" "the heading says it is a dry run"
expect_in "cannot place web1: no host can take it: $H2: the check FAILs" "$out" \
	"a guest no host takes is named with each host's reason"
expect_in "$H3: the check FAILs" "$out" "... the reason of every destination"
expect_in "HOST" "$out" "the hosts' table follows"
expect_in "the plan leaves 2 guests where they are" "$err" "the error says what is left"

run "$M" --json -c "$H1" evacuate --to "$H2,$H3" --dry-run --host-mem 2G
expect_eq "$(echo "$out" | wc -l)" 1 "--json --dry-run prints one NDJSON line"
echo "$out" >"$TEST_TMP/plan.json"
"$JSON_CHECK" "$TEST_TMP/plan.json" --type event string --len hosts 3 --len moves 0 \
	--len unplaced 2 --type cv_before number --type hosts.0.used_before_bytes int \
	--type unplaced.0.reason string >/dev/null
result $? "the plan event has hosts, moves, unplaced and the CV"
expect_eq "$("$JSON_CHECK" "$TEST_TMP/plan.json" --get event --get hosts.0.memory_bytes \
	--get hosts.0.guests_before --get hosts.0.used_before_bytes | tr '\n' ' ')" \
	"plan 2147483648 2 536870912 " "--host-mem is the memory the plan sees; the guests' use"

run "$M" balance "$H1" "$H2" "$H3" --dry-run --host-mem 2G
expect_eq "$status" 0 "balance --dry-run exits 0"
expect_in "Plan (spread): 0 moves" "$out" "balance names its goal"
run "$M" balance "$H1" "$H2" --goal consolidate --dry-run --host-mem "$H1=2G" --host-mem "$H2=4G"
expect_eq "$status" 0 "balance --goal consolidate --dry-run exits 0"
expect_in "Plan (consolidate)" "$out" "the consolidate plan"
expect_in "4 GiB" "$out" "--host-mem URI=SIZE sets one host's memory"

finish
