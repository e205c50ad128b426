// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Taking the steps of a handoff, and undoing them. Every sysfs path goes
 * through the root's resolver (root-io.c); systemctl and modprobe run with
 * argv through vp_spawn (chrooted when the root is not "/"). A uevent
 * monitor is open before the first write, and every wait for the kernel (a
 * driver gone, a driver bound, a device removed or back) waits for its next
 * event and looks at sysfs again after each one, until a deadline: never a
 * sleep.
 *
 * The record (handoff-record.c) is written before each step: after a crash
 * or a SIGKILL anywhere, it covers everything done, and a reattach undoes
 * exactly that. Every undo looks at the state first, so a step recorded but
 * never taken undoes to nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "fsroot.h"
#include "handoff.h"
#include "root-io.h"
#include "root.h"
#include "uevent.h"
#include "vp-spawn.h"

#define VFIO_PCI "vfio-pci"
#define RUN_DIR "/run/vfio-provision"

struct exec {
	const struct vp_root *root;
	const struct vp_handoff_opts *o;
	struct vp_root_io rio;
	struct vp_uevent_mon mon;
	struct vp_hrecord rec;
	struct vp_handoff_result *res;
};

static void say(struct exec *x, const char *fmt, ...) _printf_(2, 3);
static void say(struct exec *x, const char *fmt, ...)
{
	_cleanup_free_ char *s = NULL;
	va_list ap;

	if (!x->o->say)
		return;
	va_start(ap, fmt);
	s = vp_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (s)
		x->o->say(x->o->userdata, s);
}

static void note_event(struct exec *x, const struct vp_uevent *e)
{
	_cleanup_free_ char *s = NULL;

	if (!x->o->event)
		return;
	s = vp_strdup_printf("uevent: %s %s%s%s", e->action, e->devpath, e->driver[0] ? " " : "",
			     e->driver);
	if (s)
		x->o->event(x->o->userdata, s);
}

static char *dev_path(const char *addr, const char *attr)
{
	return vp_strdup_printf("/sys/bus/pci/devices/%s%s%s", addr, attr ? "/" : "", attr ? attr : "");
}

/* The name of the driver bound to addr into buf; false when none. */
static bool driver_of(struct exec *x, const char *addr, char *buf, size_t size)
{
	_cleanup_free_ char *p = dev_path(addr, "driver");

	buf[0] = '\0';
	return p && x->rio.io.readlink_name(x->rio.io.ctx, p, buf, size) > 0;
}

static bool present(struct exec *x, const char *addr)
{
	_cleanup_free_ char *p = dev_path(addr, NULL);

	return p && vp_root_exists(x->root, p);
}

static bool exists_fmt(struct exec *x, const char *fmt, const char *arg)
{
	_cleanup_free_ char *p = vp_strdup_printf(fmt, arg);

	return p && vp_root_exists(x->root, p);
}

static int write_attr(struct exec *x, const char *path, const char *value, char **ret_msg)
{
	int r = x->rio.io.write(x->rio.io.ctx, path, value);

	/* the resolver's message names what is in the way (a link, a FIFO) */
	if (r < 0)
		return vp_fail(ret_msg, r, "writing '%.*s' to %s: %s", (int)strcspn(value, "\n"),
			       value, path, x->rio.msg ? x->rio.msg : strerror(-r));
	return 0;
}

static int write_attr_fmt(struct exec *x, const char *fmt, const char *arg, const char *value,
			  char **ret_msg)
{
	_cleanup_free_ char *p = vp_strdup_printf(fmt, arg);

	return p ? write_attr(x, p, value, ret_msg) : -ENOMEM;
}

enum cond { C_NO_DRIVER, C_DRIVER, C_GONE, C_PRESENT };

static bool holds(struct exec *x, const char *addr, enum cond c)
{
	char drv[64];

	switch (c) {
	case C_NO_DRIVER: return !driver_of(x, addr, drv, sizeof(drv));
	case C_DRIVER: return driver_of(x, addr, drv, sizeof(drv));
	case C_GONE: return !present(x, addr);
	default: return present(x, addr);
	}
}

/* The events already queued (the kernel sends them before the write returns). */
static void drain(struct exec *x)
{
	struct vp_uevent e;
	int r;

	if (x->mon.fd < 0)
		return;
	while ((r = vp_uevent_next(&x->mon, 0, &e)) == 0 || r == -ENOBUFS)
		if (r == 0)
			note_event(x, &e);
}

/* Until c holds for addr: look, then wait for the kernel's next event and look again. */
static int wait_for(struct exec *x, const char *addr, enum cond c, const char *what,
		    char **ret_msg)
{
	unsigned long long deadline = vp_uevent_now_ms() + x->o->timeout_ms;
	struct vp_uevent e;
	int r;

	for (;;) {
		drain(x);
		if (holds(x, addr, c))
			return 0;
		r = vp_uevent_next(&x->mon, deadline, &e);
		if (r == 0)
			note_event(x, &e);
		else if (r == -ETIMEDOUT)
			return vp_fail(ret_msg, r, "%s: %s: not so after %lu s", addr, what,
				       (x->o->timeout_ms + 999) / 1000);
		else if (r != -ENOBUFS)
			return vp_fail(ret_msg, r, "waiting for the kernel's uevents: %s",
				       strerror(-r));
	}
}

static int run(struct exec *x, char *const argv[], char **ret_msg)
{
	int status, r;

	r = vp_spawn(x->root, argv, &status, ret_msg);
	if (r < 0)
		return r;
	if (status) {
		_cleanup_free_ char *line = vp_spawn_cmdline(x->root, argv);

		return vp_fail(ret_msg, -EIO, "'%s' failed with exit status %d%s", line ? line : argv[0],
			       status, status == 127 ? " (not found?)" : "");
	}
	return 0;
}

static int record(struct exec *x, const struct vp_hstep *s, char **ret_msg)
{
	int r;

	if (vp_hsteps_find(&x->rec.steps, s->kind, s->a))
		return 0;
	r = vp_hsteps_add(&x->rec.steps, s->kind, s->a, s->b, s->c);
	if (r == 0)
		r = vp_hrecord_save(x->root, &x->rec, ret_msg);
	return r;
}

/* ---- detach ------------------------------------------------------------- */

static int do_unit(struct exec *x, const struct vp_hstep *s, char **ret_msg)
{
	char *active[] = {"systemctl", "is-active", "--quiet", s->a, NULL};
	char *stop[] = {"systemctl", "stop", s->a, NULL};
	int status, r;

	if (!vp_hsteps_find(&x->rec.steps, s->kind, s->a)) {
		r = vp_spawn(x->root, active, &status, ret_msg);
		if (r < 0)
			return r;
		/* what does not run now is not ours to start again */
		if (status) {
			say(x, "%s is not active: left alone", s->a);
			return 1;
		}
	}
	r = record(x, s, ret_msg);
	if (r >= 0)
		r = run(x, stop, ret_msg);
	if (r >= 0)
		say(x, "stopped %s", s->a);
	return r;
}

static int do_vtcon(struct exec *x, const struct vp_hstep *s, char **ret_msg)
{
	_cleanup_free_ char *p = vp_strdup_printf("/sys/class/vtconsole/%s/bind", s->a);
	_cleanup_free_ char *bind = NULL;
	int r;

	if (!p)
		return -ENOMEM;
	if (vp_root_read_line(x->root, p, &bind) < 0 || strcmp(bind, "1") != 0)
		return 1;
	r = record(x, s, ret_msg);
	if (r >= 0)
		r = write_attr(x, p, "0", ret_msg);
	if (r >= 0)
		say(x, "unbound the framebuffer console %s", s->a);
	return r;
}

static int do_fwfb(struct exec *x, const struct vp_hstep *s, char **ret_msg)
{
	int r;

	if (!exists_fmt(x, "/sys/bus/platform/devices/%s/driver", s->b))
		return 1;
	r = record(x, s, ret_msg);
	if (r >= 0)
		r = write_attr_fmt(x, "/sys/bus/platform/drivers/%s/unbind", s->a, s->b, ret_msg);
	if (r >= 0)
		say(x, "unbound the firmware framebuffer %s from %s", s->b, s->a);
	return r;
}

static int do_unload(struct exec *x, const struct vp_hstep *s, char **ret_msg)
{
	char *argv[] = {"modprobe", "-r", s->a, NULL};
	int r;

	if (!exists_fmt(x, "/sys/module/%s/initstate", s->a))
		return 1;
	r = record(x, s, ret_msg);
	if (r >= 0)
		r = run(x, argv, ret_msg);
	if (r >= 0)
		say(x, "unloaded module %s", s->a);
	return r;
}

static int do_move(struct exec *x, const struct vp_hstep *s, char **ret_msg)
{
	_cleanup_free_ char *ov = dev_path(s->a, "driver_override");
	_cleanup_free_ char *unbind = dev_path(s->a, "driver/unbind");
	_cleanup_free_ char *cur_override = NULL;
	char drv[64], now[64];
	bool had;
	int r;

	if (!ov || !unbind)
		return -ENOMEM;
	if (!present(x, s->a))
		return vp_fail(ret_msg, -ENODEV, "%s is not in sysfs (removed?)", s->a);
	had = driver_of(x, s->a, drv, sizeof(drv));
	if (had && strcmp(drv, VFIO_PCI) == 0)
		return 1;
	r = record(x, s, ret_msg);
	if (r < 0)
		return r;
	/* the override first: nothing else may take it once it is free */
	if (vp_root_read_line(x->root, ov, &cur_override) < 0 || strcmp(cur_override, VFIO_PCI))
		r = write_attr(x, ov, VFIO_PCI, ret_msg);
	if (r >= 0 && had) {
		r = write_attr(x, unbind, s->a, ret_msg);
		if (r >= 0)
			r = wait_for(x, s->a, C_NO_DRIVER, "the driver to let go", ret_msg);
	}
	if (r >= 0)
		r = write_attr(x, "/sys/bus/pci/drivers_probe", s->a, ret_msg);
	if (r >= 0)
		r = wait_for(x, s->a, C_DRIVER, "vfio-pci to take it", ret_msg);
	if (r >= 0 && (!driver_of(x, s->a, now, sizeof(now)) || strcmp(now, VFIO_PCI)))
		r = vp_fail(ret_msg, -EIO, "%s: bound to %s, not to vfio-pci", s->a, now);
	if (r >= 0)
		say(x, "%s: %s -> vfio-pci", s->a, had ? drv : "no driver");
	return r;
}

/* 0 done, 1 nothing to do, -errno. */
static int do_step(struct exec *x, const struct vp_hstep *s, char **ret_msg)
{
	int r;

	switch (s->kind) {
	case VP_HSTEP_UNIT: r = do_unit(x, s, ret_msg); break;
	case VP_HSTEP_VTCON: r = do_vtcon(x, s, ret_msg); break;
	case VP_HSTEP_FWFB: r = do_fwfb(x, s, ret_msg); break;
	case VP_HSTEP_UNLOAD: r = do_unload(x, s, ret_msg); break;
	default: r = do_move(x, s, ret_msg); break;
	}
	if (r == 0 && vp_hsteps_add(&x->res->done, s->kind, s->a, s->b, s->c) < 0)
		r = -ENOMEM;
	return r;
}

/* ---- reattach ------------------------------------------------------------- */

/* Off vfio-pci, the override cleared, and offered to the drivers again. */
static int undo_move_release(struct exec *x, const struct vp_hstep *s, bool probe,
			     char **ret_msg)
{
	_cleanup_free_ char *ov = dev_path(s->a, "driver_override");
	_cleanup_free_ char *unbind = dev_path(s->a, "driver/unbind");
	_cleanup_free_ char *cur_override = NULL;
	char drv[64];
	int r = 0;

	if (!ov || !unbind)
		return -ENOMEM;
	if (!present(x, s->a))
		return 0;
	if (driver_of(x, s->a, drv, sizeof(drv)) && strcmp(drv, VFIO_PCI) == 0) {
		r = write_attr(x, unbind, s->a, ret_msg);
		if (r >= 0)
			r = wait_for(x, s->a, C_NO_DRIVER, "vfio-pci to let go", ret_msg);
	}
	if (r >= 0 && vp_root_read_line(x->root, ov, &cur_override) == 0 &&
	    strcmp(cur_override, VFIO_PCI) == 0)
		r = write_attr(x, ov, "\n", ret_msg);
	/* its driver takes it now if it is loaded; after the modules otherwise */
	if (r >= 0 && probe && s->b && !holds(x, s->a, C_DRIVER) &&
	    exists_fmt(x, "/sys/bus/pci/drivers/%s", s->b))
		r = write_attr(x, "/sys/bus/pci/drivers_probe", s->a, ret_msg);
	return r;
}

/* The origin's "redetect": remove the functions, rescan, wait for them. */
static int undo_reset(struct exec *x, char **ret_msg)
{
	const struct vp_hsteps *st = &x->rec.steps;
	int r = 0;

	for (size_t i = 0; i < st->n && r >= 0; i++) {
		if (st->v[i].kind != VP_HSTEP_MOVE || !present(x, st->v[i].a))
			continue;
		r = write_attr_fmt(x, "/sys/bus/pci/devices/%s/remove", st->v[i].a, "1", ret_msg);
		if (r >= 0)
			r = wait_for(x, st->v[i].a, C_GONE, "removed", ret_msg);
		if (r >= 0)
			say(x, "removed %s", st->v[i].a);
	}
	if (r >= 0)
		r = write_attr(x, "/sys/bus/pci/rescan", "1", ret_msg);
	for (size_t i = 0; i < st->n && r >= 0; i++)
		if (st->v[i].kind == VP_HSTEP_MOVE) {
			r = wait_for(x, st->v[i].a, C_PRESENT, "back after the rescan", ret_msg);
			if (r >= 0)
				say(x, "%s is back after a rescan", st->v[i].a);
		}
	return r;
}

/* On the driver it had: bound by the probe, by loading its module, or here. */
static int undo_move_bind(struct exec *x, const struct vp_hstep *s, char **ret_msg)
{
	_cleanup_free_ char *bind = NULL, *ignored = NULL;
	char drv[64];

	if (!s->b) {
		say(x, "%s: vfio-pci -> no driver, as before", s->a);
		return 0;
	}
	if (!present(x, s->a))
		return vp_fail(ret_msg, -ENODEV, "%s is not in sysfs: rescan the bus (echo 1 > "
			       "/sys/bus/pci/rescan)", s->a);
	if (!driver_of(x, s->a, drv, sizeof(drv))) {
		if (!exists_fmt(x, "/sys/bus/pci/drivers/%s", s->b))
			return vp_fail(ret_msg, -ENOENT, "%s: its driver %s is not loaded%s%s",
				       s->a, s->b, s->c ? ": modprobe " : "", s->c ? s->c : "");
		/* a refusal (-ENODEV: it did not match) shows in the driver link */
		bind = vp_strdup_printf("/sys/bus/pci/drivers/%s/bind", s->b);
		if (!bind)
			return -ENOMEM;
		(void)write_attr(x, bind, s->a, &ignored);
		if (wait_for(x, s->a, C_DRIVER, s->b, &ignored) < 0)
			return vp_fail(ret_msg, -EIO, "%s: %s did not take it back", s->a, s->b);
		driver_of(x, s->a, drv, sizeof(drv));
	}
	/* a module loaded, a probe: the bind came with an event of its own */
	drain(x);
	if (strcmp(drv, s->b) != 0)
		return vp_fail(ret_msg, -EIO, "%s: bound to %s, not to %s as before", s->a, drv,
			       s->b);
	say(x, "%s: vfio-pci -> %s", s->a, s->b);
	return 0;
}

static int undo_other(struct exec *x, const struct vp_hstep *s, char **ret_msg)
{
	_cleanup_free_ char *p = NULL, *bind = NULL;
	char *load[] = {"modprobe", s->a, NULL};
	char *start[] = {"systemctl", "start", s->a, NULL};
	int r;

	switch (s->kind) {
	case VP_HSTEP_UNLOAD:
		r = run(x, load, ret_msg);
		if (r >= 0)
			say(x, "loaded module %s", s->a);
		return r;
	case VP_HSTEP_FWFB:
		if (!exists_fmt(x, "/sys/bus/platform/devices/%s", s->b)) {
			/* the card's own driver replaces it when it loads */
			say(x, "the firmware framebuffer %s is gone: nothing to bind", s->b);
			return 0;
		}
		if (exists_fmt(x, "/sys/bus/platform/devices/%s/driver", s->b))
			return 0;
		r = write_attr_fmt(x, "/sys/bus/platform/drivers/%s/bind", s->a, s->b, ret_msg);
		if (r >= 0)
			say(x, "bound the firmware framebuffer %s to %s again", s->b, s->a);
		return r;
	case VP_HSTEP_VTCON:
		p = vp_strdup_printf("/sys/class/vtconsole/%s/bind", s->a);
		if (!p)
			return -ENOMEM;
		/* fbcon takes the consoles again on its own when a framebuffer comes back */
		if (vp_root_read_line(x->root, p, &bind) < 0) {
			say(x, "the framebuffer console %s is gone: nothing to bind", s->a);
			return 0;
		}
		r = strcmp(bind, "0") == 0 ? write_attr(x, p, "1", ret_msg) : 0;
		if (r >= 0)
			say(x, "the framebuffer console %s is bound again", s->a);
		return r;
	case VP_HSTEP_UNIT:
		r = run(x, start, ret_msg);
		if (r >= 0)
			say(x, "started %s", s->a);
		return r;
	default:
		return 0;
	}
}

enum phase { P_RELEASE, P_MODULES, P_BIND, P_REST, P_COUNT };

static int undo(struct exec *x, const struct vp_hstep *s, enum phase p, char **ret_msg)
{
	switch (p) {
	case P_RELEASE:
		return s->kind == VP_HSTEP_MOVE ? undo_move_release(x, s, !x->o->reset, ret_msg) : 0;
	case P_MODULES:
		return s->kind == VP_HSTEP_UNLOAD ? undo_other(x, s, ret_msg) : 0;
	case P_BIND:
		return s->kind == VP_HSTEP_MOVE ? undo_move_bind(x, s, ret_msg) : 0;
	default:
		return s->kind < VP_HSTEP_UNLOAD ? undo_other(x, s, ret_msg) : 0;
	}
}

static int push_failure(struct exec *x, char *msg, int r)
{
	return vp_strv_push_take(&x->res->failed, msg ? msg : strdup(strerror(-r)));
}

/*
 * Undoes the record, last step first: the moves (off vfio-pci), the
 * modules (loaded), the moves again (each function on its driver: loading
 * a module binds what it drives), then framebuffers, consoles and units. A
 * step that could not be undone stays in the record for the next try.
 */
static int undo_all(struct exec *x, char **ret_msg)
{
	struct vp_hsteps *st = &x->rec.steps;
	_cleanup_free_ bool *ok = calloc(st->n + 1, sizeof(bool));
	int r;

	if (!ok)
		return -ENOMEM;
	for (size_t i = 0; i < st->n; i++)
		ok[i] = true;
	for (int p = 0; p < P_COUNT; p++) {
		if (p == P_MODULES && x->o->reset && !x->res->failed.n) {
			char *msg = NULL;

			r = undo_reset(x, &msg);
			if (r < 0 && push_failure(x, msg, r) < 0)
				return -ENOMEM;
		}
		for (size_t i = st->n; i-- > 0;) {
			char *msg = NULL;

			if (!ok[i])
				continue;
			r = undo(x, &st->v[i], p, &msg);
			if (r < 0) {
				ok[i] = false;
				if (push_failure(x, msg, r) < 0)
					return -ENOMEM;
			}
		}
	}
	for (size_t i = st->n; i-- > 0;)
		if (ok[i]) {
			if (vp_hsteps_add(&x->res->done, st->v[i].kind, st->v[i].a, st->v[i].b,
					  st->v[i].c) < 0)
				return -ENOMEM;
			vp_hsteps_remove(st, i);
		}
	x->rec.complete = false;
	r = vp_hrecord_save(x->root, &x->rec, ret_msg);
	if (r < 0)
		return r;
	if (x->res->failed.n)
		return vp_fail(ret_msg, -EIO, "%zu of the steps could not be undone; they stay in "
			       "%s for the next `gpu reattach`", st->n, VP_HANDOFF_RECORD);
	return 0;
}

/* ---- the two verbs -------------------------------------------------------- */

void vp_handoff_result_free(struct vp_handoff_result *res)
{
	vp_hsteps_free(&res->done);
	vp_strv_free(&res->blockers);
	vp_strv_free(&res->failed);
	memset(res, 0, sizeof(*res));
}

/* One handoff at a time (the libvirt hook, a user): a lock on /run/vfio-provision. */
static int lock_run(const struct vp_root *root, int *ret_fd, char **ret_msg)
{
	int fd, r;

	r = vp_fsroot_mkdir_p(root, RUN_DIR, 0755, NULL, ret_msg);
	if (r < 0)
		return r;
	fd = vp_root_open_path(root, RUN_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC, ret_msg);
	if (fd < 0)
		return fd;
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			r = -errno;
			close(fd);
			return vp_fail(ret_msg, r, "'%s': cannot lock: %s", RUN_DIR, strerror(-r));
		}
	*ret_fd = fd;
	return 0;
}

static int begin(struct exec *x, const struct vp_root *root, const struct vp_handoff_opts *o,
		 struct vp_handoff_result *res, int *ret_lock, char **ret_msg)
{
	int r;

	memset(res, 0, sizeof(*res));
	*x = (struct exec){.root = root, .o = o, .res = res, .mon = {.fd = -1}};
	vp_root_io(&x->rio, root, NULL);
	r = lock_run(root, ret_lock, ret_msg);
	if (r < 0)
		return r;
	r = vp_hrecord_load(root, &x->rec, ret_msg);
	return r == -ENOENT ? 0 : r;
}

static void end(struct exec *x, int lock)
{
	vp_uevent_close(&x->mon);
	vp_hrecord_free(&x->rec);
	vp_root_io_free(&x->rio);
	if (lock >= 0)
		close(lock);
}

/* The addresses the record moves. */
static int record_addrs(const struct vp_hrecord *rec, struct vp_strv *ret)
{
	int r = 0;

	for (size_t i = 0; i < rec->steps.n && r >= 0; i++)
		if (rec->steps.v[i].kind == VP_HSTEP_MOVE)
			r = vp_strv_push_unique(ret, rec->steps.v[i].a);
	return r;
}

/* A detach that failed or was refused halfway: everything it did is undone. */
static int roll_back(struct exec *x, int r, char **ret_msg)
{
	_cleanup_free_ char *undo = NULL;

	x->res->rolled_back = true;
	vp_hsteps_free(&x->res->done);
	if (undo_all(x, &undo) < 0 && ret_msg && *ret_msg) {
		char *both = vp_strdup_printf("%s; undoing what was done: %s", *ret_msg,
					      undo ? undo : "failed");

		if (both) {
			free(*ret_msg);
			*ret_msg = both;
		}
	}
	return r;
}

static int check(struct exec *x, const struct vp_config *cfg, const struct vp_strv *addrs,
		 const struct vp_hsteps *plan, enum vp_hcheck when, char **ret_msg)
{
	struct vp_hstate st;
	int r;

	r = vp_hstate_probe(x->root, addrs, cfg->unload_auto ? NULL : &cfg->unload, &st, ret_msg);
	if (r < 0)
		return r;
	r = vp_handoff_blockers(cfg, &st, plan, when, &x->res->blockers);
	vp_hstate_free(&st);
	if (r < 0)
		return r;
	return x->res->blockers.n ? -EBUSY : 0;
}

int vp_handoff_detach(const struct vp_root *root, const struct vp_config *cfg,
		      const struct vp_strv *addrs, const struct vp_handoff_opts *o,
		      struct vp_handoff_result *ret, char **ret_msg)
{
	struct vp_hsteps plan = {0};
	struct vp_hstate st = {0};
	struct vp_strv all = {0};
	struct exec x;
	bool moved = true, pre = false;
	int lock = -1, r;

	r = begin(&x, root, o, ret, &lock, ret_msg);
	/* the functions of an interrupted detach are ours too */
	for (size_t i = 0; i < addrs->n && r >= 0; i++)
		r = vp_strv_push_unique(&all, addrs->v[i]);
	if (r >= 0)
		r = record_addrs(&x.rec, &all);
	if (r >= 0)
		r = vp_hstate_probe(root, &all, cfg->unload_auto ? NULL : &cfg->unload, &st, ret_msg);
	if (r >= 0)
		r = vp_handoff_plan(cfg, &st, x.rec.steps.n ? &x.rec.steps : NULL, &plan);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < st.n_fns; i++)
		moved &= vp_streq(st.fns[i].driver, VFIO_PCI);
	if (moved) {
		/* a second detach, or a first one killed after its last move */
		ret->nothing = true;
		if (x.rec.steps.n && !x.rec.complete) {
			x.rec.complete = true;
			r = vp_hrecord_save(root, &x.rec, ret_msg);
		}
		goto out;
	}
	r = vp_handoff_blockers(cfg, &st, &plan, VP_HCHECK_BEFORE, &ret->blockers);
	if (r >= 0 && ret->blockers.n)
		r = -EBUSY;
	if (r >= 0)
		r = vp_uevent_open(&x.mon, ret_msg);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < plan.n && r >= 0; i++) {
		if (plan.v[i].kind >= VP_HSTEP_UNLOAD && !pre) {
			/* what the stopped units held is free now: look again */
			pre = true;
			if (cfg->single_gpu)
				r = check(&x, cfg, &all, &plan, VP_HCHECK_MOVE, ret_msg);
			if (r >= 0 && !st.vfio_pci) {
				char *argv[] = {"modprobe", VFIO_PCI, NULL};

				r = run(&x, argv, ret_msg);
			}
			if (r < 0)
				break;
		}
		r = do_step(&x, &plan.v[i], ret_msg);
	}
	if (r < 0) {
		r = roll_back(&x, r, ret_msg);
		goto out;
	}
	x.rec.complete = true;
	r = vp_hrecord_save(root, &x.rec, ret_msg);
out:
	vp_hsteps_free(&plan);
	vp_hstate_free(&st);
	vp_strv_free(&all);
	end(&x, lock);
	return r < 0 ? r : 0;
}

int vp_handoff_reattach(const struct vp_root *root, const struct vp_handoff_opts *o,
			struct vp_handoff_result *ret, char **ret_msg)
{
	struct vp_strv addrs = {0};
	struct vp_hstate st = {0};
	struct exec x;
	int lock = -1, r;

	r = begin(&x, root, o, ret, &lock, ret_msg);
	if (r < 0 || !x.rec.steps.n) {
		/* no record; a detach killed in its first write may have left a temporary one */
		if (r >= 0)
			r = vp_hrecord_save(root, &x.rec, ret_msg);
		ret->nothing = r >= 0;
		goto out;
	}
	/* a running guest holds the vfio node: vfio-pci would wait for it forever */
	r = record_addrs(&x.rec, &addrs);
	if (r >= 0)
		r = vp_hstate_probe(root, &addrs, NULL, &st, ret_msg);
	for (size_t i = 0; i < st.n_users && r >= 0; i++)
		if (vp_startswith(st.users[i].node, "/dev/vfio/"))
			r = vp_strv_push_take(&ret->blockers,
					      vp_strdup_printf("process %ld (%s) has %s of %s open: "
							       "stop the guest first", st.users[i].pid,
							       st.users[i].comm ? st.users[i].comm : "?",
							       st.users[i].node, st.users[i].addr));
	if (r >= 0 && ret->blockers.n)
		r = -EBUSY;
	if (r >= 0)
		r = vp_uevent_open(&x.mon, ret_msg);
	if (r >= 0)
		r = undo_all(&x, ret_msg);
out:
	vp_strv_free(&addrs);
	vp_hstate_free(&st);
	end(&x, lock);
	return r;
}
