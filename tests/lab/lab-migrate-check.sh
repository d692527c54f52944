#!/bin/bash
# kvm-migrate check on real hosts: it FAILs on a disk the destination does
# not see, a name clash, a missing bridge, a missing network and the source
# host under another URI, and then live and offline do not start. Bad input
# exits 2 and changes nothing.
. "$top_srcdir/tests/lab/migrate-lib.sh"

migrate_lab

# check_fails ID NAME ARGS...: check exits 1 with a FAIL line for ID.
check_fails() {
	local id=$1 name=$2
	shift 2
	expect_status 1 "check $name $*: FAIL" "$M" -c "$U1" check "$name" "$U2" "$@"
	echo "$out" | grep -q "^FAIL  $id " && ok "the FAIL names '$id'" ||
		not_ok "no FAIL line for '$id' in: $out"
	echo "$out" | grep -A1 "^FAIL  $id " | grep -q "fix:" && ok "the FAIL for '$id' says how to fix it" ||
		not_ok "no fix for '$id'"
}

# untouched NAME STATE1: host 1 still has NAME as it was, host 2 nothing new.
untouched() {
	expect_eq "$(domstate 1 "$1")" "$2" "$1 is still $2 on host 1"
	expect_eq "$(virsh -q -c "$U2" list --all --name | grep -c "^$1\$")" "${3:-0}" \
		"host 2 has as many domains named $1 as before (${3:-0})"
}

lab guest cc1 --disk local >/dev/null || not_ok "lab guest cc1"
lab guest cn1 --disk shared >/dev/null || not_ok "lab guest cn1"
wait_heartbeat cc1 5 90 >/dev/null || not_ok "cc1 did not boot"

# ---- a disk the destination does not see --------------------------------------
check_fails "disk vda" cc1
expect_in "not on the destination" "$out" "it says the disk is not on host 2"
run "$M" -c "$U1" --json check cc1 "$U2"
echo "$out" >"$TEST_TMP/check.json"
expect_eq "$($JSON_CHECK "$TEST_TMP/check.json" --get verdict)" FAIL "--json says FAIL"
expect_status 1 "live refuses after the check" "$M" -c "$U1" live cc1 "$U2" --migrateuri tcp://127.0.0.3
expect_in "nothing was started" "$err" "it says nothing was started"
untouched cc1 running
expect_status 0 "the same guest passes with --copy-storage all" "$M" -c "$U1" check cc1 "$U2" --copy-storage all

# ---- a name clash ---------------------------------------------------------------
virsh -c "$U1" dumpxml --inactive cn1 | sed '/<uuid>/d' >"$TEST_TMP/cn1.xml"
virsh -q -c "$U2" define "$TEST_TMP/cn1.xml" >/dev/null || not_ok "define cn1 on host 2"
check_fails name cn1
expect_status 1 "live refuses on a name clash" "$M" -c "$U1" live cn1 "$U2" --unsafe
untouched cn1 running 1
expect_eq "$(domstate 2 cn1)" "shut off" "host 2's own cn1 is left alone"
expect_status 0 "--dname avoids the clash" "$M" -c "$U1" check cn1 "$U2" --dname cn1-moved

# ---- a missing bridge, a missing network ------------------------------------------
guest_with_nic() {
	cat <<XML
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>128</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    $2
  </devices>
</domain>
XML
}
guest_with_nic cb1 "<interface type='bridge'><source bridge='kvmopsnobr0'/><model type='virtio'/></interface>" >"$TEST_TMP/cb1.xml"
guest_with_nic cw1 "<interface type='network'><source network='kvmops-nonet'/><model type='virtio'/></interface>" >"$TEST_TMP/cw1.xml"
virsh -q -c "$U1" define "$TEST_TMP/cb1.xml" >/dev/null || not_ok "define cb1"
virsh -q -c "$U1" define "$TEST_TMP/cw1.xml" >/dev/null || not_ok "define cw1"
check_fails "bridge kvmopsnobr0" cb1 --mode offline
expect_status 1 "offline refuses a guest whose bridge host 2 lacks" "$M" -c "$U1" offline cb1 "$U2"
untouched cb1 "shut off"
check_fails "network kvmops-nonet" cw1 --mode offline
expect_status 1 "offline refuses a guest whose network host 2 lacks" "$M" -c "$U1" offline cw1 "$U2"
untouched cw1 "shut off"

# ---- host 1 under another spelling of its URI ----------------------------------------
# The URIs differ, so this is no usage error; the host UUIDs say it is no move.
expect_status 1 "check against host 1 spelt another way: FAIL" "$M" -c "$U1" check cn1 "$U1?no_tty=1"
echo "$out" | grep -q "^FAIL  host " && ok "the FAIL names 'host'" || not_ok "no FAIL line for 'host' in: $out"
expect_in "this host's UUID" "$out" "it says the destination has this host's UUID"
expect_status 1 "live refuses to move a guest onto its own host" "$M" -c "$U1" live cn1 "$U1?no_tty=1" --unsafe
untouched cn1 running 1

# ---- bad input: exit 2, nothing changed -------------------------------------------
bad_input "nosuch" "an unknown domain" "$M" -c "$U1" live nosuch "$U2"
bad_input "nosuch" "check of an unknown domain" "$M" -c "$U1" check nosuch "$U2"
bad_input "DEST is the source" "DEST the same as the source" "$M" -c "$U1" live cc1 "$U1"
bad_input "--bandwidth" "a bandwidth of 0" "$M" -c "$U1" live cc1 "$U2" --bandwidth 0
bad_input "--keep-state" "--keep-state without --state-file" "$M" -c "$U1" offline cc1 "$U2" --keep-state
untouched cc1 running
expect_eq "$(ls "$LAB_DIR/host2/lib/images/" | grep -c cc1)" 0 "no disk of cc1 on host 2"
finish
