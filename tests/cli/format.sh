#!/bin/bash
# make format-check: every C file is as .clang-format says. Without
# clang-format this skips (77), or fails with KVMOPS_REQUIRE_LAB=1.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/lib.sh"

[ -n "${CLANG_FORMAT:-}" ] && [ -x "$CLANG_FORMAT" ] || skip_or_fail "clang-format is missing"
cd "$top_srcdir" || exit 99
files=$(find lib cli tests -name '*.[ch]' | LC_ALL=C sort)
run xargs "$CLANG_FORMAT" --dry-run --Werror <<<"$files"
if [ "$status" = 0 ]; then
	ok "the $(wc -l <<<"$files") C files are formatted as .clang-format says"
else
	not_ok "some C files differ from .clang-format (run 'make format'):"
	grep -o '^[^:]*\.[ch]:' <<<"$err" | sort -u | sed 's/^/#   /'
fi
finish
