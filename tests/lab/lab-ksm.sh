#!/bin/bash
# KSM merges the memory of three guests with the same content, and
# kvm-ksm vms shows what each one merged; three guests with random content
# merge next to nothing from their workload. KSM knobs are put back.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/lab/harness.sh"
. "$top_srcdir/tests/lab/ksm-lib.sh"

K=$KVM_KSM
# The workload dwarfs what every guest shares anyway (kernel, initramfs).
WSS=128
unset KVMOPS_SYSFS_ROOT KVMOPS_PROC_ROOT
[ -w $KSM/run ] || skip_or_fail "needs a writable $KSM"

lab_start 1
# After the lab lock: the same lock as the real-kernel KSM test.
ksm_take
trap 'ksm_restore; lab down >/dev/null 2>&1; rm -rf "$TEST_TMP"' EXIT

# guest_saving NAME: the MiB of NAME that kvm-ksm vms says are merged.
guest_saving() {
	"$K" vms --json -c "$(lab uri 1)" >"$TEST_TMP/vms.json" || return 1
	awk -v name="$1" '
		/"name":/ { n = $2; gsub(/[",]/, "", n) }
		/"merged_bytes":/ && n == name { s = $2; gsub(/,/, "", s); print int(s / 1048576); exit }
	' "$TEST_TMP/vms.json"
}

# Each guest's saving once the workload is merged (or after the time it
# would take): waits until all three pass ABOVE MiB, at most SECONDS.
settle() {
	local prefix=$1 above=$2 seconds=$3 t a b c
	for t in $(seq "$seconds"); do
		a=$(guest_saving "${prefix}1") b=$(guest_saving "${prefix}2") c=$(guest_saving "${prefix}3")
		[ "${a:-0}" -gt "$above" ] && [ "${b:-0}" -gt "$above" ] && [ "${c:-0}" -gt "$above" ] && break
		sleep 1
	done
	echo "${a:-0} ${b:-0} ${c:-0}"
}

start_three() {
	for i in 1 2 3; do
		lab guest "$1$i" --workload "$2" --wss $WSS >/dev/null || not_ok "lab guest $1$i"
	done
	for i in 1 2 3; do
		wait_heartbeat "$1$i" 5 90 >/dev/null || not_ok "$1$i did not boot"
	done
	# The workload fills its memory right after boot.
	sleep 3
}

"$K" unmerge >/dev/null
expect_status 0 "kvm-ksm start" "$K" start --pages 5000 --sleep 10
start_three same same
read -r s1 s2 s3 < <(settle same $((WSS * 3 / 4)) 90)
for s in "same1 $s1" "same2 $s2" "same3 $s3"; do
	set -- $s
	[ "$2" -gt $((WSS * 3 / 4)) ] && ok "$1 merged $2 MiB (its $WSS MiB workload)" ||
		not_ok "$1 merged only $2 MiB"
done
expect_in "same1" "$("$K" vms -c "$(lab uri 1)")" "vms names guests through libvirt"

for i in 1 2 3; do virsh -q -c "$(lab uri 1)" destroy "same$i" >/dev/null; done
"$K" unmerge >/dev/null
"$K" start >/dev/null
start_three uniq unique
# Time for several full scans: what merges now is not the workload.
read -r u1 u2 u3 < <(settle uniq 100000 15)
for u in "uniq1 $u1" "uniq2 $u2" "uniq3 $u3"; do
	set -- $u
	[ "$2" -lt $((WSS / 2)) ] && ok "$1 merged $2 MiB: its $WSS MiB of random content, nothing" ||
		not_ok "$1 merged $2 MiB of its $WSS MiB random workload"
done
finish
