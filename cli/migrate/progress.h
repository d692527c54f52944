/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How kvm-migrate shows a migration: a progress line, NDJSON events, and
 * the closing summary (progress.c).
 */
#ifndef KVMOPS_CLI_MIGRATE_PROGRESS_H
#define KVMOPS_CLI_MIGRATE_PROGRESS_H

#include <stdio.h>

#include "shell/shell.h"

/* One line for a terminal; never a percentage that could run backwards. */
void job_line(const struct kvmops_job *job, char *buf, size_t len);
/* The job's figures as JSON, with "event": @event. */
json_object *job_json(const struct kvmops_job *job, const char *event);
/* A decision of the convergence policy as JSON, with "event": "policy". */
json_object *policy_json(const struct kvmops_converge_decision *d);
/* A migration's measures: time, downtime, setup, data, rate, passes. */
void job_summary(FILE *out, const struct kvmops_job *job);

#endif
