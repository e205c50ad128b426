// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The record of a detach under /run: one line a step, in the order taken,
 * written (atomically, fsroot.c) before each step, and "detached" once the
 * last one is done. A reattach undoes the steps from the last line up,
 * whether the detach finished, failed or was killed; /run is empty again
 * after a reboot, when every step is undone anyway.
 *
 *   unit display-manager.service
 *   vtcon vtcon1
 *   fwfb efi-framebuffer efi-framebuffer.0
 *   unload nvidia_drm
 *   move 0000:01:00.0 nouveau nouveau       (address, driver, module; "-": none)
 *   detached
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fsroot.h"
#include "handoff.h"
#include "pci-addr.h"
#include "root.h"

/* fsroot.c's temporary file for the record */
#define RECORD_TMP "/run/vfio-provision/.gpu-handoff" VP_TMP_SUFFIX

#define HEADER "# vfio-provision gpu handoff: what `vfio-provision gpu reattach` undoes,\n" \
	       "# from the last line up. Written before each step is taken.\n"

static const char *const kind_names[VP_HSTEP_COUNT] = {
	[VP_HSTEP_UNIT] = "unit", [VP_HSTEP_VTCON] = "vtcon", [VP_HSTEP_FWFB] = "fwfb",
	[VP_HSTEP_UNLOAD] = "unload", [VP_HSTEP_MOVE] = "move",
};
/* arguments each kind takes */
static const int kind_args[VP_HSTEP_COUNT] = {1, 1, 2, 1, 3};

const char *vp_hstep_name(enum vp_hstep_kind k)
{
	return (unsigned)k < VP_HSTEP_COUNT ? kind_names[k] : "?";
}

int vp_hsteps_add(struct vp_hsteps *s, enum vp_hstep_kind kind, const char *a, const char *b,
		  const char *c)
{
	struct vp_hstep st = {.kind = kind};

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct vp_hstep *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	st.a = a ? strdup(a) : NULL;
	st.b = b ? strdup(b) : NULL;
	st.c = c ? strdup(c) : NULL;
	if ((a && !st.a) || (b && !st.b) || (c && !st.c)) {
		free(st.a);
		free(st.b);
		free(st.c);
		return -ENOMEM;
	}
	s->v[s->n++] = st;
	return 0;
}

const struct vp_hstep *vp_hsteps_find(const struct vp_hsteps *s, enum vp_hstep_kind kind,
				      const char *a)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].kind == kind && vp_streq(s->v[i].a, a))
			return &s->v[i];
	return NULL;
}

void vp_hsteps_remove(struct vp_hsteps *s, size_t i)
{
	free(s->v[i].a);
	free(s->v[i].b);
	free(s->v[i].c);
	memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(s->v[0]));
	s->n--;
}

void vp_hsteps_free(struct vp_hsteps *s)
{
	while (s->n)
		vp_hsteps_remove(s, s->n - 1);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void vp_hrecord_free(struct vp_hrecord *rec)
{
	vp_hsteps_free(&rec->steps);
	rec->complete = false;
}

int vp_hrecord_format(const struct vp_hrecord *rec, struct vp_buf *ret)
{
	vp_buf_puts(ret, HEADER);
	for (size_t i = 0; i < rec->steps.n; i++) {
		const struct vp_hstep *s = &rec->steps.v[i];
		const char *args[3] = {s->a, s->b, s->c};

		vp_buf_puts(ret, vp_hstep_name(s->kind));
		for (int k = 0; k < kind_args[s->kind]; k++)
			vp_buf_printf(ret, " %s", args[k] ? args[k] : "-");
		vp_buf_puts(ret, "\n");
	}
	if (rec->complete)
		vp_buf_puts(ret, "detached\n");
	return ret->err;
}

static bool chars_ok(const char *s, const char *allowed)
{
	return *s && *s != '-' && strspn(s, allowed) == strlen(s);
}

#define ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

/* NULL when the argument is fine, else what it should be. */
static const char *check_arg(enum vp_hstep_kind kind, int k, const char *v)
{
	unsigned dom, bus, dev, fn;
	char canon[VPE_ADDR_SIZE];

	if (strcmp(v, "-") == 0)
		return kind == VP_HSTEP_MOVE && k > 0 ? NULL : "a name, not '-'";
	switch (kind) {
	case VP_HSTEP_UNIT:
		return chars_ok(v, ALNUM ":_.@\\-") ? NULL : "a unit name";
	case VP_HSTEP_VTCON:
		return strncmp(v, "vtcon", 5) == 0 && chars_ok(v + 5, "0123456789") ? NULL :
		       "vtconN";
	case VP_HSTEP_FWFB:
		return chars_ok(v, ALNUM "_.:-") ? NULL : "a platform driver and device";
	case VP_HSTEP_UNLOAD:
		return chars_ok(v, ALNUM "_-") ? NULL : "a module name";
	case VP_HSTEP_MOVE:
		if (k == 0) {
			if (!vp_parse_pci_addr(v, &dom, &bus, &dev, &fn))
				return "a PCI address";
			vp_pci_addr_format(canon, dom, bus, dev, fn);
			return strcmp(canon, v) == 0 ? NULL : "a PCI address as sysfs names it";
		}
		return chars_ok(v, ALNUM "_.-") ? NULL : "a driver or module name, or '-'";
	default:
		return "?";
	}
}

static int parse_line(char *line, const char *name, unsigned lineno, struct vp_hrecord *rec,
		      char **ret_msg)
{
	char *save = NULL, *w[5] = {0};
	int n = 0, kind = -1;

	for (char *t = strtok_r(line, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (n == 5)
			return vp_fail(ret_msg, -EINVAL, "'%s':%u: too many fields", name, lineno);
		w[n++] = t;
	}
	if (n == 0)
		return vp_fail(ret_msg, -EINVAL, "'%s':%u: a line of blanks", name, lineno);
	if (rec->complete)
		return vp_fail(ret_msg, -EINVAL, "'%s':%u: a step after 'detached'", name, lineno);
	if (strcmp(w[0], "detached") == 0 && n == 1) {
		rec->complete = true;
		return 0;
	}
	for (int k = 0; k < VP_HSTEP_COUNT; k++)
		if (strcmp(w[0], kind_names[k]) == 0)
			kind = k;
	if (kind < 0)
		return vp_fail(ret_msg, -EINVAL, "'%s':%u: unknown step '%s' (known: unit, vtcon, "
			       "fwfb, unload, move, detached)", name, lineno, w[0]);
	if (n - 1 != kind_args[kind])
		return vp_fail(ret_msg, -EINVAL, "'%s':%u: '%s' takes %d fields, not %d", name,
			       lineno, w[0], kind_args[kind], n - 1);
	for (int k = 0; k < n - 1; k++) {
		const char *want = check_arg(kind, k, w[k + 1]);

		if (want)
			return vp_fail(ret_msg, -EINVAL, "'%s':%u: bad field '%s' (expected %s)",
				       name, lineno, w[k + 1], want);
	}
	return vp_hsteps_add(&rec->steps, kind, w[1],
			     n > 2 && strcmp(w[2], "-") ? w[2] : NULL,
			     n > 3 && strcmp(w[3], "-") ? w[3] : NULL);
}

int vp_hrecord_parse(const char *text, size_t len, const char *name, struct vp_hrecord *ret,
		     char **ret_msg)
{
	struct vp_hrecord rec = {0};
	_cleanup_free_ char *copy = NULL;
	unsigned lineno = 0;
	char *p, *nl;
	int r = 0;

	if (memchr(text, '\0', len))
		return vp_fail(ret_msg, -EINVAL, "'%s': holds a NUL byte", name);
	copy = strndup(text, len);
	if (!copy)
		return -ENOMEM;
	for (p = copy; *p && r >= 0; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		if (strchr(p, '\r'))
			r = vp_fail(ret_msg, -EINVAL, "'%s':%u: a carriage return", name, lineno);
		else if (*p && *p != '#')
			r = parse_line(p, name, lineno, &rec, ret_msg);
	}
	if (r < 0) {
		vp_hrecord_free(&rec);
		return r;
	}
	*ret = rec;
	return 0;
}

int vp_hrecord_load(const struct vp_root *root, struct vp_hrecord *ret, char **ret_msg)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = vp_root_read_text(root, VP_HANDOFF_RECORD, &text, &len, NULL, ret_msg);
	if (r < 0)
		return r;
	return vp_hrecord_parse(text, len, VP_HANDOFF_RECORD, ret, ret_msg);
}

int vp_hrecord_save(const struct vp_root *root, const struct vp_hrecord *rec, char **ret_msg)
{
	static const struct vp_fsroot_attr attr = {.mode = 0644};
	struct vp_buf b = {0};
	int r;

	/* gone, and so is what a write killed before its rename left */
	if (rec->steps.n == 0) {
		r = vp_fsroot_unlink(root, VP_HANDOFF_RECORD, ret_msg);
		return r < 0 ? r : vp_fsroot_unlink(root, RECORD_TMP, ret_msg);
	}
	r = vp_hrecord_format(rec, &b);
	if (r == 0)
		r = vp_fsroot_write(root, VP_HANDOFF_RECORD, b.s, b.len, &attr, ret_msg);
	vp_buf_free(&b);
	return r;
}
