#!/bin/bash
# The lab comes up with two hosts, a guest boots and its heartbeat rises,
# bad input is refused, and lab down leaves none of the lab's processes.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/lab/harness.sh"

lab_start 2
run lab status
expect_eq "$(echo "$out" | grep -c '^host[0-9] .*libvirtd [0-9]')" 2 "lab status shows 2 hosts with running daemons"
expect_eq "$(lab uri 1) $(lab uri 2)" "qemu+tcp://127.0.0.2:16510/system qemu+tcp://127.0.0.3:16510/system" "hosts listen on 127.0.0.2 and .3"
expect_status 0 "virsh reaches host 2 on its own URI" virsh -c "$(lab uri 2)" version
run virsh -q -c "$(lab uri 1)" pool-list --name
expect_eq "$(echo "$out" | awk '{ print $1 }' | sort | tr '\n' ' ')" "default shared " "each host has the default and shared pools"
uuid1=$(virsh -c "$(lab uri 1)" capabilities | grep -m1 '<uuid>')
uuid2=$(virsh -c "$(lab uri 2)" capabilities | grep -m1 '<uuid>')
[ "$uuid1" != "$uuid2" ] && ok "the hosts have distinct UUIDs" || not_ok "both hosts have UUID $uuid1"

expect_status 0 "a guest is defined and started" lab guest hb1 --disk local --mem 192M
first=$(wait_heartbeat hb1 0 60) && ok "the guest boots and beats ($first)" || not_ok "no heartbeat from hb1: $first"
later=$(wait_heartbeat hb1 "$first" 10) && ok "its heartbeat rises ($first -> $later)" || not_ok "heartbeat stuck at $first"
expect_in "hb1" "$(lab status)" "lab status lists the guest"

expect_status 2 "a guest on a host that does not exist" lab guest bad1 --host 9
expect_status 2 "a malformed --mem" lab guest bad2 --mem lots
expect_status 2 "an unknown workload" lab guest bad3 --workload busy
expect_status 2 "lab uri of a missing host" lab uri 7
expect_status 1 "lab up while a lab is up" lab up
expect_status 2 "an option without its value" lab guest bad4 --host
expect_status 2 "a guest name that is a path" lab guest ../bad5
expect_status 2 "a working set that leaves the guest no memory" lab guest bad6 --mem 256M --wss 250
mkdir -p "$TEST_TMP/not-a-lab" && echo 2 >"$TEST_TMP/not-a-lab/hosts"
KVMOPS_LAB_DIR=$TEST_TMP/not-a-lab expect_status 1 "lab down refuses a directory that is not a lab's" lab down
expect_eq "$(cat "$TEST_TMP/not-a-lab/hosts" 2>&1)" 2 "and leaves its files alone"
KVMOPS_LAB_DIR=relative/dir expect_status 1 "a relative KVMOPS_LAB_DIR" lab status

pids=$(lab pids)
expect_eq "$(echo "$pids" | wc -w)" 5 "the lab owns 4 daemons and 1 guest"
expect_status 0 "lab down" lab down
alive=
for pid in $pids; do [ -d "/proc/$pid" ] && alive="$alive $pid"; done
expect_eq "$alive" "" "none of the lab's processes is left"
expect_in "no lab is up" "$(lab status)" "lab status after down"
expect_status 0 "lab down again does nothing" lab down
finish
