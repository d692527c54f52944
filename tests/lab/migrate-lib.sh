# Sourced by the kvm-migrate lab tests; it brings tests/lib.sh and
# harness.sh with it.
#   migrate_lab            a lab of two hosts: $U1, $U2, and $IMG, the path
#                          of each host's own default pool
#   moved NAME BEFORE      host 2 runs NAME persistently, host 1 forgot it,
#                          and its heartbeat went on from BEFORE
#   first_beat HOST NAME   the first heartbeat NAME wrote on HOST: after a
#                          live move it continues the count, after a cold
#                          one it starts again
#   host_file HOST PATH    where HOST's private PATH lies on this machine
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/lab/harness.sh"

M=${KVM_MIGRATE:-$top_builddir/cli/kvm-migrate}
IMG=/var/lib/libvirt/images
LAB_DIR=${KVMOPS_LAB_DIR:-/var/tmp/kvmops-lab}

first_beat() {
	grep -a -m1 -o 'kvmops-heartbeat [0-9]*' "$LAB_DIR/host$1/log/qemu/$2.serial" 2>/dev/null |
		awk '{print $2}'
}

host_file() {
	case $2 in
	/var/lib/libvirt/*) echo "$LAB_DIR/host$1/lib/${2#/var/lib/libvirt/}" ;;
	*) echo "$2" ;;
	esac
}

# domstate HOST NAME: "running", "shut off", or "none"
domstate() {
	virsh -q -c "$(lab uri "$1")" domstate "$2" 2>/dev/null | head -1 | grep . || echo none
}

persistent() {
	virsh -q -c "$(lab uri "$1")" dominfo "$2" 2>/dev/null | awk '/^Persistent:/ {print $2}'
}

migrate_lab() {
	lab_start 2
	U1=$(lab uri 1)
	U2=$(lab uri 2)
}

moved() {
	local after first
	expect_eq "$(domstate 2 "$1")" running "host 2 runs $1"
	expect_eq "$(persistent 2 "$1")" yes "$1 is persistent on host 2"
	expect_eq "$(domstate 1 "$1")" none "host 1 no longer defines $1"
	# The first beat above the old one may be host 2's first: wait for the
	# next, or a slow guest on a busy machine looks stopped.
	after=$(wait_heartbeat "$1" "$2" 30) && first=$(first_beat 2 "$1") &&
		after=$(wait_heartbeat "$1" "$first" 30)
	[ -n "$first" ] && [ "$first" -ge "$2" ] && [ "$after" -gt "$first" ] &&
		ok "$1's heartbeat went on: $2 on host 1, $first first on host 2, then $after" ||
		not_ok "$1's heartbeat: $2 before, first on host 2 '${first:-none}', after '$after'"
}
