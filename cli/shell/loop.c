// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The loop of a long-running command (kvm-ksm tune, kvm-balloon auto): a
 * cycle every interval; SIGHUP reloads, SIGUSR1 runs a cycle now, SIGTERM
 * and SIGINT end it after the cycle in progress.
 */
#include "config.h"

#include <signal.h>
#include <stdbool.h>
#include <sys/select.h>
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
