/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkvmops: the library behind kvm-ksm, kvm-balloon and kvm-migrate.
 *
 * Conventions, for every function below unless it says otherwise:
 *  - It returns 0 or a negative errno and hands results back through
 *    out-parameters. After a failure, kvmops_last_error() holds a sentence
 *    for the user that says what went wrong and what to do next, in the
 *    library's terms; kvmops_last_remedy() names the options that would fix
 *    it, for a program to turn into its own flags.
 *  - The errnos mean one thing each: -EINVAL a bad value or values that do
 *    not fit together, -ENOENT no such domain, knob or pool, -ENODEV no
 *    balloon device, -ENODATA no figures to judge by, -E2BIG above a
 *    maximum, -EDOM below a safety floor, -ERANGE a number out of range:
 *    refusals that changed nothing. Anything else (-EIO, -EBUSY, -EPERM,
 *    -ETIMEDOUT, -ECANCELED, -EOPNOTSUPP ...) is an operation that failed.
 *  - The library never prints and never exits; it logs through the
 *    context's callback.
 *  - Memory it returns is the caller's, to free() as the function says.
 *  - One context per thread; see HACKING, "Threads".
 *  - "Since" names the version of kvmops, and the node of libkvmops.sym,
 *    that a function first came with.
 */
#ifndef LIBKVMOPS_H
#define LIBKVMOPS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <libvirt/libvirt.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- context ----------------------------------------------------------- */

struct kvmops_ctx;

/* Log priorities, as syslog's. */
#define KVMOPS_LOG_ERR 3 /* what went wrong besides the error returned */
#define KVMOPS_LOG_NOTICE 5 /* what the user should know of a success */
#define KVMOPS_LOG_INFO 6
#define KVMOPS_LOG_DEBUG 7

/* Called for each message at or below the context's log priority. */
typedef void (*kvmops_log_fn)(struct kvmops_ctx *ctx, int priority,
			      const char *file, int line, const char *fn,
			      const char *format, va_list args);

/*
 * Makes a context, with one reference, into *@ctx. Its log priority is
 * KVMOPS_LOG_ERR, or what KVMOPS_LOG says (err, notice, info, debug); it
 * logs to stderr until kvmops_set_log_fn(). -ENOMEM without memory.
 * Since 0.1 (LIBKVMOPS_1).
 */
int kvmops_new(struct kvmops_ctx **ctx);
/* Takes a reference; returns @ctx. Since 0.1 (LIBKVMOPS_1). */
struct kvmops_ctx *kvmops_ref(struct kvmops_ctx *ctx);
/*
 * Drops a reference and frees the context with the last one; returns
 * @ctx while references remain, else NULL. NULL is accepted.
 * Since 0.1 (LIBKVMOPS_1).
 */
struct kvmops_ctx *kvmops_unref(struct kvmops_ctx *ctx);

/* Replaces the log callback; NULL drops messages. Since 0.1 (LIBKVMOPS_1). */
void kvmops_set_log_fn(struct kvmops_ctx *ctx, kvmops_log_fn log_fn);
/* The priority up to which messages are logged. Since 0.1 (LIBKVMOPS_1). */
int kvmops_get_log_priority(struct kvmops_ctx *ctx);
void kvmops_set_log_priority(struct kvmops_ctx *ctx, int priority);
/* A pointer of the caller's, for its log callback. Since 0.1 (LIBKVMOPS_1). */
void kvmops_set_userdata(struct kvmops_ctx *ctx, void *userdata);
void *kvmops_get_userdata(struct kvmops_ctx *ctx);

/*
 * The message for the most recent failure on @ctx, or "" when there was
 * none. The string belongs to the context and holds until its next call.
 * Since 0.1 (LIBKVMOPS_1).
 */
const char *kvmops_last_error(struct kvmops_ctx *ctx);
/*
 * What the caller could change for the most recent failure to succeed:
 * comma-separated names of parameters, as the fields of the library's
 * structs and flags are named ("state_file", "copy_storage,unsafe",
 * "force"), or of actions ("unmerge", "stats_period"); "" for none. A
 * string constant, or the context's until its next call.
 * Since 0.2 (LIBKVMOPS_3).
 */
const char *kvmops_last_remedy(struct kvmops_ctx *ctx);
/*
 * Whether the most recent failure came of a figure the system gave rather
 * than of the caller's input: a count in a file of /sys or /proc, or a
 * size in libvirt's XML, out of range for the library's 64-bit figures
 * (such failures are -ERANGE, the message naming the file or element and
 * the value). Nothing the caller passes would fix it; a command reports it
 * as a failure, not as bad input. Since 0.7 (LIBKVMOPS_8).
 */
bool kvmops_last_error_from_system(struct kvmops_ctx *ctx);
/* The library's version, "0.3.0": a string constant. Since 0.1 (LIBKVMOPS_1). */
const char *kvmops_version(void);

/*
 * Roots under which /sys and /proc are looked up; "/" by default, or
 * KVMOPS_SYSFS_ROOT and KVMOPS_PROC_ROOT from the environment. Tests point
 * them at fixture trees. NULL or "" is "/". Set: 0 or -ENOMEM. Get: the
 * context's string, valid until the root is set again.
 * Since 0.1 (LIBKVMOPS_1).
 */
int kvmops_set_sysfs_root(struct kvmops_ctx *ctx, const char *root);
int kvmops_set_proc_root(struct kvmops_ctx *ctx, const char *root);
const char *kvmops_get_sysfs_root(struct kvmops_ctx *ctx);
const char *kvmops_get_proc_root(struct kvmops_ctx *ctx);

/* ---- libvirt connection ------------------------------------------------ */

/*
 * The URI a command should use: @explicit_uri, else KVMOPS_DEFAULT_URI,
 * else LIBVIRT_DEFAULT_URI, else NULL (libvirt's own default). The string
 * is @explicit_uri or the environment's. Since 0.1 (LIBKVMOPS_1).
 */
const char *kvmops_pick_uri(const char *explicit_uri);

/* Flags of kvmops_connect() */
#define KVMOPS_CONNECT_READONLY (1u << 0) /* enough to look, not to act */
#define KVMOPS_CONNECT_NO_EVENT_LOOP (1u << 1) /* the caller runs its own */

/*
 * Opens a connection to kvmops_pick_uri(@uri) into *@conn, with keepalive,
 * loading libvirt on first use (processes that never connect never load
 * it). Unless told not to, it runs libvirt's default event loop in a
 * thread, started once per process, which keepalive needs. Errors name the
 * URI: -ELIBACC when libvirt cannot be loaded, -ECONNREFUSED (remedy "uri")
 * when it does not answer. Close with kvmops_disconnect().
 * Since 0.1 (LIBKVMOPS_1).
 */
int kvmops_connect(struct kvmops_ctx *ctx, const char *uri, unsigned int flags,
		   virConnectPtr *conn);
/* Closes @conn; NULL is accepted. Since 0.1 (LIBKVMOPS_1). */
void kvmops_disconnect(virConnectPtr conn);

/* ---- sizes ------------------------------------------------------------- */

enum kvmops_size_kind {
	KVMOPS_SIZE_ABSOLUTE, /* 512M */
	KVMOPS_SIZE_DELTA, /* +256M, -1G */
	KVMOPS_SIZE_DELTA_PERCENT, /* +10%, -25%: of the current size */
	KVMOPS_SIZE_PERCENT, /* 50%: of the maximum */
};

struct kvmops_size {
	enum kvmops_size_kind kind;
	int sign; /* +1 or -1 for the delta kinds, else +1 */
	uint64_t kib; /* ABSOLUTE and DELTA */
	uint32_t basis_points; /* the percent kinds: 25% is 2500 */
};

/* Which forms kvmops_size_parse() accepts. */
#define KVMOPS_SIZE_ALLOW_DELTA (1u << 0)
#define KVMOPS_SIZE_ALLOW_PERCENT (1u << 1)

/*
 * Parses "512K", "512M", "1G", "1T", "1GiB", "1.5G", "2000KB" (powers of
 * ten), or a plain number of KiB, rounded up to whole KiB; with @flags
 * also "+256M", "-25%", "50%". -EINVAL naming @text for junk, a sign or a
 * percent not allowed, or an unknown unit; -ERANGE when too large.
 * Since 0.1 (LIBKVMOPS_1).
 */
int kvmops_size_parse(struct kvmops_ctx *ctx, const char *text,
		      unsigned int flags, struct kvmops_size *size);

/*
 * Turns a parsed size into KiB against the current and maximum sizes:
 * -ERANGE when a change goes below zero or overflows, or (since 0.7) a
 * percentage of a huge size passes 64 bits. Since 0.1 (LIBKVMOPS_1).
 */
int kvmops_size_resolve(struct kvmops_ctx *ctx, const struct kvmops_size *size,
			uint64_t current_kib, uint64_t max_kib,
			uint64_t *result_kib);

/*
 * "1.50 GiB", "512 MiB", "0 B": at most four significant digits, into
 * @buf; -ENOSPC when @len is too small. The text is for people, and
 * kvmops_size_parse() is not promised to read it back: it is rounded,
 * has a space before the unit, and goes up to PiB and EiB, which sizes
 * given to kvmops_size_parse() never need. Give exact figures to programs
 * in bytes (the commands' --json). Since 0.1 (LIBKVMOPS_1).
 */
int kvmops_size_format(uint64_t bytes, char *buf, size_t len);

/* ---- KSM: /sys/kernel/mm/ksm ------------------------------------------ */

struct kvmops_ksm;

enum kvmops_ksm_run {
	KVMOPS_KSM_STOP = 0,
	KVMOPS_KSM_START = 1,
	KVMOPS_KSM_UNMERGE = 2,
};

enum kvmops_ksm_type {
	KVMOPS_KSM_UINT, /* an unsigned counter or knob */
	KVMOPS_KSM_INT, /* a signed figure, such as general_profit */
	KVMOPS_KSM_BOOL, /* 0 or 1 */
	KVMOPS_KSM_CHOICE, /* "[none] scan-time": the bracketed one is set */
	KVMOPS_KSM_TEXT, /* an entry this library does not know */
};

/*
 * Reads every entry the running kernel has into *@ksm; free it with
 * kvmops_ksm_free(). -EOPNOTSUPP when the kernel has no KSM (no
 * /sys/kernel/mm/ksm, or no 'run' in it), -EACCES/-EPERM when an entry
 * cannot be read. Since 0.1 (LIBKVMOPS_1).
 */
int kvmops_ksm_read(struct kvmops_ctx *ctx, struct kvmops_ksm **ksm);
/* NULL is accepted. Since 0.1 (LIBKVMOPS_1). */
void kvmops_ksm_free(struct kvmops_ksm *ksm);

/*
 * The entries, in the kernel's (alphabetical) order. The strings belong
 * to @ksm; NULL beyond the count. Since 0.1 (LIBKVMOPS_1).
 */
size_t kvmops_ksm_count(const struct kvmops_ksm *ksm);
const char *kvmops_ksm_name(const struct kvmops_ksm *ksm, size_t i);
/* The value as the kernel wrote it, without the trailing newline. */
const char *kvmops_ksm_text(const struct kvmops_ksm *ksm, size_t i);
enum kvmops_ksm_type kvmops_ksm_type(const struct kvmops_ksm *ksm, size_t i);
/* Whether kvmops_ksm_set() may set entry @i. */
bool kvmops_ksm_is_knob(const struct kvmops_ksm *ksm, size_t i);
/* A one-line meaning (a constant), or NULL for an entry this library does not know. */
const char *kvmops_ksm_help(const struct kvmops_ksm *ksm, size_t i);
/* Index of @name, or -ENOENT when this kernel lacks it. */
ssize_t kvmops_ksm_find(const struct kvmops_ksm *ksm, const char *name);

/*
 * Typed access: -ENOENT when absent, -EINVAL when not of that type.
 * Since 0.1 (LIBKVMOPS_1).
 */
int kvmops_ksm_get_u64(const struct kvmops_ksm *ksm, const char *name,
		       uint64_t *value);
int kvmops_ksm_get_s64(const struct kvmops_ksm *ksm, const char *name,
		       int64_t *value);
/*
 * The chosen word of a choice entry such as advisor_mode: *@value points
 * to a buffer of the calling thread's, valid until its next call of this
 * function. Since 0.1 (LIBKVMOPS_1).
 */
int kvmops_ksm_get_choice(const struct kvmops_ksm *ksm, const char *name,
			  const char **value);

struct kvmops_ksm_figures {
	enum kvmops_ksm_run run;
	uint64_t page_size;
	uint64_t pages_shared;
	uint64_t pages_sharing;
	uint64_t saved_bytes; /* pages_sharing x page size */
	double sharing_ratio; /* pages_sharing / pages_shared; 0 if none */
	int64_t profit_bytes;
	bool profit_from_kernel; /* general_profit, not the formula */
	uint64_t full_scans;
};

/*
 * What the entries add up to. 0, or -ERANGE (since 0.7) when a figure
 * does not fit in 64 bits (pages_sharing in bytes, the profit worked out
 * from the page counts), with a message naming the entries: the figures
 * are not to be shown then. Since 0.1 (LIBKVMOPS_1).
 */
int kvmops_ksm_figures(struct kvmops_ctx *ctx, const struct kvmops_ksm *ksm,
		       struct kvmops_ksm_figures *figures);

/*
 * At most how many seconds ago ksmd finished its last full scan, as
 * observed through a small state file at @state_path that every call
 * updates (the kernel keeps only the count): the scan ended after the
 * previous call that saw the old count. -1 when no completed scan has been
 * observed yet. Fails (the file cannot be written) with -errno, setting
 * *@age_seconds all the same. Since 0.1 (LIBKVMOPS_1).
 */
int kvmops_ksm_scan_age(struct kvmops_ctx *ctx, const struct kvmops_ksm *ksm,
			const char *state_path, int64_t *age_seconds);

/*
 * Checks @value for knob @name against this kernel's entries and the
 * knob's type and range, without writing anything: -EINVAL (unknown knob,
 * a counter, 'run', a bad value) or -ENOENT (a knob this kernel lacks).
 * Since 0.1 (LIBKVMOPS_1).
 */
int kvmops_ksm_check(struct kvmops_ctx *ctx, const struct kvmops_ksm *ksm,
		     const char *name, const char *value);

/*
 * Writes @count knobs: checks all of them first, then writes them in
 * order; if a write fails, the knobs already written get their old values
 * back. All or nothing. The kernel's errno on a refused write: -EBUSY
 * (remedy "unmerge": pages are still shared), -EPERM/-EACCES (root).
 * Since 0.1 (LIBKVMOPS_1).
 */
int kvmops_ksm_set(struct kvmops_ctx *ctx, const char *const *names,
		   const char *const *values, size_t count);

/* Starts, stops or unmerges ksmd. Since 0.1 (LIBKVMOPS_1). */
int kvmops_ksm_set_run(struct kvmops_ctx *ctx, enum kvmops_ksm_run run);

/* The knobs this library can set, NULL-terminated constants. Since 0.1 (LIBKVMOPS_1). */
const char *const *kvmops_ksm_known_knobs(void);

/* ---- KSM per guest: QEMU processes in /proc ---------------------------- */

struct kvmops_ksm_vm {
	pid_t pid;
	char name[256]; /* the guest's name; "" when unknown */
	char uuid[37]; /* from -uuid; "" when absent */
	char emulator[64]; /* qemu-system-x86_64 */
	bool have_stat; /* false: the kernel has no per-process figures */
	uint64_t merging_pages; /* its pages mapped to a KSM page */
	uint64_t merged_bytes; /* merging_pages x page size: the raw figure */
	/*
	 * Its fair share of the saving: merging_pages x pages_sharing /
	 * (pages_sharing + pages_shared), in whole pages rounded so that the
	 * guests' shares add up to their part of pages_sharing. A page merged
	 * by four guests saves three pages, not four. Since 0.3.
	 */
	uint64_t saved_bytes;
	/*
	 * The fair share, and its pages merged into the zero page, less its
	 * KSM metadata (ksm_rmap_items). Since 0.3.
	 */
	int64_t profit_bytes;
	uint64_t rmap_items; /* ksm_rmap_items; 0 when the kernel lacks it */
	uint64_t zero_pages; /* ksm_zero_pages: merged into the zero page */
	uint64_t rss_bytes;
};

/*
 * Finds every QEMU process by its executable and reads its KSM figures,
 * and KSM's pages_shared and pages_sharing for the fair shares. With
 * @conn, guest names come from libvirt (by UUID). *@vms is sorted by
 * saved_bytes, largest first; free it with free(). -EACCES when no process
 * could be inspected as a user who is not root; -ERANGE (since 0.7),
 * with a message naming the file and the figure, when a count of
 * /proc/PID/ksm_stat, ksm_merging_pages or status, or KSM's pages_shared
 * or pages_sharing, passes what a 64-bit byte figure holds. Since 0.1
 * (LIBKVMOPS_1); fair shares since 0.3.
 */
int kvmops_ksm_vms(struct kvmops_ctx *ctx, virConnectPtr conn,
		   struct kvmops_ksm_vm **vms, size_t *count);

/*
 * Sets each guest's fair share (saved_bytes, profit_bytes) from its
 * merging_pages, rmap_items and KSM's @pages_shared and @pages_sharing:
 * largest remainders, so that the shares of guests that hold every merged
 * page add up to pages_sharing exactly. Pure. A byte figure that would
 * pass 64 bits stops at the type's limit (since 0.7: the figures
 * kvmops_ksm_vms() reads never do). Since 0.3 (LIBKVMOPS_4).
 */
void kvmops_ksm_fair_shares(struct kvmops_ksm_vm *vms, size_t count,
			    uint64_t pages_shared, uint64_t pages_sharing,
			    uint64_t page_size);

/* ---- KSM tuning: the policy of kvm-ksm tune ------------------------------ */

/*
 * What the tuner may do. kvmops_ksm_tune_defaults() fills in the defaults;
 * ksmtuned's names are in the comments. The field names are the names a
 * remedy uses.
 */
struct kvmops_ksm_tune_config {
	unsigned int threshold_percent; /* of MemTotal (KSM_THRES_COEF): 20 */
	uint64_t threshold_min_kib; /* the threshold's floor (KSM_THRES_CONST) */
	unsigned int npages_boost; /* KSM_NPAGES_BOOST: 300 */
	int npages_decay; /* KSM_NPAGES_DECAY: -50 */
	unsigned int npages_min, npages_max; /* KSM_NPAGES_MIN/MAX: 64, 1250 */
	unsigned int sleep_ms_16g; /* KSM_SLEEP_MSEC: ksmd's sleep on 16 GiB */
	unsigned int max_cpu_percent; /* ksmd's CPU, of one CPU: 25 */
	unsigned int scan_time_s; /* the advisor's target full scan: 200 */
	/* Less gain than this over two full scans stops ksmd. */
	unsigned int min_gain_basis_points; /* of guest memory: 100 (1%) */
	uint64_t min_gain_kib; /* instead, when not 0 */
	unsigned int backoff_cycles; /* cycles stopped before looking again */
	bool no_advisor; /* ksmtuned's rules even where the advisor exists */
};

/* The defaults: ksmtuned's, and the values above. Since 0.3 (LIBKVMOPS_4). */
void kvmops_ksm_tune_defaults(struct kvmops_ksm_tune_config *config);

/*
 * -EINVAL naming the field (as the remedy) whose value is out of range or
 * does not fit another: npages_min above npages_max, max_cpu_percent not
 * 1..100, scan_time_s or backoff_cycles 0, threshold_percent above 100.
 * Since 0.3 (LIBKVMOPS_4).
 */
int kvmops_ksm_tune_config_check(struct kvmops_ctx *ctx,
				 const struct kvmops_ksm_tune_config *config);

/* What one cycle sees: kvmops_ksm_tune_gather() reads it. */
struct kvmops_ksm_tune_figures {
	char boot_id[40]; /* a reboot makes the carried state stale */
	uint64_t now_ms; /* CLOCK_BOOTTIME */
	uint64_t mem_total_kib, mem_available_kib;
	unsigned int guests; /* running guests */
	uint64_t guest_kib; /* the memory the running guests may use */
	bool guests_from_libvirt; /* else the RSS of the QEMU processes */
	unsigned int qemu_processes;
	uint64_t guest_set; /* a hash of the QEMU pids: it changes with them */
	struct kvmops_ksm_figures ksm;
	uint64_t pages_unshared, pages_volatile;
	uint64_t pages_scanned; /* 0 without the counter (before Linux 6.4) */
	uint64_t pages_to_scan, sleep_ms;
	bool have_advisor; /* advisor_mode exists (Linux 6.7) */
	bool advisor_on; /* advisor_mode is scan-time */
	uint64_t advisor_max_cpu, advisor_target_s, advisor_max_pages;
	pid_t ksmd_pid; /* 0 when not found */
	bool have_ksmd_cpu;
	uint64_t ksmd_cpu_ms; /* utime + stime of ksmd */
};

enum kvmops_ksm_tune_action {
	KVMOPS_KSM_TUNE_IDLE, /* ksmd is stopped and stays so */
	KVMOPS_KSM_TUNE_START, /* ksmd starts */
	KVMOPS_KSM_TUNE_KEEP, /* ksmd runs on as it is */
	KVMOPS_KSM_TUNE_ADJUST, /* ksmd runs on at another speed */
	KVMOPS_KSM_TUNE_STOP, /* KSM is not needed: ksmd stops */
	KVMOPS_KSM_TUNE_BACKOFF, /* KSM does not pay: ksmd stops a while */
};

/* "idle", "start", "keep", "adjust", "stop", "back-off". Since 0.3 (LIBKVMOPS_4). */
const char *kvmops_ksm_tune_action_name(enum kvmops_ksm_tune_action action);

/*
 * What the tuner carries from cycle to cycle (kvmops_ksm_tune_state_load
 * and _save keep it in a file between runs). Zeroed, it is a first cycle.
 */
struct kvmops_ksm_tune_state {
	bool valid;
	char boot_id[40];
	uint64_t at_ms; /* the cycle's now_ms */
	pid_t ksmd_pid;
	bool have_ksmd_cpu;
	uint64_t ksmd_cpu_ms;
	uint64_t pages_scanned;
	uint64_t guest_set;
	unsigned int qemu_processes;
	unsigned int npages; /* ksmtuned's pages_to_scan, boosted and decayed */
	bool window_open; /* counting the gain since window_scans */
	uint64_t window_scans, window_sharing;
	unsigned int backoff_left; /* cycles to stay stopped */
	bool backed_off; /* stopped because the scans did not pay */
	uint64_t advisor_cap; /* advisor_max_pages_to_scan set by the CPU cap */
	uint64_t advisor_cap_from; /* its value before; 0: never capped */
	bool advisor_armed; /* the advisor ran through the last cycle */
	unsigned long cycles;
	enum kvmops_ksm_tune_action last;
};

/* What a cycle decided, and why. */
struct kvmops_ksm_tune_decision {
	enum kvmops_ksm_tune_action action;
	bool needed; /* KSM is needed */
	uint64_t threshold_kib;
	double ksmd_cpu_percent; /* since the last cycle; negative: unknown */
	uint64_t gain_bytes; /* the window just closed: its gain */
	bool window_closed;
	enum kvmops_ksm_run run; /* what run should be */
	bool advisor; /* the advisor sets pages_to_scan */
	bool set_advisor_mode; /* write advisor_mode as .advisor says */
	bool rearm_advisor; /* turn it off and on (HACKING, "KSM tuning") */
	/* Knobs to write; 0: leave as they are. */
	uint64_t pages_to_scan, sleep_ms;
	uint64_t advisor_max_cpu, advisor_target_s, advisor_max_pages;
	char reason[640]; /* one line: "start: MemAvailable ... < threshold ..." */
};

/*
 * One cycle of the policy (HACKING, "KSM tuning"): from @figures and the
 * carried @state, which it updates, into *@decision. Pure: no I/O, no
 * clock. Since 0.3 (LIBKVMOPS_4).
 */
void kvmops_ksm_tune_decide(const struct kvmops_ksm_tune_config *config,
			    const struct kvmops_ksm_tune_figures *figures,
			    struct kvmops_ksm_tune_state *state,
			    struct kvmops_ksm_tune_decision *decision);

/*
 * Reads what a cycle needs: /proc/meminfo, KSM, the QEMU processes, ksmd's
 * CPU time (/proc/PID/stat of the kernel thread ksmd; @state's pid is
 * tried first) and, with @conn, the memory of the running guests from
 * libvirt (balloon.current). Without @conn, or when libvirt does not
 * answer (logged), the guests' memory is their QEMU processes' RSS.
 * Since 0.3 (LIBKVMOPS_4).
 */
int kvmops_ksm_tune_gather(struct kvmops_ctx *ctx, virConnectPtr conn,
			   const struct kvmops_ksm_tune_state *state,
			   struct kvmops_ksm_tune_figures *figures);

/*
 * Writes what @decision says to /sys/kernel/mm/ksm, in an order the
 * kernel accepts (the advisor's mode before pages_to_scan, run last).
 * Since 0.3 (LIBKVMOPS_4).
 */
int kvmops_ksm_tune_apply(struct kvmops_ctx *ctx,
			  const struct kvmops_ksm_tune_decision *decision);

/*
 * Whether the gain window open in @state (HACKING, "KSM tuning") is due
 * for judging: its last full scan has ended. It reads one counter, for a
 * loop to call between cycles and judge when the scan ends instead of at
 * the next interval. Returns 1 when due, 0 when not or when no window is
 * open, a negative errno when full_scans cannot be read. Since 0.3
 * (LIBKVMOPS_4).
 */
int kvmops_ksm_tune_window_due(struct kvmops_ctx *ctx,
			       const struct kvmops_ksm_tune_state *state);

/*
 * The state kept at @path: a missing file is a first cycle (0, state
 * zeroed); -EINVAL for a file that is not one. Saving writes a temporary
 * file and renames it. Since 0.3 (LIBKVMOPS_4).
 */
int kvmops_ksm_tune_state_load(struct kvmops_ctx *ctx, const char *path,
			       struct kvmops_ksm_tune_state *state);
int kvmops_ksm_tune_state_save(struct kvmops_ctx *ctx, const char *path,
			       const struct kvmops_ksm_tune_state *state);

/* The knobs the tuner changes, as they were, to put back. */
struct kvmops_ksm_knobs {
	enum kvmops_ksm_run run;
	uint64_t pages_to_scan, sleep_ms;
	bool have_advisor, advisor_on;
	uint64_t advisor_max_cpu, advisor_target_s, advisor_max_pages;
};

/*
 * Reads the knobs the tuner changes; writes them back (the advisor's
 * settings, then pages_to_scan, then run). Since 0.3 (LIBKVMOPS_4).
 */
int kvmops_ksm_knobs_read(struct kvmops_ctx *ctx,
			  struct kvmops_ksm_knobs *knobs);
int kvmops_ksm_knobs_restore(struct kvmops_ctx *ctx,
			     const struct kvmops_ksm_knobs *knobs);

/* ---- virtio balloon -------------------------------------------------- */

/* Which of a guest's figures arrived (struct kvmops_balloon.have) */
#define KVMOPS_BALLOON_HAVE_USABLE (1u << 0)
#define KVMOPS_BALLOON_HAVE_UNUSED (1u << 1)
#define KVMOPS_BALLOON_HAVE_AVAILABLE (1u << 2)
#define KVMOPS_BALLOON_HAVE_DISK_CACHES (1u << 3)
#define KVMOPS_BALLOON_HAVE_RSS (1u << 4)
#define KVMOPS_BALLOON_HAVE_SWAP (1u << 5)
#define KVMOPS_BALLOON_HAVE_FAULTS (1u << 6)
#define KVMOPS_BALLOON_HAVE_LAST_UPDATE (1u << 7)

/* What keeps the balloon from being seen or steered (.problems) */
#define KVMOPS_BALLOON_NO_DEVICE (1u << 0) /* <memballoon model='none'/> */
#define KVMOPS_BALLOON_NO_PERIOD (1u << 1) /* no stats period: no stats */
#define KVMOPS_BALLOON_NO_DRIVER (1u << 2) /* a period, yet no stats */
#define KVMOPS_BALLOON_STALE (1u << 3) /* stats stopped coming */

struct kvmops_balloon {
	char name[256];
	int state; /* virDomainState */
	uint64_t current_kib; /* what the guest has now */
	uint64_t max_kib; /* the most it may have */
	unsigned int have; /* KVMOPS_BALLOON_HAVE_* */
	uint64_t usable_kib; /* what it can give up without swapping */
	uint64_t unused_kib; /* free, not even cache (MemFree) */
	uint64_t available_kib; /* what the guest sees as its memory */
	uint64_t disk_caches_kib;
	uint64_t rss_kib; /* its QEMU process on the host */
	uint64_t swap_in_kib, swap_out_kib;
	uint64_t major_faults, minor_faults;
	int64_t stats_age; /* seconds since the guest's last stats */
	int stats_period; /* seconds; 0 none, -1 not looked up */
	uint64_t min_guarantee_kib; /* <memtune>, 0 without */
	unsigned int problems; /* KVMOPS_BALLOON_NO_* and _STALE */
};

/* Which domains kvmops_balloon_list() returns (0: all) */
#define KVMOPS_BALLOON_LIST_ACTIVE (1u << 0)
#define KVMOPS_BALLOON_LIST_INACTIVE (1u << 1)

/*
 * Every domain of @conn (or those @flags select), in one bulk call. The
 * domain XML is read only for running guests whose stats are missing or
 * old, to say why. Free *@list with free(). Since 0.1 (LIBKVMOPS_1).
 */
int kvmops_balloon_list(struct kvmops_ctx *ctx, virConnectPtr conn,
			unsigned int flags, struct kvmops_balloon **list,
			size_t *count);
/*
 * One domain, with its XML details (period, min_guarantee) always read.
 * -ENOENT naming it when there is none. Since 0.1 (LIBKVMOPS_1).
 */
int kvmops_balloon_get(struct kvmops_ctx *ctx, virConnectPtr conn,
		       const char *name, struct kvmops_balloon *balloon);

/* kvmops_balloon_floor() and kvmops_balloon_set(): the default margin. */
#define KVMOPS_BALLOON_DEFAULT_MARGIN UINT64_MAX

/*
 * The margin a guest keeps above what it uses unless told otherwise: the
 * larger of 32 MiB and 10% of its maximum, in KiB. Since 0.2 (LIBKVMOPS_3).
 */
uint64_t kvmops_balloon_default_margin(const struct kvmops_balloon *balloon);

/*
 * The safety floor into *@floor_kib: memory in use (current - usable) plus
 * @margin_kib (KVMOPS_BALLOON_DEFAULT_MARGIN: the default), raised to
 * <min_guarantee>. -ENODATA without the guest's stats (remedy "force", and
 * "stats_period" when it has no period). Since 0.1 (LIBKVMOPS_1).
 */
int kvmops_balloon_floor(struct kvmops_ctx *ctx,
			 const struct kvmops_balloon *balloon,
			 uint64_t margin_kib, uint64_t *floor_kib);

/* Flags of kvmops_balloon_resize() and kvmops_balloon_set() */
#define KVMOPS_BALLOON_LIVE (1u << 0)
#define KVMOPS_BALLOON_CONFIG (1u << 1)
#define KVMOPS_BALLOON_FORCE (1u << 2) /* below the floor */
#define KVMOPS_BALLOON_RAISE_MAX (1u << 3) /* above the maximum: raise it */

/* What kvmops_balloon_resize() did. */
struct kvmops_balloon_change {
	uint64_t before_kib; /* the size it had (live, or in its config) */
	uint64_t target_kib; /* the size asked for */
	unsigned int flags; /* the flags applied: where (LIVE and/or CONFIG) */
};

/*
 * Sets the balloon of @name to @size (absolute, +/- relative, or a percent
 * of the maximum) after every check; nothing changes when one fails. With
 * neither KVMOPS_BALLOON_LIVE nor _CONFIG, as virsh's --current: the
 * running guest, or the config of one that is off. @margin is a size or a
 * percent of the maximum; NULL is the default margin. Only a shrinking
 * live change is held to the floor. Refusals: -ENOENT (no domain), -ENODEV
 * (no balloon), -ENODATA (no stats; remedy "force"), -EINVAL (zero,
 * negative, or live for a guest that is off: remedy "config"), -E2BIG
 * (above the maximum: remedy "raise_max"), -EDOM (below the floor: remedy
 * "force"). *@change says what was done, and before what.
 * Since 0.2 (LIBKVMOPS_3).
 */
int kvmops_balloon_resize(struct kvmops_ctx *ctx, virConnectPtr conn,
			  const char *name, const struct kvmops_size *size,
			  unsigned int flags, const struct kvmops_size *margin,
			  struct kvmops_balloon_change *change);

/*
 * kvmops_balloon_resize() with a margin in KiB
 * (KVMOPS_BALLOON_DEFAULT_MARGIN: the default); *@target_kib gets the
 * target. Since 0.1 (LIBKVMOPS_1); the defaults of neither live nor config,
 * and of the margin, since 0.2.
 */
int kvmops_balloon_set(struct kvmops_ctx *ctx, virConnectPtr conn,
		       const char *name, const struct kvmops_size *size,
		       unsigned int flags, uint64_t margin_kib,
		       uint64_t *target_kib);

/*
 * Waits until the balloon of @name is within @tolerance_kib of
 * @target_kib, or @timeout_ms passes (-ETIMEDOUT), or it stops moving
 * short of the target for @stall_ms (-EAGAIN), or *@cancel (if given)
 * turns non-zero (-ECANCELED). *@reached_kib gets where it is. Once there,
 * it waits briefly for the guest's next stats, so that they describe the
 * new size. Since 0.1 (LIBKVMOPS_1).
 */
int kvmops_balloon_wait(struct kvmops_ctx *ctx, virConnectPtr conn,
			const char *name, uint64_t target_kib,
			uint64_t tolerance_kib, unsigned int timeout_ms,
			unsigned int stall_ms, const volatile int *cancel,
			uint64_t *reached_kib);

/*
 * Sets the stats period of @name, in seconds (0: off; negative: -EINVAL);
 * flags KVMOPS_BALLOON_LIVE and/or _CONFIG, and with neither, the running
 * guest and its config if it has one, or the config of one that is off.
 * Since 0.1 (LIBKVMOPS_1); the default of neither since 0.2.
 */
int kvmops_balloon_set_period(struct kvmops_ctx *ctx, virConnectPtr conn,
			      const char *name, int seconds,
			      unsigned int flags);

/* ---- verdicts and the host's overcommit ------------------------------- */

enum kvmops_verdict {
	KVMOPS_VERDICT_PASS = 0,
	KVMOPS_VERDICT_WARN = 1,
	KVMOPS_VERDICT_FAIL = 2,
};

/*
 * "PASS", "WARN" or "FAIL" (a constant; anything else is "FAIL"): the
 * words every verdict is given in. Since 0.2 (LIBKVMOPS_3).
 */
const char *kvmops_verdict_name(enum kvmops_verdict verdict);

struct kvmops_overcommit {
	uint64_t host_mem_kib, host_free_kib;
	unsigned int host_cpus;
	unsigned int guests; /* running */
	uint64_t sum_max_kib, sum_current_kib;
	unsigned int sum_vcpus;
	unsigned int widest_vcpus; /* the guest with the most vCPUs */
	char widest_name[256];
	unsigned int multi_vcpu_guests; /* guests with more than one vCPU */
	uint64_t reclaimed_kib; /* balloons: sum of max - current */
	bool have_ksm;
	uint64_t ksm_saved_bytes;
	double mem_ratio; /* sum_max / host memory */
	double vcpu_ratio; /* sum_vcpus / host CPUs */
	enum kvmops_verdict mem_verdict, vcpu_verdict;
};

/*
 * Reads the host and its running guests (one bulk call), and KSM's saving
 * when @conn's host is this machine, then judges (kvmops_overcommit_judge).
 * Since 0.1 (LIBKVMOPS_1).
 */
int kvmops_overcommit(struct kvmops_ctx *ctx, virConnectPtr conn,
		      struct kvmops_overcommit *oc);

/*
 * Sets the ratios and verdicts of @oc from its figures, by the rules of
 * thumb in HACKING ("Overcommit"): memory up to 1.5x passes, above it a
 * warning, above 2x a failure; a guest with more vCPUs than the host has
 * CPUs fails; more vCPUs than CPUs in all, with guests of several vCPUs,
 * is a warning. Since 0.1 (LIBKVMOPS_1).
 */
void kvmops_overcommit_judge(struct kvmops_overcommit *oc);

/* ---- the automatic balloon policy (kvm-balloon auto) ------------------ */

/*
 * What the policy may do. kvmops_balloon_auto_defaults() fills in the
 * defaults given in the comments. The field names are the names a remedy
 * uses.
 */
struct kvmops_balloon_auto_config {
	unsigned int
		target_percent; /* host use above this share of the budget is pressure: 80 */
	double psi_some_avg10; /* PSI "some avg10" above this is pressure: 10 */
	uint64_t max_step_kib; /* per guest per cycle; 0: max(5% of current, 64 MiB) */
	uint64_t deadband_kib; /* smaller changes are left undone: 16 MiB */
	unsigned int
		guest_usable_percent; /* usable below this share of current: 10 */
	unsigned int major_faults_per_s; /* more than this many, rising: 10 */
	unsigned int default_share; /* 1000 */
};

/* The defaults above. Since 0.4 (LIBKVMOPS_5). */
void kvmops_balloon_auto_defaults(struct kvmops_balloon_auto_config *config);

/*
 * -EINVAL naming the field (as the remedy) whose value is out of range:
 * target_percent not 1..100, psi_some_avg10 not 0..100, default_share 0.
 * Since 0.4 (LIBKVMOPS_5).
 */
int kvmops_balloon_auto_config_check(
	struct kvmops_ctx *ctx,
	const struct kvmops_balloon_auto_config *config);

/* The host's side of a cycle: the budget the guests live in, and its use. */
struct kvmops_balloon_auto_host {
	uint64_t budget_kib; /* MemTotal, or the cgroup's limit */
	uint64_t used_kib; /* MemTotal - MemAvailable, or usage - inactive file */
	bool have_psi;
	double psi_some_avg10;
	uint64_t elapsed_ms; /* since the last cycle; 0 on the first */
	uint64_t last_used_kib; /* used_kib at the last cycle; 0 on the first */
	unsigned int cgroup_version; /* 1 or 2; 0: the whole host */
	bool unlimited; /* the cgroup has no limit: the budget is MemTotal */
};

/*
 * The host's side of a cycle, all but elapsed_ms and last_used_kib (the
 * caller's clock and memory, kept as they are).
 * @cgroup NULL: /proc/meminfo and /proc/pressure/memory. Else a memory
 * cgroup, by its path under /sys/fs/cgroup ("machine.slice") or in full:
 * on cgroup v2 memory.max, memory.current less memory.stat's
 * inactive_file, and memory.pressure; on v1 (/sys/fs/cgroup/memory/...)
 * memory.limit_in_bytes, memory.usage_in_bytes less total_inactive_file,
 * and the host's PSI. A cgroup without a limit has MemTotal as its budget
 * (.unlimited). -ENOENT naming the path for no such cgroup. Since 0.4
 * (LIBKVMOPS_5).
 */
int kvmops_balloon_auto_host_read(struct kvmops_ctx *ctx, const char *cgroup,
				  struct kvmops_balloon_auto_host *host);

/* Why the policy leaves a guest alone whatever the host needs. */
enum kvmops_balloon_auto_skip {
	KVMOPS_BALLOON_AUTO_JUDGED, /* not skipped */
	KVMOPS_BALLOON_AUTO_NOT_RUNNING,
	KVMOPS_BALLOON_AUTO_NO_BALLOON, /* no balloon device */
	KVMOPS_BALLOON_AUTO_NO_STATS, /* no stats period, or no guest driver */
	KVMOPS_BALLOON_AUTO_STALE, /* its stats stopped coming */
	KVMOPS_BALLOON_AUTO_MIGRATING, /* in a libvirt job: a migration, a save */
};

/*
 * One guest: its figures (struct kvmops_balloon, its floor as
 * kvmops_balloon_floor() computes it, its share, whether a migration job
 * runs) in; what the policy carries between cycles (the counters it
 * compares, whether it said why it skips the guest) kept here too, so the
 * caller keeps the array from cycle to cycle, matched by name.
 */
struct kvmops_balloon_auto_guest {
	struct kvmops_balloon balloon;
	uint64_t floor_kib;
	unsigned int share; /* 0: the default share */
	bool migrating;
	/* carried: */
	bool seen; /* the counters below are from an earlier cycle */
	uint64_t last_swap_in_kib, last_major_faults;
	uint64_t last_in_use_kib; /* current - usable at the last cycle */
	unsigned int recheck_in; /* cycles before a guest without stats is
				    looked up again: 0 next cycle */
	bool skip_said; /* why it is skipped was said, once */
};

enum kvmops_balloon_auto_action {
	KVMOPS_BALLOON_AUTO_KEEP, /* the balloon stays */
	KVMOPS_BALLOON_AUTO_SHRINK, /* to a smaller size */
	KVMOPS_BALLOON_AUTO_GROW, /* to a larger size */
	KVMOPS_BALLOON_AUTO_SKIP, /* not judged (see .skip) */
};

/* "keep", "shrink", "grow", "skip". Since 0.4 (LIBKVMOPS_5). */
const char *
kvmops_balloon_auto_action_name(enum kvmops_balloon_auto_action action);

/* What the policy decided for one guest (same index as its guest). */
struct kvmops_balloon_auto_decision {
	enum kvmops_balloon_auto_action action;
	enum kvmops_balloon_auto_skip skip;
	bool pressured; /* the guest itself is short of memory */
	char pressure[96]; /* why: "swapping in (4 MiB since the last cycle)" */
	uint64_t use_rise_kib; /* its use grew this much: not shrunk */
	bool say; /* a skip said for the first time, or a change */
	uint64_t from_kib, to_kib;
	char reason[256]; /* one line: "shrink: host use 82% > target 80%; ..." */
};

/* What the policy decided for the host. */
struct kvmops_balloon_auto_verdict {
	bool pressure; /* use above the target, or PSI above its limit */
	uint64_t target_kib; /* the use aimed at */
	uint64_t rise_kib; /* used - last_used when use rose, else 0 */
	int64_t gap_kib; /* used + rise - target: > 0 to reclaim, < 0 room */
	unsigned int shrinking, growing, skipped;
	char reason[256]; /* "host use 520 MiB of 640 MiB (81%) > target 80%" */
};

/*
 * One cycle (HACKING, "Automatic ballooning"): from @host and the @count
 * @guests (whose carried fields it updates) into @decisions (an array of
 * @count) and *@verdict. Pure: no I/O, no clock. Since 0.4 (LIBKVMOPS_5).
 */
void kvmops_balloon_auto_decide(const struct kvmops_balloon_auto_config *config,
				const struct kvmops_balloon_auto_host *host,
				struct kvmops_balloon_auto_guest *guests,
				size_t count,
				struct kvmops_balloon_auto_decision *decisions,
				struct kvmops_balloon_auto_verdict *verdict);

/*
 * The running guests for a cycle, in one bulk stats call: each with its
 * floor (kvmops_balloon_floor with the default margin; current when it
 * has no stats) and what the same-named guest of *@guests (the last
 * cycle's array, or NULL) carried: its share, its counters, whether a job
 * ran (asked again until it ends). A guest that has no balloon figures for
 * a lasting reason (no device, no period, no driver) keeps its last
 * figures for up to 6 cycles before it is looked up again (per-domain
 * calls), or until its recheck_in is set to 0 (after its period or its
 * balloon was changed). Replaces *@guests (free() it).
 * Since 0.4 (LIBKVMOPS_5).
 */
int kvmops_balloon_auto_gather(struct kvmops_ctx *ctx, virConnectPtr conn,
			       struct kvmops_balloon_auto_guest **guests,
			       size_t *count);

/*
 * Makes each shrink and grow of @decisions live (never the persistent
 * definition), first asking libvirt whether the guest is in a job: one
 * that is (a migration, a save, a backup) is left as it is, its decision
 * turned into a skip and its guest marked for the next cycle. *@changed
 * counts the balloons set. A change libvirt refuses puts its error in
 * the decision's reason; then -EIO, the other changes made. Since 0.4
 * (LIBKVMOPS_5).
 */
int kvmops_balloon_auto_apply(struct kvmops_ctx *ctx, virConnectPtr conn,
			      struct kvmops_balloon_auto_guest *guests,
			      struct kvmops_balloon_auto_decision *decisions,
			      size_t count, unsigned int *changed);

/* ---- domains ----------------------------------------------------------- */

/*
 * "running", "shut-off": a virDomainState as one word (a constant);
 * "unknown" for any other number. Since 0.2 (LIBKVMOPS_3).
 */
const char *kvmops_state_name(int state);

/*
 * Names of the domains (KVMOPS_BALLOON_LIST_* flags; 0: all) into
 * *@names, NULL-terminated as well; free with kvmops_free_names().
 * Since 0.1 (LIBKVMOPS_1).
 */
int kvmops_domain_names(struct kvmops_ctx *ctx, virConnectPtr conn,
			unsigned int flags, char ***names, size_t *count);
void kvmops_free_names(char **names, size_t count);

/* ---- migration --------------------------------------------------------- */

enum kvmops_migrate_kind {
	KVMOPS_MIGRATE_LIVE, /* memory only; disks on shared storage */
	KVMOPS_MIGRATE_COPY_STORAGE, /* live, copying the disks too */
	KVMOPS_MIGRATE_OFFLINE, /* shut off: disks and definition */
};

enum kvmops_copy_storage {
	KVMOPS_COPY_NONE,
	KVMOPS_COPY_ALL, /* whole disks */
	KVMOPS_COPY_INC, /* only the top image; the backing is on both hosts */
};

enum kvmops_on_timeout {
	KVMOPS_ON_TIMEOUT_ABORT,
	KVMOPS_ON_TIMEOUT_SUSPEND, /* pause the guest so the copy catches up */
	KVMOPS_ON_TIMEOUT_POSTCOPY, /* switch to post-copy */
};

/* ---- convergence (kvm-migrate live --converge auto) ------------------- */

/*
 * What the convergence policy may do besides raising the downtime limit
 * up to the admin's maximum.
 */
enum kvmops_converge_allow {
	KVMOPS_CONVERGE_ALLOW_AUTO_CONVERGE = 1 << 0, /* QEMU's CPU throttle */
	KVMOPS_CONVERGE_ALLOW_POSTCOPY = 1 << 1, /* switch to post-copy */
	KVMOPS_CONVERGE_ALLOW_SUSPEND = 1 << 2, /* pause the guest to finish */
};

/*
 * The admin's limits and the policy's constants; kvmops_converge_defaults()
 * fills in the defaults given here.
 */
struct kvmops_converge_config {
	uint64_t max_downtime_ms; /* the most the admin accepts: 500 */
	/* the limit a move starts with: 300, or the maximum if lower */
	uint64_t start_downtime_ms;
	unsigned int allow; /* kvmops_converge_allow flags: auto-converge */
	unsigned int window_passes; /* the progress window: 3 passes, */
	uint64_t window_ms; /* or 20 s, whichever comes first */
	unsigned int
		stall_percent; /* stalled at or above this share of the best: 96 */
	unsigned int ewma_percent; /* weight of a new bandwidth sample: 40 */
	unsigned int
		abort_percent; /* of max_downtime_ms, for an early abort: 150 */
	unsigned int throttle_initial; /* auto-converge's first step: 20 */
	unsigned int throttle_increment; /* and each next one: 20 */
	unsigned int throttle_max; /* QEMU's top throttle: 99 */
	uint64_t timeout_ms; /* the move's deadline, from its start; 0: none */
};

/* The defaults above. Since 0.6 (LIBKVMOPS_7). */
void kvmops_converge_defaults(struct kvmops_converge_config *config);

/*
 * -EINVAL naming the field (as the remedy) whose value is out of range:
 * max_downtime_ms 0 or above 60000, start_downtime_ms 0, allow with
 * unknown flags, window_passes 0, window_ms 0, stall_percent or
 * ewma_percent not 1..100, abort_percent below 100, throttle_initial,
 * throttle_increment or throttle_max not 1..99. Since 0.6 (LIBKVMOPS_7).
 */
int kvmops_converge_config_check(struct kvmops_ctx *ctx,
				 const struct kvmops_converge_config *config);

/*
 * The default timeout of a live move of a guest of @mem_bytes: 150 s per
 * GiB, at least 60 s. Since 0.6 (LIBKVMOPS_7).
 */
unsigned int kvmops_converge_timeout_s(uint64_t mem_bytes);

/* One look at a migration job, every 250 ms or so. */
struct kvmops_converge_sample {
	uint64_t time_ms; /* since the move began */
	uint64_t iteration; /* the memory pass, from 1 */
	uint64_t remaining; /* bytes of memory still to send */
	uint64_t dirty_bps; /* bytes the guest dirties per second */
	uint64_t bps; /* bytes sent per second */
	unsigned int throttle_percent; /* auto-converge's CPU throttle */
	bool postcopy; /* the move runs in post-copy already */
	bool network_alive; /* the destination still answers */
};

enum kvmops_converge_action {
	KVMOPS_CONVERGE_NONE, /* nothing new to do or say */
	KVMOPS_CONVERGE_RAISE_LIMIT, /* set the downtime limit to limit_ms */
	KVMOPS_CONVERGE_WAIT, /* stalled, but the throttle is still rising */
	KVMOPS_CONVERGE_POSTCOPY, /* switch to post-copy */
	KVMOPS_CONVERGE_SUSPEND, /* pause the guest so the copy finishes */
	KVMOPS_CONVERGE_ABORT, /* hopeless: abort now, not at the timeout */
};

/* "raise-limit", "wait", ...: a constant. Since 0.6 (LIBKVMOPS_7). */
const char *kvmops_converge_action_name(enum kvmops_converge_action action);

/* A memory pass as the policy saw it: its remaining data at the start. */
struct kvmops_converge_pass {
	uint64_t iteration;
	uint64_t start_ms;
	uint64_t remaining; /* the most seen in the pass: what its sync left */
};

#define KVMOPS_CONVERGE_PASSES 32

/*
 * What the policy remembers between samples. Zero it, then
 * kvmops_converge_start(); the fields are for reading only.
 */
struct kvmops_converge_state {
	uint64_t limit_ms; /* the downtime limit the move has now */
	uint64_t bps; /* the smoothed bandwidth, bytes per second */
	struct kvmops_converge_pass passes[KVMOPS_CONVERGE_PASSES]; /* a ring */
	size_t npasses; /* passes seen (iteration 2 on); the last is current */
	unsigned int throttle_waited; /* the throttle at the last WAIT */
	unsigned int throttle_top; /* the highest throttle seen */
	uint64_t throttle_rose_ms; /* when it rose to that */
	unsigned int actions; /* decisions other than NONE */
	bool postcopy, suspended, aborted; /* done; nothing more to decide */
};

/* The state of a move that starts now, under @config. Since 0.6 (LIBKVMOPS_7). */
void kvmops_converge_start(const struct kvmops_converge_config *config,
			   struct kvmops_converge_state *state);

/* What the policy decided on one sample, and the figures it went by. */
struct kvmops_converge_decision {
	enum kvmops_converge_action action;
	uint64_t pass; /* the sample's iteration */
	uint64_t limit_ms; /* the downtime limit after this decision */
	uint64_t old_limit_ms; /* and before it */
	uint64_t implied_ms; /* remaining / smoothed bandwidth */
	uint64_t remaining,
		best; /* this pass's remaining; the best before the window */
	uint64_t dirty_bps, bps;
	unsigned int throttle_percent;
	bool stalled;
	bool slow; /* progressing, but at the window's pace past the timeout */
	uint64_t finish_ms; /* when, at that pace; 0: not projected */
	char reason[320]; /* one line, for the log: the figures and the why */
};

/*
 * The policy's decision on @sample (kvm-migrate(1), CONVERGENCE): pure,
 * no I/O. In order: nothing when the implied downtime fits the current
 * limit, unless window_passes + 1 passes fitted it and QEMU has not
 * switched over: then a way out below when post-copy or suspend is
 * allowed, else the limit raised to max_downtime_ms (from 0.8); the
 * limit raised just above it when it fits max_downtime_ms;
 * when stalled (every pass in the progress window left at least
 * stall_percent of the lowest remaining before it) or slow (at the
 * window's pace of progress the move would end after the timeout), a wait while
 * auto-converge's throttle is rising and can reach its top before the
 * deadline, or rose within the window, else post-copy when allowed and the network is alive, else a
 * suspend when allowed, else an abort when the implied downtime stayed
 * above abort_percent of the maximum for the whole window. @state is
 * updated; the caller does what @decision says. Since 0.6 (LIBKVMOPS_7).
 */
void kvmops_converge_decide(const struct kvmops_converge_config *config,
			    struct kvmops_converge_state *state,
			    const struct kvmops_converge_sample *sample,
			    struct kvmops_converge_decision *decision);

/* Called with each decision other than NONE; @d holds only during the call. */
typedef void (*kvmops_converge_fn)(struct kvmops_ctx *ctx,
				   const struct kvmops_converge_decision *d,
				   void *userdata);

/*
 * What a migration should do. Zero it, set .size = sizeof(it), then the
 * fields you need: fields are only ever appended, so a program built
 * against an older header keeps working. The field names are the names a
 * remedy uses (kvmops_last_remedy).
 */
struct kvmops_migrate_opts {
	size_t size;
	enum kvmops_migrate_kind kind;
	enum kvmops_copy_storage copy_storage;
	const char *dname; /* the name on the destination; NULL: same */
	const char *migrate_uri; /* tcp://HOST[:PORT] for the data */
	const char *listen_address; /* where the destination listens */
	bool keep_source; /* keep the source definition */
	bool unsafe; /* storage not proven shared is taken on trust */
	/* live */
	uint64_t bandwidth_mib; /* MiB/s; 0: unlimited */
	uint64_t max_downtime_ms; /* 0: the hypervisor's default */
	const char *compress; /* "xbzrle,zstd"; "": default; NULL: none */
	unsigned int parallel; /* connections; 0: one */
	bool auto_converge;
	bool postcopy; /* allow switching to post-copy */
	bool postcopy_after_precopy; /* switch after the first pass */
	bool tls;
	unsigned int timeout_s; /* 0: none */
	enum kvmops_on_timeout on_timeout;
	/* offline */
	bool keep_state; /* save, move, restore: the guest goes on */
	const char *state_file; /* NULL: beside its disks on shared storage */
	bool shutdown; /* shut a running guest down first */
	unsigned int shutdown_timeout_s; /* 0: 60 */
	bool force; /* destroy it if it does not shut down */
	bool start; /* start it on the destination */
	bool delete_source_disks;
	const char *pool; /* destination pool; NULL: by directory */
	/* live, since 0.6 (LIBKVMOPS_7) */
	const struct kvmops_converge_config *converge; /* NULL: off */
	kvmops_converge_fn on_converge; /* each decision, with @userdata */
};

/*
 * Checks the options alone: -EINVAL naming the bad one or pair, with the
 * fields to change as the remedy. Since 0.1 (LIBKVMOPS_2).
 */
int kvmops_migrate_opts_check(struct kvmops_ctx *ctx,
			      const struct kvmops_migrate_opts *opts);

struct kvmops_check_item {
	char id[48]; /* "name", "memory", "disk vda", "network default" */
	enum kvmops_verdict verdict;
	char text[320]; /* what was found */
	char fix[320]; /* WARN and FAIL: what to do about it */
	char remedy[64]; /* the options that do it: "copy_storage,unsafe" */
};

/*
 * The pre-flight check of moving @name from @src to @dst the way @opts
 * says: the six precautions of a live migration (HACKING: shared storage,
 * proven with a probe volume; CPU type; 64-bit; NX; a name clash; bridges
 * and networks) and what else stops a migration halfway. The probe volume
 * is removed again, pass or fail. Free *@items with free(). Returns 0 when
 * the check ran, whatever it found; -ENOENT without the domain.
 * Since 0.1 (LIBKVMOPS_2).
 */
int kvmops_migrate_check(struct kvmops_ctx *ctx, virConnectPtr src,
			 virConnectPtr dst, const char *name,
			 const struct kvmops_migrate_opts *opts,
			 struct kvmops_check_item **items, size_t *count);
/* The worst verdict of @count items; PASS for none. Since 0.1 (LIBKVMOPS_2). */
enum kvmops_verdict kvmops_check_worst(const struct kvmops_check_item *items,
				       size_t count);

enum kvmops_migrate_phase {
	KVMOPS_PHASE_SETUP,
	KVMOPS_PHASE_DISKS,
	KVMOPS_PHASE_MEMORY,
	KVMOPS_PHASE_POSTCOPY,
	KVMOPS_PHASE_FINISHING,
	KVMOPS_PHASE_SHUTDOWN, /* offline: waiting for the guest to stop */
	KVMOPS_PHASE_SAVE, /* offline, keeping the memory: saving it */
	KVMOPS_PHASE_COPY, /* offline: copying a disk */
	KVMOPS_PHASE_VERIFY, /* offline: reading the copy back */
	KVMOPS_PHASE_RESTORE,
	KVMOPS_PHASE_DONE,
	/* since 0.8 (LIBKVMOPS_9): a running guest's backup job */
	KVMOPS_PHASE_BACKUP,
	KVMOPS_PHASE_UPLOAD, /* import: a disk going into its volume */
	KVMOPS_PHASE_COMPRESS, /* export --compress: an image compressed */
};

/* "memory", "copy": a constant; "unknown" for no phase. Since 0.1 (LIBKVMOPS_2). */
const char *kvmops_phase_name(enum kvmops_migrate_phase phase);

/* A job's figures, as virDomainGetJobStats gives them; 0 when unknown. */
struct kvmops_job {
	enum kvmops_migrate_phase phase;
	uint64_t elapsed_ms;
	uint64_t data_total, data_processed, data_remaining; /* bytes */
	uint64_t mem_total, mem_processed, mem_remaining;
	uint64_t disk_total, disk_processed, disk_remaining;
	uint64_t mem_bps, disk_bps; /* bytes per second */
	uint64_t dirty_rate; /* pages per second */
	uint64_t page_size;
	uint64_t iteration; /* the memory pass, from 1 */
	uint64_t downtime_ms, setup_ms; /* when completed */
	bool have_downtime;
	uint64_t throttle_percent; /* auto-converge */
	char disk[64]; /* offline: the disk being copied */
	char dest_path[4096]; /* offline: its copy on the destination */
	char sha256[65]; /* offline VERIFY: the copy's SHA-256, hex */
};

/* Called with a job's figures; @job holds only during the call. */
typedef void (*kvmops_progress_fn)(struct kvmops_ctx *ctx,
				   const struct kvmops_job *job,
				   void *userdata);

/*
 * Live migration of @name from @src to @dst through virDomainMigrate3,
 * calling @progress four times a second. If *@cancel turns non-zero the
 * job is aborted and the guest stays on @src: -ECANCELED. A timeout that
 * aborts gives -ETIMEDOUT; a destination lost mid-way, -ECONNRESET. When
 * libvirt calls the move unsafe only because it does not know the storage
 * as shared, and every disk was proven shared, the move runs with
 * libvirt's unsafe flag and a notice says so. The guest ends persistent on
 * @dst; unless opts->keep_source, its source definition is removed once
 * @dst runs it. @summary gets the completed job's figures. After a failure
 * the message says what state each side is in. Since 0.1 (LIBKVMOPS_2).
 */
int kvmops_migrate_live(struct kvmops_ctx *ctx, virConnectPtr src,
			virConnectPtr dst, const char *name,
			const struct kvmops_migrate_opts *opts,
			kvmops_progress_fn progress, void *userdata,
			const volatile int *cancel, struct kvmops_job *summary);

/*
 * Static migration: the guest's disks that the destination does not share
 * are copied through sparse libvirt storage streams, each copy read back
 * and its SHA-256 compared with the source's, and the domain is defined
 * on @dst with its disk paths rewritten. With opts->keep_state its memory
 * is saved to the state file (kvmops_migrate_state_file) and restored on
 * @dst, and the file removed once the guest runs again. Nothing on @src
 * changes until @dst is verified; a failed or cancelled run removes what
 * it made on @dst and leaves @src as it was. Since 0.1 (LIBKVMOPS_2).
 */
int kvmops_migrate_offline(struct kvmops_ctx *ctx, virConnectPtr src,
			   virConnectPtr dst, const char *name,
			   const struct kvmops_migrate_opts *opts,
			   kvmops_progress_fn progress, void *userdata,
			   const volatile int *cancel,
			   struct kvmops_job *summary);

/*
 * Where an offline move that keeps @name's memory saves it, into @path:
 * opts->state_file (which must not be proven out of the destination's
 * sight), or else NAME.kvmops-state beside its first disk on storage
 * proven shared. -EINVAL (remedy "state_file") when there is no such
 * place; -ENAMETOOLONG when @len is too small. Since 0.2 (LIBKVMOPS_3).
 */
int kvmops_migrate_state_file(struct kvmops_ctx *ctx, virConnectPtr src,
			      virConnectPtr dst, const char *name,
			      const struct kvmops_migrate_opts *opts,
			      char *path, size_t len);

/* ---- placement (kvm-migrate evacuate and balance) --------------------- */

enum kvmops_place_goal {
	KVMOPS_PLACE_EVACUATE, /* every guest off the source hosts */
	KVMOPS_PLACE_SPREAD, /* memory use even across the hosts */
	KVMOPS_PLACE_CONSOLIDATE, /* the fewest hosts in use */
};

enum kvmops_place_mode {
	KVMOPS_PLACE_LIVE, /* live, over storage both hosts see */
	KVMOPS_PLACE_COPY_STORAGE, /* live, copying the disks */
	KVMOPS_PLACE_OFFLINE, /* a shut-off guest */
};

/* "live", "copy-storage", "offline". Since 0.5 (LIBKVMOPS_6). */
const char *kvmops_place_mode_name(enum kvmops_place_mode mode);

/* One host: its figures as kvmops_overcommit() reads them. */
struct kvmops_place_host {
	const char *uri; /* the caller's; for the reasons */
	bool reachable; /* false: neither a source of moves nor a destination */
	bool source; /* evacuate: to be emptied, never a destination */
	struct kvmops_overcommit oc;
};

/* What the pre-flight check said of moving a guest to one host. */
struct kvmops_place_check {
	enum kvmops_verdict verdict;
	enum kvmops_place_mode mode; /* how it would move there */
	const char *why; /* a FAIL's reason (the caller's), or NULL */
};

struct kvmops_place_guest {
	const char *name; /* the caller's */
	size_t host; /* the index of the host it is on */
	bool running; /* active (running or paused); shut-off guests are
			 planned for evacuate only */
	uint64_t current_kib, max_kib;
	unsigned int vcpus;
	uint64_t ksm_saved_kib; /* its fair share of KSM's saving, 0 unknown */
	const struct kvmops_place_check *checks; /* one per host, or NULL */
};

struct kvmops_place_config {
	enum kvmops_place_goal goal;
	unsigned int headroom_percent; /* a destination's use stays at or
					  under this share of its memory */
	uint64_t min_gain_kib; /* balance: a smaller gain is not a move */
	unsigned int max_moves; /* balance: 0 for no limit */
};

/* Headroom 90%, min_gain 64 MiB, max_moves 10. Since 0.5 (LIBKVMOPS_6). */
void kvmops_place_defaults(struct kvmops_place_config *config);

struct kvmops_place_move {
	size_t guest, from, to; /* indexes into the arrays given */
	enum kvmops_place_mode mode;
	uint64_t to_used_kib; /* the destination's use once it arrived */
	char reason[256];
};

struct kvmops_place_unplaced {
	size_t guest;
	char reason[768]; /* each destination and why it cannot take it */
};

/* A plan, in the order the moves should start. Free with kvmops_place_free. */
struct kvmops_place_plan {
	struct kvmops_place_move *moves;
	size_t nmoves;
	struct kvmops_place_unplaced *unplaced;
	size_t nunplaced;
	size_t *freed; /* consolidate: the hosts left empty */
	size_t nfreed;
	double cv_before, cv_after; /* of the hosts' memory use fractions */
	uint64_t *used_before_kib, *used_after_kib; /* per host */
};

/*
 * Plans the moves @config asks for (HACKING, "Placement"). Pure: figures
 * in, a plan out, no I/O. A guest whose check FAILs on a host is never
 * planned there; no move takes a destination's memory overcommit to FAIL
 * or its use above the headroom; a guest's KSM saving is lost where it
 * leaves and counts as a cost. -EINVAL (said) for a guest on no host, or
 * a headroom of 0 or above 100; -ENOMEM. Since 0.5 (LIBKVMOPS_6).
 */
int kvmops_place(struct kvmops_ctx *ctx,
		 const struct kvmops_place_config *config,
		 const struct kvmops_place_host *hosts, size_t nhosts,
		 const struct kvmops_place_guest *guests, size_t nguests,
		 struct kvmops_place_plan *plan);

/* Frees what kvmops_place() put in @plan. Since 0.5 (LIBKVMOPS_6). */
void kvmops_place_free(struct kvmops_place_plan *plan);

/* Where each move of a plan stands while it runs. */
enum kvmops_place_state {
	KVMOPS_PLACE_QUEUED,
	KVMOPS_PLACE_RUNNING,
	KVMOPS_PLACE_DONE,
	KVMOPS_PLACE_FAILED,
	KVMOPS_PLACE_CANCELLED, /* never started: stopped, or not to be */
};

struct kvmops_place_limits {
	unsigned int jobs; /* moves at a time in all (1 or more) */
	unsigned int per_host; /* moves at a time into one host (1 or more) */
};

/*
 * The next move of @plan to start, given where each stands (@states, one
 * per move) and @limits; SIZE_MAX when none may start now. Queued moves
 * start in plan order, but for fairness a move out of the source host
 * with the fewest moves running goes before one out of a busier host.
 * Pure. Since 0.5 (LIBKVMOPS_6).
 */
size_t kvmops_place_next(const struct kvmops_place_move *moves, size_t nmoves,
			 const enum kvmops_place_state *states, size_t nhosts,
			 const struct kvmops_place_limits *limits);

/* What kvmops_place_gather() reads, and owns (the names, the checks). */
struct kvmops_place_figures {
	struct kvmops_place_host *hosts;
	size_t nhosts;
	struct kvmops_place_guest *guests;
	size_t nguests;
	char (*names)[256];
	struct kvmops_place_check *checks; /* nguests x nhosts */
	char (*whys)[320]; /* the checks' FAIL reasons */
};

/* Flags of kvmops_place_gather() */
#define KVMOPS_PLACE_SHUTOFF (1u << 0) /* shut-off guests too */
#define KVMOPS_PLACE_CHECK (1u << 1) /* the pre-flight check of each move */
#define KVMOPS_PLACE_AUTO_MODE (1u << 2) /* live, or copy-storage if not */

/*
 * The figures of @nhosts hosts (@conns[i] at @uris[i]; a NULL connection
 * or one that fails is unreachable): each one's overcommit figures
 * (kvmops_overcommit), its memory replaced by @mem_kib[i] when that is
 * given and not 0 (a budget of its own: its free memory is then that less
 * what its guests are given, plus what KSM saves them); its running guests (and shut-off ones with
 * KVMOPS_PLACE_SHUTOFF), in one bulk call a host, each with its fair
 * share of KSM's saving when the host is this machine. @sources (NULL:
 * none) marks the hosts to empty. With KVMOPS_PLACE_CHECK, each guest of
 * a source (of every host when there is none) is checked against every
 * other reachable host as @opts says (shut-off guests as offline moves);
 * with KVMOPS_PLACE_AUTO_MODE a live move that FAILs only on its storage
 * is checked again copying the disks. Free with
 * kvmops_place_figures_free(). Since 0.5 (LIBKVMOPS_6).
 */
int kvmops_place_gather(struct kvmops_ctx *ctx, virConnectPtr *conns,
			const char *const *uris, size_t nhosts,
			const bool *sources, const uint64_t *mem_kib,
			unsigned int flags,
			const struct kvmops_migrate_opts *opts,
			struct kvmops_place_figures *figures);

/* Since 0.5 (LIBKVMOPS_6). */
void kvmops_place_figures_free(struct kvmops_place_figures *figures);

enum kvmops_place_event_kind {
	KVMOPS_PLACE_EVENT_START, /* a move starts */
	KVMOPS_PLACE_EVENT_PROGRESS, /* its job's figures, 4 times a second */
	KVMOPS_PLACE_EVENT_DONE, /* it arrived (.job: the completed job) */
	KVMOPS_PLACE_EVENT_FAILED, /* it failed (.error); the guest is where
				      it was */
	KVMOPS_PLACE_EVENT_RETRY, /* after a failure: a new move, elsewhere */
	/* the convergence policy acted on a live move (.decision); since 0.6 */
	KVMOPS_PLACE_EVENT_POLICY,
};

/* One event of a run; its pointers hold only during the call. */
struct kvmops_place_event {
	enum kvmops_place_event_kind kind;
	size_t move; /* into plan->moves */
	const char *guest, *from, *to; /* the guest's name, the hosts' URIs */
	enum kvmops_place_mode mode;
	const struct kvmops_job *job; /* PROGRESS and DONE; else NULL */
	const char *error; /* FAILED: what went wrong */
	unsigned int queued, running, done, failed; /* the moves, as now */
	const struct kvmops_converge_decision *decision; /* POLICY; since 0.6 */
};

/* Called one event at a time (under the run's lock), from any thread. */
typedef void (*kvmops_place_event_fn)(const struct kvmops_place_event *event,
				      void *userdata);

struct kvmops_place_run_opts {
	struct kvmops_place_limits limits;
	bool continue_on_error; /* a failure still lets new moves start */
	unsigned int headroom_percent; /* for a retry's placement; 0: 90 */
	const struct kvmops_migrate_opts *migrate; /* every move's options */
};

/*
 * Runs @plan (from kvmops_place on @figures, whose hosts' URIs it
 * connects to): each move in a thread of its own, with a context and
 * connections of its own, through kvmops_migrate_live or
 * kvmops_migrate_offline as its mode says, within @opts->limits
 * (kvmops_place_next). Without migrate->migrate_uri a live move sends its
 * data to tcp://HOST of the destination's URI, not to the name the
 * destination gives itself. A failed move is placed once more, away from
 * the host it failed on, as a new move at the end of @plan; when that
 * fails too, or no host takes it, it is reported, and unless
 * continue_on_error nothing new starts. When *@cancel turns non-zero
 * every move in flight is aborted (its guest stays where it was) and
 * nothing new starts. *@states (a kvmops_place_state per move, grown with
 * the plan; free() it) says where each move ended. Returns 0 when every
 * guest arrived, -EIO when one did not, -ECANCELED when cancelled,
 * -ENOMEM. Since 0.5 (LIBKVMOPS_6).
 */
int kvmops_place_run(struct kvmops_ctx *ctx,
		     const struct kvmops_place_figures *figures,
		     struct kvmops_place_plan *plan,
		     const struct kvmops_place_run_opts *opts,
		     kvmops_place_event_fn event, void *userdata,
		     const volatile int *cancel,
		     enum kvmops_place_state **states);

/* ---- backup and restore (kvm-migrate export and import) --------------- */

/*
 * What an export should do. Zero it, set .size = sizeof(it), then the
 * fields you need. Since 0.8 (LIBKVMOPS_9).
 */
struct kvmops_export_opts {
	size_t size;
	bool incremental; /* only what changed since the directory's last */
	bool full; /* a full backup, whatever the chain allows */
	bool no_verify; /* do not read each stored image back */
	/*
	 * store each image as a qcow2 of compressed clusters (qemu-img, run
	 * locally): an incremental one against its parent, so that the
	 * chain reads the same as uncompressed
	 */
	bool compress;
};

/* What an export did. */
struct kvmops_export_result {
	char backup[64]; /* its name: also its folder in the directory */
	bool incremental; /* false: a full backup */
	char why_full[192]; /* asked for an incremental, took a full: why */
	char checkpoint[64]; /* the checkpoint it took, or "" */
	char stale_checkpoint[192]; /* one that could not be removed: why */
	char no_checkpoint[192]; /* none was taken, so the next is full: why */
	unsigned int disks; /* images stored */
	uint64_t stored_bytes; /* what they take in the directory */
	uint64_t virtual_bytes; /* the disks' sizes */
};

/*
 * Backs domain @name of @conn up into directory @dir (made when missing;
 * when it exists it must hold this domain's backups, or be empty): its
 * definition, each disk with data, and the manifest. A shut-off guest's
 * disks are streamed as they are; a running (or paused) guest's go
 * through a push-mode backup job into scratch volumes next to them,
 * removed afterwards, so the copy is the disks as they were when the job
 * began, and a checkpoint is taken for the next incremental one. With
 * opts->incremental, when the chain cannot go on, a full backup is taken
 * and result->why_full says why. Every image is read back and its SHA-256
 * checked unless opts->no_verify; a compressed one is also compared, as
 * the guest would read it, with what was streamed. @progress gets phase
 * BACKUP, COPY, COMPRESS and VERIFY figures (disk, disk_total,
 * disk_processed, disk_bps, and elapsed_ms since the export began).
 * Returns 0;
 * -EINVAL for bad options or a directory that is no backup of @name;
 * -ENOENT without the domain; -ENOTSUP for a disk that cannot be taken;
 * -ECANCELED when *@cancel turned non-zero; -EIO. After a failure nothing
 * of the new backup is left (neither its files nor scratch volumes) and
 * earlier backups in @dir are untouched. Since 0.8 (LIBKVMOPS_9).
 */
int kvmops_export(struct kvmops_ctx *ctx, virConnectPtr conn, const char *name,
		  const char *dir, const struct kvmops_export_opts *opts,
		  kvmops_progress_fn progress, void *userdata,
		  const volatile int *cancel,
		  struct kvmops_export_result *result);

/* One backup in a directory, as kvmops_backup_list() reads them. */
struct kvmops_backup_info {
	char name[64];
	char time[32]; /* ISO 8601, UTC */
	bool incremental;
	char parent[64]; /* the one it builds on; "" for a full one */
	char checkpoint[64]; /* "" when none was taken */
	unsigned int disks;
	uint64_t stored_bytes, virtual_bytes;
	bool compressed; /* its images are compressed qcow2 */
};

/*
 * The backups in @dir, oldest first, and the domain they are of (@domain,
 * @len bytes; may be NULL). Free *@list with free(). -EINVAL when @dir is
 * not a kvmops backup directory, or its manifest is bad or of another
 * version (the message names the part). Since 0.8 (LIBKVMOPS_9).
 */
int kvmops_backup_list(struct kvmops_ctx *ctx, const char *dir, char *domain,
		       size_t len, struct kvmops_backup_info **list,
		       size_t *count);

/* One stored image, as kvmops_backup_verify() found it. */
struct kvmops_verify_item {
	char backup[64];
	char file[96]; /* in the backup's folder: "vda.qcow2" */
	bool ok;
	char sha256[65]; /* what it reads as now; "" when unreadable */
	char want[65]; /* the manifest's */
};

/*
 * Re-reads every image in @dir and compares its SHA-256 with the
 * manifest's. Free *@items with free(). 0 when all match; -EIO when one
 * does not or cannot be read (the message names the first); -EINVAL as
 * kvmops_backup_list(). Since 0.8 (LIBKVMOPS_9).
 */
int kvmops_backup_verify(struct kvmops_ctx *ctx, const char *dir,
			 const volatile int *cancel,
			 struct kvmops_verify_item **items, size_t *count);

/* What an import should do. Zero it, set .size, then what you need. */
struct kvmops_import_opts {
	size_t size;
	/* a new name, with a new UUID and MAC addresses; NULL: the backup's */
	const char *name;
	const char *pool; /* the destination pool; NULL: as the disks' */
	const char *at; /* the backup to restore; NULL: the newest */
	bool start;
	bool no_verify; /* do not read each uploaded volume back */
};

struct kvmops_import_result {
	char backup[64]; /* the one restored */
	char name[256]; /* the domain defined */
	unsigned int volumes; /* made */
	unsigned int chain; /* backups the images were rebuilt from */
};

/*
 * Restores backup opts->at (or the newest) of @dir onto @dst: an
 * incremental chain is rebuilt (with qemu-img, locally) into one image
 * per disk equal to the disk at that point, each image is checked
 * against the manifest's SHA-256, uploaded sparse into a new volume and
 * read back, and the definition, its disk paths rewritten, is defined
 * (and started with opts->start). @progress gets phase UPLOAD figures
 * (disk, disk_total, disk_processed, disk_bps, and elapsed_ms since the
 * import began). Returns 0; -EINVAL for a directory
 * that is no backup or a bad option; -ENOENT when opts->at names no
 * backup, or there is no such pool; -EEXIST when a domain of that name,
 * or a volume, is there already (remedy "name"); -EIO; -ECANCELED. A
 * failed import removes every volume and definition it made.
 * Since 0.8 (LIBKVMOPS_9).
 */
int kvmops_import(struct kvmops_ctx *ctx, virConnectPtr dst, const char *dir,
		  const struct kvmops_import_opts *opts,
		  kvmops_progress_fn progress, void *userdata,
		  const volatile int *cancel,
		  struct kvmops_import_result *result);

#ifdef __cplusplus
}
#endif

#endif
