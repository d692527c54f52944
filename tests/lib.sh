# Shared by the shell tests: counters, checks, temp dirs, lab skips.
# Each test prints "ok N - what" or "not ok N - what", and at the end one
# line "N passed, M failed".

passed=0
failed=0
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/kvmops-test.XXXXXX")
trap 'rm -rf "$TEST_TMP"' EXIT
export HOME="$TEST_TMP/home" XDG_STATE_HOME="$TEST_TMP/state"
mkdir -p "$HOME" "$XDG_STATE_HOME"
unset KVMOPS_DEFAULT_URI LIBVIRT_DEFAULT_URI KVMOPS_LOG

ok() {
	passed=$((passed + 1))
	echo "ok $((passed + failed)) - $*"
}

not_ok() {
	failed=$((failed + 1))
	echo "not ok $((passed + failed)) - $*"
}

# result STATUS WHAT [WHY]: ok when STATUS is 0, else not ok with WHY
# (each of its lines after "#   ").
result() {
	if [ "$1" = 0 ]; then
		ok "$2"
	else
		not_ok "$2"
		[ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/#   /'
	fi
}

# Exits 77 (skip), or 1 when CI demands that the real thing runs.
skip_or_fail() {
	if [ "${KVMOPS_REQUIRE_LAB:-0}" = 1 ]; then
		echo "FAIL (KVMOPS_REQUIRE_LAB=1): $*"
		exit 1
	fi
	echo "SKIP: $*"
	exit 77
}

# run CMD...: sets $status, $out and $err.
run() {
	"$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
	status=$?
	out=$(cat "$TEST_TMP/out")
	err=$(cat "$TEST_TMP/err")
}

# expect_status N WHAT CMD...
expect_status() {
	want=$1 what=$2
	shift 2
	run "$@"
	if [ "$status" = "$want" ]; then
		ok "$what (exit $want)"
	else
		not_ok "$what: exit $status, wanted $want; stderr: $err"
	fi
}

# expect_in TEXT WHERE WHAT: WHERE is the text to search.
expect_in() {
	case "$2" in
	*"$1"*) ok "$3" ;;
	*) not_ok "$3: '$1' not in: $2" ;;
	esac
}

expect_eq() {
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		not_ok "$3: got '$1', wanted '$2'"
	fi
}

# A checksum of every file under a tree: "nothing changed" checks.
tree_sum() {
	(cd "$1" && find . -type f | LC_ALL=C sort | xargs cat | md5sum)
}

# bad_input NAME WHAT CMD...: CMD must exit 2 with NAME in its message.
bad_input() {
	name=$1 what=$2
	shift 2
	run "$@"
	if [ "$status" = 2 ] && [[ "$err" == *"$name"* ]]; then
		ok "$what: exit 2 naming '$name'"
	else
		not_ok "$what: exit $status, stderr '$err' (wanted 2 naming '$name')"
	fi
}

# fixture NAME: a writable copy of tests/fixtures/NAME, links made; prints
# its path.
fixture() {
	cp -a "$FIXTURES/$1" "$TEST_TMP/$1"
	chmod -R u+w "$TEST_TMP/$1"
	sh "$FIXTURES/materialize.sh" "$TEST_TMP/$1"
	echo "$TEST_TMP/$1"
}

# prom_lint: reads Prometheus text format on stdin and prints each line
# that breaks it (a sample without HELP and TYPE, or no sample at all).
prom_lint() {
	awk '
		/^# HELP [a-z_:][a-z0-9_:]* .+/ { help[$3] = 1; next }
		/^# TYPE [a-z_:][a-z0-9_:]* (gauge|counter)$/ { type[$3] = 1; next }
		/^[a-z_:][a-z0-9_:]*(\{[a-z_]+="([^"\\]|\\.)*"(,[a-z_]+="([^"\\]|\\.)*")*\})? -?[0-9.]+(e[-+]?[0-9]+)?$/ {
			name = $1; sub(/\{.*/, "", name)
			if (!help[name] || !type[name]) print "no HELP/TYPE: " $0
			next
		}
		{ print "bad line: " $0 }'
}

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit $?
}
