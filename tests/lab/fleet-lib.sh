# Sourced by the lab tests of kvm-migrate evacuate and balance; it brings
# migrate-lib.sh (and so tests/lib.sh and harness.sh) with it.
#   fleet_lab              a lab of three hosts: $U1, $U2, $U3
#   fleet_guest HOST NAME  a small idle guest (128 MiB, shared disk) on HOST,
#                          booted; its heartbeat then in BEFORE[NAME]
#   runs_on NAME           the hosts running NAME ("2", or "" or "1 3")
#   defined_on NAME        the hosts defining NAME
#   one_home NAME [HOSTS]  NAME runs on exactly one host and is defined on
#                          exactly that one, one of HOSTS ("1 2 3")
#   went_on NAME           NAME's heartbeat went on from BEFORE[NAME]; when
#                          it is on another host than at the last look
#                          (HOST_OF[NAME]), its first beat there continued
#                          the count: not a reboot, a live move
#   peaks FILE             "TOTAL PER_HOST": the most moves an NDJSON
#                          stream had running at once, in all and into one
#                          host, replayed from its start/completed/failed
. "$top_srcdir/tests/lab/migrate-lib.sh"

: "${JSON_CHECK:=$top_builddir/tests/helpers/json-check}"
declare -A BEFORE HOST_OF

fleet_lab() {
	lab_start 3
	U1=$(lab uri 1) U2=$(lab uri 2) U3=$(lab uri 3)
}

fleet_guest() {
	lab guest "$2" --host "$1" --mem 128M --disk shared >/dev/null ||
		{ not_ok "lab guest $2 --host $1"; return 1; }
	BEFORE[$2]=$(wait_heartbeat "$2" 5 120) || { not_ok "$2 did not boot"; return 1; }
	HOST_OF[$2]=$1
}

# hosts_where TEST NAME: the hosts H for which "TEST H NAME" holds.
hosts_where() {
	local h hosts=
	for h in 1 2 3; do
		"$1" "$h" "$2" && hosts="$hosts $h"
	done
	echo "${hosts# }"
}
is_running() { [ "$(domstate "$1" "$2")" = running ]; }
is_defined() { [ "$(persistent "$1" "$2")" = yes ]; }
runs_on() { hosts_where is_running "$1"; }
defined_on() { hosts_where is_defined "$1"; }

one_home() {
	local on defined allowed=${2:-1 2 3}
	on=$(runs_on "$1") defined=$(defined_on "$1")
	if [[ "$on" =~ ^[1-3]$ ]] && [ "$defined" = "$on" ] && [[ " $allowed " == *" $on "* ]]; then
		ok "$1 runs on host $on only, and is defined there only"
	else
		not_ok "$1 runs on '$on', is defined on '$defined' (wanted one of $allowed, once)"
	fi
}

went_on() {
	local on first after
	on=$(runs_on "$1")
	after=$(wait_heartbeat "$1" "${BEFORE[$1]}" 30)
	if [ "$on" = "${HOST_OF[$1]}" ]; then
		[ "$after" -gt "${BEFORE[$1]}" ] &&
			ok "$1's heartbeat went on on host $on, where it stayed: ${BEFORE[$1]}, then $after" ||
			not_ok "$1's heartbeat on host $on: ${BEFORE[$1]} before, now '$after'"
	else
		first=$(first_beat "$on" "$1")
		[ -n "$first" ] && [ "$first" -ge "${BEFORE[$1]}" ] && [ "$after" -gt "${BEFORE[$1]}" ] &&
			ok "$1's heartbeat went on, host ${HOST_OF[$1]} to $on: ${BEFORE[$1]} before, ${first} first there, then $after" ||
			not_ok "$1's heartbeat, host ${HOST_OF[$1]} to '$on': ${BEFORE[$1]} before, first there '${first:-none}', now '$after'"
	fi
	BEFORE[$1]=$after HOST_OF[$1]=$on
}

peaks() {
	grep -E '"event":"(start|completed|failed)"' "$1" |
		sed -E 's/.*"event":"([a-z]+)".*"to":"([^"]*)".*/\1 \2/' |
		awk '$1 == "start" { n++; to[$2]++; if (n > peak) peak = n
				     if (to[$2] > hpeak) hpeak = to[$2]; next }
		     { n--; to[$2]-- }
		     END { print peak + 0, hpeak + 0 }'
}
