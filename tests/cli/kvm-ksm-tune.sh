#!/bin/bash
# kvm-ksm tune against fixture trees: its decisions in --once --dry-run
# --json, what a real cycle writes and keeps, the config file in both
# vocabularies, bad values and unknown keys (exit 2, nothing changed), the
# Prometheus file, and the loop's signals.
. "$top_srcdir/tests/lib.sh"

K=$KVM_KSM
PROC=$(fixture proc)
export KVMOPS_PROC_ROOT=$PROC
STATE=$XDG_STATE_HOME/kvmops/ksm-tune.state
CONF=$TEST_TMP/tune.conf

# fresh_sys: a new writable copy of the 6.18 KSM tree, in $SYS and $KNOBS.
n=0
fresh_sys() {
	n=$((n + 1))
	SYS=$TEST_TMP/sys$n
	cp -a "$FIXTURES/ksm-6.18" "$SYS"
	chmod -R u+w "$SYS"
	KNOBS=$SYS/sys/kernel/mm/ksm
	export KVMOPS_SYSFS_ROOT=$SYS
	rm -f "$STATE"
}

# knobs NAME...: their values, a line each (written ones lack the newline).
knobs() {
	local f
	for f in "$@"; do awk 1 "$KNOBS/$f"; done
}

# get FIELD...: fields of the last JSON object in $out.
get() {
	local args=() f
	for f in "$@"; do args+=(--get "$f"); done
	echo "$out" | tail -1 | $JSON_CHECK "${args[@]}"
}

# ---- decisions, changing nothing ---------------------------------------------
fresh_sys
before=$(tree_sum "$SYS")
run "$K" tune --once --dry-run --json
expect_eq "$status" 0 "tune --once --dry-run --json runs"
expect_eq "$(get action needed writes.run)" "stop
false
0" "dry run: 22.4 GiB available of 23.5: not needed, ksmd would stop"
expect_in "KSM is not needed: MemAvailable 22.4 GiB > threshold 4.71 GiB" "$(get reason)" "dry run: the reason in one line"
expect_eq "$(get figures.guests figures.guest_memory_from figures.qemu_processes figures.guest_memory_bytes)" "2
qemu-rss
2
$(((262144 + 524288) * 1024))" "dry run: the guests, from their QEMU processes' RSS"
expect_eq "$(tree_sum "$SYS")" "$before" "dry run: no knob written"
[ ! -e "$STATE" ]
result $? "dry run: no state saved"

run "$K" tune --once --dry-run --json --threshold 100%
expect_eq "$(get action needed writes.advisor_mode writes.advisor_max_cpu writes.advisor_target_scan_time)" "adjust
true
scan-time
25
200" "--threshold 100%: needed; the advisor with max cpu 25% and 200 s"
expect_in "adjust: MemAvailable 22.4 GiB < threshold 23.5 GiB; advisor on, max cpu 25%, scan time 200 s" "$(get reason)" "--threshold 100%: the reason"
run "$K" tune --once --dry-run --json --threshold 100% --max-cpu 40 --scan-time 10
expect_eq "$(get writes.advisor_max_cpu writes.advisor_target_scan_time)" "40
10" "--max-cpu and --scan-time reach the advisor"
run "$K" tune --once --dry-run --json --threshold 100% --no-advisor
expect_eq "$(get writes.pages_to_scan writes.sleep_millisecs)" "300
10" "--no-advisor: ksmtuned's first boost, and its sleep for 23.5 GiB"
run "$K" tune --once --dry-run --threshold 100%
expect_in "dry run: adjust: MemAvailable" "$out" "dry run in text: what it would do"
expect_eq "$(tree_sum "$SYS")" "$before" "dry runs: still no knob written"

# ---- a real cycle writes, and keeps its state ------------------------------
run "$K" tune --once --threshold 100% --max-cpu 30
expect_eq "$status" 0 "tune --once writes"
expect_in "adjust: MemAvailable" "$out" "tune --once: one line for the change"
expect_eq "$(knobs advisor_mode advisor_max_cpu)" "scan-time
30" "tune --once: the advisor's mode and limit written"
[ -s "$STATE" ] && head -1 "$STATE" | grep -q '^kvmops-ksm-tune-state 1$'
result $? "tune --once: its state saved under XDG_STATE_HOME"
echo 'none [scan-time]' >"$KNOBS/advisor_mode" # as the kernel shows it
run "$K" tune --once --threshold 100% --max-cpu 30
expect_eq "$status:$out" "0:" "tune --once again: nothing to change, nothing said"
run "$K" tune --once --json --threshold 100% --max-cpu 30
expect_eq "$(get action cycle)" "keep
3" "the cycle count carries over in the state"
run "$K" tune --once --threshold 100% --state "$TEST_TMP/other.state" --json
expect_eq "$(get cycle)" 1 "--state names another state file"
[ -s "$TEST_TMP/other.state" ]
result $? "--state: written where named"

# ---- the config file ----------------------------------------------------------
fresh_sys
cat >"$CONF" <<'EOF'
# kvm-ksm tune's own names
threshold = 100%
max-cpu=35%
scan-time="15"
min-gain=64M   # a comment after a blank
backoff=4
EOF
run "$K" tune --once --dry-run --json --config "$CONF"
expect_eq "$(get action writes.advisor_max_cpu writes.advisor_target_scan_time)" "adjust
35
15" "config file: the options' names"
run "$K" tune --once --dry-run --json --config "$CONF" --max-cpu 20
expect_eq "$(get writes.advisor_max_cpu)" 20 "an option overrides the config file"

# ksmtuned's own file, as Debian ships it, set up to act.
cat >"$CONF" <<'EOF'
# Configuration file for ksmtuned.

# How long ksmtuned should sleep between tuning adjustments
KSM_MONITOR_INTERVAL=60

# Millisecond sleep between ksm scans for 16Gb server.
# Smaller servers sleep more, bigger sleep less.
KSM_SLEEP_MSEC=20

KSM_NPAGES_BOOST=500
KSM_NPAGES_DECAY=-50
KSM_NPAGES_MIN=64
KSM_NPAGES_MAX=1250

KSM_THRES_COEF=100
KSM_THRES_CONST=2048

# uncomment the following if you want ksmtuned debug info

LOGFILE=/var/log/ksmtuned
DEBUG=1
EOF
run "$K" tune --once --dry-run --json --no-advisor --config "$CONF"
expect_eq "$(get needed writes.pages_to_scan writes.sleep_millisecs)" "true
500
13" "ksmtuned.conf: its coefficient, boost and sleep (20 ms on 16 GiB is 13 ms on 23.5)"
expect_eq "$status" 0 "ksmtuned.conf: LOGFILE and DEBUG are accepted"

# ---- bad input: exit 2, nothing changed ------------------------------------
fresh_sys
before=$(tree_sum "$SYS")
bad_config() {
	printf '%s\n' "$2" >"$CONF"
	bad_input "$1" "config '$2'" "$K" tune --once --config "$CONF"
}
bad_config "tune.conf:1: max-cpu: invalid value '200': expected a percent of one CPU from 1% to 100%" "max-cpu=200"
bad_config "tune.conf:1: unknown key 'FOO'; the keys are interval, max-cpu" "FOO=1"
bad_config "tune.conf:1: expected KEY=VALUE, got 'just words'" "just words"
bad_config "KSM_NPAGES_DECAY: invalid value 'fast'" "KSM_NPAGES_DECAY=fast"
bad_config "KSM_THRES_COEF: invalid value '150'" "KSM_THRES_COEF=150"
printf 'KSM_NPAGES_MIN=2000\n' >"$CONF"
bad_input "fewest pages to scan (2000)" "npages min above max" "$K" tune --once --config "$CONF"
printf 'interval=5\nthreshold=12.5%%\n' >"$CONF"
bad_input "tune.conf:2: threshold: invalid value '12.5%'" "a threshold of a fraction of a percent" "$K" tune --once --config "$CONF"
bad_input "--max-cpu" "--max-cpu 0" "$K" tune --once --max-cpu 0
bad_input "invalid value 'abc' for --threshold" "--threshold abc" "$K" tune --once --threshold abc
bad_input "invalid value '200%' for --min-gain" "--min-gain 200%" "$K" tune --once --min-gain 200%
bad_input "invalid value '0' for --interval" "--interval 0" "$K" tune --interval 0
bad_input "invalid value '0' for --backoff" "--backoff 0" "$K" tune --once --backoff 0
bad_input "--interval and --once contradict each other" "--interval with --once" "$K" tune --once --interval 5
bad_input "--restore-on-exit and --once contradict each other" "--restore-on-exit with --once" "$K" tune --once --restore-on-exit
bad_input "$TEST_TMP/missing.conf" "--config of a missing file" "$K" tune --once --config "$TEST_TMP/missing.conf"
echo junk >"$TEST_TMP/junk.state"
bad_input "is not a KSM tuner's state file" "--state of a foreign file" "$K" tune --once --state "$TEST_TMP/junk.state"
expect_in "(see --state FILE)" "$err" "--state of a foreign file: the option to change"
expect_eq "$(tree_sum "$SYS")" "$before" "bad input: no knob written"
[ ! -e "$STATE" ]
result $? "bad input: no state saved"

# A failed operation: exit 1.
chmod a-w "$KNOBS/advisor_mode"
if [ "$(id -u)" != 0 ]; then
	expect_status 1 "a knob that cannot be written" "$K" tune --once --threshold 100%
fi
chmod u+w "$KNOBS/advisor_mode"
KVMOPS_SYSFS_ROOT=$TEST_TMP/nowhere expect_status 1 "no KSM on this kernel" "$K" tune --once
expect_in "CONFIG_KSM" "$err" "no KSM: the message says why"

# ---- the Prometheus file ---------------------------------------------------
fresh_sys
PROM=$TEST_TMP/prom/kvmops-ksm.prom
mkdir -p "$TEST_TMP/prom"
run "$K" tune --once --threshold 100% --prometheus-file "$PROM"
expect_eq "$(prom_lint <"$PROM")" "" "Prometheus file: valid exposition format"
expect_in 'kvmops_ksm_tune_decision{action="adjust"} 1' "$(cat "$PROM")" "Prometheus file: the decision as labelled gauges"
expect_in 'kvmops_ksm_tune_decision{action="keep"} 0' "$(cat "$PROM")" "Prometheus file: the other actions 0"
expect_in "kvmops_ksm_tune_saved_bytes $((31162 * 4096))" "$(cat "$PROM")" "Prometheus file: KSM's saving"
expect_in "kvmops_ksm_tune_needed 1" "$(cat "$PROM")" "Prometheus file: the need"
expect_eq "$(ls "$TEST_TMP/prom")" "kvmops-ksm.prom" "Prometheus file: written beside and renamed, no temporary left"

# ---- the loop and its signals ---------------------------------------------
fresh_sys
printf 'threshold=100%%\nmax-cpu=30\n' >"$CONF"
"$K" tune --json --interval 3600 --config "$CONF" --restore-on-exit \
	>"$TEST_TMP/loop.out" 2>"$TEST_TMP/loop.err" &
pid=$!
# cycles N: waits until the loop has printed N objects (at most 10 s).
cycles() {
	local i
	for i in $(seq 100); do
		[ "$(wc -l <"$TEST_TMP/loop.out")" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
cycles 1
result $? "loop: the first cycle runs at once"
echo 'none [scan-time]' >"$KNOBS/advisor_mode"
kill -USR1 "$pid"
cycles 2
result $? "loop: SIGUSR1 runs a cycle now, an hour early"
printf 'threshold=100%%\nmax-cpu=45\n' >"$CONF"
kill -HUP "$pid"
cycles 3
result $? "loop: SIGHUP reloads and runs a cycle"
out=$(sed -n 3p "$TEST_TMP/loop.out")
expect_eq "$(get action writes.advisor_max_cpu)" "adjust
45" "loop: the reloaded config is in force"
expect_in "configuration reloaded from $CONF" "$(cat "$TEST_TMP/loop.err")" "loop: the reload is logged"
printf 'max-cpu=900\n' >"$CONF"
kill -HUP "$pid"
cycles 4
expect_in "the configuration was not reloaded" "$(cat "$TEST_TMP/loop.err")" "loop: a bad config on SIGHUP keeps the settings in force"
kill -0 "$pid"
result $? "loop: still running after a bad reload"
kill -TERM "$pid"
wait "$pid"
expect_eq "$?" 0 "loop: SIGTERM ends it cleanly"
expect_eq "$(knobs advisor_mode advisor_max_cpu pages_to_scan run)" "none
70
1000
1" "--restore-on-exit: the knobs as they were"

# A loop without --restore-on-exit leaves KSM as it is.
fresh_sys
"$K" tune --interval 3600 --threshold 100% >"$TEST_TMP/loop.out" 2>"$TEST_TMP/loop.err" &
pid=$!
for i in $(seq 100); do grep -q adjust "$TEST_TMP/loop.out" && break; sleep 0.1; done
kill -INT "$pid"
wait "$pid"
expect_eq "$?:$(cat "$KNOBS/advisor_mode")" "0:scan-time" "loop: SIGINT ends it and KSM stays as tuned"
expect_in "note: every 3600 s; threshold 100%" "$(cat "$TEST_TMP/loop.err")" "loop: its settings said once, at the start"

# ---- the other ways in ------------------------------------------------------
fresh_sys
run sh -c "printf 'tune --once --dry-run --threshold 100%%\n' | '$K'"
expect_in "dry run: adjust:" "$out" "tune from a script on stdin"
expect_status 0 "help tune" "$K" help tune
expect_in "--restore-on-exit" "$out" "help tune lists its options"
expect_eq "$("$K" complete -- tune --min)" "--min-gain" "complete: a tune option"

finish
