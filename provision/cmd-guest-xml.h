/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What guest-xml's two forms share (cmd-guest-xml-common.c). */
#pragma once

#include <stdio.h>

#include "cli.h"
#include "config.h"
#include "guest-xml.h"
#include "json.h"
#include "select.h"
#include "system.h"

/*
 * The document's first members (docs/guest-xml-json.md): schema, verdict,
 * apply_refuses, functions, notes. The caller opened the object and
 * writes the rest.
 */
void vp_guest_xml_json_head(struct vp_json *j, const struct vp_selection *sel,
			    const struct vp_guest_xml *g);
/* Ends j's object and writes the document to f; 0 or a negative errno. */
int vp_guest_xml_json_finish(struct vp_json *j, struct vp_buf *out, FILE *f);
/*
 * Warns when no function is selected or apply refuses the selection and
 * returns the exit code that says so: VP_EXIT_PENDING, else VP_EXIT_OK.
 */
int vp_guest_xml_verdict(const struct vp_selection *sel, size_t n_fns);

/* guest-xml --domain NAME [--define] [--connect URI] (cmd-guest-xml-domain.c). */
int vp_cmd_guest_xml_domain(struct vp_ctx *ctx, const struct vp_config *cfg,
			    const struct vp_system *sys, const struct vp_selection *sel);
