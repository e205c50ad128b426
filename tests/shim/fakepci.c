// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LD_PRELOAD shim that plays the kernel's PCI core on a fixture root for
 * `gpu detach|reattach` (t-gpu.sh): writes to the sysfs attributes do what
 * the kernel does with them, synchronously as the kernel does, and each
 * bind, unbind, remove and add is announced as a uevent on the tool's
 * NETLINK_KOBJECT_UEVENT socket, which the shim replaces by one end of a
 * datagram socket pair (it sends on the other end and gives the messages
 * the kernel's sender address, netlink port 0).
 *
 *   VP_FAKE_PCI_ROOT=DIR     the fixture root (absolute, no links); required
 *   VP_FAKE_PCI_LOG=FILE     one line a write: "override ADDR VALUE",
 *                            "unbind ADDR DRIVER", "probe ADDR", "bind ADDR
 *                            DRIVER", "remove ADDR", "rescan", "vtcon NAME
 *                            VALUE", "platform-unbind DRIVER DEVICE",
 *                            "platform-bind DRIVER DEVICE" (tests point it at
 *                            ROOT/etc/fake-tool.log, where tests/shim/fake-tool
 *                            logs the commands, so the order of both shows)
 *   VP_FAKE_PCI_NATIVE="ADDR=DRIVER ..."  the driver a probe binds without an
 *                            override (when its directory exists: "loaded")
 *   VP_FAKE_PCI_STUCK=ADDR   unbinding it does nothing and sends no event
 *   VP_FAKE_PCI_REFUSE=DRIVER  that driver's probe fails (binds nothing)
 *   VP_FAKE_PCI_UNITS="UNIT=PID ..."  `systemctl stop UNIT` (seen in the log
 *                            when the tool's child ends) moves ROOT/proc/PID
 *                            aside, `systemctl start UNIT` puts it back
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/netlink.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define REAL(ret, name, ...) \
	static ret (*real)(__VA_ARGS__); \
	if (!real) \
		real = (ret (*)(__VA_ARGS__))dlsym(RTLD_NEXT, name)

static int fake_fd[8], peer_fd[8], n_fake;
static unsigned long seqnum;
static long log_at_fork = -1;

static const char *root(void)
{
	return getenv("VP_FAKE_PCI_ROOT");
}

/*
 * The kernel's own file work goes to libc directly: t-gpu.sh preloads
 * faults.so before this shim, and what the kernel does must not count as
 * (or be killed in the middle of) one of the tool's calls.
 */
static ssize_t raw_write(int fd, const void *buf, size_t n)
{
	REAL(ssize_t, "write", int, const void *, size_t);
	return real(fd, buf, n);
}

static int raw_open(const char *path, int flags, mode_t mode)
{
	REAL(int, "open", const char *, int, ...);
	return real(path, flags, mode);
}

static int raw_rename(const char *from, const char *to)
{
	REAL(int, "rename", const char *, const char *);
	return real(from, to);
}

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	const char *path = getenv("VP_FAKE_PCI_LOG");
	char line[1024];
	va_list ap;
	int fd, n;

	if (!path)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	fd = raw_open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (raw_write(fd, line, (size_t)n) < 0)
		perror("fakepci");
	close(fd);
}

static void put_file(const char *path, const char *content)
{
	int fd = raw_open(path, O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return;
	if (raw_write(fd, content, strlen(content)) < 0)
		perror("fakepci");
	close(fd);
}

/* "ROOT/sys/bus/pci/devices/ADDR" -> the device's real directory. */
static bool dev_dir(const char *addr, char *buf)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/sys/bus/pci/devices/%s", root(), addr);
	return realpath(p, buf) != NULL;
}

static void last_name(const char *link, char *buf, size_t size)
{
	char t[PATH_MAX];
	ssize_t n = readlink(link, t, sizeof(t) - 1);
	const char *s;

	buf[0] = '\0';
	if (n <= 0)
		return;
	t[n] = '\0';
	s = strrchr(t, '/');
	snprintf(buf, size, "%s", s ? s + 1 : t);
}

/* A relative link from directory `from` to `to`, both absolute without links. */
static void rel_link(const char *from, const char *to, const char *linkpath)
{
	char rel[PATH_MAX] = "";
	size_t i = 0, common = 0;

	while (from[i] && from[i] == to[i]) {
		if (from[i] == '/')
			common = i;
		i++;
	}
	if (!from[i] && (to[i] == '/' || !to[i]))
		common = i;
	for (const char *p = from + common; *p; p++)
		if (*p == '/')
			strcat(rel, "../");
	strcat(rel, to[common] == '/' ? to + common + 1 : to + common);
	unlink(linkpath);
	if (symlink(rel, linkpath) < 0)
		perror("fakepci: symlink");
}

/* A uevent of the kernel's format on every replaced netlink socket. */
static void uevent(const char *action, const char *dir, const char *driver)
{
	const char *devpath = dir + strlen(root()) + 4;  /* less ROOT/sys */
	char msg[2048];
	int n;

	n = snprintf(msg, sizeof(msg), "%s@%s%cACTION=%s%cDEVPATH=%s%cSUBSYSTEM=pci%c", action,
		     devpath, 0, action, 0, devpath, 0, 0);
	if (driver)
		n += snprintf(msg + n, sizeof(msg) - (size_t)n, "DRIVER=%s%c", driver, 0);
	n += snprintf(msg + n, sizeof(msg) - (size_t)n, "SEQNUM=%lu", ++seqnum) + 1;
	for (int i = 0; i < n_fake; i++)
		(void)send(peer_fd[i], msg, (size_t)n, MSG_DONTWAIT);
}

static int group_of(const char *dir)
{
	char link[PATH_MAX], g[64];

	snprintf(link, sizeof(link), "%s/iommu_group", dir);
	last_name(link, g, sizeof(g));
	return g[0] ? atoi(g) : -1;
}

/*
 * A driver's device nodes (drm/, graphics/, sound/ in the device's
 * directory) go with it on unbind and come back when it binds again.
 */
static void nodes(const char *dir, const char *driver, bool back)
{
	static const char *const subs[] = {"drm", "graphics", "sound"};

	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		char live[PATH_MAX], kept[PATH_MAX];

		snprintf(live, sizeof(live), "%s/%s", dir, subs[i]);
		snprintf(kept, sizeof(kept), "%s/.%s-%s", dir, subs[i], driver);
		(void)raw_rename(back ? kept : live, back ? live : kept);
	}
}

static void do_bind(const char *addr, const char *dir, const char *driver)
{
	char drv[PATH_MAX], p[PATH_MAX];
	int g;

	nodes(dir, driver, true);
	snprintf(drv, sizeof(drv), "%s/sys/bus/pci/drivers/%s", root(), driver);
	snprintf(p, sizeof(p), "%s/driver", dir);
	rel_link(dir, drv, p);
	snprintf(p, sizeof(p), "%s/%s", drv, addr);
	rel_link(drv, dir, p);
	g = group_of(dir);
	if (strcmp(driver, "vfio-pci") == 0 && g >= 0) {
		snprintf(p, sizeof(p), "%s/dev/vfio", root());
		mkdir(p, 0755);
		snprintf(p, sizeof(p), "%s/dev/vfio/%d", root(), g);
		put_file(p, "");
	}
	uevent("bind", dir, driver);
}

/* Any other function of group g still on vfio-pci? */
static bool group_on_vfio(int g, const char *except)
{
	char d[PATH_MAX];
	FILE *f;
	char cmd[PATH_MAX + 64];
	bool any = false;

	/* the driver's directory lists its devices */
	snprintf(d, sizeof(d), "%s/sys/bus/pci/drivers/vfio-pci", root());
	snprintf(cmd, sizeof(cmd), "ls '%s' 2>/dev/null", d);
	f = popen(cmd, "r");
	if (!f)
		return false;
	while (fgets(cmd, sizeof(cmd), f)) {
		char dir[PATH_MAX];

		cmd[strcspn(cmd, "\n")] = '\0';
		if (strchr(cmd, ':') && strcmp(cmd, except) && dev_dir(cmd, dir) &&
		    group_of(dir) == g)
			any = true;
	}
	pclose(f);
	return any;
}

static void do_unbind(const char *addr, const char *dir)
{
	char link[PATH_MAX], driver[256], p[PATH_MAX];
	int g = group_of(dir);

	snprintf(link, sizeof(link), "%s/driver", dir);
	last_name(link, driver, sizeof(driver));
	if (!driver[0])
		return;
	unlink(link);
	nodes(dir, driver, false);
	snprintf(p, sizeof(p), "%s/sys/bus/pci/drivers/%s/%s", root(), driver, addr);
	unlink(p);
	if (strcmp(driver, "vfio-pci") == 0 && g >= 0 && !group_on_vfio(g, addr)) {
		snprintf(p, sizeof(p), "%s/dev/vfio/%d", root(), g);
		unlink(p);
	}
	uevent("unbind", dir, NULL);
}

static bool listed(const char *env, const char *key, char *val, size_t size)
{
	const char *s = getenv(env);
	size_t n = strlen(key);

	for (; s && *s; s += strcspn(s, " "), s += strspn(s, " "))
		if (strncmp(s, key, n) == 0 && (s[n] == '=' || s[n] == ' ' || !s[n])) {
			if (val)
				snprintf(val, size, "%.*s", (int)strcspn(s + n + 1, " "),
					 s[n] == '=' ? s + n + 1 : "");
			return true;
		}
	return false;
}

static void override_of(const char *dir, char *buf, size_t size)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/driver_override", dir);
	buf[0] = '\0';
	f = fopen(p, "re");
	if (!f)
		return;
	if (fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	if (strcmp(buf, "(null)") == 0)
		buf[0] = '\0';
}

static bool driver_loaded(const char *driver)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/sys/bus/pci/drivers/%s", root(), driver);
	return stat(p, &st) == 0 && !listed("VP_FAKE_PCI_REFUSE", driver, NULL, 0);
}

static bool bound(const char *dir)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/driver", dir);
	return lstat(p, &st) == 0;
}

/* What the PCI core does on a probe: the override, else the matching driver. */
static void probe(const char *addr, const char *dir)
{
	char want[256];

	if (bound(dir))
		return;
	override_of(dir, want, sizeof(want));
	if (!want[0] && !listed("VP_FAKE_PCI_NATIVE", addr, want, sizeof(want)))
		return;
	if (driver_loaded(want))
		do_bind(addr, dir, want);
}

/* ROOT/.fakepci/ keeps removed devices and stopped processes. */
static void aside(const char *name, char *buf, size_t size)
{
	char d[PATH_MAX];

	snprintf(d, sizeof(d), "%s/.fakepci", root());
	mkdir(d, 0755);
	snprintf(buf, size, "%s/%s", d, name);
}

static void do_remove(const char *addr, const char *dir)
{
	char stash[PATH_MAX], p[PATH_MAX];

	if (bound(dir))
		do_unbind(addr, dir);
	aside(addr, stash, sizeof(stash));
	snprintf(p, sizeof(p), "%s.path", stash);
	put_file(p, dir);
	if (raw_rename(dir, stash) < 0)
		perror("fakepci: remove");
	snprintf(p, sizeof(p), "%s/sys/bus/pci/devices/%s", root(), addr);
	unlink(p);
	uevent("remove", dir, NULL);
}

static void do_rescan(void)
{
	char d[PATH_MAX], cmd[PATH_MAX + 64];
	FILE *f;

	snprintf(d, sizeof(d), "%s/.fakepci", root());
	snprintf(cmd, sizeof(cmd), "ls '%s' 2>/dev/null", d);
	f = popen(cmd, "r");
	if (!f)
		return;
	while (fgets(cmd, sizeof(cmd), f)) {
		char stash[PATH_MAX], pathf[PATH_MAX], dir[PATH_MAX] = "", link[PATH_MAX];
		char busdir[PATH_MAX];
		FILE *pf;

		cmd[strcspn(cmd, "\n")] = '\0';
		if (!strchr(cmd, ':') || strstr(cmd, ".path"))
			continue;
		snprintf(stash, sizeof(stash), "%s/%s", d, cmd);
		snprintf(pathf, sizeof(pathf), "%s.path", stash);
		pf = fopen(pathf, "re");
		if (!pf || !fgets(dir, sizeof(dir), pf)) {
			if (pf)
				fclose(pf);
			continue;
		}
		fclose(pf);
		unlink(pathf);
		if (raw_rename(stash, dir) < 0)
			continue;
		/* a new device: no override */
		snprintf(link, sizeof(link), "%s/driver_override", dir);
		put_file(link, "(null)\n");
		snprintf(busdir, sizeof(busdir), "%s/sys/bus/pci/devices", root());
		snprintf(link, sizeof(link), "%s/%s", busdir, cmd);
		rel_link(busdir, dir, link);
		uevent("add", dir, NULL);
		probe(cmd, dir);
	}
	pclose(f);
}

static void platform(const char *driver, const char *dev, bool bind)
{
	char d[PATH_MAX], p[PATH_MAX], drv[PATH_MAX];

	snprintf(p, sizeof(p), "%s/sys/bus/platform/devices/%s", root(), dev);
	if (!realpath(p, d))
		return;
	snprintf(drv, sizeof(drv), "%s/sys/bus/platform/drivers/%s", root(), driver);
	snprintf(p, sizeof(p), "%s/driver", d);
	if (bind) {
		rel_link(d, drv, p);
		snprintf(p, sizeof(p), "%s/%s", drv, dev);
		rel_link(drv, d, p);
	} else {
		unlink(p);
		snprintf(p, sizeof(p), "%s/%s", drv, dev);
		unlink(p);
	}
}

static bool ends(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* The directory part of path into buf, and its last component into name. */
static void split(const char *path, char *buf, size_t size, char *name, size_t nsize)
{
	const char *s = strrchr(path, '/');

	snprintf(buf, size, "%.*s", (int)(s - path), path);
	s = strrchr(buf, '/');
	snprintf(name, nsize, "%s", s ? s + 1 : buf);
}

/* 1: handled (the write "succeeds"), 0: not ours, -errno: the kernel refuses. */
static int kernel_write(const char *path, const char *val)
{
	const char *r = root(), *rel;
	char dir[PATH_MAX], name[256], devdir[PATH_MAX];

	if (strncmp(path, r, strlen(r)) != 0 || strncmp(path + strlen(r), "/sys/", 5) != 0)
		return 0;
	rel = path + strlen(r);
	split(path, dir, sizeof(dir), name, sizeof(name));
	if (ends(rel, "/driver_override")) {
		char line[300];

		logf_("override %s %s", name, val[0] ? val : "(clear)");
		snprintf(line, sizeof(line), "%s\n", val[0] ? val : "(null)");
		put_file(path, line);
		return 1;
	}
	if (strncmp(rel, "/sys/bus/pci/drivers/", 21) == 0 && (ends(rel, "/unbind") ||
							       ends(rel, "/bind"))) {
		bool unbind = ends(rel, "/unbind");
		char cur[PATH_MAX], link[PATH_MAX];

		logf_("%s %s %s", unbind ? "unbind" : "bind", val, name);
		if (!dev_dir(val, devdir))
			return -ENODEV;
		snprintf(link, sizeof(link), "%s/driver", devdir);
		last_name(link, cur, sizeof(cur));
		if (unbind) {
			if (strcmp(cur, name) != 0)
				return -ENODEV;
			if (!listed("VP_FAKE_PCI_STUCK", val, NULL, 0))
				do_unbind(val, devdir);
			return 1;
		}
		override_of(devdir, cur, sizeof(cur));
		if (bound(devdir))
			return -EBUSY;
		if ((cur[0] && strcmp(cur, name)) || !driver_loaded(name))
			return -ENODEV;
		do_bind(val, devdir, name);
		return 1;
	}
	if (strcmp(rel, "/sys/bus/pci/drivers_probe") == 0) {
		logf_("probe %s", val);
		if (!dev_dir(val, devdir))
			return -ENODEV;
		probe(val, devdir);
		return 1;
	}
	if (ends(rel, "/remove") && strncmp(rel, "/sys/devices/", 13) == 0) {
		logf_("remove %s", name);
		do_remove(name, dir);
		return 1;
	}
	if (strcmp(rel, "/sys/bus/pci/rescan") == 0) {
		logf_("rescan");
		do_rescan();
		return 1;
	}
	if (strstr(rel, "/vtconsole/") && ends(rel, "/bind")) {
		char line[16];

		logf_("vtcon %s %s", name, val);
		snprintf(line, sizeof(line), "%s\n", val);
		put_file(path, line);
		return 1;
	}
	if (strncmp(rel, "/sys/bus/platform/drivers/", 26) == 0 &&
	    (ends(rel, "/unbind") || ends(rel, "/bind"))) {
		bool unbind = ends(rel, "/unbind");

		logf_("platform-%s %s %s", unbind ? "unbind" : "bind", name, val);
		platform(name, val, !unbind);
		return 1;
	}
	return 0;
}

ssize_t write(int fd, const void *buf, size_t n)
{
	char link[64], path[PATH_MAX], val[256];
	ssize_t len;
	int r;

	if (!root() || fd < 3)
		return raw_write(fd, buf, n);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, path, sizeof(path) - 1);
	if (len < 0)
		return raw_write(fd, buf, n);
	path[len] = '\0';
	snprintf(val, sizeof(val), "%.*s", (int)(n < sizeof(val) - 1 ? n : sizeof(val) - 1),
		 (const char *)buf);
	val[strcspn(val, "\n")] = '\0';
	r = kernel_write(path, val);
	if (r == 0)
		return raw_write(fd, buf, n);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return (ssize_t)n;
}

int socket(int domain, int type, int protocol)
{
	REAL(int, "socket", int, int, int);
	int sv[2];

	if (!root() || domain != AF_NETLINK || protocol != NETLINK_KOBJECT_UEVENT ||
	    n_fake == (int)(sizeof(fake_fd) / sizeof(fake_fd[0])))
		return real(domain, type, protocol);
	if (socketpair(AF_UNIX, SOCK_DGRAM | (type & (SOCK_CLOEXEC | SOCK_NONBLOCK)), 0, sv) < 0)
		return -1;
	fake_fd[n_fake] = sv[0];
	peer_fd[n_fake++] = sv[1];
	return sv[0];
}

static bool is_fake(int fd)
{
	for (int i = 0; i < n_fake; i++)
		if (fake_fd[i] == fd)
			return true;
	return false;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	REAL(int, "bind", int, const struct sockaddr *, socklen_t);
	return is_fake(fd) ? 0 : real(fd, addr, len);
}

ssize_t recvmsg(int fd, struct msghdr *mh, int flags)
{
	REAL(ssize_t, "recvmsg", int, struct msghdr *, int);
	socklen_t room = mh->msg_namelen;
	ssize_t n = real(fd, mh, flags);

	if (n >= 0 && is_fake(fd) && mh->msg_name && room >= sizeof(struct sockaddr_nl)) {
		struct sockaddr_nl k = {.nl_family = AF_NETLINK, .nl_pid = 0, .nl_groups = 1};

		memcpy(mh->msg_name, &k, sizeof(k));
		mh->msg_namelen = sizeof(k);
	}
	return n;
}

/* ---- units: what the tool's children ran, from the log -------------------- */

static long log_size(void)
{
	const char *p = getenv("VP_FAKE_PCI_LOG");
	struct stat st;

	return p && stat(p, &st) == 0 ? (long)st.st_size : 0;
}

static void unit_action(const char *unit, bool stop)
{
	char pid[32], from[PATH_MAX], to[PATH_MAX], name[64];

	if (!listed("VP_FAKE_PCI_UNITS", unit, pid, sizeof(pid)))
		return;
	snprintf(from, sizeof(from), "%s/proc/%s", root(), pid);
	snprintf(name, sizeof(name), "proc-%s", pid);
	aside(name, to, sizeof(to));
	if (stop ? raw_rename(from, to) : raw_rename(to, from))
		perror("fakepci: unit");
}

static void children_ran(void)
{
	const char *p = getenv("VP_FAKE_PCI_LOG");
	char line[1024];
	FILE *f;

	if (!p || log_at_fork < 0 || !(f = fopen(p, "re")))
		return;
	if (fseek(f, log_at_fork, SEEK_SET) == 0)
		while (fgets(line, sizeof(line), f)) {
			char unit[512];

			if (sscanf(line, "fake-tool: systemctl stop %511s", unit) == 1)
				unit_action(unit, true);
			else if (sscanf(line, "fake-tool: systemctl start %511s", unit) == 1)
				unit_action(unit, false);
		}
	fclose(f);
	log_at_fork = -1;
}

pid_t fork(void)
{
	REAL(pid_t, "fork", void);
	if (root())
		log_at_fork = log_size();
	return real();
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	REAL(pid_t, "waitpid", pid_t, int *, int);
	pid_t r = real(pid, status, options);

	if (r > 0 && root())
		children_ran();
	return r;
}
