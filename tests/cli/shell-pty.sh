#!/bin/bash
# The interactive shell through a real pseudo-terminal: the prompt, a
# command, history recall, tab completion of a command and of a key, and
# the history file.
. "$top_srcdir/tests/lib.sh"

export KVMOPS_SYSFS_ROOT=$(fixture ksm-6.18) KVMOPS_PROC_ROOT=$(fixture proc)
KNOBS=$KVMOPS_SYSFS_ROOT/sys/kernel/mm/ksm

drive() {
	what=$1 script=$2
	if "$PTY_DRIVE" -t 10 "$script" -- "$KVM_KSM" >"$TEST_TMP/pty.log" 2>&1; then
		ok "$what"
	else
		not_ok "$what: $(cat "$TEST_TMP/pty.log")"
	fi
}

# Ctrl-P is previous-history in readline's emacs mode on any terminal.
cat >"$TEST_TMP/session" <<'SCRIPT'
expect kvm-ksm> 
send status -q\n
expect KSM is running
expect kvm-ksm> 
send statu\t
expect status 
send --json\n
expect "pages_sharing": 31162
expect kvm-ksm> 
send set pages_to\t
expect pages_to_scan=
send 777\n
expect pages_to_scan: 1000 -> 777
expect kvm-ksm> 
send help\n
expect Commands:
expect kvm-ksm> 
send set bogus=1\n
expect unknown KSM knob 'bogus'
expect kvm-ksm> 
send \x10\x10\x10\n
expect pages_to_scan: 777 -> 777
expect kvm-ksm> 
send quit\n
wait-exit 0
SCRIPT
drive "prompt, command, completion of a command and a key, history recall, quit" "$TEST_TMP/session"
expect_eq "$(cat "$KNOBS/pages_to_scan")" 777 "the completed set command wrote the knob"
hist=$XDG_STATE_HOME/kvmops/kvm-ksm_history
expect_in "set pages_to_scan=777" "$(cat "$hist" 2>/dev/null)" "history is saved in \$XDG_STATE_HOME/kvmops"

# History survives into the next shell; Ctrl-D leaves with status 0.
cat >"$TEST_TMP/again" <<'SCRIPT'
expect kvm-ksm> 
send \x10
expect quit
send \x10
expect set pages_to_scan=777
send \x15\x04
wait-exit 0
SCRIPT
drive "history from the last shell, and Ctrl-D leaves" "$TEST_TMP/again"

# A failed command does not end the shell; exit leaves.
cat >"$TEST_TMP/fail" <<'SCRIPT'
expect kvm-ksm> 
send frobnicate\n
expect unknown command 'frobnicate'
expect kvm-ksm> 
send exit\n
wait-exit 0
SCRIPT
drive "an error keeps the shell open, exit leaves" "$TEST_TMP/fail"

# watch refreshes on a terminal; Ctrl-C ends it, and in the shell only it.
cat >"$TEST_TMP/watch" <<'SCRIPT'
expect kvm-ksm> 
send watch --interval 0.2\n
expect pages merged
expect pages merged
send \x03
expect kvm-ksm> 
send status -q\n
expect KSM is running
send quit\n
wait-exit 0
SCRIPT
drive "watch refreshes, and Ctrl-C returns to the shell" "$TEST_TMP/watch"

finish
