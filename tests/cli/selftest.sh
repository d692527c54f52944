#!/bin/bash
# The shell framework's self-test: every command table of the three tools
# is well formed ('TOOL selftest'), and every option name the code looks
# up (kvs_opt, kvs_flag, kvs_opt_u64, kvs_opt_double, kvs_opt_choice) is in
# a table of its tool: a misspelt name would read as "not given".
#
# Environment (set by 'make check'): top_srcdir, KVM_KSM, KVM_BALLOON,
# KVM_MIGRATE.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"

for tool in kvm-ksm kvm-balloon kvm-migrate; do
	var=$(echo "$tool" | tr 'a-z-' 'A-Z_')
	bin=${!var:-$top_srcdir/cli/$tool}
	expect_status 0 "$tool selftest" "$bin" selftest
	expect_in "well formed" "$out" "$tool: every table is well formed"
	names=$("$bin" selftest --options | awk '{ print $2 }' | sort -u)
	looked=$(grep -o 'kvs_\(opt\|flag\|opt_u64\|opt_double\|opt_choice\)(call, "[a-z0-9-]*"' \
		"$top_srcdir/cli/$tool.c" | sed 's/.*"\(.*\)"/\1/' | sort -u)
	[ -n "$looked" ] || not_ok "$tool: no option lookups found in cli/$tool.c"
	missing=
	for name in $looked; do
		grep -qx -- "$name" <<<"$names" || missing="$missing $name"
	done
	[ -z "$missing" ] && ok "$tool: the $(wc -w <<<"$looked") names the code looks up are all in its tables" ||
		not_ok "$tool looks up options no table has:$missing"
done
finish
