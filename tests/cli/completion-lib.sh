# Sourced by the completion tests after they set TOOL (kvm-ksm, kvm-balloon
# or kvm-migrate): finds the built command (in $KVM_KSM, $KVM_BALLOON or
# $KVM_MIGRATE, else under $top_builddir/cli), skips (77) without
# bash-completion unless KVMOPS_REQUIRE_LAB=1, puts the command on PATH with
# a private HOME, loads bash-completion and the command's completion,
# completions/$TOOL (one file for all, completions/kvmops), and drives it
# as bash would:
#   complete_line LINE          sets $got (one candidate a line), $nospace
#   check LINE WHAT CAND...     exactly these candidates
#   has LINE WHAT CAND...       at least these candidates
#   result STATUS WHAT [WHY]    counts a check (tests/lib.sh)
# The private directory is $tmp ($TEST_TMP); it is removed at exit.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
BASH_COMPLETION_SCRIPT=${BASH_COMPLETION_SCRIPT:-/usr/share/bash-completion/bash_completion}

tool_var=$(echo "$TOOL" | tr 'a-z-' 'A-Z_')
tool_bin=${!tool_var:-$top_builddir/cli/$TOOL}
if [ ! -x "$tool_bin" ]; then
	echo "$tool_var must name the built $TOOL (got '$tool_bin')" >&2
	exit 99
fi
case $tool_bin in
/*) ;;
*) tool_bin=$(cd "$(dirname "$tool_bin")" && pwd)/$(basename "$tool_bin") ;;
esac
. "$top_srcdir/tests/lib.sh"
[ -r "$BASH_COMPLETION_SCRIPT" ] ||
	skip_or_fail "$BASH_COMPLETION_SCRIPT is missing (install bash-completion)"

tmp=$TEST_TMP
mkdir -p "$tmp/bin"
ln -s "$tool_bin" "$tmp/bin/$TOOL"
export PATH="$tmp/bin:$PATH"

# shellcheck source=/dev/null
. "$BASH_COMPLETION_SCRIPT"
# The file installed for this command: a link to completions/kvmops.
# shellcheck source=/dev/null
. "$top_srcdir/completions/$TOOL"

# Outside a real completion compopt fails; note what was asked instead.
compopt() {
	while [ $# -gt 1 ]; do
		[ "$1" = -o ] && [ "$2" = nospace ] && nospace=yes
		shift
	done
	return 0
}

# Splits LINE into COMP_WORDS as bash does, cursor at the end: blanks
# separate words, and each run of '=' or ':' (in COMP_WORDBREAKS) is a word.
split_line() {
	local line=$1 word="" c i
	COMP_WORDS=()
	for ((i = 0; i < ${#line}; i++)); do
		c=${line:i:1}
		if [[ $c == [[:blank:]] ]]; then
			[[ $word ]] && COMP_WORDS+=("$word")
			word=""
		elif [[ $c == [=:] ]]; then
			[[ $word && $word != *[=:] ]] && { COMP_WORDS+=("$word"); word=""; }
			word+=$c
		else
			[[ $word == *[=:] ]] && { COMP_WORDS+=("$word"); word=""; }
			word+=$c
		fi
	done
	COMP_WORDS+=("$word") # the word being typed, maybe empty
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
}

# Completes LINE; the candidates, one a line, in $got; $nospace if asked.
complete_line() {
	split_line "$1"
	COMPREPLY=()
	nospace=
	_kvmops "$TOOL" "${COMP_WORDS[COMP_CWORD]}" \
		"${COMP_WORDS[COMP_CWORD - 1]}"
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort)
}

want() { printf '%s\n' "$@" | sed '/^$/d' | sort; }

check() {
	local line=$1 what=$2 expect
	shift 2
	complete_line "$line"
	expect=$(want "$@")
	[ "$got" = "$expect" ]
	result $? "$what" "'$line<TAB>' gave: $(echo "$got" | tr "\n" " ")"
}

has() {
	local line=$1 what=$2 c rc=0
	shift 2
	complete_line "$line"
	for c in "$@"; do
		grep -qxF -- "$c" <<<"$got" || rc=1
	done
	result $rc "$what" "'$line<TAB>' gave: $(echo "$got" | tr "\n" " ")"
}
