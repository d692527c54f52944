#!/bin/bash
# The bash completion in completions/kvm-migrate, driven as bash would drive it,
# against the built kvm-migrate, libvirt's test driver (test:///default,
# which holds one running domain, "test") and the destinations kvm-migrate
# remembers in $XDG_STATE_HOME/kvmops/kvm-migrate_destinations.
#
# Environment (set by 'make check'): KVM_MIGRATE, top_srcdir, top_builddir.
# Without bash-completion this skips (77), or fails with KVMOPS_REQUIRE_LAB=1.

if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi

TOOL=kvm-migrate
# shellcheck source=tests/cli/completion-lib.sh
. "$(dirname "$0")/completion-lib.sh"

commands="check live offline evacuate balance export import verify help"
uri=test:///default
dest1=qemu+ssh://host2.example.org/system
dest2=qemu+tcp://10.0.0.3/system

# One file serves every kvmops command.
for cmd in kvm-ksm kvm-balloon kvm-migrate; do
	complete -p "$cmd" 2>/dev/null | grep -q -- '-F _kvmops '
	result $? "completions/kvm-migrate registers _kvmops for $cmd"
done

# Commands and options, from the program's tables.
# shellcheck disable=SC2086
check 'kvm-migrate ' 'kvm-migrate <TAB> lists the commands' $commands
check 'kvm-migrate l' 'kvm-migrate l<TAB> gives live' live
check 'kvm-migrate -q o' 'kvm-migrate -q o<TAB> gives offline' offline
has 'kvm-migrate check --' 'check --<TAB> offers the options of check' \
	--mode --copy-storage --dname --pool --keep-state --shutdown --json
has 'kvm-migrate live --' 'live --<TAB> offers the options of live' \
	--copy-storage --bandwidth --max-downtime --compress --parallel \
	--auto-converge --postcopy --postcopy-after-precopy --tls --timeout \
	--on-timeout --migrateuri --listen-address --unsafe --dname \
	--keep-source --no-check --converge --allow --progress-window
has 'kvm-migrate offline --' 'offline --<TAB> offers the options of offline' \
	--shutdown --timeout --force --start --keep-state --state-file --pool \
	--delete-source-disks --dname --keep-source --no-check
complete_line 'kvm-migrate offline --'
! grep -qxF -- --bandwidth <<<"$got"
result $? 'offline --<TAB> does not offer the options of live'
check 'kvm-migrate live --post' 'live --post<TAB> gives both post-copy options' \
	--postcopy --postcopy-after-precopy
# shellcheck disable=SC2086
has 'kvm-migrate help ' 'help <TAB> lists the commands' ${commands% help}
check 'kvm-migrate help he' 'help <TAB> does not offer help itself'

# The values of the options that take a choice.
check 'kvm-migrate check --mode ' 'check --mode <TAB> gives live copy-storage offline' \
	live copy-storage offline
check 'kvm-migrate check --mode=o' 'check --mode=o<TAB> gives offline' offline
[ -z "$nospace" ]
result $? 'a whole value gets its space'
check 'kvm-migrate live --copy-storage ' 'live --copy-storage <TAB> gives all inc' all inc
check 'kvm-migrate check --copy-storage=i' 'check --copy-storage=i<TAB> gives inc' inc
check 'kvm-migrate live --on-timeout ' 'live --on-timeout <TAB> gives abort suspend postcopy' \
	abort suspend postcopy
check 'kvm-migrate live --on-timeout=p' 'live --on-timeout=p<TAB> gives postcopy' postcopy
check 'kvm-migrate live --compress=' 'live --compress=<TAB> gives the methods' \
	xbzrle mt zlib zstd
check 'kvm-migrate live --compress=z' 'live --compress=z<TAB> gives zlib zstd' zlib zstd
check 'kvm-migrate live --compress=xbzrle,' 'a second method after the comma, not the first again' \
	xbzrle,mt xbzrle,zlib xbzrle,zstd
check 'kvm-migrate live --compress=mt,zlib,z' '--compress=mt,zlib,z<TAB> gives mt,zlib,zstd' mt,zlib,zstd
check 'kvm-migrate live --converge ' 'live --converge <TAB> gives auto off' auto off
check 'kvm-migrate live --allow ' 'live --allow <TAB> gives what the policy may use' \
	auto-converge postcopy suspend none
check 'kvm-migrate live --allow postcopy,' 'a second item after the comma, and never none' \
	postcopy,auto-converge postcopy,suspend
check 'kvm-migrate -c test:///default evacuate --to test:///default --allow s' \
	'evacuate --allow s<TAB> gives suspend' suspend
check 'kvm-migrate live --bandwidth ' 'a value typed freely completes to nothing'

# Domain names, from the connection, when a URI is known.
check "kvm-migrate -c $uri live " '-c URI live <TAB> gives the domain' test
check "kvm-migrate -c $uri check t" '-c URI check t<TAB> gives the domain' test
check "kvm-migrate -c $uri offline x" 'a prefix no domain has gives nothing'
check "kvm-migrate --connect=$uri live --bandwidth 100 " \
	'an option and its value before the domain are skipped' test
check "kvm-migrate -c $uri live --compress " \
	'--compress takes its value only after "=": the domain comes next' test
check "kvm-migrate live -c $uri " 'a URI after the command counts too' test
check 'kvm-migrate live ' 'without a URI no connection is tried, no names given'
KVMOPS_DEFAULT_URI=$uri check 'kvm-migrate check ' 'the URI from KVMOPS_DEFAULT_URI' test
LIBVIRT_DEFAULT_URI=$uri check 'kvm-migrate offline ' 'the URI from LIBVIRT_DEFAULT_URI' test

# Destinations, remembered one a line, newest first.
check "kvm-migrate -c $uri live test " 'no destination remembered yet, none given'
mkdir -p "$XDG_STATE_HOME/kvmops"
printf '%s\n' "$dest1" "$dest2" >"$XDG_STATE_HOME/kvmops/kvm-migrate_destinations"
check "kvm-migrate -c $uri live test " 'live DOMAIN <TAB> gives the remembered destinations' \
	"$dest1" "$dest2"
check 'kvm-migrate check web1 ' 'destinations need no connection' "$dest1" "$dest2"
check 'kvm-migrate offline --pool images web1 ' 'options before the domain are skipped' \
	"$dest1" "$dest2"
check 'kvm-migrate live web1 qemu+t' 'a prefix picks a destination' "$dest2"
# Typed up to its "://", bash replaces only what follows the last ':'.
check 'kvm-migrate live web1 qemu+ssh://h' 'a URI with colons completes after its colon' \
	//host2.example.org/system
check "kvm-migrate -c $uri live test $dest1 " 'nothing after the destination'

# evacuate and balance: hosts from the remembered destinations.
check 'kvm-migrate evacuate --to ' 'evacuate --to <TAB> gives the remembered destinations' \
	"$dest1" "$dest2"
# (bash replaces only what follows the last ':' typed)
check "kvm-migrate evacuate --to=$dest1," 'a second host after the comma, not the first again' \
	"//host2.example.org/system,$dest2"
check 'kvm-migrate balance ' 'balance <TAB> gives the remembered destinations' \
	"$dest1" "$dest2"
check "kvm-migrate balance $dest1 " 'balance URI <TAB> gives the next host' \
	"$dest1" "$dest2"
check 'kvm-migrate evacuate --mode ' 'evacuate --mode <TAB> gives live copy-storage auto' \
	live copy-storage auto
check 'kvm-migrate balance --goal ' 'balance --goal <TAB> gives spread consolidate' \
	spread consolidate
check 'kvm-migrate balance --on-timeout ' 'balance shares live'"'"'s --on-timeout' \
	abort suspend postcopy

# export, import and verify: domains, directories, and import --at's
# backups from the directory on the line, newest first.
check "kvm-migrate -c $uri export " 'export <TAB> gives the domain' test
bk=$TEST_TMP/bk
mkdir -p "$bk"
sum=c50e1897bb7bbb3518e73bd145f49dcf628d4585270d41e7209a5604c94ff8a3
disk='{ "target": "vda", "format": "qcow2", "file": "vda.qcow2", "virtual_bytes": 1048576,
  "stored_bytes": 4096, "sha256": "'$sum'" }'
cat >"$bk/manifest.json" <<EOF
{ "version": 1, "domain": "g1", "uuid": "6cd7e325-7baf-42f8-bb7c-b57e8c79e73f",
  "backups": [
    { "name": "20261203T100000Z", "time": "2026-12-03T10:00:00Z", "kind": "full",
      "parent": null, "checkpoint": "kvmops-20261203T100000Z", "disks": [ $disk ] },
    { "name": "20261203T110000Z", "time": "2026-12-03T11:00:00Z", "kind": "incremental",
      "parent": "20261203T100000Z", "checkpoint": "kvmops-20261203T110000Z",
      "disks": [ $disk ] } ] }
EOF
check "kvm-migrate import $bk --at " 'import DIR --at <TAB> gives its backups' \
	20261203T110000Z 20261203T100000Z
check "kvm-migrate import $TEST_TMP --at " 'a directory that is no backup gives nothing'
check "kvm-migrate verify $bk/man" 'verify <TAB> gives paths' "$bk/manifest.json"

# The program that answers is the one typed, so a build tree works too.
COMPREPLY=()
split_line "$KVM_MIGRATE of"
_kvmops "$KVM_MIGRATE" of "$KVM_MIGRATE"
[ "${COMPREPLY[*]}" = offline ]
result $? 'the program named on the line answers' "got: ${COMPREPLY[*]}"

# The hidden command itself.
raw=$(kvm-migrate complete -- '' | sort)
# shellcheck disable=SC2086
[ "$raw" = "$(want $commands)" ]
result $? 'complete -- "" prints the commands, one a line' "got: $(echo "$raw" | tr "\n" " ")"
raw=$(kvm-migrate complete -- check --mode=c)
[ "$raw" = --mode=copy-storage ]
result $? 'complete -- check --mode=c prints --mode=copy-storage' "got: $raw"
raw=$(kvm-migrate -c "$uri" complete -- live '')
[ "$raw" = test ]
result $? 'kvm-migrate -c URI complete -- live "" prints the domain' "got: $raw"
raw=$(kvm-migrate complete -- live web1 '')
[ "$raw" = "$(printf '%s\n' "$dest1" "$dest2")" ]
result $? 'complete -- live DOMAIN "" prints the destinations in the file'"'"'s order' \
	"got: $(echo "$raw" | tr "\n" " ")"
raw=$(kvm-migrate complete -- nosuch '')
[ -z "$raw" ]
result $? 'complete -- nosuch "" prints nothing' "got: $raw"

# A destination kvm-migrate has checked against is remembered, first. A
# second test-driver host stands for it: the check runs (and fails, as the
# test driver cannot migrate) without changing anything.
cat >"$tmp/host2.xml" <<'EOF'
<node>
  <cpu><nodes>1</nodes><sockets>1</sockets><cores>2</cores><threads>1</threads>
    <active>2</active><mhz>2000</mhz><model>i686</model></cpu>
  <memory>4194304</memory>
</node>
EOF
dest3=test://$tmp/host2.xml
kvm-migrate -q -c "$uri" check test "$dest3" >/dev/null 2>&1
rc=$?
[ "$rc" != 2 ]
result $? 'check against a second test host runs' "exit status $rc"
raw=$(kvm-migrate complete -- live test '')
[ "$raw" = "$(printf '%s\n' "$dest3" "$dest1" "$dest2")" ]
result $? 'a checked destination is remembered, newest first' \
	"got: $(echo "$raw" | tr "\n" " ")"
kvm-migrate -c "$uri" check test not-a-uri >/dev/null 2>&1
raw=$(kvm-migrate complete -- live test '')
[ "$raw" = "$(printf '%s\n' "$dest3" "$dest1" "$dest2")" ]
result $? 'a DEST refused as bad input is not remembered' \
	"got: $(echo "$raw" | tr "\n" " ")"

finish
