#!/bin/bash
# kvm-ksm vms finds real QEMU processes by their executable, named as
# libvirt names them, where ksmtuned's match on -enable-kvm finds none.
. "$top_srcdir/tests/lib.sh"

K=$KVM_KSM
unset KVMOPS_SYSFS_ROOT KVMOPS_PROC_ROOT
QEMU=$(command -v qemu-system-x86_64) || skip_or_fail "no qemu-system-x86_64"
[ "$(id -u)" = 0 ] || skip_or_fail "needs root to read every process's ksm_stat"

pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
	rm -rf "$TEST_TMP"
}
trap cleanup EXIT

# As libvirt starts a guest: -name guest=...,debug-threads=on and -accel.
start_guest() {
	"$QEMU" -name "guest=$1,debug-threads=on" -uuid "$2" -machine pc \
		-accel tcg -m 64 -nodefaults -display none -S \
		>"$TEST_TMP/$1.log" 2>&1 &
	pids+=($!)
}
start_guest kvmops-vmtest-a 11111111-2222-3333-4444-555555555555
start_guest kvmops-vmtest-b 66666666-7777-8888-9999-000000000000
# A decoy whose command line looks like a guest's.
bash -c 'exec -a "qemu-system-x86_64 -enable-kvm -name guest=kvmops-decoy" sleep 60' &
pids+=($!)
sleep 1

run "$K" vms --json
echo "$out" >"$TEST_TMP/vms.json"
found=$(for i in $(seq 0 50); do $JSON_CHECK "$TEST_TMP/vms.json" --get vms.$i.name 2>/dev/null || break; done | grep kvmops- | sort | tr '\n' ' ')
expect_eq "$found" "kvmops-vmtest-a kvmops-vmtest-b " "vms finds both guests by executable, and not the decoy"

pid_a=${pids[0]}
row=$("$K" vms --sort=name | grep kvmops-vmtest-a)
expect_in "$pid_a" "$row" "the table shows the guest's pid"
ksmtuned_style=$(pgrep -f -- '-enable-kvm' | grep -c -e "^${pids[0]}\$" -e "^${pids[1]}\$")
expect_eq "$ksmtuned_style" 0 "ksmtuned's -enable-kvm match misses both guests"
finish
