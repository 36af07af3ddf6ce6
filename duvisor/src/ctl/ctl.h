/* SPDX-License-Identifier: GPL-2.0-only */
/* duvisor ctl: a client of a running duvisor's control API (docs/api.md). */
#ifndef DV_CTL_H
#define DV_CTL_H

#include <stdio.h>

struct dv_ctl_cfg;

/*
 * Ask the duvisor serving ctl->socket to do ctl->verb; print its JSON
 * answer to out, or its error to err. DV_EXIT_OK, DV_EXIT_FAILURE (the
 * API refused: the answer's error printed) or DV_EXIT_FILE (no one
 * serves the socket, or it went away).
 */
int dv_ctl_run(const struct dv_ctl_cfg *ctl, FILE *out, FILE *err);

#endif /* DV_CTL_H */
