#!/bin/bash
# The bash completion in completions/kvm-ksm, driven as bash would drive it,
# against the built kvm-ksm and the ksm-6.18 fixture.
#
# Environment (set by 'make check'): KVM_KSM, top_srcdir, FIXTURES.
# Without bash-completion this skips (77), or fails with KVMOPS_REQUIRE_LAB=1.

if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi

TOOL=kvm-ksm
# shellcheck source=tests/cli/completion-lib.sh
. "$(dirname "$0")/completion-lib.sh"
export KVMOPS_SYSFS_ROOT="${FIXTURES:-$top_srcdir/tests/fixtures}/ksm-6.18"
export KVMOPS_PROC_ROOT="${FIXTURES:-$top_srcdir/tests/fixtures}/proc"

commands="status set start stop unmerge vms tune watch help"

# shellcheck disable=SC2086
check 'kvm-ksm ' 'kvm-ksm <TAB> lists the commands' $commands
check 'kvm-ksm st' 'kvm-ksm st<TAB> gives start status stop' start status stop
check 'kvm-ksm set pages_' 'set pages_<TAB> gives pages_to_scan=' pages_to_scan=
[ "$nospace" = yes ]
result $? 'set pages_<TAB> adds no space after pages_to_scan='
check 'kvm-ksm set advisor_mode=' 'set advisor_mode=<TAB> gives none scan-time' \
	none scan-time
[ -z "$nospace" ]
result $? 'a whole value gets its space'
check 'kvm-ksm set advisor_mode=sc' 'set advisor_mode=sc<TAB> gives scan-time' \
	scan-time
check 'kvm-ksm set pages_to_scan=1' 'set pages_to_scan=1<TAB> offers the current value' \
	1000
check 'kvm-ksm set use_zero_pages=' 'a switch completes to 0 and 1' 0 1
has 'kvm-ksm set ' 'set <TAB> offers the knobs as KEY=' pages_to_scan= \
	sleep_millisecs= merge_across_nodes= advisor_mode=
check 'kvm-ksm vms --sort ' 'vms --sort <TAB> gives saved name pid rss' \
	saved name pid rss
check 'kvm-ksm vms --sort=p' 'vms --sort=p<TAB> gives pid' pid
has 'kvm-ksm status --' 'status --<TAB> includes --json and --prometheus' \
	--json --prometheus
# shellcheck disable=SC2086
has 'kvm-ksm help ' 'help <TAB> lists the commands' ${commands% help}
check 'kvm-ksm help he' 'help <TAB> does not offer help itself'
check 'kvm-ksm -c qemu:///system st' 'a URI with colons does not confuse it' \
	start status stop
check 'kvm-ksm --json s' 'global options before the command are skipped' \
	set start status stop

has 'kvm-ksm tune --' 'tune --<TAB> includes its options' \
	--once --dry-run --config --max-cpu --threshold --min-gain --restore-on-exit
mkdir -p "$TEST_TMP/conf.d"
touch "$TEST_TMP/ksm-tune.conf"
check "kvm-ksm tune --config $TEST_TMP/ksm" 'tune --config <TAB> completes a file' \
	"$TEST_TMP/ksm-tune.conf"
check "kvm-ksm tune --config $TEST_TMP/con" 'a directory completes with its slash' \
	"$TEST_TMP/conf.d/"
[ "$nospace" = yes ]
result $? 'a directory gets no space after it'

# The program that answers is the one typed, so a build tree works too.
COMPREPLY=()
split_line "$KVM_KSM vm"
_kvmops "$KVM_KSM" vm "$KVM_KSM"
[ "${COMPREPLY[*]}" = vms ]
result $? 'the program named on the line answers'

# The hidden command itself.
raw=$(kvm-ksm complete -- set advisor_mode= | sort)
[ "$raw" = "$(want advisor_mode=none advisor_mode=scan-time)" ]
result $? 'complete -- set advisor_mode= prints whole words' "got: $(echo "$raw" | tr "\n" " ")"
raw=$(kvm-ksm complete -- '' | sort)
# shellcheck disable=SC2086
[ "$raw" = "$(want $commands)" ]
result $? 'complete -- "" prints the commands, one a line' "got: $(echo "$raw" | tr "\n" " ")"
raw=$(kvm-ksm complete -- vms --sort=r)
[ "$raw" = --sort=rss ]
result $? 'complete -- vms --sort=r prints --sort=rss' "got: $raw"
raw=$(kvm-ksm complete -- set nosuch)
[ -z "$raw" ]
result $? 'complete -- set nosuch prints nothing' "got: $raw"

finish
