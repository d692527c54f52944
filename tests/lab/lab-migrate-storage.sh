#!/bin/bash
# Shared storage on real hosts, proven rather than taken from a path:
#  - a guest's private disk, and an unrelated volume of the same name at the
#    same path on the destination: check FAILs, live starts nothing on
#    either host, and --unsafe does not talk the check out of it;
#  - a guest on the lab's shared pool: check PASSes by the probe volume, and
#    live moves it with no --unsafe (libvirt does not know the lab's shared
#    directory as shared: kvm-migrate says it passes libvirt's unsafe flag);
#  - offline --keep-state without --state-file: the memory goes beside the
#    shared disk and is removed after the restore; a guest with no shared
#    disk is refused with exit 2, naming --state-file, and nothing changes.
# Every probe volume is gone afterwards, from the files and from the pools.
. "$top_srcdir/tests/lab/migrate-lib.sh"

migrate_lab

# no_probes WHEN: no probe volume in any pool of either host, as it lists
# them now (no ghost of one) and after a refresh, nor as a file.
no_probes() {
	local left h pool
	left=$(ls "$LAB_DIR/shared" "$(host_file 1 $IMG)" "$(host_file 2 $IMG)" 2>/dev/null |
		grep -c '^kvmops-probe-')
	for h in 1 2; do
		for pool in default shared; do
			left=$((left + $(virsh -q -c "$(lab uri $h)" vol-list "$pool" | grep -c kvmops-probe-)))
			virsh -q -c "$(lab uri $h)" pool-refresh "$pool" >/dev/null
			left=$((left + $(virsh -q -c "$(lab uri $h)" vol-list "$pool" | grep -c kvmops-probe-)))
		done
	done
	expect_eq "$left" 0 "no probe volume is left $1"
}

# ---- the same path, other storage --------------------------------------------
lab guest m3 --disk local >/dev/null || not_ok "lab guest m3"
virsh -q -c "$U2" vol-create-as default m3.qcow2 64M --format qcow2 >/dev/null ||
	not_ok "an unrelated m3.qcow2 in host 2's default pool"
decoy=$(sha256sum <"$(host_file 2 $IMG/m3.qcow2)")
before=$(wait_heartbeat m3 5 90) || not_ok "m3 did not boot"

expect_status 1 "check m3 --mode live: FAIL" "$M" -c "$U1" check m3 "$U2" --mode live
echo "$out" | grep -q "^FAIL  disk vda .*other storage" && ok "the FAIL says the path is other storage there" ||
	not_ok "no FAIL of other storage for disk vda in: $out"
expect_in "did not appear" "$out" "it says how it knows: the probe volume did not appear"
echo "$out" | grep -A1 "^FAIL  disk vda" | grep -q -- "--copy-storage all|inc" &&
	ok "the fix names --copy-storage all|inc" || not_ok "the fix does not name --copy-storage: $out"
no_probes "after the check"
expect_status 1 "check --unsafe: still FAIL, the storage is proven other" \
	"$M" -c "$U1" check m3 "$U2" --unsafe

expect_status 1 "live m3 refuses" "$M" -c "$U1" live m3 "$U2" --migrateuri tcp://127.0.0.3
expect_in "nothing was started" "$err" "it says nothing was started"
expect_eq "$(domstate 1 m3)" running "m3 still runs on host 1"
expect_eq "$(domstate 2 m3)" none "host 2 has no domain m3"
wait_heartbeat m3 "$before" 10 >/dev/null && ok "m3's heartbeat goes on on host 1" ||
	not_ok "m3's heartbeat stopped"
expect_eq "$(sha256sum <"$(host_file 2 $IMG/m3.qcow2)")" "$decoy" "host 2's own m3.qcow2 is untouched"
no_probes "after the refused move"

# ---- real shared storage, no --unsafe ---------------------------------------------
lab guest ms1 --disk shared --workload dirty:2 >/dev/null || not_ok "lab guest ms1"
before=$(wait_heartbeat ms1 10 90) || not_ok "ms1 did not boot"
expect_status 0 "check ms1: PASS" "$M" -c "$U1" check ms1 "$U2"
echo "$out" | grep -q "^PASS  disk vda .*both hosts share: a probe volume made in pool shared here appeared in pool shared there" &&
	ok "disk vda PASSes by the probe volume" || not_ok "no probe PASS for disk vda in: $out"
expect_status 0 "live ms1 with no --unsafe" "$M" -c "$U1" live ms1 "$U2" --migrateuri tcp://127.0.0.3
expect_in "note: libvirt does not know this storage as shared, but a probe volume proved every disk shared" \
	"$err" "it says, in one line, why it passes libvirt's unsafe flag"
expect_eq "$(grep -c 'note:' <<<"$err")" 1 "one line"
moved ms1 "$before"
no_probes "after the move over shared storage"

# ---- --keep-state with no --state-file ---------------------------------------------
lab guest ks1 --disk shared --workload dirty:2 >/dev/null || not_ok "lab guest ks1"
lab guest kl1 --disk local >/dev/null || not_ok "lab guest kl1"
wait_heartbeat kl1 5 90 >/dev/null || not_ok "kl1 did not boot"
bad_input "--state-file" "--keep-state of a guest with no shared disk" \
	"$M" -c "$U1" offline kl1 "$U2" --keep-state
expect_in "both hosts see" "$err" "it says the state must be on storage both hosts see"
expect_eq "$(domstate 1 kl1)" running "kl1 still runs on host 1"
expect_eq "$(domstate 2 kl1)" none "host 2 has no kl1"
[ ! -e "$(host_file 2 $IMG/kl1.qcow2)" ] && ok "no copy of kl1's disk on host 2" ||
	not_ok "a copy of kl1's disk is on host 2"

before=$(wait_heartbeat ks1 10 90) || not_ok "ks1 did not boot"
expect_status 0 "offline ks1 --keep-state, no --state-file" "$M" -c "$U1" offline ks1 "$U2" --keep-state
moved ks1 "$before"
[ ! -e "$LAB_DIR/shared/ks1.kvmops-state" ] && ok "the state file beside its disk was removed" ||
	not_ok "$LAB_DIR/shared/ks1.kvmops-state is left behind"
no_probes "after the offline moves"
finish
