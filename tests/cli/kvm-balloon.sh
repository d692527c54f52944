#!/bin/bash
# kvm-balloon against libvirt's in-process test driver (test:///default, no
# daemon): listing, stats, overcommit, help, completion, and every bad input
# (exit 2, a message naming it, nothing changed).
#
# The test driver has one running domain, "test", with a virtio balloon but
# no stats period, and fakes no balloon figures in its bulk stats: the
# figures themselves are the lab's to test (tests/lab). Each kvm-balloon
# process gets a fresh test:///default, so changes are checked within one
# process, through a script on stdin.
#
# Environment (set by 'make check'): top_srcdir, top_builddir, KVM_BALLOON,
# JSON_CHECK, FIXTURES.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${FIXTURES:=$top_srcdir/tests/fixtures}"
. "$top_srcdir/tests/lib.sh"

B=${KVM_BALLOON:-$top_builddir/cli/kvm-balloon}
: "${JSON_CHECK:=$top_builddir/tests/helpers/json-check}"
URI=test:///default
export LC_ALL=C
# overcommit adds what KSM saves: from a fixture, not this host's kernel.
KVMOPS_SYSFS_ROOT=$(fixture ksm-6.18)
export KVMOPS_SYSFS_ROOT
KSM_SAVED=$((31162 * 4096))

for prog in "$B" "$JSON_CHECK"; do
	if [ ! -x "$prog" ]; then
		echo "not built: $prog" >&2
		exit 99
	fi
done

# The names in a JSON array of objects, one a line.
json_names() {
	local i=0 name
	while name=$($JSON_CHECK "$1" --get "$i.name" 2>/dev/null); do
		echo "$name"
		i=$((i + 1))
	done
}

# ---- list -------------------------------------------------------------------
expect_status 0 "list" "$B" -c "$URI" list
expect_in "NAME" "$out" "list prints a header"
expect_eq "$(echo "$out" | awk '$1 == "test" { print $2 }')" running "list: test is running"
expect_in "no-period" "$(echo "$out" | awk '$1 == "test"')" "list flags test's missing stats period"

expect_status 0 "list --json" "$B" -c "$URI" list --json
echo "$out" >"$TEST_TMP/list.json"
expect_eq "$($JSON_CHECK "$TEST_TMP/list.json" --type . array >/dev/null && echo valid)" valid "list --json is a JSON array"
expect_in "test" "$(json_names "$TEST_TMP/list.json")" "list --json has the domain test"
expect_eq "$($JSON_CHECK "$TEST_TMP/list.json" --get 0.state --get 0.problem --type 0.current_kib int --type 0.usable_kib null)" "running
no-period" "list --json: state, problem, figures typed (null when missing)"

run "$B" --json -c "$URI" list
expect_eq "$(echo "$out" | $JSON_CHECK --get 0.name)" test "--json before the command"

expect_status 0 "list --sort name" "$B" -c "$URI" list --sort name
expect_in "test" "$out" "list --sort name shows test"
for key in current usable rss; do
	expect_status 0 "list --sort $key" "$B" -c "$URI" list --sort="$key"
done
expect_status 0 "list --state running" "$B" -c "$URI" list --state running
expect_eq "$(echo "$out" | awk 'NR > 1 { print $1 }')" test "list --state running: test alone"
expect_status 0 "list --state all" "$B" -c "$URI" list --state all
expect_in "test" "$out" "list --state all shows test"
expect_status 0 "list --state shutoff" "$B" -c "$URI" list --state shutoff
expect_eq "$out" "no domains" "list --state shutoff: none on test:///default"
run "$B" -c "$URI" list --state shutoff --json
expect_eq "$(echo "$out" | $JSON_CHECK --len . 0 && echo empty)" empty "list --state shutoff --json: an empty array"

# ---- stats --------------------------------------------------------------------
expect_status 0 "stats test" "$B" -c "$URI" stats test
expect_eq "$(echo "$out" | head -1)" "test: running" "stats names the guest and its state"
usable=$(echo "$out" | grep '^  usable ')
expect_in "this, not 'unused', is the figure to use" "$usable" "stats: usable, not unused, is what the guest can give up"
expect_in "WITHOUT swapping" "$usable" "stats: usable is what goes without swapping"
expect_in "kvm-balloon period" "$out" "stats: no floor without a period, and says how to set one"

run "$B" -c "$URI" stats test --json
expect_eq "$(echo "$out" | $JSON_CHECK --get name --get stats_period_s --get problem --type floor_kib null)" "test
0
no-period" "stats --json: period 0, problem, no floor"

# ---- period: the test driver changes live or config, one at a time -------------
run sh -c "printf 'period test 2 --live\nstats test --json\n' | '$B' -c '$URI'"
expect_eq "$status" 0 "period test 2 --live (in a script)"
expect_in "test: stats every 2 s" "$out" "period reports the new period"
echo "$out" | sed -n '/^{/,$p' >"$TEST_TMP/period.json"
expect_eq "$($JSON_CHECK "$TEST_TMP/period.json" --get stats_period_s --get problem)" "2
no-stats" "after period: a period, but still no stats (the test driver sends none)"
expect_status 0 "period --all 3 --live" "$B" -c "$URI" period --all 3 --live
expect_in "test: stats every 3 s" "$out" "period --all sets test's"
expect_status 0 "period test 4 --config" "$B" -c "$URI" period test 4 --config

# ---- set --config: nothing runs, so there is nothing to wait for -------------------
# (--raise-max: the test driver gives no balloon maximum in its bulk stats.)
run "$B" -c "$URI" set test 1G --config --raise-max --wait
case "$status $out" in
0*reached*) not_ok "set --config --wait claims what it never waited for: $out" ;;
0*) ok "set --config --wait: no claim of a balloon reached" ;;
*) not_ok "set test 1G --config --raise-max --wait: exit $status: $err" ;;
esac
run "$B" -c "$URI" set test 1G --config --raise-max --wait --json
expect_eq "$(echo "$out" | $JSON_CHECK --get target_kib --get reached_kib --get seconds)" "1048576
null
null" "set --config --wait --json: a target, nothing reached"

# ---- overcommit -----------------------------------------------------------------
run "$B" -c "$URI" overcommit --json
echo "$out" >"$TEST_TMP/oc.json"
oc_status=$status
get_oc() { $JSON_CHECK "$TEST_TMP/oc.json" --get "$1"; }
expect_eq "$($JSON_CHECK "$TEST_TMP/oc.json" --type host_cpus int --type memory_ratio number --type vcpu_ratio number --get guests --get ksm_saved_bytes)" "1
$KSM_SAVED" "overcommit --json parses: one running guest, KSM's saving"
if command -v virsh >/dev/null; then
	nodeinfo=$(virsh -c "$URI" nodeinfo)
	cpus=$(echo "$nodeinfo" | awk -F: '$1 == "CPU(s)" { gsub(/ /, "", $2); print $2 }')
	mem=$(echo "$nodeinfo" | awk -F: '$1 == "Memory size" { print $2 + 0 }')
	expect_eq "$(get_oc host_cpus)" "$cpus" "overcommit: host_cpus as virsh nodeinfo's CPU(s)"
	expect_eq "$(get_oc host_memory_kib)" "$mem" "overcommit: host memory as virsh nodeinfo's"
else
	echo "ok - # SKIP no virsh to compare overcommit with"
fi
expect_eq "$(awk -v r="$(get_oc memory_ratio)" -v m="$(get_oc sum_max_kib)" -v h="$(get_oc host_memory_kib)" \
	'BEGIN { d = r - m / h; print (d < 1e-6 && d > -1e-6) ? "same" : r " vs " m / h }')" same "overcommit: memory ratio is guests' maximum / host memory"
case "$(get_oc memory_verdict) $(get_oc vcpu_verdict)" in
*FAIL*) want=1 ;;
*) want=0 ;;
esac
expect_eq "$oc_status" "$want" "overcommit --json: exit 1 exactly when a verdict is FAIL"
expect_status "$want" "overcommit" "$B" -c "$URI" overcommit
expect_in "$(get_oc host_cpus) CPUs" "$out" "overcommit text: the host's CPUs"
expect_eq "$(echo "$out" | awk '/memory overcommit/ { print $1 }')" "$(get_oc memory_verdict)" "overcommit text: the memory verdict, as --json's"
expect_eq "$(echo "$out" | awk '/vCPU overcommit/ { print $1 }')" "$(get_oc vcpu_verdict)" "overcommit text: the vCPU verdict, as --json's"

# ---- help, version, completion ---------------------------------------------------
expect_status 0 "help" "$B" help
for cmd in list stats set period overcommit; do
	expect_in "  $cmd " "$out" "help lists $cmd"
done
expect_status 0 "help set" "$B" help set
expect_in "Usage: kvm-balloon set [OPTIONS] DOMAIN SIZE" "$out" "help set: usage"
for opt in --live --config --wait --timeout --force --margin --raise-max; do
	expect_in "$opt" "$out" "help set: $opt"
done
expect_status 0 "set --help" "$B" set --help
expect_in "DOMAIN SIZE" "$out" "set --help is help set"
expect_status 0 "--version" "$B" --version
expect_in "kvm-balloon (kvmops)" "$out" "--version names the tool"
expect_in "libkvmops" "$out" "--version names the library version"

expect_eq "$("$B" complete -- '')" "list
stats
set
period
auto
overcommit
help" "complete: commands"
expect_eq "$("$B" complete -- -c "$URI" stats '')" test "complete: a domain, with -c among the words"
expect_eq "$("$B" complete -- --connect="$URI" set t)" test "complete: a domain, with --connect=URI among the words"
expect_eq "$("$B" -c "$URI" complete -- stats '')" test "complete: a domain, with -c before complete"
expect_eq "$(KVMOPS_DEFAULT_URI=$URI "$B" complete -- period '')" test "complete: a domain, with KVMOPS_DEFAULT_URI"
expect_eq "$("$B" complete -- stats '')" "" "complete: no URI, no connection tried"
expect_eq "$("$B" complete -- list --sort '')" "current
usable
rss
name" "complete: --sort keys"
expect_eq "$("$B" complete -- list --state=r)" "--state=running" "complete: an inline --state value"
expect_eq "$("$B" complete -- help s)" "stats
set" "complete: help's commands"

# ---- bad input: exit 2, a message naming it, nothing changed --------------------
dominfo() {
	if command -v virsh >/dev/null; then
		virsh -c "$URI" dominfo test | grep -E '^(State|Max memory|Used memory):'
	fi
}
before=$(dominfo)
bad_input frobnicate "unknown command" "$B" -c "$URI" frobnicate
bad_input nope "help for an unknown command" "$B" help nope
bad_input "DOMAIN SIZE" "set without arguments" "$B" -c "$URI" set
bad_input "SIZE" "set with one argument" "$B" -c "$URI" set test
bad_input extra "set with three arguments" "$B" -c "$URI" set test 1G extra
bad_input extra "extra argument to list" "$B" -c "$URI" list extra
bad_input extra "extra argument to overcommit" "$B" -c "$URI" overcommit extra
bad_input DOMAIN "stats without a domain" "$B" -c "$URI" stats
bad_input "'nope'" "stats of no such domain" "$B" -c "$URI" stats nope
bad_input "'nope'" "set of no such domain" "$B" -c "$URI" set nope 1G
bad_input "'abc'" "set a malformed size" "$B" -c "$URI" set test abc
bad_input "unit 'Q'" "set a size with an unknown unit" "$B" -c "$URI" set test 12Q
bad_input "'1001%'" "set a percentage above 1000%" "$B" -c "$URI" set test 1001%
# Once wrapped to 0.84% before the check (fuzzing found it).
bad_input "'184467440737095517%'" "set a percentage that wraps 64 bits" "$B" -c "$URI" set test 184467440737095517%
bad_input "target of 0" "set zero" "$B" -c "$URI" set test 0
bad_input "target of 0" "set 0%" "$B" -c "$URI" set test 0%
bad_input "-300000G" "set to a negative result" "$B" -c "$URI" set test -300000G
bad_input "99 TiB" "set above the maximum" "$B" -c "$URI" set test 99T
expect_in "--raise-max" "$err" "above the maximum: offers --raise-max"
bad_input "--raise-max" "raise the maximum of a running guest live" "$B" -c "$URI" set test 99T --raise-max
bad_input "'bogus'" "list --sort bogus" "$B" -c "$URI" list --sort bogus
bad_input "'bogus'" "list --state bogus" "$B" -c "$URI" list --state bogus
bad_input "--sort" "list --sort without its value" "$B" -c "$URI" list --sort
bad_input "--bogus" "an unknown option" "$B" -c "$URI" set test 1G --bogus
bad_input "'abc'" "period test abc" "$B" -c "$URI" period test abc
bad_input "'-1'" "period test -1" "$B" -c "$URI" period test -1
bad_input "'86401'" "period above a day" "$B" -c "$URI" period test 86401
bad_input "SECONDS" "period --all without seconds" "$B" -c "$URI" period --all
bad_input "SECONDS" "period without seconds" "$B" -c "$URI" period test
bad_input "'nope'" "period of no such domain" "$B" -c "$URI" period nope 2
bad_input "'0' for --timeout" "set --timeout 0" "$B" -c "$URI" set test 1G --timeout 0
bad_input "'abc' for --timeout" "set --timeout abc" "$B" -c "$URI" set test 1G --wait --timeout abc
bad_input "'xyz'" "set --margin xyz" "$B" -c "$URI" set test 1G --margin xyz
bad_input "json" "a flag given a value" "$B" -c "$URI" list --json=yes
expect_eq "$(dominfo)" "$before" "virsh dominfo test: the same before and after"

# Within one process (the test driver's state lives as long as it does):
# every bad line is refused, and the domain is as it was.
cat >"$TEST_TMP/bad.script" <<'EOF'
stats test --json
set test 0
set test -300000G
set test 99T
set test 99T --raise-max
set test abc
set test 1G --timeout 0
set test 1G --margin xyz
period test abc
period test -1
period --all
stats test --json
EOF
run sh -c "'$B' -c '$URI' --keep-going <'$TEST_TMP/bad.script'"
expect_eq "$status" 2 "a script of bad lines, --keep-going: exit 2"
expect_eq "$(echo "$err" | grep -c 'error:')" 10 "each of its ten bad lines is refused"
first=$(echo "$out" | awk '/^{/ { n++ } n == 1')
last=$(echo "$out" | awk '/^{/ { n++ } n == 2')
expect_eq "$(echo "$last" | $JSON_CHECK --get stats_period_s)" 0 "no period was set by a bad line"
expect_eq "$last" "$first" "stats test: the same after the bad lines"

finish
