#!/bin/bash
# kvm-migrate export against its yardstick, virtnbdbackup (Debian's
# package), on the same running lab guest, side by side in one run: a
# full backup each (ROUNDS paired runs, the order alternating), one
# compressed full backup each (no goal: qemu-img's zstd against lz4, size
# against speed), then an incremental each after the same write of WRITE
# MiB. Prints the wall times, the bytes each stored, and whether each
# tool's restore equals the guest's disk. Goals: a full export at most
# 1.2x virtnbdbackup's wall time and 1.05x its bytes; an incremental at
# most 1.1x the data written; both restores equal.
#
# virtnbdbackup refuses to run beside a checkpoint it did not make, so
# each tool's checkpoints are removed before the other runs, and each
# takes its incremental on a chain of its own, after the same write.
# virtnbdbackup runs as its documentation has it on the host itself: in
# the lab host's mount namespace (nsenter), over the host's own libvirt
# socket (qemu:///system?socket=...). It takes the lab lock and replaces
# any running lab.
. "$(dirname "$0")/lib.sh"

LAB=${LAB:-$(dirname "$0")/../tests/lab/lab}
export KVMOPS_BUILDDIR=${KVMOPS_BUILDDIR:-$(dirname "$0")/../build}
ROUNDS=${ROUNDS:-3}
DATA=${DATA:-160}
WRITE=${WRITE:-32}
LAB_DIR=${KVMOPS_LAB_DIR:-/var/tmp/kvmops-lab}
OUT=${OUT:-/var/tmp/kvmops-bench-export}
[ "$(id -u)" = 0 ] || { echo "export bench: needs root" >&2; exit 77; }
command -v virtnbdbackup >/dev/null ||
	{ echo "export bench: needs virtnbdbackup (apt-get install virtnbdbackup)" >&2; exit 77; }
use_binary "${KVM_MIGRATE:-$KVMOPS_BUILDDIR/cli/kvm-migrate}"

lab_lock export
trap '"$LAB" down >/dev/null 2>&1; rm -rf "$BENCH_TMP"; [ -n "${KEEP:-}" ] || rm -rf "$OUT"' EXIT
"$LAB" down >/dev/null 2>&1
"$LAB" up --hosts 2 >/dev/null 7>&- || exit 1
U1=$("$LAB" uri 1)
U2=$("$LAB" uri 2)
SOCK="qemu:///system?socket=$LAB_DIR/host1/sock/libvirt-sock"
DISK=$LAB_DIR/host1/lib/images/bn1.qcow2

now() { date +%s%N; }
theirs() { nsenter -t "$(cat "$LAB_DIR/host1/libvirtd.pid")" -m virtnbdbackup -U "$SOCK" "$@"; }
# timed VAR CMD...: VAR gets the wall time of CMD in ns; CMD must succeed
timed() {
	local var=$1 t0
	shift
	t0=$(now)
	"$@" >"$BENCH_TMP/last.out" 2>&1 || {
		echo "export bench: $* failed:" >&2
		tail -5 "$BENCH_TMP/last.out" >&2
		exit 1
	}
	printf -v "$var" '%s' $(($(now) - t0))
}
used() { du -sk "$@" | awk '{ s += $1 } END { print s }'; }
# Each tool's checkpoints in the way of the other's: virtnbdbackup refuses
# to run beside a checkpoint it did not make.
drop_checkpoints() {
	local c
	for c in $(virsh -q -c "$U1" checkpoint-list bn1 --name | grep "^$1"); do
		virsh -q -c "$U1" checkpoint-delete bn1 "$c" >/dev/null || exit 1
	done
}
ours_full() { rm -rf "$OUT/ours" && timed a "$BIN" -c "$U1" export bn1 "$OUT/ours"; }
theirs_full() { rm -rf "$OUT/theirs" && timed b theirs -d bn1 -l full -o "$OUT/theirs"; }

"$LAB" guest bn1 --disk local --qcow2-v3 --writer --disk-size 1024 >/dev/null || exit 1
for t in $(seq 450); do "$LAB" heartbeat bn1 >/dev/null 2>&1 && break; sleep 0.2; done
"$LAB" write bn1 "$DATA" >/dev/null || exit 1
echo "guest bn1: a 1 GiB qcow2 v3 disk holding $DATA MiB it wrote; $ROUNDS paired full backups"

rm -rf "$OUT"
mkdir -p "$OUT"
for ((i = 0; i < ROUNDS; i++)); do
	if ((i % 2)); then
		theirs_full
		ours_full
	else
		ours_full
		drop_checkpoints kvmops-
		theirs_full
	fi
	drop_checkpoints kvmops-
	echo "a $a" >>"$BENCH_TMP/full"
	echo "b $b" >>"$BENCH_TMP/full"
done
fa=$(awk '$1 == "a" { print $2 }' "$BENCH_TMP/full" | median)
fb=$(awk '$1 == "b" { print $2 }' "$BENCH_TMP/full" | median)
ours_full_kib=$(used "$OUT/ours")
theirs_full_kib=$(used "$OUT/theirs")
theirs_disk=$(used "$OUT/theirs/vda.full.data")

# One compressed full backup each: qemu-img's zstd against virtnbdbackup's lz4.
rm -rf "$OUT/ours-z" "$OUT/theirs-z"
timed za "$BIN" -c "$U1" export bn1 "$OUT/ours-z" --compress
drop_checkpoints kvmops-
timed zb theirs -d bn1 -l full --compress -o "$OUT/theirs-z"
drop_checkpoints virtnbdbackup
ours_z_kib=$(used "$OUT/ours-z")
theirs_z_kib=$(used "$OUT/theirs-z")
rm -rf "$OUT/ours-z" "$OUT/theirs-z"

# The incrementals: each tool's chain in turn, after the same write.
theirs_full
"$LAB" write bn1 "$WRITE" >/dev/null || exit 1
timed ib theirs -d bn1 -l inc -o "$OUT/theirs"
theirs_inc=$(used "$OUT/theirs"/vda.inc.*.data)
virsh -q -c "$U1" suspend bn1 >/dev/null
qemu-img convert -U -O qcow2 "$DISK" "$OUT/theirs-point.qcow2"
virsh -q -c "$U1" resume bn1 >/dev/null
drop_checkpoints virtnbdbackup
ours_full
"$LAB" write bn1 "$WRITE" >/dev/null || exit 1
timed ia "$BIN" -c "$U1" export bn1 "$OUT/ours" --incremental
incr=$(ls "$OUT/ours" | grep '^20' | tail -1)
ours_inc=$(used "$OUT/ours/$incr")

# virtnbdrestore's qemu-nbd lets go of the image a little after it exits:
# compare once it has (exit 2: the image is still locked).
theirs_compare() {
	local t rc
	for t in $(seq 50); do
		qemu-img compare "$OUT/theirs-point.qcow2" "$OUT/restored/bn1.qcow2"
		rc=$?
		[ "$rc" != 2 ] && return "$rc"
		sleep 0.2
	done
	return 2
}

# The restores, each against the disk when its tool's incremental was taken.
virsh -q -c "$U1" suspend bn1 >/dev/null
"$BIN" -c "$U2" import "$OUT/ours" --name bn1-ours >/dev/null 2>"$BENCH_TMP/imp.err" &&
	qemu-img compare -q -U "$DISK" "$LAB_DIR/host2/lib/images/bn1-ours-vda.qcow2" &&
	ours_ok=yes || ours_ok="no ($(cat "$BENCH_TMP/imp.err"))"
virsh -q -c "$U1" resume bn1 >/dev/null
nsenter -t "$(cat "$LAB_DIR/host1/libvirtd.pid")" -m virtnbdrestore -U "$SOCK" -n \
	-i "$OUT/theirs" -o "$OUT/restored" >"$BENCH_TMP/vr.out" 2>&1 &&
	theirs_compare >"$BENCH_TMP/vr.out" 2>&1 &&
	theirs_ok=yes || theirs_ok="no ($(tail -2 "$BENCH_TMP/vr.out"; ls "$OUT/restored"))"

printf '\n%-34s %14s %14s %8s\n' "" "kvm-migrate" "virtnbdbackup" "ratio"
printf '%-34s %14s %14s %8s\n' "full backup, wall (median)" "$(ms "$fa")" "$(ms "$fb")" "$(ratio "$fa" "$fb")"
printf '%-34s %11s KiB %11s KiB %8s\n' "full backup, stored (all files)" "$ours_full_kib" "$theirs_full_kib" \
	"$(ratio "$ours_full_kib" "$theirs_full_kib")"
printf '%-34s %14s %11s KiB %8s\n' "... of it the disk's data" "" "$theirs_disk" \
	"$(ratio "$ours_full_kib" "$theirs_disk")"
printf '%-34s %14s %14s %8s\n' "full --compress, wall" "$(ms "$za")" "$(ms "$zb")" "$(ratio "$za" "$zb")"
printf '%-34s %11s KiB %11s KiB %8s\n' "full --compress, stored" "$ours_z_kib" "$theirs_z_kib" \
	"$(ratio "$ours_z_kib" "$theirs_z_kib")"
printf '%-34s %14s %14s %8s\n' "incremental, wall" "$(ms "$ia")" "$(ms "$ib")" "$(ratio "$ia" "$ib")"
printf '%-34s %11s KiB %11s KiB\n' "incremental, stored" "$ours_inc" "$theirs_inc"
printf '%-34s %14s %14s\n' "incremental / data written" "$(ratio "$ours_inc" $((WRITE * 1024)))" \
	"$(ratio "$theirs_inc" $((WRITE * 1024)))"
printf '%-34s %14s %14s\n' "restore equals the disk" "$ours_ok" "$theirs_ok"
echo
echo "(virtnbdbackup also saves the guest's kernel and initrd, which kvm-migrate"
echo " leaves where the definition names them: the disk-only row compares like with like)"
