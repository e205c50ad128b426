// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * verify for /etc/modprobe.d/vfio.conf: a strict check of our own lines,
 * then the whole modprobe.d read back with libkmod, as modprobe sees it,
 * so that another file overriding our ids or blacklisting vfio-pci shows.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "kmod-root.h"
#include "plan-modprobe.h"
#include "verify.h"

#define SD_TAIL " pre: vfio-pci"
#define SD_TAIL_LEN (sizeof(SD_TAIL) - 1)

/* What a vfio.conf of ours says: the ids= value (NULL: none) and softdeps. */
struct modprobe_conf {
	char *ids;
	struct vp_strv softdeps;
};

static void modprobe_conf_free(struct modprobe_conf *c)
{
	free(c->ids);
	vp_strv_free(&c->softdeps);
}

static bool is_hex4(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* "vvvv:dddd[:ssss:ssss],..." exactly as the planner writes it. */
static bool valid_ids(const char *s)
{
	for (;;) {
		size_t n = strcspn(s, ",");

		if (n != 9 && n != 19)
			return false;
		for (size_t i = 0; i < n; i += 5)
			if (!is_hex4(s + i) || (i + 4 < n && s[i + 4] != ':'))
				return false;
		if (s[n] == '\0')
			return true;
		s += n + 1;
	}
}

static bool valid_modname(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

/*
 * Reads our own file strictly: only the lines the planner writes. With
 * rep NULL (the planned content) problems are ignored.
 */
static int parse_ours(const char *path, const char *content, struct modprobe_conf *ret,
		      struct vp_verify_report *rep)
{
	const char *s = content;
	unsigned lineno = 0;
	int r = 0;

	while (*s) {
		size_t len = strcspn(s, "\n");
		_cleanup_free_ char *line = strndup(s, len);
		const char *v;

		if (!line)
			return -ENOMEM;
		lineno++;
		s += len + (s[len] == '\n');
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if ((v = vp_startswith(line, "options vfio-pci ids=") ? line + 21 : NULL)) {
			if (!valid_ids(v)) {
				r = rep ? vp_verify_add(rep, VP_VERIFY_ERROR,
							"'%s':%u: malformed ids list '%s'",
							path, lineno, v) : 0;
			} else if (strlen(v) > VP_VFIO_IDS_MAX) {
				r = rep ? vp_verify_add(rep, VP_VERIFY_ERROR,
							"'%s':%u: ids list is %zu bytes, the "
							"kernel keeps %d",
							path, lineno, strlen(v), VP_VFIO_IDS_MAX) : 0;
			} else if (ret->ids) {
				r = rep ? vp_verify_add(rep, VP_VERIFY_ERROR,
							"'%s':%u: second ids line", path,
							lineno) : 0;
			} else if (!(ret->ids = strdup(v))) {
				r = -ENOMEM;
			}
		} else if (vp_startswith(line, "softdep ") && len > 8 + SD_TAIL_LEN &&
			   strcmp(line + len - SD_TAIL_LEN, SD_TAIL) == 0 &&
			   valid_modname(line + 8, len - 8 - SD_TAIL_LEN)) {
			line[len - SD_TAIL_LEN] = '\0';
			r = vp_strv_push_unique(&ret->softdeps, line + 8);
		} else if (rep) {
			r = vp_verify_add(rep, VP_VERIFY_ERROR,
					  "'%s':%u: not a line vfio-provision writes: '%s'", path,
					  lineno, line);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static void normalise(char *s)
{
	for (; *s; s++)
		if (*s == '-')
			*s = '_';
}

/* Is vfio_pci among the pre: modules of a softdep value ("pre: a b post: c")? */
static bool pre_has_vfio_pci(const char *value)
{
	_cleanup_free_ char *v = strdup(value);
	bool pre = false;
	char *save = NULL;

	if (!v)
		return false;
	for (char *t = strtok_r(v, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (strcmp(t, "pre:") == 0)
			pre = true;
		else if (strcmp(t, "post:") == 0)
			pre = false;
		else if (pre) {
			normalise(t);
			if (strcmp(t, "vfio_pci") == 0)
				return true;
		}
	}
	return false;
}

/*
 * The last ids= among vfio_pci's options in the first `files` (those of
 * modprobe.d, not the running kernel's command line): the kernel keeps the
 * last one.
 */
static int effective_ids(const struct kmod_ctx *ctx, unsigned files, char **ret, unsigned *ret_n)
{
	struct kmod_config_iter *it = kmod_config_get_options(ctx);
	_cleanup_free_ char *last = NULL;
	unsigned n = 0;

	if (!it)
		return -ENOMEM;
	while (files-- > 0 && kmod_config_iter_next(it)) {
		_cleanup_free_ char *key = strdup(kmod_config_iter_get_key(it));
		_cleanup_free_ char *opts = strdup(kmod_config_iter_get_value(it));
		char *save = NULL;

		if (!key || !opts) {
			kmod_config_iter_free_iter(it);
			return -ENOMEM;
		}
		normalise(key);
		if (strcmp(key, "vfio_pci") != 0)
			continue;
		for (char *t = strtok_r(opts, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
			if (vp_startswith(t, "ids=")) {
				free(last);
				last = strdup(t + 4);
				n++;
				if (!last) {
					kmod_config_iter_free_iter(it);
					return -ENOMEM;
				}
			}
	}
	kmod_config_iter_free_iter(it);
	*ret = last;
	last = NULL;
	*ret_n = n;
	return 0;
}

static bool iter_has_vfio_pci(struct kmod_config_iter *it, unsigned files)
{
	bool found = false;

	while (it && files-- > 0 && kmod_config_iter_next(it)) {
		_cleanup_free_ char *key = strdup(kmod_config_iter_get_key(it));

		if (key) {
			normalise(key);
			found |= strcmp(key, "vfio_pci") == 0;
		}
	}
	kmod_config_iter_free_iter(it);
	return found;
}

int vp_verify_modprobe(const struct vp_root *root, const struct vp_plan_file *file,
		       const char *content, size_t len, struct vp_verify_report *rep)
{
	struct modprobe_conf want = {0}, have = {0};
	_cleanup_free_ char *ids = NULL, *msg = NULL;
	struct kmod_ctx *ctx = NULL;
	struct kmod_config_iter *it;
	unsigned n_ids = 0, n_opts, n_bl;
	int r;

	(void)len;
	r = parse_ours(file->path, content, &have, rep);
	if (r < 0)
		goto fail;
	if (file->content) {
		r = parse_ours(file->path, file->content, &want, NULL);
		if (r < 0)
			goto fail;
	}

	/*
	 * The consumer's view: every file of every modprobe.d directory, as
	 * modprobe reads them (a blacklist in /usr/lib/modprobe.d counts too).
	 */
	r = vp_kmod_new(root, NULL, &ctx, &msg);
	if (r < 0) {
		r = msg ? vp_verify_add(rep, VP_VERIFY_ERROR, "%s", msg) : r;
		goto fail;
	}
	vp_kmod_config_counts(ctx, &n_opts, &n_bl);
	r = effective_ids(ctx, n_opts, &ids, &n_ids);
	if (r < 0)
		goto fail;
	if (want.ids && !vp_streq(ids, want.ids))
		r = vp_verify_add(rep, VP_VERIFY_ERROR,
				  "libkmod: vfio_pci gets %s%s from modprobe.d, not ids=%s "
				  "(another file overrides it?)",
				  ids ? "ids=" : "no ids", ids ? ids : "", want.ids);
	else if (want.ids && n_ids > 1)
		r = vp_verify_add(rep, VP_VERIFY_WARN,
				  "libkmod: vfio_pci has %u ids= options in modprobe.d; "
				  "only the last counts",
				  n_ids);
	else if (!want.ids && ids)
		r = vp_verify_add(rep, VP_VERIFY_WARN,
				  "libkmod: vfio_pci gets ids=%s from another file in "
				  "modprobe.d, though binding is by address",
				  ids);
	if (r < 0)
		goto fail;

	it = kmod_config_get_softdeps(ctx);
	if (!it) {
		r = -ENOMEM;
		goto fail;
	}
	while (kmod_config_iter_next(it)) {
		_cleanup_free_ char *key = strdup(kmod_config_iter_get_key(it));

		if (!key) {
			kmod_config_iter_free_iter(it);
			r = -ENOMEM;
			goto fail;
		}
		normalise(key);
		for (size_t i = 0; i < want.softdeps.n; i++)
			if (want.softdeps.v[i][0] && strcmp(want.softdeps.v[i], key) == 0 &&
			    pre_has_vfio_pci(kmod_config_iter_get_value(it)))
				want.softdeps.v[i][0] = '\0'; /* seen */
	}
	kmod_config_iter_free_iter(it);
	for (size_t i = 0; i < want.softdeps.n; i++)
		if (want.softdeps.v[i][0]) {
			r = vp_verify_add(rep, VP_VERIFY_ERROR,
					  "libkmod: no 'softdep %s pre: vfio-pci' in "
					  "modprobe.d",
					  want.softdeps.v[i]);
			if (r < 0)
				goto fail;
		}

	if (iter_has_vfio_pci(kmod_config_get_blacklists(ctx), n_bl))
		r = vp_verify_add(rep, VP_VERIFY_WARN,
				  "libkmod: vfio_pci is blacklisted in modprobe.d");
	if (r >= 0 && iter_has_vfio_pci(kmod_config_get_install_commands(ctx), UINT_MAX))
		r = vp_verify_add(rep, VP_VERIFY_WARN,
				  "libkmod: an install command replaces loading vfio_pci");
fail:
	vp_kmod_unref(ctx);
	modprobe_conf_free(&want);
	modprobe_conf_free(&have);
	return r < 0 ? r : 0;
}
