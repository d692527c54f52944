// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kvm-migrate evacuate and balance (fleet.h): the options, checked before
 * anything is touched; the hosts, connected; the figures and the plan
 * (lib/place, lib/policy); then the plan run, watched, and where every
 * guest ended.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "migrate/dests.h"
#include "migrate/fleet.h"
#include "migrate/transfer.h"

#define JOBS_MAX 64

static const char *const mode_choices[] = { "live", "copy-storage", "auto",
					    NULL };
static const char *const goal_choices[] = { "spread", "consolidate", NULL };
enum { MODE_LIVE, MODE_COPY_STORAGE, MODE_AUTO };

/* ---- the hosts ------------------------------------------------------------- */

/* "127.0.0.2:16510" of "qemu+tcp://root@127.0.0.2:16510/system". */
static void host_label(const char *uri, char *buf, size_t len)
{
	const char *host = strstr(uri, "://"), *at;
	size_t n;

	host = host ? host + 3 : uri;
	n = strcspn(host, "/?");
	at = memchr(host, '@', n);
	if (at) {
		n -= (size_t)(at + 1 - host);
		host = at + 1;
	}
	if (!n) {
		host = uri;
		n = strlen(uri);
	}
	snprintf(buf, len, "%.*s", (int)n, host);
}

static int add_host(struct fleet *fl, const char *uri, const char *what)
{
	const struct kvs_call *call = fl->call;
	size_t h;

	if (!*uri)
		return kvs_error(call, KVS_USAGE, "%s has an empty host", what);
	if (!strstr(uri, ":/"))
		return kvs_error(
			call, KVS_USAGE,
			"%s '%s' is not a libvirt URI such as qemu+ssh://HOST/system",
			what, uri);
	for (h = 0; h < fl->nhosts; h++) {
		if (strcmp(fl->uris[h], uri))
			continue;
		if (fl->evacuate && h == 0)
			return kvs_error(call, KVS_USAGE,
					 "--to names the source host (%s)",
					 uri);
		return kvs_error(call, KVS_USAGE, "%s names %s twice", what,
				 uri);
	}
	fl->uris[fl->nhosts] = uri;
	host_label(uri, fl->labels[fl->nhosts], sizeof(fl->labels[0]));
	fl->nhosts++;
	return KVS_OK;
}

static int alloc_hosts(struct fleet *fl, size_t max)
{
	fl->uris = calloc(max, sizeof(*fl->uris));
	fl->labels = calloc(max, sizeof(*fl->labels));
	fl->conns = calloc(max, sizeof(*fl->conns));
	fl->sources = calloc(max, sizeof(*fl->sources));
	fl->mem_kib = calloc(max, sizeof(*fl->mem_kib));
	if (fl->uris && fl->labels && fl->conns && fl->sources && fl->mem_kib)
		return KVS_OK;
	return kvs_error(fl->call, KVS_FAIL, "out of memory");
}

/* evacuate: the source (-c), then each of --to's comma-separated hosts. */
static int evacuate_hosts(struct fleet *fl, char *to)
{
	const char *src = kvmops_pick_uri(fl->call->st->uri);
	size_t max = 2;
	char *item, *save = NULL;
	int rc;

	if (!kvs_have_uri(fl->call) || !src)
		return kvs_error(fl->call, KVS_USAGE,
				 "evacuate needs the host to drain: -c URI");
	for (item = to; *item; item++)
		max += *item == ',';
	if ((rc = alloc_hosts(fl, max)) || (rc = add_host(fl, src, "-c")))
		return rc;
	fl->sources[0] = true;
	if (!*to || to[strlen(to) - 1] == ',' || *to == ',' || strstr(to, ",,"))
		return kvs_error(fl->call, KVS_USAGE, "--to has an empty host");
	for (item = strtok_r(to, ",", &save); item && !rc;
	     item = strtok_r(NULL, ",", &save))
		rc = add_host(fl, item, "--to");
	return rc;
}

static int balance_hosts(struct fleet *fl)
{
	int i, rc = alloc_hosts(fl, (size_t)fl->call->argc);

	for (i = 0; i < fl->call->argc && !rc; i++)
		rc = add_host(fl, fl->call->argv[i], "balance");
	return rc;
}

/* --host-mem [URI=]SIZE[,...]: a host's memory as the planner sees it. */
static int host_mem_item(struct fleet *fl, char *item)
{
	char *eq = strrchr(item, '=');
	const char *text = eq ? eq + 1 : item;
	struct kvmops_size size;
	size_t h;
	bool named = false;

	if (eq)
		*eq = '\0';
	if (kvmops_size_parse(fl->call->st->ctx, text, 0, &size) || !size.kib)
		return kvs_error(fl->call, KVS_USAGE,
				 "--host-mem '%s' is not a size such as 768M",
				 text);
	for (h = 0; h < fl->nhosts; h++)
		if (!eq || !strcmp(fl->uris[h], item)) {
			fl->mem_kib[h] = size.kib;
			named = true;
		}
	if (!named)
		return kvs_error(
			fl->call, KVS_USAGE,
			"--host-mem names %s, which is not one of the hosts",
			item);
	return KVS_OK;
}

static int host_mem(struct fleet *fl)
{
	const char *given = kvs_opt(fl->call, "host-mem");
	char *copy, *item, *save = NULL;
	int rc = KVS_OK;

	if (!given)
		return KVS_OK;
	copy = strdup(given);
	if (!copy)
		return kvs_error(fl->call, KVS_FAIL, "out of memory");
	for (item = strtok_r(copy, ",", &save); item && !rc;
	     item = strtok_r(NULL, ",", &save))
		rc = host_mem_item(fl, item);
	free(copy);
	return rc;
}

/* ---- the options ------------------------------------------------------------ */

static int limits(struct fleet *fl)
{
	uint64_t jobs, per_host, headroom;
	int rc;

	rc = kvs_opt_u64(fl->call, "jobs", 1, JOBS_MAX, 2, &jobs);
	if (!rc)
		rc = kvs_opt_u64(fl->call, "per-host", 1, JOBS_MAX, 2,
				 &per_host);
	if (!rc)
		rc = kvs_opt_u64(fl->call, "headroom", 1, 100,
				 fl->cfg.headroom_percent, &headroom);
	if (rc)
		return rc;
	fl->run.limits.jobs = (unsigned int)jobs;
	fl->run.limits.per_host = (unsigned int)per_host;
	fl->cfg.headroom_percent = (unsigned int)headroom;
	fl->run.headroom_percent = (unsigned int)headroom;
	return KVS_OK;
}

/* The options both commands have; bad ones exit 2 before any connection. */
static int common_opts(struct fleet *fl)
{
	struct kvs_call *call = fl->call;
	int mode, rc;

	kvmops_place_defaults(&fl->cfg);
	rc = limits(fl);
	if (!rc)
		rc = kvs_opt_choice(call, "mode", mode_choices, MODE_LIVE,
				    &mode);
	if (!rc)
		rc = transfer_opts(call, &fl->opts, &fl->converge);
	if (rc)
		return rc;
	fl->opts.kind = mode == MODE_COPY_STORAGE ?
				KVMOPS_MIGRATE_COPY_STORAGE :
				KVMOPS_MIGRATE_LIVE;
	fl->opts.copy_storage = mode == MODE_COPY_STORAGE ? KVMOPS_COPY_ALL :
							    KVMOPS_COPY_NONE;
	fl->opts.unsafe = kvs_flag(call, "unsafe");
	fl->gather_flags = KVMOPS_PLACE_CHECK;
	if (mode == MODE_AUTO)
		fl->gather_flags |= KVMOPS_PLACE_AUTO_MODE;
	fl->dry_run = kvs_flag(call, "dry-run");
	fl->run.continue_on_error = kvs_flag(call, "continue-on-error");
	fl->run.migrate = &fl->opts;
	return kvs_result(call,
			  kvmops_migrate_opts_check(call->st->ctx, &fl->opts));
}

static int balance_opts(struct fleet *fl)
{
	struct kvmops_size gain;
	const char *text = kvs_opt(fl->call, "min-gain");
	uint64_t max_moves;
	int goal, rc;

	rc = kvs_opt_choice(fl->call, "goal", goal_choices, 0, &goal);
	if (!rc)
		rc = kvs_opt_u64(fl->call, "max-moves", 0, 1000,
				 fl->cfg.max_moves, &max_moves);
	if (rc)
		return rc;
	if (text && kvmops_size_parse(fl->call->st->ctx, text, 0, &gain))
		return kvs_error(fl->call, KVS_USAGE,
				 "--min-gain '%s' is not a size such as 64M",
				 text);
	if (text)
		fl->cfg.min_gain_kib = gain.kib;
	fl->cfg.max_moves = (unsigned int)max_moves;
	fl->cfg.goal = goal ? KVMOPS_PLACE_CONSOLIDATE : KVMOPS_PLACE_SPREAD;
	fl->what = goal_choices[goal];
	return KVS_OK;
}

/* ---- connect, gather, plan ----------------------------------------------------- */

/* A host that does not answer is bad input: nothing has been done yet. */
static int connect_hosts(struct fleet *fl)
{
	struct kvmops_ctx *ctx = fl->call->st->ctx;
	size_t h;

	for (h = 0; h < fl->nhosts; h++)
		if (kvmops_connect(ctx, fl->uris[h], 0, &fl->conns[h]))
			return kvs_error(fl->call, KVS_USAGE,
					 "%s; nothing was moved",
					 kvmops_last_error(ctx));
	return KVS_OK;
}

static int gather_and_plan(struct fleet *fl)
{
	struct kvmops_ctx *ctx = fl->call->st->ctx;
	size_t h;
	int rc;

	rc = kvmops_place_gather(ctx, fl->conns, fl->uris, fl->nhosts,
				 fl->sources, fl->mem_kib, fl->gather_flags,
				 &fl->opts, &fl->figures);
	if (rc)
		return kvs_lib_error(fl->call, rc);
	for (h = 0; h < fl->nhosts; h++)
		if (!fl->figures.hosts[h].reachable)
			kvs_warn(
				fl->call,
				"cannot read the figures of %s: it takes no guest",
				fl->uris[h]);
	if (fl->evacuate && !fl->figures.hosts[0].reachable)
		return kvs_error(
			fl->call, KVS_FAIL,
			"cannot read the guests of %s, so nothing was moved",
			fl->uris[0]);
	rc = kvmops_place(ctx, &fl->cfg, fl->figures.hosts, fl->nhosts,
			  fl->figures.guests, fl->figures.nguests, &fl->plan);
	if (rc)
		return kvs_lib_error(fl->call, rc);
	fl->planned = true;
	return KVS_OK;
}

/* ---- run ------------------------------------------------------------------------ */

static void watch_setup(struct fleet *fl)
{
	struct winsize ws;

	fl->tty = isatty(STDERR_FILENO) && !fl->call->json && !fl->call->quiet;
	fl->cols = 80;
	if (fl->tty && !ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) && ws.ws_col)
		fl->cols = ws.ws_col;
}

/*
 * Where the guests run now, what the table's last column says: each
 * reachable host's running domains, a listing (no figures needed).
 */
static void read_after(struct fleet *fl)
{
	struct kvmops_ctx *ctx = fl->call->st->ctx;
	size_t h;
	int rc = 0;

	fl->running_now = calloc(fl->nhosts, sizeof(*fl->running_now));
	fl->nrunning_now = calloc(fl->nhosts, sizeof(*fl->nrunning_now));
	if (!fl->running_now || !fl->nrunning_now)
		rc = -ENOMEM;
	for (h = 0; !rc && h < fl->nhosts; h++)
		if (fl->conns[h])
			rc = kvmops_domain_names(ctx, fl->conns[h],
						 KVMOPS_BALLOON_LIST_ACTIVE,
						 &fl->running_now[h],
						 &fl->nrunning_now[h]);
	fl->have_after = !rc;
	if (rc)
		kvs_warn(fl->call, "cannot tell where the guests are now: %s",
			 rc == -ENOMEM ? strerror(ENOMEM) :
					 kvmops_last_error(ctx));
}

static int run_plan(struct fleet *fl)
{
	int rc;

	watch_setup(fl);
	kvs_interrupted = 0;
	rc = kvmops_place_run(fl->call->st->ctx, &fl->figures, &fl->plan,
			      &fl->run, fleet_on_event, fl,
			      (const volatile int *)&kvs_interrupted,
			      &fl->states);
	fleet_board_end(fl);
	kvs_interrupted = 0;
	read_after(fl);
	fleet_show_outcome(fl, rc);
	return rc;
}

/* The exit status: evacuate succeeds only when the source runs no guest. */
static int verdict(struct fleet *fl, int rc)
{
	unsigned int left = fleet_left_on_source(fl);

	if (rc == -ECANCELED)
		return kvs_error(
			fl->call, KVS_FAIL,
			"%s interrupted: every guest is where the table says",
			fl->what);
	if (fl->evacuate && (left || !fl->have_after))
		return kvs_error(fl->call, KVS_FAIL,
				 "%s still runs %u guest%s (see above)",
				 fl->uris[0], left, left == 1 ? "" : "s");
	if (rc || fl->plan.nunplaced)
		return kvs_error(fl->call, KVS_FAIL,
				 "not every guest moved (see above)");
	return KVS_OK;
}

/* Planned, shown; then run unless it is a dry run or there is nothing to do. */
static int plan_and_run(struct fleet *fl)
{
	size_t h;
	int rc = connect_hosts(fl);

	if (!rc)
		rc = gather_and_plan(fl);
	if (rc)
		return rc;
	for (h = fl->evacuate ? 1 : 0; h < fl->nhosts; h++)
		dests_remember(fl->uris[h]);
	fleet_show_plan(fl);
	if (fl->dry_run)
		return fl->plan.nunplaced ?
			       kvs_error(fl->call, KVS_FAIL,
					 "the plan leaves %zu guest%s where %s",
					 fl->plan.nunplaced,
					 fl->plan.nunplaced == 1 ? "" : "s",
					 fl->plan.nunplaced == 1 ? "it is" :
								   "they are") :
			       KVS_OK;
	if (!fl->plan.nmoves && !fl->plan.nunplaced) {
		if (!fl->call->json && !fl->call->quiet)
			printf("%s: nothing to move\n", fl->what);
		return KVS_OK;
	}
	if (fl->plan.nmoves)
		rc = run_plan(fl);
	else
		read_after(fl);
	return verdict(fl, rc);
}

static void fleet_free(struct fleet *fl)
{
	size_t h;

	if (fl->planned)
		kvmops_place_free(&fl->plan);
	kvmops_place_figures_free(&fl->figures);
	for (h = 0; fl->running_now && h < fl->nhosts; h++)
		if (fl->running_now[h])
			kvmops_free_names(fl->running_now[h],
					  fl->nrunning_now[h]);
	free(fl->running_now);
	free(fl->nrunning_now);
	for (h = 0; fl->conns && h < fl->nhosts; h++)
		kvmops_disconnect(fl->conns[h]);
	free(fl->states);
	free(fl->moves);
	free(fl->conns);
	free(fl->sources);
	free(fl->mem_kib);
	free(fl->labels);
	free(fl->uris);
}

/* ---- the commands ------------------------------------------------------------------ */

int fleet_evacuate(struct kvs_call *call)
{
	struct fleet fl = { .call = call,
			    .what = "evacuate",
			    .evacuate = true };
	char *to = strdup(kvs_opt(call, "to") ? kvs_opt(call, "to") : "");
	int rc;

	if (!to)
		return kvs_error(call, KVS_FAIL, "out of memory");
	if (!kvs_opt(call, "to"))
		rc = kvs_error(
			call, KVS_USAGE,
			"evacuate needs the hosts to move to: --to URI[,URI...]");
	else
		rc = common_opts(&fl);
	if (!rc)
		rc = evacuate_hosts(&fl, to);
	if (!rc)
		rc = host_mem(&fl);
	if (!rc) {
		fl.cfg.goal = KVMOPS_PLACE_EVACUATE;
		if (kvs_flag(call, "include-shutoff"))
			fl.gather_flags |= KVMOPS_PLACE_SHUTOFF;
		rc = plan_and_run(&fl);
	}
	fleet_free(&fl);
	free(to);
	return rc;
}

int fleet_balance(struct kvs_call *call)
{
	struct fleet fl = { .call = call };
	int rc = common_opts(&fl);

	if (!rc)
		rc = balance_opts(&fl);
	if (!rc)
		rc = balance_hosts(&fl);
	if (!rc)
		rc = host_mem(&fl);
	if (!rc)
		rc = plan_and_run(&fl);
	fleet_free(&fl);
	return rc;
}

/* ---- completion and the option tables ------------------------------------------- */

static void complete_mode(struct kvs_state *st, const char *prefix,
			  struct kvs_list *out)
{
	kvs_complete_choices(out, mode_choices);
}

static void complete_goal(struct kvs_state *st, const char *prefix,
			  struct kvs_list *out)
{
	kvs_complete_choices(out, goal_choices);
}

/* --to's last item, from the remembered destinations not yet in it. */
static void complete_to(struct kvs_state *st, const char *prefix,
			struct kvs_list *out)
{
	const char *last = strrchr(prefix, ',');
	int head = last ? (int)(last - prefix) + 1 : 0;
	struct kvs_list dests = { 0 };
	char done[4096], item[1100];
	size_t i;

	snprintf(done, sizeof(done), ",%.*s", head, prefix);
	dests_complete(&dests);
	for (i = 0; i < dests.count; i++) {
		snprintf(item, sizeof(item), ",%s,", dests.items[i]);
		if (!strstr(done, item))
			kvs_list_addf(out, "%.*s%s", head, prefix,
				      dests.items[i]);
	}
	kvs_list_clear(&dests);
}

void fleet_complete_hosts(struct kvs_state *st, const char *prefix,
			  struct kvs_list *out)
{
	dests_complete(out);
}

/* clang-format off */
#define FLEET_OPTS                                                            \
	{ .name = "jobs", .arg = "N",                                         \
	  .help = "migrations at a time (default 2)" },                       \
	{ .name = "per-host", .arg = "N",                                     \
	  .help = "migrations at a time into any one host (default 2)" },     \
	{ .name = "mode", .arg = "MODE", .complete = complete_mode,           \
	  .help = "live (default), copy-storage, or auto: live where the "    \
		  "storage is proven shared, else copy-storage" },            \
	{ .name = "headroom", .arg = "PERCENT",                               \
	  .help = "keep each destination's use at or under this share of "    \
		  "its memory (default 90)" },                                \
	{ .name = "host-mem", .arg = "URI=SIZE", .repeats = true,             \
	  .help = "host URI's memory as the plan sees it (its guests' "       \
		  "budget), instead of what it has; SIZE alone: every host's" },\
	{ .name = "dry-run", .help = "show the plan, and move nothing" },    \
	{ .name = "continue-on-error",                                        \
	  .help = "after a move fails, go on with the others" },              \
	{ .name = "unsafe", .field = "unsafe",                                \
	  .help = "live: storage not proven shared is taken on trust" },      \
	TRANSFER_OPTS
/* clang-format on */

const struct kvs_opt fleet_evacuate_opts[] = {
	{ .name = "to",
	  .arg = "URI[,URI...]",
	  .repeats = true,
	  .complete = complete_to,
	  .help = "the hosts the guests may go to" },
	{ .name = "include-shutoff",
	  .help = "move the shut-off guests too (offline)" },
	FLEET_OPTS,
	{ 0 },
};

const struct kvs_opt fleet_balance_opts[] = {
	{ .name = "goal",
	  .arg = "GOAL",
	  .complete = complete_goal,
	  .help = "spread (default): even memory use; consolidate: empty "
		  "what hosts it can" },
	{ .name = "max-moves",
	  .arg = "N",
	  .help = "plan at most N moves (default 10; 0: no limit)" },
	{ .name = "min-gain",
	  .arg = "SIZE",
	  .help = "a move that gains less is not made (default 64M)" },
	FLEET_OPTS,
	{ 0 },
};
