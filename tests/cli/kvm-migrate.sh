#!/bin/bash
# kvm-migrate's command line without a lab: help, and every bad input that
# needs no connection (exit 2, a message naming the bad part). These are
# refused before anything connects: DEST below is an address where nothing
# listens, so a command line that got past its checks would fail with 1,
# not 2. The lab tests (tests/lab/lab-migrate-*.sh) move real guests.
#
# Environment (set by 'make check'): top_srcdir, top_builddir, KVM_MIGRATE.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/lib.sh"

M=${KVM_MIGRATE:-$top_builddir/cli/kvm-migrate}
SRC=test:///default
DEST=qemu+tcp://127.0.0.254:1/system
export LC_ALL=C
[ -x "$M" ] || { echo "not built: $M" >&2; exit 99; }

expect_status 0 "--help" "$M" --help
for cmd in check live offline; do
	expect_in "$cmd" "$out" "--help lists $cmd"
done
expect_status 0 "help live" "$M" help live
for opt in --copy-storage --bandwidth --max-downtime "--compress[=METHODS]" --parallel \
	--auto-converge --postcopy --postcopy-after-precopy --tls --timeout --on-timeout \
	--migrateuri --listen-address --dname --keep-source --no-check; do
	expect_in "$opt" "$out" "help live shows $opt"
done
expect_status 0 "help offline" "$M" help offline
for opt in --shutdown --force --start --keep-state --state-file --pool --delete-source-disks; do
	expect_in "$opt" "$out" "help offline shows $opt"
done
expect_status 0 "--version" "$M" --version
expect_in "libkvmops" "$out" "--version names the library"

live() { "$M" -c "$SRC" live dom "$DEST" "$@"; }
offline() { "$M" -c "$SRC" offline dom "$DEST" "$@"; }
check() { "$M" -c "$SRC" check dom "$DEST" "$@"; }

bad_input "DEST" "a missing DEST" "$M" -c "$SRC" live dom
bad_input "not-a-uri" "DEST that is not a URI" "$M" -c "$SRC" live dom not-a-uri
bad_input "DEST is the source" "DEST the same as the source" "$M" -c "$SRC" live dom "$SRC"
bad_input "--frobnicate" "an unknown option" live --frobnicate
bad_input "--copy-storage" "--copy-storage none of all|inc" live --copy-storage some
bad_input "--on-timeout" "--on-timeout of no known action" live --timeout 5 --on-timeout explode
bad_input "--on-timeout" "--on-timeout without --timeout" live --on-timeout suspend
bad_input "--on-timeout postcopy needs --postcopy" "--on-timeout postcopy alone" \
	live --timeout 5 --on-timeout postcopy
bad_input "--timeout" "--timeout 0" live --timeout 0
bad_input "--bandwidth" "--bandwidth that is not a number" live --bandwidth fast
bad_input "--bandwidth" "--bandwidth 0" live --bandwidth 0
bad_input "--max-downtime" "--max-downtime -5" live --max-downtime -5
bad_input "--parallel" "--parallel 300" live --parallel 300
bad_input "lz4" "--compress with an unknown method" live --compress=xbzrle,lz4
bad_input "--parallel" "--compress=zstd without --parallel" live --compress=zstd
bad_input "--postcopy-after-precopy needs --postcopy" "--postcopy-after-precopy alone" \
	live --postcopy-after-precopy
bad_input "--converge" "--converge of no known kind" live --converge maybe
bad_input "--allow: unknown 'fly'" "--allow with an unknown item" live --allow postcopy,fly
bad_input "--allow is empty" "an empty --allow" live --allow ,
bad_input "--converge off" "--allow under --converge off" live --converge off --allow postcopy
bad_input "--converge off" "--progress-window under --converge off" \
	live --converge off --progress-window 3
bad_input "--progress-window: '0'" "--progress-window 0" live --progress-window 0
bad_input "--progress-window: '20m'" "--progress-window in minutes" live --progress-window 3,20m
bad_input "--max-downtime" "a --max-downtime above a minute for the policy" \
	live --max-downtime 70000
bad_input "--dname" "--dname with a slash" live --dname a/b
bad_input "--dname" "an empty --dname" live --dname ""
bad_input "--migrateuri" "--migrateuri without a scheme" live --migrateuri 127.0.0.3
bad_input "--shutdown" "an offline option on live" live --shutdown
bad_input "--bandwidth" "a live option on offline" offline --bandwidth 10
# --keep-state alone is good input: the state file defaults to shared
# storage, which only the lab can show (lab-migrate-storage.sh).
bad_input "--shutdown and --keep-state contradict" "--keep-state with --shutdown" \
	offline --keep-state --shutdown
bad_input "--state-file goes with --keep-state" "--state-file alone" offline --state-file /x
bad_input "absolute" "a relative --state-file" offline --keep-state --state-file x.state
bad_input "--start" "--keep-state with --start" offline --keep-state --state-file /x --start
bad_input "--dname" "--keep-state with --dname" offline --keep-state --state-file /x --dname y
bad_input "--force goes with --shutdown" "--force alone" offline --force
bad_input "--timeout goes with --shutdown" "--timeout without --shutdown" offline --timeout 5
bad_input "contradict" "--delete-source-disks with --keep-source" offline --delete-source-disks --keep-source
bad_input "--mode" "check --mode of no known mode" check --mode teleport
bad_input "--copy-storage goes with --mode copy-storage" "check --copy-storage with --mode offline" \
	check --copy-storage all --mode offline
bad_input "--mode offline" "check --pool without --mode offline" check --pool default
bad_input "zstd" "--compress takes its methods only after '='" live --compress zstd
finish
