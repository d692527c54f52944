#!/bin/bash
# The bash completion in completions/kvm-balloon, driven as bash would drive
# it, against the built kvm-balloon and libvirt's test driver
# (test:///default, which holds one running domain, "test").
#
# Environment (set by 'make check'): KVM_BALLOON, top_srcdir, top_builddir.
# Without bash-completion this skips (77), or fails with KVMOPS_REQUIRE_LAB=1.

if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi

TOOL=kvm-balloon
# shellcheck source=tests/cli/completion-lib.sh
. "$(dirname "$0")/completion-lib.sh"

commands="list stats set period auto overcommit help"
uri=test:///default

# Commands and options, from the program's tables.
# shellcheck disable=SC2086
check 'kvm-balloon ' 'kvm-balloon <TAB> lists the commands' $commands
check 'kvm-balloon s' 'kvm-balloon s<TAB> gives set stats' set stats
has 'kvm-balloon set --' 'set --<TAB> offers the options of set' \
	--wait --force --raise-max --margin --timeout --live --config
has 'kvm-balloon period --' 'period --<TAB> offers --all --live --config' \
	--all --live --config
has 'kvm-balloon list --' 'list --<TAB> offers --sort --state and --json' \
	--sort --state --json
has 'kvm-balloon auto --' 'auto --<TAB> offers its options' \
	--once --interval --dry-run --config --cgroup --target --psi --max-step \
	--deadband --shares --no-set-period --prometheus-file --syslog
check 'kvm-balloon auto --d' 'auto --d<TAB> gives --deadband --dry-run' --deadband --dry-run
check 'kvm-balloon list --sort ' 'list --sort <TAB> gives current usable rss name' \
	current usable rss name
check 'kvm-balloon list --sort=u' 'list --sort=u<TAB> gives usable' usable
check 'kvm-balloon list --state ' 'list --state <TAB> gives running shutoff all' \
	running shutoff all
check 'kvm-balloon list --state=s' 'list --state=s<TAB> gives shutoff' shutoff
[ -z "$nospace" ]
result $? 'a whole value gets its space'
# shellcheck disable=SC2086
has 'kvm-balloon help ' 'help <TAB> lists the commands' ${commands% help}
check 'kvm-balloon help he' 'help <TAB> does not offer help itself'

# Domain names, from the connection, when a URI is known.
check "kvm-balloon -c $uri stats " '-c URI stats <TAB> gives the domain' test
check "kvm-balloon -c $uri stats t" '-c URI stats t<TAB> gives the domain' test
check "kvm-balloon -c $uri stats x" 'a prefix no domain has gives nothing'
check "kvm-balloon --connect $uri set " '--connect URI set <TAB> gives the domain' test
check "kvm-balloon --connect=$uri period " '--connect=URI period <TAB> gives the domain' test
check "kvm-balloon stats -c $uri " 'a URI after the command counts too' test
check "kvm-balloon -c $uri --json s" 'a URI with colons and global options do not confuse it' \
	set stats
check 'kvm-balloon stats ' 'without a URI no connection is tried, no names given'
check 'kvm-balloon -c ' 'the URI itself is not completed'
KVMOPS_DEFAULT_URI=$uri check 'kvm-balloon stats ' 'the URI from KVMOPS_DEFAULT_URI' test
LIBVIRT_DEFAULT_URI=$uri check 'kvm-balloon set ' 'the URI from LIBVIRT_DEFAULT_URI' test

# The program that answers is the one typed, so a build tree works too.
COMPREPLY=()
split_line "$KVM_BALLOON ov"
_kvmops "$KVM_BALLOON" ov "$KVM_BALLOON"
[ "${COMPREPLY[*]}" = overcommit ]
result $? 'the program named on the line answers' "got: ${COMPREPLY[*]}"

# The hidden command itself.
raw=$(kvm-balloon complete -- '' | sort)
# shellcheck disable=SC2086
[ "$raw" = "$(want $commands)" ]
result $? 'complete -- "" prints the commands, one a line' "got: $(echo "$raw" | tr "\n" " ")"
raw=$(kvm-balloon complete -- list --sort=r)
[ "$raw" = --sort=rss ]
result $? 'complete -- list --sort=r prints --sort=rss' "got: $raw"
raw=$(kvm-balloon -c "$uri" complete -- stats '')
[ "$raw" = test ]
result $? 'kvm-balloon -c URI complete -- stats "" prints the domain' "got: $raw"
raw=$(kvm-balloon complete -- nosuch '')
[ -z "$raw" ]
result $? 'complete -- nosuch "" prints nothing' "got: $raw"

finish
