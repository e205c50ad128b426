// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What guest-xml's two forms share (cmd-guest-xml.h): the document's head
 * and end, and the exit code of the verdict. Below both verbs.
 */
#include <errno.h>
#include <stdio.h>

#include "cmd-guest-xml.h"

void vp_guest_xml_json_head(struct vp_json *j, const struct vp_selection *sel,
			    const struct vp_guest_xml *g)
{
	vp_json_int(j, "schema", 1);
	vp_json_str(j, "verdict", vp_verdict_name(sel->verdict));
	vp_json_bool(j, "apply_refuses", sel->blocking != VP_VERDICT_OK);
	vp_json_array_begin(j, "functions");
	for (size_t i = 0; i < g->n; i++) {
		vp_json_object_begin(j, NULL);
		vp_json_str(j, "address", g->v[i].addr);
		vp_json_str(j, "guest_address", g->v[i].guest[0] ? g->v[i].guest : NULL);
		vp_json_str(j, "xml", g->v[i].xml);
		vp_json_object_end(j);
	}
	vp_json_array_end(j);
	vp_json_array_begin(j, "notes");
	for (size_t i = 0; i < g->notes.n; i++)
		vp_json_str(j, NULL, g->notes.v[i]);
	vp_json_array_end(j);
}

int vp_guest_xml_json_finish(struct vp_json *j, struct vp_buf *out, FILE *f)
{
	int r;

	vp_json_object_end(j);
	r = vp_json_finish(j);
	if (r >= 0 && (fputs(out->s, f) < 0 || fflush(f) != 0))
		r = -EIO;
	vp_buf_free(out);
	return r;
}

int vp_guest_xml_verdict(const struct vp_selection *sel, size_t n_fns)
{
	if (n_fns == 0)
		vp_warn("no function is selected (verdict %s): no <hostdev> to print",
			vp_verdict_name(sel->verdict));
	else if (sel->blocking != VP_VERDICT_OK)
		vp_warn("verdict %s: apply refuses this selection (see `vfio-provision plan`)",
			vp_verdict_name(sel->verdict));
	return n_fns == 0 || sel->blocking != VP_VERDICT_OK ? VP_EXIT_PENDING : VP_EXIT_OK;
}
