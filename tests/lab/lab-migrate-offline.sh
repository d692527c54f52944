#!/bin/bash
# kvm-migrate offline on real hosts: a cold move with a local disk whose
# copy is checked byte for byte (the SHA-256 printed is sha256sum's), and a
# sparse raw disk whose holes stay holes, with --keep-source leaving the
# source as it was; --shutdown --force --start; a failed move that removes
# its copies; and --keep-state, whose guest goes on counting where it
# stopped.
. "$top_srcdir/tests/lab/migrate-lib.sh"

migrate_lab

# ---- cold, with the source kept --------------------------------------------------
lab guest co1 --disk local >/dev/null || not_ok "lab guest co1"
virsh -q -c "$U1" destroy co1 >/dev/null
# Data the copy must carry: 8 MiB of a pattern, written into the qcow2.
qemu-io -f qcow2 -c "write -P 0x5a 1M 8M" "$(host_file 1 $IMG/co1.qcow2)" >/dev/null ||
	not_ok "qemu-io cannot write into co1's disk"
src_sum=$(sha256sum <"$(host_file 1 $IMG/co1.qcow2)")
# A second disk, raw and sparse: 256 MiB with 1 MiB of data at 100 MiB.
virsh -q -c "$U1" vol-create-as default co1-data.img 256M --format raw --allocation 0 >/dev/null &&
	qemu-io -f raw -c "write -P 0xa5 100M 1M" "$(host_file 1 $IMG/co1-data.img)" >/dev/null &&
	virsh -q -c "$U1" pool-refresh default >/dev/null &&
	virsh -q -c "$U1" attach-disk co1 $IMG/co1-data.img vdb --config --driver qemu --subdriver raw >/dev/null ||
	not_ok "a sparse second disk for co1"
data_sum=$(sha256sum <"$(host_file 1 $IMG/co1-data.img)")
expect_status 0 "offline co1 --keep-source" "$M" -c "$U1" offline co1 "$U2" --keep-source
expect_in "vda: " "$out" "it reports the copied disk"
expect_in "matches" "$out" "it says the checksum read back matches"
expect_in "SHA-256 ${src_sum%% *} matches" "$out" "the SHA-256 it prints is sha256sum's of the disk"
expect_in "SHA-256 ${data_sum%% *} matches" "$out" "and of the sparse disk"
copy=$(host_file 2 $IMG/co1-data.img)
expect_eq "$(sha256sum <"$copy")" "$data_sum" "host 2's copy of the sparse disk has its SHA-256"
expect_eq "$(stat -c %s "$copy")" $((256 << 20)) "the copy is 256 MiB long"
used=$(du -k "$copy" | cut -f1)
[ "$used" -lt 8192 ] && ok "holes stayed holes: the copy takes $used KiB of 262144" ||
	not_ok "the copy takes $used KiB: its holes were filled"
expect_eq "$(sha256sum <"$(host_file 2 $IMG/co1.qcow2)")" "$src_sum" \
	"host 2's copy has the same SHA-256 as the source disk"
expect_eq "$(sha256sum <"$(host_file 1 $IMG/co1.qcow2)")" "$src_sum" "the source disk is unchanged"
expect_eq "$(domstate 1 co1)" "shut off" "--keep-source: host 1 still defines co1"
expect_eq "$(domstate 2 co1)" "shut off" "host 2 defines co1, shut off"
expect_eq "$(persistent 2 co1)" yes "co1 is persistent on host 2"
run virsh -c "$U2" dumpxml co1
expect_in "$IMG/co1.qcow2" "$out" "its disk is host 2's copy"
expect_status 0 "co1 starts on host 2" virsh -c "$U2" start co1
wait_heartbeat co1 5 90 >/dev/null && ok "co1 runs on host 2" || not_ok "co1 does not beat on host 2"

# ---- --shutdown --force --start: moved, not kept -----------------------------------
lab guest co2 --disk local >/dev/null || not_ok "lab guest co2"
wait_heartbeat co2 5 90 >/dev/null || not_ok "co2 did not boot"
expect_status 0 "offline co2 --shutdown --timeout 2 --force --start" "$M" -c "$U1" offline co2 "$U2" \
	--shutdown --timeout 2 --force --start
expect_eq "$(domstate 1 co2)" none "host 1 no longer defines co2"
[ -e "$(host_file 1 $IMG/co2.qcow2)" ] && ok "its source disk stays without --delete-source-disks" ||
	not_ok "co2's source disk is gone"
expect_eq "$(domstate 2 co2)" running "host 2 runs co2"
wait_heartbeat co2 5 90 >/dev/null && ok "co2 beats on host 2" || not_ok "co2 does not beat on host 2"

# ---- a failure after the copy: the copies go, the source stays ----------------------
lab guest co3 --disk local >/dev/null || not_ok "lab guest co3"
virsh -q -c "$U1" destroy co3 >/dev/null
virsh -c "$U1" dumpxml --inactive co3 | sed '/<uuid>/d; /<disk/,/<\/disk>/d' >"$TEST_TMP/co3.xml"
virsh -q -c "$U2" define "$TEST_TMP/co3.xml" >/dev/null || not_ok "define a clashing co3 on host 2"
expect_status 1 "offline --no-check into a name clash fails" "$M" -c "$U1" offline co3 "$U2" --no-check
expect_in "refuses the definition" "$err" "it says the destination refused the definition"
[ ! -e "$(host_file 2 $IMG/co3.qcow2)" ] && ok "the copy on host 2 was removed" ||
	not_ok "a copy of co3's disk is left on host 2"
expect_eq "$(domstate 1 co3)" "shut off" "co3 is still defined on host 1"

# ---- --keep-state: the guest goes on where it stopped -------------------------------
lab guest ck1 --disk local --workload dirty:2 >/dev/null || not_ok "lab guest ck1"
wait_heartbeat ck1 20 90 >/dev/null || not_ok "ck1 did not boot"
before=$(lab heartbeat ck1)
state=$LAB_DIR/shared/ck1.state
expect_status 0 "offline ck1 --keep-state" "$M" -c "$U1" offline ck1 "$U2" --keep-state --state-file "$state"
moved ck1 "$before"
[ ! -e "$state" ] && ok "the saved state was removed" || not_ok "$state is left behind"
finish
