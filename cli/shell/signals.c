// SPDX-License-Identifier: GPL-2.0-or-later
/* SIGINT and SIGTERM, counted: long jobs abort, the prompt drops a line. */
#include "config.h"

#include <signal.h>

#include "shell/shell-private.h"

volatile sig_atomic_t kvs_interrupted;

/* Counts: a long job says something else at the second Ctrl-C. */
static void on_signal(int sig)
{
	kvs_interrupted = kvs_interrupted + 1;
}

void kvs_install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* No SA_RESTART: a sleeping watch must wake up and leave. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}
