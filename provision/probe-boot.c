// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which initramfs generator and which bootloader this root uses, from the
 * files it holds, by the clues of each target in the table (target.h).
 * Everything found is recorded (initramfs_found[], bootloader_found[]); the
 * one "in use" is the one with the highest score.
 * The config's [initramfs] generator and [bootloader] type override both.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>

#include "dir-iter.h"
#include "probe-internal.h"
#include "ledger.h"
#include "probe.h"
#include "target.h"

/*
 * The root as evidence. What vfio-provision created itself (a file that was
 * not there before it, a directory it made: the ledger says which) is no
 * evidence of what the system uses: a dracut drop-in of ours, written while
 * [initramfs] generator = dracut, must not make dracut the generator once
 * that setting is gone. The first file the probe could not look at goes to
 * broken: a dangling link (where the generator or the bootloader would read
 * a file, it finds none, and "no bootloader" would be a guess), a link
 * leaving the root, an error. The probe fails naming it.
 */
struct evidence {
	const struct vp_root *root;
	struct vp_strv ours;
	char *broken;
};

static void evidence_init(struct evidence *ev, const struct vp_root *root)
{
	struct vp_ledger l = {0};

	*ev = (struct evidence){.root = root};
	/* an unreadable ledger: then everything counts, as before any apply */
	if (vp_ledger_load(root, &l, NULL) < 0)
		return;
	for (size_t i = 0; i < l.n; i++)
		if (!l.f[i].base.exists && vp_strv_push(&ev->ours, l.f[i].path) < 0)
			break;
	for (size_t i = 0; i < l.dirs.n; i++)
		if (vp_strv_push(&ev->ours, l.dirs.v[i]) < 0)
			break;
	vp_ledger_free(&l);
}

static bool exists(struct evidence *ev, const char *path)
{
	_cleanup_free_ char *msg = NULL, *target = NULL;
	struct stat st;
	int r;

	if (vp_strv_contains(&ev->ours, path))
		return false;
	r = vp_root_stat(ev->root, path, &st, &msg);
	if (r == 0)
		return true;
	if (ev->broken)
		return false;
	if (r == -ENOENT && vp_root_readlink(ev->root, path, &target) == 0)
		ev->broken = vp_strdup_printf("'%s': a symbolic link to '%s', which does not exist",
					      path, target);
	else if (r != -ENOENT && r != -ENOTDIR)
		ev->broken = msg ? strdup(msg) : vp_strdup_printf("'%s': %s", path, strerror(-r));
	return false;
}

/* A program is only evidence: a dangling one (an alternative unset) is absent. */
static bool runs(const struct evidence *ev, const char *path)
{
	return !vp_strv_contains(&ev->ours, path) && vp_root_exists(ev->root, path);
}

/* A program in any of the usual bin directories (merged /usr or not). */
static bool have_program(const struct evidence *root, const char *name)
{
	static const char *const dirs[] = {"/usr/bin", "/usr/sbin", "/bin", "/sbin"};

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *p = vp_strdup_printf("%s/%s", dirs[i], name);

		if (p && runs(root, p))
			return true;
	}
	return false;
}

static int is_conf(int dfd, const char *name, void *userdata)
{
	(void)dfd;
	(void)userdata;
	return vp_dropin_name(name, ".conf");
}

/* Any "*.conf" in a directory of the root (one that cannot be read has none). */
static bool have_conf_in(const struct evidence *ev, const char *dir)
{
	return vp_dir_each(ev->root, dir, is_conf, NULL, NULL) > 0;
}

/*
 * dpkg's record of a package: installed ("Status: ... installed"), or not.
 * status is the whole of /var/lib/dpkg/status; stanzas are separated by a
 * blank line, and Package: comes first in each.
 */
static bool dpkg_installed(const char *status, const char *pkg)
{
	_cleanup_free_ char *needle = vp_strdup_printf("Package: %s\n", pkg);
	const char *p = status;

	while (needle && (p = strstr(p, needle))) {
		const char *end = strstr(p, "\n\n"), *st;

		if (p == status || p[-1] == '\n') {
			st = strstr(p, "\nStatus: ");
			if (st && (!end || st < end)) {
				const char *eol = strchr(st + 1, '\n');
				size_t l = eol ? (size_t)(eol - st) : strlen(st);

				return l > 10 && memcmp(st + l - 10, " installed", 10) == 0;
			}
		}
		p += strlen(needle);
	}
	return false;
}

/* Whether each path of a NULL-terminated list exists (all) or one does (!all). */
static bool paths(struct evidence *ev, const char *const *v, bool all)
{
	for (size_t i = 0; v && v[i]; i++)
		if (exists(ev, v[i]) != all)
			return !all;
	return all;
}

/*
 * The score of the first clue of a target that holds, 0 when none does.
 * found[] holds the targets before it in the table (for "unless"), names
 * their names.
 */
static int clue_score(struct evidence *ev, const struct vp_clue *clues, size_t n_clues,
		      const bool *found, const char *(*name_of)(size_t i), size_t before)
{
	for (size_t c = 0; c < n_clues && clues[c].score > 0; c++) {
		const struct vp_clue *k = &clues[c];
		bool holds = true;

		for (size_t i = 0; holds && k->unless && i < before; i++)
			holds = !(found[i] && strcmp(name_of(i), k->unless) == 0);
		if (holds && k->programs) {
			holds = false;
			for (size_t i = 0; !holds && k->programs[i]; i++)
				holds = have_program(ev, k->programs[i]);
		}
		holds = holds && paths(ev, k->all, true);
		if (holds && k->any)
			holds = paths(ev, k->any, false);
		if (holds && k->conf_in)
			holds = have_conf_in(ev, k->conf_in);
		if (holds)
			return k->score;
	}
	return 0;
}

static const char *generator_name(size_t i)
{
	return vp_targets->generators[i]->name;
}

static const char *bootloader_name(size_t i)
{
	return vp_targets->bootloaders[i]->name;
}

/* "a and b" (each name of the generators in set[]); NULL on -ENOMEM. */
static char *names_of(const size_t *set, size_t n)
{
	struct vp_buf b = {0};
	int r = 0;

	for (size_t i = 0; i < n && r >= 0; i++)
		r = vp_buf_printf(&b, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ",
				  generator_name(set[i]));
	if (r < 0) {
		vp_buf_free(&b);
		return NULL;
	}
	return vp_buf_steal(&b);
}

/*
 * Debian and Ubuntu allow dracut or initramfs-tools to build the images,
 * never both (they conflict), but the dracut program alone comes with
 * dracut-core, which builds nothing on a kernel update: the generator is
 * the package installed as such (dpkg's status), else the one whose
 * kernel postinst hook is there (the generators' struct vp_dpkg_claim).
 * Called only when several such generators have traces (set[], n >= 2).
 * Returns the generator, 0 (none) when it cannot tell (with the note saying so).
 */
static size_t debian_generator(struct evidence *root, struct vp_system *sys, const size_t *set,
			       size_t n)
{
	_cleanup_free_ char *status = NULL, *names = NULL;
	size_t len, n_inst = 0, n_hook = 0, inst = 0, hook = 0;

	if (vp_root_read(root->root, "/var/lib/dpkg/status", &status, &len) < 0)
		status = NULL;
	for (size_t i = 0; status && i < n; i++)
		if (dpkg_installed(status, vp_targets->generators[set[i]]->dpkg->package)) {
			n_inst++;
			inst = i;
		}
	if (n_inst == 1) {
		struct vp_buf b = {0};
		int r = vp_buf_printf(&b, "dpkg: %s is installed", generator_name(set[inst]));

		for (size_t i = 0; i < n && r >= 0; i++) {
			const struct vp_dpkg_claim *d = vp_targets->generators[set[i]]->dpkg;

			if (i != inst && d->part && dpkg_installed(status, d->part))
				r = vp_buf_puts(&b, d->part_note);
		}
		for (size_t i = 0, k = 0; i < n && r >= 0; i++)
			if (i != inst)
				r = vp_buf_printf(&b, "%s%s", k++ ? " and " : ", ",
						  vp_targets->generators[set[i]]->dpkg->missing);
		if (r >= 0)
			r = vp_buf_puts(&b, n > 2 ? " are not" : " is not");
		if (r >= 0)
			sys->initramfs_note = vp_buf_steal(&b);
		else
			vp_buf_free(&b);
		return set[inst];
	}
	for (size_t i = 0; i < n; i++)
		if (exists(root, vp_targets->generators[set[i]]->dpkg->hook)) {
			n_hook++;
			hook = i;
		}
	if (n_hook == 1) {
		sys->initramfs_note = vp_strdup_printf(
			"%s builds the images on kernel updates",
			vp_targets->generators[set[hook]]->dpkg->hook);
		return set[hook];
	}
	names = names_of(set, n);
	sys->initramfs_unsure = true;
	sys->initramfs_note = vp_strdup_printf(
		"%s%s are here, and neither dpkg (%s installed) nor /etc/kernel/postinst.d tells "
		"which one builds the images; set [initramfs] generator", n == 2 ? "both " : "",
		names ? names : "", !n_inst ? "neither" : n_inst < n ? "some" : n == 2 ? "both" : "all");
	return 0;
}

/*
 * Initramfs: the strongest clue wins (targets.c), the first in the table
 * among equals. Generators with a dpkg claim that both have traces are
 * Debian's case, unless another one's program is here: debian_generator
 * decides.
 */
static void probe_initramfs(struct evidence *root, struct vp_system *sys)
{
	const struct vp_targets *t = vp_targets;
	int score[VP_INITRAMFS_MAX] = {0}, best = 0, other = 0;
	size_t claim[VP_INITRAMFS_MAX], n_claim = 0;

	for (size_t g = 1; g < t->n_generators && g < VP_INITRAMFS_MAX; g++) {
		score[g] = clue_score(root, t->generators[g]->clues,
				      ARRAY_SIZE(t->generators[g]->clues), NULL, generator_name, 0);
		if (score[g] && t->generators[g]->dpkg)
			claim[n_claim++] = g;
		else if (score[g] > other)
			other = score[g];
	}
	if (n_claim >= 2 && other < 2) {
		size_t g = debian_generator(root, sys, claim, n_claim);

		if (g)
			score[g] = 3;
	}
	sys->initramfs = VP_INITRAMFS_NONE;
	for (size_t g = 1; g < t->n_generators && g < VP_INITRAMFS_MAX; g++) {
		sys->initramfs_found[g] = score[g] > 0;
		if (score[g] > best) {
			best = score[g];
			sys->initramfs = (enum vp_initramfs)g;
		}
	}
}

/* Bootloaders: the highest score found wins (the precedence in targets.c). */
static void probe_bootloader(struct evidence *root, struct vp_system *sys)
{
	const struct vp_targets *t = vp_targets;
	int best = 0;

	sys->bootloader = VP_BOOT_NONE;
	for (size_t b = 1; b < t->n_bootloaders && b < VP_BOOT_MAX; b++) {
		int score = clue_score(root, t->bootloaders[b]->clues,
				       ARRAY_SIZE(t->bootloaders[b]->clues), sys->bootloader_found,
				       bootloader_name, b);

		sys->bootloader_found[b] = score > 0;
		if (score > best) {
			best = score;
			sys->bootloader = (enum vp_bootloader)b;
		}
	}
}

int vp_probe_boot(const struct vp_root *root, struct vp_system *sys, char **ret_msg)
{
	struct evidence ev;
	int r;

	evidence_init(&ev, root);
	probe_initramfs(&ev, sys);
	probe_bootloader(&ev, sys);
	vp_strv_free(&ev.ours);
	if (ev.broken) {
		r = vp_fail(ret_msg, -ENOENT, "%s; cannot tell the initramfs generator and the "
			    "bootloader", ev.broken);
		free(ev.broken);
		return r;
	}
	if (!sys->proc_cmdline) {
		r = vp_probe_attr(root, "/proc/cmdline", &sys->proc_cmdline, ret_msg);
		if (r < 0)
			return r;
		if (sys->proc_cmdline)
			vp_strstrip(sys->proc_cmdline);
	}
	/* after /proc/cmdline: the mode of proxmox-boot-tool's ESPs depends on it */
	return vp_probe_proxmox(root, sys, ret_msg);
}
