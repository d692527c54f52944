#!/bin/bash
# kvm-migrate export, import and verify on real hosts: a shut-off guest's
# disk streamed sparse and whole; a running guest's through libvirt's
# backup job, its heartbeat going on; the backup restored on host 2 under
# a new name, booting; a paused guest's copy equal to its disk; an
# incremental backup holding about what the guest wrote, whose chain
# restores the disk; a deleted checkpoint that makes the next one full,
# saying why; an interrupted export that leaves the earlier backups
# verified and nothing behind; a failed import that leaves nothing on
# its host; and compressed backups, smaller, whose chain restores the
# disk, and a SIGTERM while compressing that stops qemu-img too.
. "$top_srcdir/tests/lab/migrate-lib.sh"

migrate_lab
DIR=$TEST_TMP/backups

# field EVENT NAME: NAME of the last EVENT event in $out
field() {
	grep -E "\"event\": ?\"$1\"" <<<"$out" | tail -1 | "$JSON_CHECK" --get "$2"
}
scratch_left() {
	virsh -q -c "$U1" vol-list default | grep -c kvmops-backup
}
# sha NAME BACKUP TARGET: the manifest's SHA-256 of a stored image
sha() {
	grep -A40 "\"name\": \"$2\"" "$1/manifest.json" |
		sed -n 's/.*"sha256": "\([0-9a-f]*\)".*/\1/p' | head -1
}

# ---- 1. a shut-off guest: its volume as it is, holes kept -------------------
lab guest ex1 --disk local --qcow2-v3 --disk-size 1024 >/dev/null || not_ok "lab guest ex1"
virsh -q -c "$U1" destroy ex1 >/dev/null
MAC=52:54:00:6b:76:01 # an interface, never started: a restore's MAC is checked
printf "<interface type='user'><mac address='%s'/><model type='virtio'/></interface>\n" $MAC \
	>"$TEST_TMP/if.xml"
virsh -q -c "$U1" attach-device ex1 "$TEST_TMP/if.xml" --config >/dev/null || not_ok "an interface for ex1"
qemu-io -f qcow2 -c "write -P 0x5a 1M 8M" "$(host_file 1 $IMG/ex1.qcow2)" >/dev/null ||
	not_ok "qemu-io cannot write into ex1's disk"
src_sum=$(sha256sum <"$(host_file 1 $IMG/ex1.qcow2)")
expect_status 0 "export of shut-off ex1" "$M" -c "$U1" export ex1 "$TEST_TMP/ex1" --json
name=$(field completed backup)
stored=$TEST_TMP/ex1/$name/vda.qcow2
expect_eq "$(sha256sum <"$stored")" "$src_sum" "the stored image's SHA-256 is the source volume's"
expect_eq "$(sha "$TEST_TMP/ex1" "$name")" "${src_sum%% *}" "... and the manifest's"
used=$(du -sk "$TEST_TMP/ex1" | cut -f1)
[ "$used" -lt $((512 * 1024)) ] && ok "the directory takes $used KiB of the 1 GiB disk" ||
	not_ok "the directory takes $used KiB, not less than half of 1 GiB"
[ -f "$TEST_TMP/ex1/$name/domain.xml" ] && ok "the backup holds domain.xml" || not_ok "no domain.xml"
bad_input "--full" "export --incremental --full" "$M" -c "$U1" export ex1 "$DIR" --incremental --full
[ ! -e "$DIR" ] && ok "... and made nothing" || not_ok "the refused export made $DIR"
# Restored as itself it keeps its MAC; under a new name it takes a new one.
macs() { virsh -q -c "$U2" domiflist "$1" | awk '{ print $NF }'; }
expect_status 0 "import of ex1 on host 2" "$M" -c "$U2" import "$TEST_TMP/ex1"
expect_eq "$(macs ex1)" "$MAC" "... keeps its MAC address"
expect_status 0 "import of ex1 on host 2 --name ex1r" "$M" -c "$U2" import "$TEST_TMP/ex1" --name ex1r
mac=$(macs ex1r)
[ -n "$mac" ] && [ "$mac" != "$MAC" ] && ok "... ex1r has a MAC address of its own ($mac)" ||
	not_ok "ex1r's MAC address: '$mac' (ex1's: $MAC)"

# ---- 2. a running guest: the backup job, the heartbeat going on ------------
lab guest ex2 --disk local --qcow2-v3 --writer --disk-size 512 >/dev/null || not_ok "lab guest ex2"
before=$(wait_heartbeat ex2 10 90) || not_ok "ex2 did not boot"
bad_input "ex1" "export of ex2 into ex1's directory" "$M" -c "$U1" export ex2 "$TEST_TMP/ex1"
lab write ex2 160 >/dev/null || not_ok "lab write ex2 160"
before=$(lab heartbeat ex2)
expect_status 0 "export of running ex2" "$M" -c "$U1" export ex2 "$DIR" --json
full=$(field completed backup)
after=$(wait_heartbeat ex2 "$before" 30) && ok "ex2's heartbeat went on through the backup ($before, then $after)" ||
	not_ok "ex2's heartbeat: $before before, '$after' after"
expect_eq "$(domstate 1 ex2)" running "ex2 runs on"
expect_eq "$(scratch_left)" 0 "no scratch volume is left"
expect_eq "$(field completed checkpoint)" "kvmops-$full" "a checkpoint was taken with it"
[ -f "$DIR/$full/checkpoint.xml" ] && ok "the backup holds checkpoint.xml" || not_ok "no checkpoint.xml"

# ---- 3. restored on host 2 under a new name: it boots -----------------------
expect_status 0 "import on host 2 --name ex2r --start" "$M" -c "$U2" import "$DIR" --name ex2r --start
vol_sum=$(sha256sum <"$(host_file 2 $IMG/ex2r-vda.qcow2)")
expect_eq "${vol_sum%% *}" "$(sha "$DIR" "$full")" "the restored volume's SHA-256 is the exported one's"
expect_eq "$(domstate 2 ex2r)" running "ex2r runs on host 2"
new_uuid=$(virsh -q -c "$U2" domuuid ex2r)
[ "$new_uuid" != "$(virsh -q -c "$U1" domuuid ex2)" ] && ok "ex2r has a UUID of its own" ||
	not_ok "ex2r has ex2's UUID"
# Its console file is ex2's: the definition keeps its path.
for t in $(seq 450); do
	beat=$(grep -a -m1 -o 'kvmops-heartbeat [0-9]*' "$LAB_DIR/host2/log/qemu/ex2.serial" 2>/dev/null |
		awk '{print $2}')
	[ -n "$beat" ] && break
	sleep 0.2
done
[ -n "$beat" ] && [ "$beat" -lt 50 ] && ok "ex2r booted: its heartbeat starts at $beat" ||
	not_ok "ex2r's first heartbeat: '${beat:-none}'"
virsh -q -c "$U2" destroy ex2r >/dev/null
expect_status 1 "import over the domain ex2r is refused" "$M" -c "$U2" import "$DIR" --name ex2r
expect_in "--name" "$err" "... naming the fix"
expect_status 1 "import without --name beside ex2 on host 1 is refused" "$M" -c "$U1" import "$DIR"
expect_in "--name" "$err" "... naming the fix"
expect_eq "$(virsh -q -c "$U2" vol-list default | grep -c ex2r)" 1 "... and left ex2r's one volume"

# ---- 4. paused: the copy is the disk, byte for byte -------------------------
virsh -q -c "$U1" suspend ex2 >/dev/null
expect_status 0 "export of paused ex2 (--full)" "$M" -c "$U1" export ex2 "$DIR" --full --json
paused=$(field completed backup)
run qemu-img compare -U -f qcow2 -F qcow2 "$DIR/$paused/vda.qcow2" "$(host_file 1 $IMG/ex2.qcow2)"
expect_eq "$status" 0 "the paused guest's copy equals its disk ($out)"
virsh -q -c "$U1" resume ex2 >/dev/null

# ---- 5. incremental: what the guest wrote, and its chain restored -----------
lab write ex2 32 >/dev/null || not_ok "lab write ex2 32"
expect_status 0 "export --incremental after a 32 MiB write" "$M" -c "$U1" export ex2 "$DIR" --incremental --json
incr=$(field completed backup)
expect_eq "$(field completed kind)" incremental "... it is incremental"
bytes=$(field completed stored_bytes)
[ -n "$bytes" ] && [ "$bytes" -le $((34 << 20)) ] && ok "... and stores $bytes bytes for 32 MiB written" ||
	not_ok "the incremental stores '$bytes' bytes for 32 MiB written"
virsh -q -c "$U1" suspend ex2 >/dev/null
expect_status 0 "import --at the incremental on host 2 as ex2i" "$M" -c "$U2" import "$DIR" --at "$incr" --name ex2i
run qemu-img compare -U -f qcow2 -F qcow2 "$(host_file 2 $IMG/ex2i-vda.qcow2)" "$(host_file 1 $IMG/ex2.qcow2)"
expect_eq "$status" 0 "the rebuilt chain equals the disk ($out)"
virsh -q -c "$U1" resume ex2 >/dev/null
expect_eq "$(ls -A "$DIR" | grep -c '^\.kvmops-import')" 0 "no rebuilt image is left in the directory"

# ---- 6. the checkpoint deleted on the host: a full one, and why -------------
virsh -q -c "$U1" checkpoint-delete ex2 "kvmops-$incr" >/dev/null || not_ok "checkpoint-delete"
expect_status 0 "export --incremental without its checkpoint" "$M" -c "$U1" export ex2 "$DIR" --incremental --json
expect_eq "$(field completed kind)" full "... takes a full backup"
expect_in "kvmops-$incr" "$(field completed why_full)" "... saying why (the checkpoint is named)"
expect_in "full backup instead" "$err" "... and warns"

# ---- 7. interrupted: the earlier backups stay, nothing is left behind -------
count=$(ls "$DIR" | grep -c '^20')
cps=$(virsh -q -c "$U1" checkpoint-list ex2 --name | grep -c .)
"$M" -c "$U1" export ex2 "$DIR" --full --json >"$TEST_TMP/int.out" 2>"$TEST_TMP/int.err" &
pid=$!
for t in $(seq 200); do
	grep -q '"progress"' "$TEST_TMP/int.out" 2>/dev/null && break
	sleep 0.05
done
kill -INT "$pid"
wait "$pid"
status=$?
[ "$status" != 0 ] && ok "Ctrl-C stopped the export (exit $status)" ||
	not_ok "the export finished before its Ctrl-C: $(tail -1 "$TEST_TMP/int.out")"
expect_in "interrupted" "$(cat "$TEST_TMP/int.err")" "... and it says so"
expect_eq "$(ls "$DIR" | grep -c '^20')" "$count" "no new backup folder is left"
expect_eq "$(scratch_left)" 0 "no scratch volume is left"
expect_eq "$(virsh -q -c "$U1" checkpoint-list ex2 --name | grep -c .)" "$cps" "no new checkpoint is left"
expect_status 0 "verify: the earlier backups are whole" "$M" verify "$DIR"
expect_eq "$(domstate 1 ex2)" running "ex2 runs on"

# ---- 8. a failed import leaves nothing --------------------------------------
# A pool too small for the disk: a 16 MiB tmpfs, mounted in host 2's own
# mount namespace.
small=/var/lib/libvirt/small
mkdir -p "$(host_file 2 $small)"
nsenter -t "$(cat "$LAB_DIR/host2/libvirtd.pid")" -m mount -t tmpfs -o size=16M kvmops-small "$small" ||
	not_ok "a 16 MiB tmpfs on host 2"
virsh -q -c "$U2" pool-create-as small dir --target "$small" >/dev/null || not_ok "pool small"
expect_status 1 "import into a pool with no room" "$M" -c "$U2" import "$DIR" --name ex2f --pool small
expect_eq "$(domstate 2 ex2f)" none "host 2 has no domain ex2f"
expect_eq "$(virsh -q -c "$U2" vol-list small | grep -c .)" 0 "pool small holds no volume"
expect_eq "$(virsh -q -c "$U2" vol-list default | grep -c ex2f)" 0 "nor does the default pool"

# ---- 9. compressed: smaller, and the chain restores the disk ---------------
CDIR=$TEST_TMP/compressed
t0=$(date +%s%N)
expect_status 0 "export --compress of running ex2" "$M" -c "$U1" export ex2 "$CDIR" --compress --json
z0=$(grep -E '"phase": ?"compress"' <<<"$out" | head -1 | "$JSON_CHECK" --get elapsed_ms)
echo "# it took $((($(date +%s%N) - t0) / 1000000)) ms, compressing from $z0 ms to $(field progress elapsed_ms) ms"
expect_eq "$(field completed compressed)" true "... its images are compressed"
plain=$(du -sk "$DIR/$full" | cut -f1)
packed=$(du -sk "$CDIR/$(field completed backup)" | cut -f1)
[ "$packed" -lt $((plain / 2)) ] && ok "... and take $packed KiB where the plain full backup took $plain" ||
	not_ok "the compressed backup takes $packed KiB, the plain one $plain"
lab write ex2 16 >/dev/null || not_ok "lab write ex2 16"
expect_status 0 "export --compress --incremental after a 16 MiB write" "$M" -c "$U1" export ex2 "$CDIR" --compress --incremental --json
expect_eq "$(field completed kind)" incremental "... it is incremental"
expect_status 0 "verify of the compressed backups" "$M" verify "$CDIR"
virsh -q -c "$U1" suspend ex2 >/dev/null
expect_status 0 "import of the compressed chain on host 2 as ex2c" "$M" -c "$U2" import "$CDIR" --name ex2c
run qemu-img compare -U -f qcow2 -F qcow2 "$(host_file 2 $IMG/ex2c-vda.qcow2)" "$(host_file 1 $IMG/ex2.qcow2)"
expect_eq "$status" 0 "the compressed chain, restored, equals the disk ($out)"
virsh -q -c "$U1" resume ex2 >/dev/null
expect_eq "$(scratch_left)" 0 "no scratch volume is left"
expect_eq "$(ls "$CDIR"/*/ | grep -c stream)" 0 "no streamed file is left beside the images"
# SIGTERM to kvm-migrate alone, while qemu-img compresses: both stop.
count=$(ls "$CDIR" | grep -c '^20')
"$M" -c "$U1" export ex2 "$CDIR" --compress --full --json >"$TEST_TMP/z.out" 2>"$TEST_TMP/z.err" &
pid=$!
for t in $(seq 600); do
	grep -qE '"phase": ?"compress"' "$TEST_TMP/z.out" 2>/dev/null && break
	sleep 0.05
done
t0=$(date +%s%N)
kill -TERM "$pid"
wait "$pid"
status=$?
took=$((($(date +%s%N) - t0) / 1000000))
[ "$status" != 0 ] && ok "SIGTERM while compressing stopped the export (exit $status)" ||
	not_ok "the export finished before its SIGTERM: $(tail -1 "$TEST_TMP/z.out")"
# Left to finish, qemu-img would compress and compare for about 2 s more.
[ "$took" -lt 1000 ] && ok "... $took ms after it: qemu-img was stopped, not waited for" ||
	not_ok "the export took $took ms to stop: was qemu-img left to finish?"
expect_in "interrupted" "$(cat "$TEST_TMP/z.err")" "... and it says so"
expect_eq "$(pgrep -fc "qemu-img .*$CDIR")" 0 "... and qemu-img stopped with it"
expect_eq "$(ls "$CDIR" | grep -c '^20')" "$count" "no new backup folder is left"
expect_status 0 "verify: the earlier compressed backups are whole" "$M" verify "$CDIR"

# ---- the directory, listed and verified --------------------------------------
expect_status 0 "export --list" "$M" export --list "$DIR" --json
expect_in "$incr" "$out" "it lists the incremental backup"
printf 'x' | dd of="$DIR/$full/vda.qcow2" bs=1 seek=100000 conv=notrunc status=none
expect_status 1 "verify after a byte changed" "$M" verify "$DIR"
expect_in "$full/vda.qcow2" "$err" "... names the file"
bad_input "manifest" "import from a directory that is no backup" "$M" -c "$U2" import "$TEST_TMP"
bad_input "nosuch" "import --at a backup that is not there" "$M" -c "$U2" import "$DIR" --at nosuch
finish
