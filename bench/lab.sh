#!/bin/bash
# The lab's own costs: 'lab up' with two hosts, and the time from
# 'lab guest' to the guest's first heartbeat, against the yardstick of a
# bare QEMU (no libvirt) booting the same image to its first heartbeat.
# It takes the lab lock and replaces any running lab (a demo's, too).
. "$(dirname "$0")/lib.sh"

LAB=${LAB:-$(dirname "$0")/../tests/lab/lab}
export KVMOPS_BUILDDIR=${KVMOPS_BUILDDIR:-$(dirname "$0")/../build}
ROUNDS=${ROUNDS:-3}
[ "$(id -u)" = 0 ] || { echo "lab bench: needs root" >&2; exit 77; }

lab_lock lab
trap '"$LAB" down >/dev/null 2>&1; rm -rf "$BENCH_TMP"' EXIT

now() { date +%s%N; }

# first_beat FILE: waits (at most a minute) for a heartbeat line in FILE.
first_beat() {
	local end=$((SECONDS + 60))
	until grep -q '^kvmops-heartbeat' "$1" 2>/dev/null; do
		[ $SECONDS -lt $end ] || { echo "lab bench: no heartbeat in $1" >&2; return 1; }
		sleep 0.05
	done
}

bare_qemu_boot() {
	local image=$1 t0 pid
	rm -f "$BENCH_TMP/serial"
	t0=$(now)
	qemu-system-x86_64 -accel tcg -machine pc -m 256 -nodefaults -display none \
		-kernel "$image/vmlinuz" -initrd "$image/initrd.img" \
		-append "console=ttyS0 quiet kvmops.workload=idle" \
		-device virtio-balloon-pci -serial "file:$BENCH_TMP/serial" &
	pid=$!
	first_beat "$BENCH_TMP/serial" && echo $(($(now) - t0))
	kill "$pid"
	wait "$pid" 2>/dev/null
}

lab_guest_boot() {
	local n=$1 t0 end=$((SECONDS + 60))
	t0=$(now)
	"$LAB" guest "bench$n" >/dev/null || return 1
	until "$LAB" heartbeat "bench$n" >/dev/null 2>&1; do
		[ $SECONDS -lt $end ] || { echo "lab bench: bench$n never beat" >&2; return 1; }
		sleep 0.05
	done
	echo $(($(now) - t0))
}

"$LAB" down >/dev/null 2>&1
for r in $(seq "$ROUNDS"); do
	t0=$(now)
	"$LAB" up --hosts 2 >/dev/null 7>&- || exit 1
	echo "up $(($(now) - t0))"
	g=$(lab_guest_boot "$r") || exit 1
	echo "guest $g"
	b=$(bare_qemu_boot "${KVMOPS_LAB_DIR:-/var/tmp/kvmops-lab}/image") || exit 1
	echo "bare $b"
	"$LAB" down >/dev/null
done >"$BENCH_TMP/times"

up=$(awk '$1 == "up" { print $2 }' "$BENCH_TMP/times" | median)
guest=$(awk '$1 == "guest" { print $2 }' "$BENCH_TMP/times" | median)
bare=$(awk '$1 == "bare" { print $2 }' "$BENCH_TMP/times" | median)
echo "lab: lab up --hosts 2 $(ms "$up") (guest image cached; median of $ROUNDS)"
echo "lab: lab guest to first heartbeat $(ms "$guest"), bare QEMU to first heartbeat $(ms "$bare")"
echo "lab: ratio $(ratio "$guest" "$bare") (libvirt's start-up on top of the same boot)"
