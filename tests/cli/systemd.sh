#!/bin/bash
# systemd/kvm-ksm-tune.service and kvm-balloon-auto.service: systemd-analyze
# verify passes on them, with
# ExecStart pointing at this build's kvm-ksm and its man page at hand, and
# it says what the service must: after libvirtd, against ksmtuned, reload
# by SIGHUP, state under /var/lib/kvmops, /sys writable.
. "$top_srcdir/tests/lib.sh"

UNIT=$top_builddir/systemd/kvm-ksm-tune.service
[ -f "$UNIT" ]
result $? "the unit is built: $UNIT"
for line in 'After=libvirtd.service virtqemud.service' 'Conflicts=ksmtuned.service' \
	'ExecReload=/bin/kill -HUP $MAINPID' 'StateDirectory=kvmops' \
	'ProtectSystem=strict' 'NoNewPrivileges=yes'; do
	grep -qxF "$line" "$UNIT"
	result $? "the unit has $line"
done
grep -q '^ProtectKernelTunables=' "$UNIT"
result $((!$?)) "the unit leaves /sys writable (no ProtectKernelTunables=)"
grep -q "^ExecStart=.*/kvm-ksm -c qemu:///system tune$" "$UNIT"
result $? "ExecStart runs kvm-ksm tune with libvirt's guests"

# kvm-balloon-auto.service: after libvirtd, read-only, no capability.
BUNIT=$top_builddir/systemd/kvm-balloon-auto.service
for line in 'After=libvirtd.service virtqemud.service' 'ExecReload=/bin/kill -HUP $MAINPID' \
	'ProtectSystem=strict' 'ProtectKernelTunables=yes' 'CapabilityBoundingSet=' \
	'NoNewPrivileges=yes'; do
	grep -qxF "$line" "$BUNIT"
	result $? "kvm-balloon-auto.service has $line"
done
grep -q "^ExecStart=.*/kvm-balloon -c qemu:///system auto$" "$BUNIT"
result $? "ExecStart runs kvm-balloon auto with libvirt's guests"

if [ -z "${SYSTEMD_ANALYZE:-}" ]; then
	echo "SKIP: no systemd-analyze on this machine"
	finish
fi
mkdir -p "$TEST_TMP/man/man1" "$TEST_TMP/unit"
cp "$top_builddir/man/kvm-ksm.1" "$TEST_TMP/man/man1/"
sed "s|^ExecStart=[^ ]*/kvm-ksm |ExecStart=$top_builddir/cli/kvm-ksm |" "$UNIT" \
	>"$TEST_TMP/unit/kvm-ksm-tune.service"
run env MANPATH="$TEST_TMP/man" "$SYSTEMD_ANALYZE" verify "$TEST_TMP/unit/kvm-ksm-tune.service"
result "$status" "systemd-analyze verify passes" "$err"

cp "$top_builddir/man/kvm-balloon.1" "$TEST_TMP/man/man1/"
sed "s|^ExecStart=[^ ]*/kvm-balloon |ExecStart=$top_builddir/cli/kvm-balloon |" "$BUNIT" \
	>"$TEST_TMP/unit/kvm-balloon-auto.service"
run env MANPATH="$TEST_TMP/man" "$SYSTEMD_ANALYZE" verify "$TEST_TMP/unit/kvm-balloon-auto.service"
result "$status" "systemd-analyze verify passes on kvm-balloon-auto.service" "$err"
finish
