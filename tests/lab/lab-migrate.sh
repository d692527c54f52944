#!/bin/bash
# The yardstick: plain virsh migrate --live moves a guest on shared
# storage from host 1 to host 2, and the guest goes on without a reboot.
# libvirt 9 trusts only network filesystems (NFS, GFS2, CIFS...) to be
# shared, so the lab's shared directory, the same files on both hosts,
# needs --unsafe.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/lab/harness.sh"

lab_start 2
expect_status 0 "a guest with a disk on shared storage" lab guest mig1 --disk shared --workload dirty:4
before=$(wait_heartbeat mig1 10 60) && ok "mig1 beats on host 1 ($before)" || not_ok "no heartbeat: $before"

expect_status 0 "virsh migrate --live to host 2" virsh -c "$(lab uri 1)" migrate --live \
	--unsafe --persistent --undefinesource mig1 "$(lab uri 2)" --migrateuri tcp://127.0.0.3
expect_eq "$(virsh -c "$(lab uri 2)" domstate mig1 2>&1 | head -1)" running "host 2 runs mig1"
run virsh -q -c "$(lab uri 1)" list --all --name
expect_eq "$(echo "$out" | grep -c '^mig1$')" 0 "host 1 no longer has mig1"
after=$(wait_heartbeat mig1 "$before" 20) && ok "the heartbeat goes on rising on host 2 ($before -> $after)" ||
	not_ok "heartbeat after migration: $after (before: $before)"
finish
