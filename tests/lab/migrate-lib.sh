# Sourced by the kvm-migrate lab tests, after tests/lib.sh and harness.sh.
#   first_beat HOST NAME   the first heartbeat NAME wrote on HOST: after a
#                          live move it continues the count, after a cold
#                          one it starts again
#   host_file HOST PATH    where HOST's private PATH lies on this machine
M=${KVM_MIGRATE:-$top_builddir/cli/kvm-migrate}
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
