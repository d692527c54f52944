/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkvmops: the library behind kvm-ksm, kvm-balloon and kvm-migrate.
 *
 * Conventions: functions return 0 or a negative errno and hand results back
 * through out-parameters. After a failure, kvmops_last_error() holds a
 * sentence for the user that says what went wrong and what to do next.
 * The library never prints and never exits; it logs through the callback.
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
#define KVMOPS_LOG_ERR 3
#define KVMOPS_LOG_NOTICE 5
#define KVMOPS_LOG_INFO 6
#define KVMOPS_LOG_DEBUG 7

typedef void (*kvmops_log_fn)(struct kvmops_ctx *ctx, int priority,
			      const char *file, int line, const char *fn,
			      const char *format, va_list args);

int kvmops_new(struct kvmops_ctx **ctx);
struct kvmops_ctx *kvmops_ref(struct kvmops_ctx *ctx);
struct kvmops_ctx *kvmops_unref(struct kvmops_ctx *ctx);

void kvmops_set_log_fn(struct kvmops_ctx *ctx, kvmops_log_fn log_fn);
int kvmops_get_log_priority(struct kvmops_ctx *ctx);
void kvmops_set_log_priority(struct kvmops_ctx *ctx, int priority);
void kvmops_set_userdata(struct kvmops_ctx *ctx, void *userdata);
void *kvmops_get_userdata(struct kvmops_ctx *ctx);

/* The message for the most recent failure, or "" when there was none. */
const char *kvmops_last_error(struct kvmops_ctx *ctx);
/* What the caller could change to succeed: names of options, or "". */
const char *kvmops_last_remedy(struct kvmops_ctx *ctx);
const char *kvmops_version(void);

/*
 * Roots under which /sys and /proc are looked up; "/" by default, or
 * KVMOPS_SYSFS_ROOT and KVMOPS_PROC_ROOT from the environment. Tests point
 * them at fixture trees.
 */
int kvmops_set_sysfs_root(struct kvmops_ctx *ctx, const char *root);
int kvmops_set_proc_root(struct kvmops_ctx *ctx, const char *root);
const char *kvmops_get_sysfs_root(struct kvmops_ctx *ctx);
const char *kvmops_get_proc_root(struct kvmops_ctx *ctx);

/* ---- libvirt connection ------------------------------------------------ */

/*
 * The URI a command should use: @explicit_uri, else KVMOPS_DEFAULT_URI,
 * else LIBVIRT_DEFAULT_URI, else NULL (libvirt's own default).
 */
const char *kvmops_pick_uri(const char *explicit_uri);

/* Flags of kvmops_connect() */
#define KVMOPS_CONNECT_READONLY (1u << 0)	 /* enough to look, not to act */
#define KVMOPS_CONNECT_NO_EVENT_LOOP (1u << 1) /* the caller runs its own */

/*
 * Opens a connection to kvmops_pick_uri(@uri) with keepalive, loading
 * libvirt on first use (processes that never connect never load it).
 * Unless told not to, it runs libvirt's default event loop in a thread,
 * which keepalive needs. Errors name the URI. Close with
 * kvmops_disconnect().
 */
int kvmops_connect(struct kvmops_ctx *ctx, const char *uri,
		   unsigned int flags, virConnectPtr *conn);
void kvmops_disconnect(virConnectPtr conn);

/* ---- sizes ------------------------------------------------------------- */

enum kvmops_size_kind {
	KVMOPS_SIZE_ABSOLUTE,	  /* 512M */
	KVMOPS_SIZE_DELTA,	  /* +256M, -1G */
	KVMOPS_SIZE_DELTA_PERCENT, /* +10%, -25%: of the current size */
	KVMOPS_SIZE_PERCENT,	  /* 50%: of the maximum */
};

struct kvmops_size {
	enum kvmops_size_kind kind;
	int sign;		/* +1 or -1 for the delta kinds, else +1 */
	uint64_t kib;		/* ABSOLUTE and DELTA */
	uint32_t basis_points;	/* the percent kinds: 25% is 2500 */
};

/* Which forms kvmops_size_parse() accepts. */
#define KVMOPS_SIZE_ALLOW_DELTA (1u << 0)
#define KVMOPS_SIZE_ALLOW_PERCENT (1u << 1)

/*
 * Parses "512K", "512M", "1G", "1T", "1GiB", "1.5G", "2000KB" (powers of
 * ten), or a plain number of KiB; with @flags also "+256M", "-25%", "50%".
 */
int kvmops_size_parse(struct kvmops_ctx *ctx, const char *text,
		      unsigned int flags, struct kvmops_size *size);

/* Turns a parsed size into KiB against the current and maximum sizes. */
int kvmops_size_resolve(struct kvmops_ctx *ctx, const struct kvmops_size *size,
			uint64_t current_kib, uint64_t max_kib,
			uint64_t *result_kib);

/* "1.50 GiB", "512 MiB", "0 B": at most four significant digits. */
int kvmops_size_format(uint64_t bytes, char *buf, size_t len);

/* ---- KSM: /sys/kernel/mm/ksm ------------------------------------------ */

struct kvmops_ksm;

enum kvmops_ksm_run {
	KVMOPS_KSM_STOP = 0,
	KVMOPS_KSM_START = 1,
	KVMOPS_KSM_UNMERGE = 2,
};

enum kvmops_ksm_type {
	KVMOPS_KSM_UINT,   /* an unsigned counter or knob */
	KVMOPS_KSM_INT,	   /* a signed figure, such as general_profit */
	KVMOPS_KSM_BOOL,   /* 0 or 1 */
	KVMOPS_KSM_CHOICE, /* "[none] scan-time": the bracketed one is set */
	KVMOPS_KSM_TEXT,   /* an entry this library does not know */
};

/* Reads every entry the running kernel has. */
int kvmops_ksm_read(struct kvmops_ctx *ctx, struct kvmops_ksm **ksm);
void kvmops_ksm_free(struct kvmops_ksm *ksm);

/* The entries, in the kernel's (alphabetical) order. */
size_t kvmops_ksm_count(const struct kvmops_ksm *ksm);
const char *kvmops_ksm_name(const struct kvmops_ksm *ksm, size_t i);
/* The value as the kernel wrote it, without the trailing newline. */
const char *kvmops_ksm_text(const struct kvmops_ksm *ksm, size_t i);
enum kvmops_ksm_type kvmops_ksm_type(const struct kvmops_ksm *ksm, size_t i);
bool kvmops_ksm_is_knob(const struct kvmops_ksm *ksm, size_t i);
/* A one-line meaning, or NULL for an entry this library does not know. */
const char *kvmops_ksm_help(const struct kvmops_ksm *ksm, size_t i);
/* Index of @name, or -ENOENT when this kernel lacks it. */
ssize_t kvmops_ksm_find(const struct kvmops_ksm *ksm, const char *name);

/* Typed access: -ENOENT when absent, -EINVAL when not of that type. */
int kvmops_ksm_get_u64(const struct kvmops_ksm *ksm, const char *name,
		       uint64_t *value);
int kvmops_ksm_get_s64(const struct kvmops_ksm *ksm, const char *name,
		       int64_t *value);
/* The chosen word of a choice entry such as advisor_mode. */
int kvmops_ksm_get_choice(const struct kvmops_ksm *ksm, const char *name,
			  const char **value);

struct kvmops_ksm_figures {
	enum kvmops_ksm_run run;
	uint64_t page_size;
	uint64_t pages_shared;
	uint64_t pages_sharing;
	uint64_t saved_bytes;	/* pages_sharing x page size */
	double sharing_ratio;	/* pages_sharing / pages_shared; 0 if none */
	int64_t profit_bytes;
	bool profit_from_kernel; /* general_profit, not the formula */
	uint64_t full_scans;
};

int kvmops_ksm_figures(struct kvmops_ctx *ctx, const struct kvmops_ksm *ksm,
		       struct kvmops_ksm_figures *figures);

/*
 * At most how many seconds ago ksmd finished its last full scan, as
 * observed through a small state file at @state_path that every call
 * updates (the kernel keeps only the count): the scan ended after the
 * previous call that saw the old count. -1 when no completed scan has been
 * observed yet.
 */
int kvmops_ksm_scan_age(struct kvmops_ctx *ctx, const struct kvmops_ksm *ksm,
			const char *state_path, int64_t *age_seconds);

/*
 * Checks @value for knob @name against this kernel's entries and the
 * knob's type and range, without writing anything.
 */
int kvmops_ksm_check(struct kvmops_ctx *ctx, const struct kvmops_ksm *ksm,
		     const char *name, const char *value);

/*
 * Writes @count knobs: checks all of them first, then writes them in
 * order; if a write fails, the knobs already written get their old values
 * back. All or nothing.
 */
int kvmops_ksm_set(struct kvmops_ctx *ctx, const char *const *names,
		   const char *const *values, size_t count);

int kvmops_ksm_set_run(struct kvmops_ctx *ctx, enum kvmops_ksm_run run);

/* The knobs this library knows how to set, NULL-terminated. */
const char *const *kvmops_ksm_known_knobs(void);

/* ---- KSM per guest: QEMU processes in /proc ---------------------------- */

struct kvmops_ksm_vm {
	pid_t pid;
	char name[256];		/* the guest's name; "" when unknown */
	char uuid[37];		/* from -uuid; "" when absent */
	char emulator[64];	/* qemu-system-x86_64 */
	bool have_stat;		/* false: the kernel has no per-process figures */
	uint64_t merging_pages;
	uint64_t saved_bytes;	/* merging_pages x page size */
	int64_t profit_bytes;	/* ksm_process_profit, or the formula */
	uint64_t rss_bytes;
};

/*
 * Finds every QEMU process by its executable and reads its KSM figures.
 * With @conn, guest names come from libvirt (by UUID). *@vms is sorted by
 * saved_bytes, largest first; free it with free().
 */
int kvmops_ksm_vms(struct kvmops_ctx *ctx, virConnectPtr conn,
		   struct kvmops_ksm_vm **vms, size_t *count);

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
#define KVMOPS_BALLOON_STALE (1u << 3)	   /* stats stopped coming */

struct kvmops_balloon {
	char name[256];
	int state;		 /* virDomainState */
	uint64_t current_kib;	 /* what the guest has now */
	uint64_t max_kib;	 /* the most it may have */
	unsigned int have;	 /* KVMOPS_BALLOON_HAVE_* */
	uint64_t usable_kib;	 /* what it can give up without swapping */
	uint64_t unused_kib;	 /* free, not even cache (MemFree) */
	uint64_t available_kib;	 /* what the guest sees as its memory */
	uint64_t disk_caches_kib;
	uint64_t rss_kib;	 /* its QEMU process on the host */
	uint64_t swap_in_kib, swap_out_kib;
	uint64_t major_faults, minor_faults;
	int64_t stats_age;	 /* seconds since the guest's last stats */
	int stats_period;	 /* seconds; 0 none, -1 not looked up */
	uint64_t min_guarantee_kib; /* <memtune>, 0 without */
	unsigned int problems;	 /* KVMOPS_BALLOON_NO_* and _STALE */
};

/* Which domains kvmops_balloon_list() returns */
#define KVMOPS_BALLOON_LIST_ACTIVE (1u << 0)
#define KVMOPS_BALLOON_LIST_INACTIVE (1u << 1)

/*
 * Every domain of @conn (or those @flags select), in one bulk call. The
 * domain XML is read only for running guests whose stats are missing or
 * old, to say why. Free *@list with free().
 */
int kvmops_balloon_list(struct kvmops_ctx *ctx, virConnectPtr conn,
			unsigned int flags, struct kvmops_balloon **list,
			size_t *count);
/* One domain, with its XML details (period, min_guarantee) always read. */
int kvmops_balloon_get(struct kvmops_ctx *ctx, virConnectPtr conn,
		       const char *name, struct kvmops_balloon *balloon);

/*
 * The safety floor: memory in use (current - usable) plus @margin_kib,
 * raised to <min_guarantee>. -ENODATA without the guest's stats.
 */
int kvmops_balloon_floor(struct kvmops_ctx *ctx,
			 const struct kvmops_balloon *balloon,
			 uint64_t margin_kib, uint64_t *floor_kib);

/* kvmops_balloon_floor() and kvmops_balloon_set(): the default margin. */
#define KVMOPS_BALLOON_DEFAULT_MARGIN UINT64_MAX

/* The larger of 32 MiB and 10% of the guest's maximum. */
uint64_t kvmops_balloon_default_margin(const struct kvmops_balloon *balloon);

/* Flags of kvmops_balloon_set() */
#define KVMOPS_BALLOON_LIVE (1u << 0)
#define KVMOPS_BALLOON_CONFIG (1u << 1)
#define KVMOPS_BALLOON_FORCE (1u << 2)	   /* below the floor */
#define KVMOPS_BALLOON_RAISE_MAX (1u << 3) /* above the maximum: raise it */

/*
 * Sets the balloon of @name to @size (absolute, +/- relative, or a
 * percent of the maximum) after every check; nothing changes when one
 * fails. Checks that refuse return -ENOENT (no domain), -ENODEV (no
 * balloon), -ENODATA (no stats), -EINVAL (zero or negative), -E2BIG
 * (above the maximum) or -EDOM (below the floor). *@target_kib gets the
 * target.
 */
int kvmops_balloon_set(struct kvmops_ctx *ctx, virConnectPtr conn,
		       const char *name, const struct kvmops_size *size,
		       unsigned int flags, uint64_t margin_kib,
		       uint64_t *target_kib);

/* What kvmops_balloon_resize() did. */
struct kvmops_balloon_change {
	uint64_t before_kib; /* the size it had (live, or in its config) */
	uint64_t target_kib; /* the size asked for */
	unsigned int flags;  /* KVMOPS_BALLOON_LIVE and/or _CONFIG: where */
};

int kvmops_balloon_resize(struct kvmops_ctx *ctx, virConnectPtr conn,
			  const char *name, const struct kvmops_size *size,
			  unsigned int flags, const struct kvmops_size *margin,
			  struct kvmops_balloon_change *change);

/*
 * Waits until the balloon of @name is within @tolerance_kib of
 * @target_kib, or @timeout_ms passes (-ETIMEDOUT), or it stops moving
 * short of the target for @stall_ms (-EAGAIN), or *@cancel (if given)
 * turns non-zero (-ECANCELED). *@reached_kib gets where it is.
 */
int kvmops_balloon_wait(struct kvmops_ctx *ctx, virConnectPtr conn,
			const char *name, uint64_t target_kib,
			uint64_t tolerance_kib, unsigned int timeout_ms,
			unsigned int stall_ms, const volatile int *cancel,
			uint64_t *reached_kib);

/* Sets the stats period of @name; flags KVMOPS_BALLOON_LIVE/CONFIG. */
int kvmops_balloon_set_period(struct kvmops_ctx *ctx, virConnectPtr conn,
			      const char *name, int seconds,
			      unsigned int flags);

/* ---- the host's overcommit -------------------------------------------- */

enum kvmops_verdict {
	KVMOPS_VERDICT_PASS = 0,
	KVMOPS_VERDICT_WARN = 1,
	KVMOPS_VERDICT_FAIL = 2,
};

/* "PASS", "WARN" or "FAIL": the words every verdict is given in. */
const char *kvmops_verdict_name(enum kvmops_verdict verdict);

struct kvmops_overcommit {
	uint64_t host_mem_kib, host_free_kib;
	unsigned int host_cpus;
	unsigned int guests;	       /* running */
	uint64_t sum_max_kib, sum_current_kib;
	unsigned int sum_vcpus;
	unsigned int widest_vcpus;     /* the guest with the most vCPUs */
	char widest_name[256];
	unsigned int multi_vcpu_guests; /* guests with more than one vCPU */
	uint64_t reclaimed_kib;	       /* balloons: sum of max - current */
	bool have_ksm;
	uint64_t ksm_saved_bytes;
	double mem_ratio;	       /* sum_max / host memory */
	double vcpu_ratio;	       /* sum_vcpus / host CPUs */
	enum kvmops_verdict mem_verdict, vcpu_verdict;
};

/* Reads the host and its running guests (one bulk call), then judges. */
int kvmops_overcommit(struct kvmops_ctx *ctx, virConnectPtr conn,
		      struct kvmops_overcommit *oc);

/*
 * The seeds' guidance: memory overcommit up to 1.5x is fine, above it a
 * warning, above 2x a failure; a guest with more vCPUs than the host has
 * CPUs fails; more vCPUs than CPUs in all, with guests of several vCPUs,
 * is a warning (many single-vCPU guests overcommit better).
 */
void kvmops_overcommit_judge(struct kvmops_overcommit *oc);

/* "running", "shut-off": a virDomainState as one word. */
const char *kvmops_state_name(int state);

/* Names of the domains (KVMOPS_BALLOON_LIST_* flags); free with free(). */
int kvmops_domain_names(struct kvmops_ctx *ctx, virConnectPtr conn,
			unsigned int flags, char ***names, size_t *count);
void kvmops_free_names(char **names, size_t count);

/* ---- migration --------------------------------------------------------- */

enum kvmops_migrate_kind {
	KVMOPS_MIGRATE_LIVE,	     /* memory only; disks on shared storage */
	KVMOPS_MIGRATE_COPY_STORAGE, /* live, copying the disks too */
	KVMOPS_MIGRATE_OFFLINE,	     /* shut off: disks and definition */
};

enum kvmops_copy_storage {
	KVMOPS_COPY_NONE,
	KVMOPS_COPY_ALL, /* whole disks */
	KVMOPS_COPY_INC, /* only the top image; the backing is on both hosts */
};

enum kvmops_on_timeout {
	KVMOPS_ON_TIMEOUT_ABORT,
	KVMOPS_ON_TIMEOUT_SUSPEND,  /* pause the guest so the copy catches up */
	KVMOPS_ON_TIMEOUT_POSTCOPY, /* switch to post-copy */
};

/*
 * What a migration should do. Zero it, set .size = sizeof(it), then the
 * fields you need: fields are only ever appended, so a program built
 * against an older header keeps working.
 */
struct kvmops_migrate_opts {
	size_t size;
	enum kvmops_migrate_kind kind;
	enum kvmops_copy_storage copy_storage;
	const char *dname;	    /* the name on the destination; NULL: same */
	const char *migrate_uri;    /* tcp://HOST[:PORT] for the data */
	const char *listen_address; /* where the destination listens */
	bool keep_source;	    /* keep the source definition */
	bool unsafe;		    /* as virsh --unsafe */
	/* live */
	uint64_t bandwidth_mib;	    /* MiB/s; 0: unlimited */
	uint64_t max_downtime_ms;   /* 0: the hypervisor's default */
	const char *compress;	    /* "xbzrle,zstd"; "": default; NULL: none */
	unsigned int parallel;	    /* connections; 0: one */
	bool auto_converge;
	bool postcopy;		    /* allow switching to post-copy */
	bool postcopy_after_precopy; /* switch after the first pass */
	bool tls;
	unsigned int timeout_s;	    /* 0: none */
	enum kvmops_on_timeout on_timeout;
	/* offline */
	bool keep_state;	    /* save, move, restore: the guest goes on */
	const char *state_file;	    /* on storage both hosts see */
	bool shutdown;		    /* shut a running guest down first */
	unsigned int shutdown_timeout_s; /* 0: 60 */
	bool force;		    /* destroy it if it does not shut down */
	bool start;		    /* start it on the destination */
	bool delete_source_disks;
	const char *pool;	    /* destination pool; NULL: by directory */
};

/* Checks the options alone: -EINVAL naming the bad one or pair. */
int kvmops_migrate_opts_check(struct kvmops_ctx *ctx,
			      const struct kvmops_migrate_opts *opts);

struct kvmops_check_item {
	char id[48];	   /* "name", "memory", "disk vda", "network default" */
	enum kvmops_verdict verdict;
	char text[320];	   /* what was found */
	char fix[320];	   /* WARN and FAIL: what to do about it */
	char remedy[64];   /* the options that fix it: "copy_storage,unsafe" */
};

/*
 * The pre-flight check of moving @name from @src to @dst the way @opts
 * says: the seeds' six points (shared storage, CPU type, 64-bit, NX, name
 * clash, networks) and what else stops a migration halfway. Free *@items
 * with free(). Returns 0 when the check ran, whatever it found.
 */
int kvmops_migrate_check(struct kvmops_ctx *ctx, virConnectPtr src,
			 virConnectPtr dst, const char *name,
			 const struct kvmops_migrate_opts *opts,
			 struct kvmops_check_item **items, size_t *count);
enum kvmops_verdict kvmops_check_worst(const struct kvmops_check_item *items,
				       size_t count);

enum kvmops_migrate_phase {
	KVMOPS_PHASE_SETUP,
	KVMOPS_PHASE_DISKS,
	KVMOPS_PHASE_MEMORY,
	KVMOPS_PHASE_POSTCOPY,
	KVMOPS_PHASE_FINISHING,
	KVMOPS_PHASE_SHUTDOWN, /* offline: waiting for the guest to stop */
	KVMOPS_PHASE_SAVE,     /* offline --keep-state: saving its memory */
	KVMOPS_PHASE_COPY,     /* offline: copying a disk */
	KVMOPS_PHASE_VERIFY,   /* offline: reading the copy back */
	KVMOPS_PHASE_RESTORE,
	KVMOPS_PHASE_DONE,
};

const char *kvmops_phase_name(enum kvmops_migrate_phase phase);

/* A job's figures, as virDomainGetJobStats gives them; 0 when unknown. */
struct kvmops_job {
	enum kvmops_migrate_phase phase;
	uint64_t elapsed_ms;
	uint64_t data_total, data_processed, data_remaining;	 /* bytes */
	uint64_t mem_total, mem_processed, mem_remaining;
	uint64_t disk_total, disk_processed, disk_remaining;
	uint64_t mem_bps, disk_bps;	/* bytes per second */
	uint64_t dirty_rate;		/* pages per second */
	uint64_t page_size;
	uint64_t iteration;		/* the memory pass, from 1 */
	uint64_t downtime_ms, setup_ms; /* when completed */
	bool have_downtime;
	uint64_t throttle_percent;	/* auto-converge */
	char disk[64];			/* offline: the disk being copied */
	char dest_path[4096];		/* offline: its copy on the destination */
	char sha256[65];		/* offline VERIFY: the copy's SHA-256 */
};

typedef void (*kvmops_progress_fn)(struct kvmops_ctx *ctx,
				   const struct kvmops_job *job,
				   void *userdata);

/*
 * Live migration of @name from @src to @dst through virDomainMigrate3,
 * calling @progress four times a second. If *@cancel turns non-zero the
 * job is aborted and the guest stays on @src: -ECANCELED. The guest ends
 * persistent on @dst; unless opts->keep_source, its source definition is
 * removed once @dst runs it. @summary gets the completed job's figures.
 * After a failure the message says what state each side is in.
 */
int kvmops_migrate_live(struct kvmops_ctx *ctx, virConnectPtr src,
			virConnectPtr dst, const char *name,
			const struct kvmops_migrate_opts *opts,
			kvmops_progress_fn progress, void *userdata,
			const volatile int *cancel, struct kvmops_job *summary);

/*
 * Static migration: the guest's disks are copied through libvirt storage
 * streams, each copy checked against a checksum of the source, and the
 * domain is defined on @dst with its disk paths rewritten. With
 * opts->keep_state its memory is saved to opts->state_file and restored on
 * @dst. Nothing on @src changes until @dst is verified; a failed or
 * cancelled run removes what it made on @dst and leaves @src as it was.
 */
int kvmops_migrate_offline(struct kvmops_ctx *ctx, virConnectPtr src,
			   virConnectPtr dst, const char *name,
			   const struct kvmops_migrate_opts *opts,
			   kvmops_progress_fn progress, void *userdata,
			   const volatile int *cancel, struct kvmops_job *summary);

#ifdef __cplusplus
}
#endif

#endif
