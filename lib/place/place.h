/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What crosses between lib/place's files: run.c uses gather.c, never
 * the other way.
 */
#ifndef KVMOPS_PLACE_PLACE_H
#define KVMOPS_PLACE_PLACE_H

#include "libkvmops-private.h"

/*
 * @o for an offline move of a plan that moves running guests live: the
 * options that apply only to a live move (the transfer, its timeout, the
 * convergence policy) cleared, as an offline move refuses them.
 */
void kvmops_place_offline_opts(struct kvmops_migrate_opts *o);

#endif
