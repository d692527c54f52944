#!/bin/bash
# make demo: this host's real KSM state and the per-guest view. Changes
# nothing. (The lab tour with real guests comes with tests/lab.)
K=${KVM_KSM:-kvm-ksm}

step() {
	printf '\n\033[1m$ %s\033[0m\n' "$*"
	"$@"
}

echo "kvmops demo: Kernel Samepage Merging on $(uname -n), kernel $(uname -r)"
step "$K" status
step "$K" vms
step "$K" status --prometheus
printf '\nTry the shell: %s   (tab completes commands and knobs; quit to leave)\n' "$K"
