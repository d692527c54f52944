# Sourced by the tests and benchmarks that change the real kernel's KSM,
# after tests/lib.sh (or bench/lib.sh):
#   ksm_take         takes the KSM lock (one such test at a time on this
#                    machine), saves every knob a tuner may change, and
#                    turns the advisor off: a run killed mid-way (a bench,
#                    a tuner) may have left it on, owning pages_to_scan
#   ksm_restore      unmerges, and puts the saved knobs ($KSM_SAVED) back
#   ksm_knobs        the knobs as "KNOB VALUE" lines
#   ksm_value KNOB   a knob's value: the chosen word of "[none] scan-time"
#   ksmd_ticks       ksmd's CPU time so far, in clock ticks
KSM=/sys/kernel/mm/ksm
KSM_KNOBS="pages_to_scan sleep_millisecs advisor_max_cpu advisor_target_scan_time
advisor_min_pages_to_scan advisor_max_pages_to_scan"

ksm_value() {
	sed 's/.*\[\(.*\)\].*/\1/' "$KSM/$1"
}

ksmd_ticks() {
	awk '{ print $14 + $15 }' "/proc/$(pgrep -x ksmd)/stat"
}

# The knobs as "KNOB VALUE" lines, straight from sysfs: what puts them
# back must not depend on what is tested.
ksm_knobs() {
	local knob
	for knob in $KSM_KNOBS advisor_mode run; do
		[ -e "$KSM/$knob" ] && echo "$knob $(ksm_value "$knob")"
	done
}

ksm_take() {
	exec 9>/run/lock/kvmops-ksm-real.lock
	flock 9
	KSM_SAVED=$(ksm_knobs)
	[ ! -e $KSM/advisor_mode ] || echo none >$KSM/advisor_mode
}

ksm_restore() {
	local knob value
	[ -n "${KSM_SAVED:-}" ] || return 0
	echo 2 >$KSM/run
	# pages_to_scan is refused while the advisor owns it.
	[ -e $KSM/advisor_mode ] && echo none >$KSM/advisor_mode
	while read -r knob value; do
		case $knob in
		advisor_mode | run) ;;
		*) echo "$value" >"$KSM/$knob" ;;
		esac
	done <<<"$KSM_SAVED"
	value=$(awk '$1 == "advisor_mode" { print $2 }' <<<"$KSM_SAVED")
	[ -z "$value" ] || echo "$value" >$KSM/advisor_mode
	awk '$1 == "run" { print $2 }' <<<"$KSM_SAVED" >$KSM/run
}
