// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The loop of a long-running command (kvm-ksm tune, kvm-balloon auto): a
 * cycle every interval; SIGHUP reloads, SIGUSR1 runs a cycle now, SIGTERM
 * and SIGINT end it after the cycle in progress. And where such a
 * command says things: a terminal, the journal, or syslog.
 */
#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/select.h>
#include <syslog.h>
#include <time.h>

#include "shell/shell.h"

static volatile sig_atomic_t reload_asked, cycle_asked;

static void on_hup(int sig)
{
	reload_asked = 1;
}

static void on_usr1(int sig)
{
	cycle_asked = 1;
}

struct saved_signals {
	struct sigaction hup, usr1;
	sigset_t mask;
};

static void catch_signals(struct saved_signals *old)
{
	struct sigaction hup = { .sa_handler = on_hup },
			 usr1 = { .sa_handler = on_usr1 };
	sigset_t block;

	sigemptyset(&hup.sa_mask);
	sigemptyset(&usr1.sa_mask);
	sigaction(SIGHUP, &hup, &old->hup);
	sigaction(SIGUSR1, &usr1, &old->usr1);
	/* Blocked but while waiting, so none slips in between look and wait. */
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old->mask);
	reload_asked = cycle_asked = 0;
}

static void release_signals(const struct saved_signals *old)
{
	sigprocmask(SIG_SETMASK, &old->mask, NULL);
	sigaction(SIGHUP, &old->hup, NULL);
	sigaction(SIGUSR1, &old->usr1, NULL);
}

double kvs_now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Until the interval passes, .due says so, or a signal asks. */
static void wait_interval(const struct kvs_loop *l, const sigset_t *open_mask)
{
	bool watch = l->watch && l->watch(l->data);
	struct timespec end, now, left;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += *l->interval_s;
	while (!kvs_interrupted && !reload_asked && !cycle_asked) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec ||
		    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			return;
		left.tv_sec = end.tv_sec - now.tv_sec;
		left.tv_nsec = end.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (watch && left.tv_sec >= 1)
			left = (struct timespec){ .tv_sec = 1 };
		pselect(0, NULL, NULL, NULL, &left, open_mask);
		if (watch && l->due(l->data))
			return;
	}
}

int kvs_loop_run(const struct kvs_loop *l)
{
	struct saved_signals old;
	int rc;

	catch_signals(&old);
	kvs_interrupted = 0;
	rc = l->cycle(l->data);
	while (!rc) {
		wait_interval(l, &old.mask);
		if (kvs_interrupted)
			break;
		if (reload_asked) {
			reload_asked = 0;
			l->reload(l->data);
		}
		cycle_asked = 0;
		l->cycle(l->data);
	}
	kvs_interrupted = 0;
	release_signals(&old);
	return rc;
}

/* ---- saying things ------------------------------------------------------- */

/*
 * Decisions (LOG_INFO) on stdout, unless that is NDJSON; notes, warnings
 * and errors on stderr; or all of it to syslog. The journal stamps its
 * lines itself; a terminal or a file gets the time.
 */
void kvs_say(const struct kvs_voice *v, int level, const char *fmt, ...)
{
	static const char *const words[] = { [LOG_ERR] = "error: ",
					     [LOG_WARNING] = "warning: ",
					     [LOG_NOTICE] = "note: ",
					     [LOG_INFO] = "" };
	bool decision = level == LOG_INFO;
	FILE *out = decision && !v->call->json ? stdout : stderr;
	char stamp[40] = "", tool[64] = "";
	time_t now = time(NULL);
	va_list args;

	if (level > LOG_WARNING && v->call->quiet && !v->syslog)
		return;
	va_start(args, fmt);
	if (v->syslog) {
		vsyslog(level, fmt, args);
	} else {
		if (!v->journal)
			strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S%z ",
				 localtime(&now));
		if (!decision)
			snprintf(tool, sizeof(tool),
				 "%s: ", v->call->st->tool->name);
		fflush(stdout);
		fprintf(out, "%s%s%s%s", stamp, tool,
			words[level < LOG_ERR ? LOG_ERR : level],
			v->dry_run && decision ? "dry run: " : "");
		vfprintf(out, fmt, args);
		fputc('\n', out);
		fflush(out);
	}
	va_end(args);
}

/* The library's messages, as the command's own (and so to syslog too). */
static void voice_sink(void *data, int priority, const char *msg)
{
	const struct kvs_voice *v = data;

	if (priority <= LOG_NOTICE)
		kvs_say(v, priority <= LOG_ERR ? LOG_ERR : LOG_NOTICE, "%s",
			msg);
}

void kvs_voice_open(struct kvs_voice *v, const struct kvs_call *call,
		    bool use_syslog, bool dry_run)
{
	*v = (struct kvs_voice){
		.call = call,
		.syslog = use_syslog,
		.journal = getenv("JOURNAL_STREAM") != NULL,
		.dry_run = dry_run,
	};
	if (use_syslog)
		openlog(call->st->tool->name, LOG_PID, LOG_DAEMON);
	call->st->log_sink = voice_sink;
	call->st->log_sink_data = v;
}

void kvs_voice_close(struct kvs_voice *v)
{
	v->call->st->log_sink = NULL;
	v->call->st->log_sink_data = NULL;
	if (v->syslog)
		closelog();
}
