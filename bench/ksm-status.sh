#!/bin/bash
# kvm-ksm status --json against the floor: one process that reads every
# file under /sys/kernel/mm/ksm. Goal: at most 2x the floor's wall time.
. "$(dirname "$0")/lib.sh"

use_binary "${KVM_KSM:-kvm-ksm}"
K=$BIN
ROUNDS=${ROUNDS:-7} RUNS=${RUNS:-100}
read -r ours floor < <(compare_runs "$ROUNDS" "$RUNS" \
	"'$K' status --json" "cat /sys/kernel/mm/ksm/*")
r=$(ratio "$ours" "$floor")
echo "ksm-status: kvm-ksm status --json $(ms "$ours"), cat /sys/kernel/mm/ksm/* $(ms "$floor")"
echo "ksm-status: ratio $r (goal <= 2.00; medians of $ROUNDS rounds of $RUNS runs)"
awk -v r="$r" 'BEGIN { exit !(r <= 2.0) }'
