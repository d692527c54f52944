# Sourced by the lab's integration tests, after tests/lib.sh:
#   lab_start N [ARGS...]
#                    a fresh lab with N hosts (and lab up's ARGS, such as
#                    --host-mem SIZE), torn down at exit, pass or fail; one
#                    lab at a time on this machine (a lock)
#   lab ARGS...      the lab command
#   wait_heartbeat NAME ABOVE SECONDS
#                    waits until NAME's heartbeat passes ABOVE; prints it
export KVMOPS_BUILDDIR=$top_builddir
LAB_CMD=$top_srcdir/tests/lab/lab

lab() {
	"$LAB_CMD" "$@"
}

lab_require() {
	[ "$(id -u)" = 0 ] || skip_or_fail "the lab needs root"
	local tool
	for tool in qemu-system-x86_64 libvirtd virtlogd virsh unshare qemu-img; do
		command -v "$tool" >/dev/null || skip_or_fail "the lab needs $tool"
	done
	[ -x "$top_builddir/tests/lab/kvmops-guest" ] || skip_or_fail "kvmops-guest is not built"
}

lab_start() {
	lab_require
	# make -j runs tests side by side: one lab on the machine at a time.
	exec 7>/run/lock/kvmops-lab.lock
	flock -w 1800 7 || { not_ok "the lab lock stayed taken for 30 minutes"; finish; }
	lab down >/dev/null 2>&1
	trap 'lab down >/dev/null 2>&1; rm -rf "$TEST_TMP"' EXIT
	if ! lab up --hosts "$@" >"$TEST_TMP/lab-up.log" 2>&1 7>&-; then
		cat "$TEST_TMP/lab-up.log"
		not_ok "lab up --hosts $*"
		finish
	fi
}

wait_heartbeat() {
	local name=$1 above=$2 seconds=$3 beat t
	for t in $(seq $((seconds * 5))); do
		beat=$(lab heartbeat "$name" 2>/dev/null)
		[ -n "$beat" ] && [ "$beat" -gt "$above" ] && { echo "$beat"; return 0; }
		sleep 0.2
	done
	echo "${beat:-none}"
	return 1
}
