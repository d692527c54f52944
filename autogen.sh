#!/bin/sh
# ./autogen.sh          bootstrap only (autoreconf), as usual
# ./autogen.sh check    install what is missing, build in build/, make check
# ./autogen.sh demo     the same set-up, then make demo
set -e

srcdir=$(cd "$(dirname "$0")" && pwd)
cd "$srcdir"

# Debian packages the build, the tests and the lab need.
PACKAGES="build-essential autoconf automake libtool pkg-config
libvirt-dev libxml2-dev libjson-c-dev libreadline-dev libcmocka-dev
nettle-dev scdoc bash-completion man-db groff-base clang-format
libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86
qemu-utils cpio procps util-linux xz-utils systemd"

install_missing() {
	missing=
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "autogen.sh: installing:$missing"
	if [ "$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		--no-install-recommends $missing
}

bootstrap() {
	autoreconf --install --force --warnings=all
}

configure_build() {
	mkdir -p build
	if [ ! -f build/Makefile ] || [ configure -nt build/Makefile ]; then
		(cd build && ../configure "$@")
	fi
	make -C build -j"$(nproc)"
}

# One closing line in the form CI and people read: "N passed, N failed".
summary() {
	awk '/^# PASS:/ { p = $3 } /^# (FAIL|ERROR|XPASS):/ { f += $3 }
	     /^# SKIP:/ { s = $3 }
	     END { printf "kvmops: %d passed, %d failed, %d skipped\n", p, f, s }' \
		build/test-suite.log 2>/dev/null
}

case "${1:-}" in
"")
	bootstrap
	echo "Now run ./configure && make, or ./autogen.sh check."
	;;
check)
	shift
	install_missing
	bootstrap
	configure_build "$@"
	status=0
	make -C build -j"$(nproc)" check || status=1
	[ "$status" = 0 ] || tail -200 build/test-suite.log 2>/dev/null
	summary
	exit "$status"
	;;
demo)
	shift
	install_missing
	bootstrap
	configure_build "$@"
	make -C build demo
	;;
*)
	echo "usage: $0 [check|demo] [configure options]" >&2
	exit 2
	;;
esac
