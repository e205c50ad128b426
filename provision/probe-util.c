// SPDX-License-Identifier: GPL-2.0-or-later
/* Small read helpers for the probe: strict parsing, errors naming paths. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "probe-internal.h"
#include "vpe.h"
#include "vp.h"

int vp_probe_device_dir_error(const char *path, int r, const char *msg, char **ret_msg)
{
	/* the resolver's message names a link that leaves the root */
	return msg ? vp_fail(ret_msg, r, "%s", msg)
		   : vp_fail(ret_msg, r, "'%s': %s", path,
			     r == -ENOENT ? "dangling link" : strerror(-r));
}

int vp_probe_device_dir(const struct vp_root *root, const char *path, char **ret_msg)
{
	_cleanup_free_ char *msg = NULL;
	int r = vp_root_check_dir(root, path, &msg);

	return r < 0 ? vp_probe_device_dir_error(path, r, msg, ret_msg) : 0;
}

static int read_capped(const struct vp_root *root, const char *path, size_t max, char **ret,
		       char **ret_msg)
{
	char *s = NULL;
	int r;

	r = vp_root_read_max(root, path, max, &s, NULL, NULL, ret_msg);
	if (r == -ENOENT) {
		*ret = NULL;
		return 0;
	}
	if (r < 0)
		return r;
	*ret = s;
	return 0;
}

int vp_probe_attr(const struct vp_root *root, const char *path, char **ret, char **ret_msg)
{
	return read_capped(root, path, VP_MAX_ATTR, ret, ret_msg);
}

int vp_probe_table(const struct vp_root *root, const char *path, char **ret, char **ret_msg)
{
	return read_capped(root, path, VP_MAX_TABLE, ret, ret_msg);
}

static bool only_trailing_newline(const char *end)
{
	if (*end == '\n')
		end++;
	return *end == '\0';
}

/* Both on the one digit parser (early/num.c), with one trailing newline allowed. */
bool vp_parse_long(const char *s, int base, long *ret)
{
	bool neg = *s == '-';
	unsigned long long v;
	const char *end;

	if (base < 0 || vpe_parse_digits(s + neg, (unsigned)base, (unsigned long long)LONG_MAX + neg,
					 &v, &end) < 0 || !only_trailing_newline(end))
		return false;
	*ret = neg ? (long)(0ULL - v) : (long)v;
	return true;
}

bool vp_parse_ull(const char *s, int base, unsigned long long *ret)
{
	unsigned long long v;
	const char *end;

	if (base < 0 || vpe_parse_digits(s, (unsigned)base, ULLONG_MAX, &v, &end) < 0 ||
	    !only_trailing_newline(end))
		return false;
	*ret = v;
	return true;
}

int vp_probe_attr_long(const struct vp_root *root, const char *path, long *ret,
		       char **ret_msg)
{
	_cleanup_free_ char *s = NULL;
	int r;

	r = vp_probe_attr(root, path, &s, ret_msg);
	if (r < 0 || !s)
		return r;
	if (!vp_parse_long(s, 10, ret))
		return vp_fail(ret_msg, -EINVAL, "'%s': not a number: '%.40s'", path,
			       vp_strstrip(s));
	return 0;
}

long vp_probe_find_fn(const struct vp_system *sys, unsigned dom, unsigned bus,
		      unsigned dev, unsigned fn)
{
	/* sys->fns is sorted by address: binary search keeps the probe linear-ish */
	unsigned long long key = ((unsigned long long)dom << 16) | (bus << 8) | (dev << 3) | fn;
	size_t lo = 0, hi = sys->n_fns;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct vp_pci_fn *f = &sys->fns[mid];
		unsigned long long k = ((unsigned long long)f->domain << 16) | (f->bus << 8) |
				       (f->dev << 3) | f->func;

		if (k == key)
			return (long)mid;
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}
