#!/bin/bash
# make demo: first kvm-balloon auto on a one-host lab with a 640 MiB
# memory budget, where a guest grows and the policy keeps every guest
# alive; then a two-host lab with three guests whose memory is alike, and
# the kvmops commands at work on it, one step at a time: kvm-ksm tune
# starts and paces KSM, kvm-balloon moves memory, kvm-migrate moves
# guests. It leaves that lab running to explore; make demo-stop ends it
# and puts KSM back as it was.
#
#   demo.sh        the tour
#   demo.sh stop   lab down, and the KSM knobs the demo changed restored
set -uo pipefail

K=${KVM_KSM:-kvm-ksm}
KB=${KVM_BALLOON:-kvm-balloon}
KM=${KVM_MIGRATE:-kvm-migrate}
LAB=${LAB:-$(dirname "$0")/lab/lab}
KSM_SAVED_FILE=${KVMOPS_DEMO_STATE:-/var/tmp/kvmops-demo-ksm}
BACKUPS=/var/tmp/kvmops-demo-backups # the backup tour's directory
TUNE_STATE=/var/tmp/kvmops-demo-tune.state
. "$(dirname "$0")/lab/ksm-lib.sh"

say() { printf '\n\033[1m# %s\033[0m\n' "$*"; }
step() {
	printf '\033[1m$ %s\033[0m\n' "$*"
	"$@"
}

stop() {
	"$LAB" down
	rm -rf "$BACKUPS"
	[ -f "$KSM_SAVED_FILE" ] || return 0
	KSM_SAVED=$(cat "$KSM_SAVED_FILE")
	if ksm_restore; then
		rm -f "$KSM_SAVED_FILE" "$TUNE_STATE"
		echo "KSM knobs put back as they were before the demo"
	else
		echo "demo: could not put every KSM knob back; they are in $KSM_SAVED_FILE" >&2
		return 1
	fi
}

# Once per demo: a second demo must not save the first one's settings.
save_ksm() {
	[ -f "$KSM_SAVED_FILE" ] || ksm_knobs >"$KSM_SAVED_FILE"
}

explore() {
	local u1 u2 u3
	u1=$("$LAB" uri 1) u2=$("$LAB" uri 2) u3=$("$LAB" uri 3)
	cat <<EOF

The lab is still running (host 1 drained, but for bak1). Explore it:
  $K -c $u2 vms
  $KB -c $u2 list
  $KM balance $u1 $u2 $u3 --host-mem 2G --dry-run
  $KM -c $u2 check demo1 $u1
  virsh -c $u2 list          (host 1: $u1, host 3: $u3)
  $LAB status
  $LAB heartbeat demo1
  $KM export --list $BACKUPS
  $KM verify $BACKUPS
Stop it, and put KSM back as it was:  make demo-stop
EOF
}

# Not while tests own the lab or the KSM knobs (they would undo the demo).
take_locks() {
	exec 7>/run/lock/kvmops-lab.lock 9>/run/lock/kvmops-ksm-real.lock
	flock -n 7 && flock -n 9 ||
		{ echo "demo: the lab or KSM is in use (a test run?); try again later" >&2; exit 1; }
}

tour() {
	[ "$(id -u)" = 0 ] || { echo "demo: the lab needs root" >&2; exit 1; }
	take_locks
	auto_tour
	say "The lab: three libvirt hosts on this machine, each a libvirtd in its own mount namespace on 127.0.0.x"
	"$LAB" down >/dev/null 2>&1
	step "$LAB" up --hosts 3 7>&- 9>&- || exit 1
	say "Three guests (TCG, 256 MiB) on host 1, each filling 128 MiB with the same content, and one idle"
	for i in 1 2 3; do
		"$LAB" guest "demo$i" --workload same --wss 128 || exit 1
	done
	"$LAB" guest idle1 || exit 1 # for kvm-balloon
	sleep 8
	step "$LAB" status
	save_ksm
	say "KSM before: ksmd stopped, nothing shared"
	step "$K" unmerge -q
	step "$K" status -q
	ksm_tour
	balloon_tour
	migrate_tour
	fleet_tour
	backup_tour
	explore
}

# beat NAME [ABOVE]: the guest's heartbeat (ten a second from its boot),
# once it is past ABOVE (0 by default).
beat() {
	local t n
	for t in $(seq 450); do
		n=$("$LAB" heartbeat "$1" 2>/dev/null) && [ "$n" -gt "${2:-0}" ] &&
			{ echo "$n"; return 0; }
		sleep 0.2
	done
	echo "demo: $1 does not beat" >&2
	return 1
}

# kvm-migrate: checked, watched, proven by the guest's own heartbeat.
migrate_tour() {
	local u1 u2 before after
	u1=$("$LAB" uri 1) u2=$("$LAB" uri 2)
	say "kvm-migrate: two more guests on host 1, mig1 on storage both hosts see, off1 on a disk only host 1 has"
	"$LAB" guest mig1 --disk shared --workload dirty:24 >/dev/null || exit 1
	"$LAB" guest off1 --disk local >/dev/null || exit 1
	# booted and running a few seconds, as a guest to move would be
	beat mig1 30 >/dev/null && beat off1 30 >/dev/null || exit 1
	say "Before moving mig1, check what would make it fail on host 2: the six precautions, and more"
	say "(its disk is proven shared: a probe volume made in host 1's pool appears in host 2's)"
	step "$KM" -c "$u1" check mig1 "$u2"
	say "off1's disk is in host 1's own pool. Host 2 gets an unrelated, empty volume at the same path:"
	say "the path exists on both, but it is other storage, and the check says FAIL"
	step virsh -q -c "$u2" vol-create-as default off1.qcow2 64M --format qcow2
	step "$KM" -c "$u1" check off1 "$u2"
	virsh -q -c "$u2" vol-delete off1.qcow2 --pool default >/dev/null
	before=$(beat mig1)
	say "Live migration of mig1 (heartbeat $before), which rewrites 24 MiB of its memory a second, capped at"
	say "20 MiB/s: virsh's defaults never finish it. The convergence policy says what it does, and why:"
	say "the throttle first, post-copy as the fallback (no --unsafe: libvirt does not know this directory as shared, but the probe proved it)"
	step "$KM" -c "$u1" live mig1 "$u2" --migrateuri tcp://127.0.0.3 --bandwidth 20 \
		--allow auto-converge,postcopy
	after=$(beat mig1 "$before")
	say "mig1 runs on host 2 now: its heartbeat went on from $before to $after, it never stopped."
	say "Its workload checks every page it rewrites: no write was lost in the move"
	sleep 3
	step "$LAB" integrity mig1
	step virsh -c "$u2" list
	before=$(beat off1)
	say "An offline migration of off1 (heartbeat $before): shut down, its disk copied through sparse streams"
	say "and read back (SHA-256), started on host 2, where its heartbeat starts again from boot"
	step "$KM" -c "$u1" offline off1 "$u2" --shutdown --timeout 3 --force --start
	after=$(beat off1)
	say "off1 runs on host 2: heartbeat $after"
	step virsh -c "$u2" list
}

# kvm-migrate balance and evacuate: many guests over three hosts.
fleet_tour() {
	local u1 u2 u3 g before= after=
	u1=$("$LAB" uri 1) u2=$("$LAB" uri 2) u3=$("$LAB" uri 3)
	say "kvm-migrate balance and evacuate. The lab's hosts share one machine, so each is given 2 GiB for its guests (--host-mem)"
	say "The plan that would spread memory use over the three hosts (--dry-run: nothing moves), each host's figures before and after"
	step "$KM" balance "$u1" "$u2" "$u3" --host-mem 2G --dry-run
	for g in demo1 demo2 demo3 idle1; do before="$before $(beat $g)"; done
	say "Drain host 1 for maintenance: its four guests, two at a time, at most two into one host; each placed where its check passes and it leaves the most memory free"
	step "$KM" -c "$u1" evacuate --to "$u2,$u3" --host-mem 2G
	for g in demo1 demo2 demo3 idle1; do after="$after $(beat $g)"; done
	say "Every heartbeat went on (demo1 demo2 demo3 idle1:$before ->$after): live moves, no reboot. Host 1 runs nothing"
	step "$LAB" status
}

# kvm-migrate export and import: a running guest backed up, restored elsewhere.
backup_tour() {
	local u1 u2 dir=$BACKUPS before after
	u1=$("$LAB" uri 1) u2=$("$LAB" uri 2)
	rm -rf "$dir"
	say "kvm-migrate export: bak1 on host 1, its disk qcow2 version 3 (which can hold a checkpoint's bitmap)"
	"$LAB" guest bak1 --disk local --qcow2-v3 --writer --disk-size 512 >/dev/null || exit 1
	before=$(beat bak1 30)
	say "A full backup of bak1 while it runs (heartbeat $before): libvirt's backup job copies its disk as it"
	say "was when the job began, into a scratch volume streamed into $dir; every image read back (SHA-256)"
	step "$KM" -c "$u1" export bak1 "$dir"
	say "bak1 writes 32 MiB to its disk; the incremental backup takes only what changed since the checkpoint,"
	say "and --compress has qemu-img compress it against the full one (then compared through the chain)"
	"$LAB" write bak1 32 >/dev/null || exit 1
	step "$KM" -c "$u1" export bak1 "$dir" --incremental --compress
	after=$(beat bak1 "$before")
	say "bak1 ran on through both (heartbeat $before -> $after). The directory's backups:"
	step "$KM" export --list "$dir"
	say "Restore the newest on host 2 as bak1-copy: the chain rebuilt into one image, uploaded sparse and"
	say "read back, the disk path rewritten, a new name and UUID, then started"
	step "$KM" -c "$u2" import "$dir" --name bak1-copy --start
	after=$(beat bak1-copy)
	say "bak1-copy boots on host 2 (heartbeat $after, counting from its own boot) beside the original on host 1"
	step virsh -c "$u2" list
}

# kvm-ksm tune starts KSM, and the savings it brings, guest by guest.
ksm_tour() {
	local u1 vms status
	u1=$("$LAB" uri 1)
	rm -f "$TUNE_STATE"
	say "kvm-ksm tune decides from MemAvailable and the guests' memory, read through libvirt (ksmtuned sees none of libvirt's guests). This host is roomy, so make KSM needed: --threshold 100%"
	step "$K" -c "$u1" tune --once --dry-run --threshold 100% --state "$TUNE_STATE"
	say "Let it run for 45 s, a cycle every 5 s: a line per decision, with its reason. It hands pages_to_scan to the kernel's advisor, and stops ksmd once two full scans save too little"
	step timeout -s TERM 45 "$K" -c "$u1" tune --interval 5 --threshold 100% \
		--scan-time 10 --state "$TUNE_STATE"
	say "What KSM saves for each guest: MERGED is the raw figure; SAVED each one's fair share"
	step "$K" -c "$u1" vms
	step "$K" status -q
	vms=$("$K" -c "$u1" vms --json | sed -n '/"total"/,$ s/.*"saved_bytes": *\([0-9]*\).*/\1/p')
	status=$("$K" status --json | sed -n 's/.*"saved_bytes": *\([0-9]*\).*/\1/p')
	say "The guests' shares add up to what status says KSM saves: $vms bytes and $status bytes"
}

# kvm-balloon on the same guests.
balloon_tour() {
	local u1 floor
	u1=$("$LAB" uri 1)
	say "kvm-balloon: every guest's memory in one bulk call; 'usable' is what a guest can give up without swapping"
	step "$KB" -c "$u1" list
	say "Shrink idle1 from 256 to 128 MiB, and wait for the guest to get there"
	step "$KB" -c "$u1" set idle1 128M --wait
	sleep 3
	say "The guest now sees less memory (available), and QEMU's RSS on the host follows"
	step "$KB" -c "$u1" stats idle1
	floor=$("$KB" -c "$u1" stats idle1 --json | sed -n 's/.*"floor_kib": *\([0-9]*\).*/\1/p')
	say "Below the safety floor ($((floor / 1024)) MiB: what idle1 uses plus a margin) kvm-balloon refuses, and changes nothing"
	step "$KB" -c "$u1" set idle1 $((floor / 1024 - 16))M
	say "Give it back"
	step "$KB" -c "$u1" set idle1 256M --wait
	say "Is host 1 overcommitted? (the rules of thumb: memory up to 1.5x passes)"
	step "$KB" -c "$u1" overcommit
}

# kvm-balloon auto keeps a host with a real memory budget alive: a lab
# of its own, one host whose guests share a 640 MiB memory cgroup.
auto_tour() {
	local u1 cg b0 b1
	say "kvm-balloon auto: one host whose guests share a memory cgroup of 640 MiB (the kernel enforces it: memory that is not given back is reclaimed, or a QEMU is killed)"
	"$LAB" down >/dev/null 2>&1
	step "$LAB" up --hosts 1 --host-mem 640M 7>&- 9>&- || exit 1
	u1=$("$LAB" uri 1) cg=$("$LAB" cgroup 1)
	say "Two idle guests of 256 MiB, and grow1, which will take 184 MiB at 8 MiB/s, hold it 20 s and free it"
	"$LAB" guest idle1 >/dev/null && "$LAB" guest idle2 >/dev/null || exit 1
	beat idle2 50 >/dev/null || exit 1
	"$LAB" guest grow1 --workload grow:8:20 --wss 184 >/dev/null || exit 1
	b0="$(beat idle1) $(beat idle2)"
	say "What auto would do now, changing nothing (--dry-run): the host is within its target, and grow1, still booting, has no figures yet"
	step "$KB" -c "$u1" auto --once --dry-run --cgroup "$cg"
	say "auto for 70 s, a cycle every 2 s: a line per change, with its reason. The idle guests give, down to their floors; grow1, whose use grows, is never squeezed; once it frees its memory, every balloon grows back"
	step timeout -s TERM 70 "$KB" -c "$u1" auto --interval 2 --cgroup "$cg"
	b1="$(beat idle1) $(beat idle2) $(beat grow1)"
	say "Every guest still runs and beats (idle1 idle2: $b0 -> $b1), the balloons are back, and the budget held"
	step "$KB" -c "$u1" list
	step "$LAB" status
	"$LAB" down >/dev/null
}

case ${1:-} in
stop) take_locks; stop ;;
*) tour ;;
esac
