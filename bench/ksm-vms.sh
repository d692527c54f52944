#!/bin/bash
# kvm-ksm vms against ksmtuned's scan of QEMU processes (pgrep, then ps),
# with real QEMU guests started as libvirt starts them. Goal: at most 1x
# the yardstick's wall time, and every guest found.
. "$(dirname "$0")/lib.sh"

use_binary "${KVM_KSM:-kvm-ksm}"
K=$BIN
QEMU=$(command -v qemu-system-x86_64) || { echo "ksm-vms: no qemu-system-x86_64" >&2; exit 77; }
GUESTS=${GUESTS:-4} ROUNDS=${ROUNDS:-7} RUNS=${RUNS:-50}

pids=()
stop_guests() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
	rm -rf "$BENCH_TMP"
}
trap stop_guests EXIT
for i in $(seq "$GUESTS"); do
	"$QEMU" -name "guest=kvmops-bench-$i,debug-threads=on" -machine pc \
		-accel tcg -m 64 -nodefaults -display none -S &
	pids+=($!)
done
sleep 1

# ksmtuned's committed_memory(), as Debian 12 ships it.
KSMTUNED='pids=$(pgrep -f -d " " "^qemu-system.*-enable-kvm"); if [ -n "$pids" ]; then ps -p "$pids" -o rsz=; fi | awk "{ s += \$1 } END { print 0 + s }"'
read -r ours yard < <(compare_runs "$ROUNDS" "$RUNS" "'$K' vms" "$KSMTUNED")
found=$("$K" vms | grep -c 'kvmops-bench-')
theirs=$(pgrep -f '^qemu-system.*-enable-kvm' | grep -c -x -e "$(IFS='|'; echo "${pids[*]}" | sed 's/|/\\|/g')" || true)
r=$(ratio "$ours" "$yard")
echo "ksm-vms: kvm-ksm vms $(ms "$ours"), ksmtuned's pgrep+ps scan $(ms "$yard")"
echo "ksm-vms: ratio $r (goal <= 1.00; medians of $ROUNDS rounds of $RUNS runs)"
echo "ksm-vms: guests found: kvm-ksm $found of $GUESTS, ksmtuned $theirs of $GUESTS"
awk -v r="$r" 'BEGIN { exit !(r <= 1.0) }' && [ "$found" = "$GUESTS" ]
