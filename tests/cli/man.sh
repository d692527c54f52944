#!/bin/bash
# The man pages render without a single warning, and kvm-ksm(1),
# kvm-balloon(1) and kvm-migrate(1) each document every command their
# program lists and its exit status.
#
# Environment (set by 'make check'): KVM_KSM, KVM_BALLOON, KVM_MIGRATE,
# top_builddir.
# Without man this skips (77), or fails with KVMOPS_REQUIRE_LAB=1.

: "${top_builddir:=.}"

if [ -z "${KVM_KSM:-}" ] || [ ! -x "$KVM_KSM" ]; then
	echo "KVM_KSM must name the built kvm-ksm (got '${KVM_KSM:-}')" >&2
	exit 99
fi
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"
command -v man >/dev/null 2>&1 && man --version >/dev/null 2>&1 ||
	skip_or_fail "man is missing (install man-db)"

tmp=$TEST_TMP
# The same rendering wherever the test runs: 80 columns, no pager.
MANWIDTH=80 MANPAGER=cat PAGER=cat
export MANWIDTH MANPAGER PAGER
unset MANOPT MANROFFOPT

# check STATUS WHAT: result, with why the last step failed ($tmp/why).
check() {
	result "$1" "$2" "$(cat "$tmp/why")"
	: >"$tmp/why"
}
: >"$tmp/why"

# render PAGE: its text in $tmp/PAGE.txt; ok when man says nothing on stderr
render() {
	page=$top_builddir/man/$1
	if [ ! -r "$page" ]; then
		echo "$page is missing: run 'make man/$1'" >"$tmp/why"
		check 1 "$1 renders with no warnings"
		: >"$tmp/$1.txt"
		return
	fi
	man -l --warnings=all "$page" >"$tmp/$1.out" 2>"$tmp/why"
	rc=$?
	col -bx <"$tmp/$1.out" >"$tmp/$1.txt" 2>/dev/null ||
		cp "$tmp/$1.out" "$tmp/$1.txt"
	[ $rc = 0 ] && [ ! -s "$tmp/why" ] && [ -s "$tmp/$1.txt" ]
	check $? "$1 renders with no warnings"
	# man's "all" leaves out some of groff's warnings (undefined macros).
	if command -v groff >/dev/null 2>&1; then
		groff -man -Tutf8 -ww -z "$page" >"$tmp/why" 2>&1 &&
			[ ! -s "$tmp/why" ]
		check $? "$1 passes groff -ww"
	fi
}

render kvm-ksm.1
render kvm-balloon.1
render kvm-migrate.1
render kvmops.7

# Each page documents every command its program lists in 'help', has an
# EXIT STATUS section and points to kvmops(7).
KVM_BALLOON=${KVM_BALLOON:-$top_builddir/cli/kvm-balloon}
KVM_MIGRATE=${KVM_MIGRATE:-$top_builddir/cli/kvm-migrate}
for tool in kvm-ksm kvm-balloon kvm-migrate; do
	case $tool in
	kvm-ksm) bin=$KVM_KSM ;;
	kvm-balloon) bin=$KVM_BALLOON ;;
	kvm-migrate) bin=$KVM_MIGRATE ;;
	esac
	commands=$("$bin" help | awk '/^Commands:/ { on = 1; next }
		on && /^$/ { exit }
		on { print $1 }')
	[ -n "$commands" ]
	check $? "$tool help lists commands"
	for c in $commands; do
		grep -Eq "^ {3}$c( |\$)" "$tmp/$tool.1.txt"
		check $? "$tool.1 documents the command '$c'"
		[ "$c" = help ] && continue
		# ... and every option 'help COMMAND' lists for it.
		opts=$("$bin" help "$c" | awk '/^Options:/ { on = 1; next }
			on && /^$/ { exit }
			on { print }' | grep -o -- '--[a-z][a-z0-9-]*')
		missing=
		for o in $opts; do
			grep -Eq -- "$o([^a-z0-9-]|\$)" "$tmp/$tool.1.txt" ||
				missing="$missing $o"
		done
		[ -z "$missing" ] || echo "not in the page:$missing" >"$tmp/why"
		[ -z "$missing" ]
		check $? "$tool.1 documents every option of '$c'"
	done
	grep -q '^EXIT STATUS$' "$tmp/$tool.1.txt"
	check $? "$tool.1 has an EXIT STATUS section"
	grep -q 'kvmops(7)' "$tmp/$tool.1.txt"
	check $? "$tool.1 points to kvmops(7)"
	grep -q "$tool(1)" "$tmp/kvmops.7.txt"
	check $? "kvmops.7 points to $tool(1)"
done

grep -q '^EXIT STATUS$' "$tmp/kvmops.7.txt"
check $? "kvmops.7 has an EXIT STATUS section"

finish
