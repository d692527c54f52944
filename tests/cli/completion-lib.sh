# Sourced by the completion tests after they set TOOL (kvm-ksm, kvm-balloon
# or kvm-migrate) and BASH_COMPLETION_SCRIPT: loads bash-completion and the
# completion every kvmops command shares, completions/kvmops, and drives it
# as bash would (complete_line LINE sets $got and $nospace). ok STATUS WHAT
# [WHY] counts the checks.

# shellcheck source=/dev/null
. "$BASH_COMPLETION_SCRIPT"
# shellcheck source=/dev/null
. "$top_srcdir/completions/kvmops"

passed=0 failed=0 n=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		passed=$((passed + 1))
		echo "ok $n - $2"
	else
		failed=$((failed + 1))
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && printf '#   %s\n' "$3"
	fi
}

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
