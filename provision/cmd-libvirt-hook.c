// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `libvirt-hook DOMAIN OP SUBOP [EXTRA]`, run by libvirt's qemu hook with the
 * domain XML on standard input: for the domains named in [libvirt] domains,
 * reserve the 1 GiB pages the domain needs on "prepare" and give back what
 * we added on "release". What was added is remembered in
 * /run/vfio-provision/libvirt/<domain>.pages, so pages that were already
 * there (reserved at boot) are never taken from under someone else.
 *
 * On "prepare", for every domain: refuse to start a guest whose
 * <disk type='block'> source, or a partition of it, is mounted read-write
 * (or used as swap) on the host (disk-guard.c). For every domain whose PCI
 * <hostdev>s include a selected function: `gpu detach` on "prepare" (the
 * guest does not start when it is refused), `gpu reattach` on "release".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cmd-util.h"
#include "config.h"
#include "disk-guard.h"
#include "fsroot.h"
#include "hp-runtime.h"
#include "ledger.h"
#include "libvirt.h"
#include "number.h"
#include "root-io.h"
#include "vp.h"

#define STATE_DIR VP_RUN_DIR "/libvirt"

static int read_stdin(struct vp_buf *b)
{
	char chunk[65536];

	for (;;) {
		ssize_t n = read(STDIN_FILENO, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		if (b->len + (size_t)n > VP_DOMAIN_XML_MAX)
			return -EFBIG;
		if (vp_buf_add(b, chunk, (size_t)n) < 0)
			return -ENOMEM;
	}
}

/* A domain name becomes a file name: libvirt forbids '/' in names already. */
static char *state_path(const char *domain)
{
	if (strchr(domain, '/') || domain[0] == '.')
		return NULL;
	return vp_strdup_printf(STATE_DIR "/%s.pages", domain);
}

static int save_added(const struct vp_ctx *ctx, const char *domain, unsigned long added,
		      char **ret_msg)
{
	static const struct vp_fsroot_attr attr = {.mode = 0644};
	_cleanup_free_ char *path = state_path(domain);
	char buf[32];
	int n, r;

	if (!path)
		return -EINVAL;
	n = snprintf(buf, sizeof(buf), "%lu\n", added);
	/* never replace what is not a file of ours (a named pipe, a directory) */
	r = vp_root_check_regular(&ctx->root, path, ret_msg);
	if (r < 0)
		return r;
	/* through the root's resolver: a link in the tree never leads the write out */
	return vp_fsroot_write(&ctx->root, path, buf, (size_t)n, &attr, ret_msg);
}

static unsigned long take_added(const struct vp_ctx *ctx, const char *domain)
{
	_cleanup_free_ char *path = state_path(domain), *text = NULL, *msg = NULL;
	unsigned long v = 0;

	if (!path || vp_root_read(&ctx->root, path, &text, NULL) < 0)
		return 0;
	if (vp_fsroot_unlink(&ctx->root, path, &msg) < 0)
		vp_warn("libvirt-hook: %s", msg ? msg : path);
	/* the count written when the pages were added; anything else counts as none */
	if (vp_parse_ulong(vp_strstrip(text), ULONG_MAX, &v) < 0)
		v = 0;
	return v;
}

/*
 * Pages are reserved for the domain libvirt names (the record is kept under
 * that name, and release finds it there), and only where that record can be
 * written: reserved pages that nobody recorded would never be given back.
 */
static int hook_prepare(struct vp_ctx *ctx, const char *domain, const struct vp_config *cfg,
			const struct vp_domain *d)
{
	struct vp_hp_request req = {.pages = vp_domain_pages_1g(d),
				    .node = d->node >= 0 ? d->node : cfg->hp_node,
				    .host_min_mib = cfg->host_min_mib,
				    .timeout_ms = 60000};
	_cleanup_free_ char *msg = NULL;
	struct vp_hp_outcome o;
	struct vp_hp_released rel;
	struct vp_root_io io;
	int r;

	_cleanup_free_ char *path = state_path(domain);

	if (!path) {
		vp_err("libvirt-hook: domain '%s': not a name for a record file; nothing reserved",
		       domain);
		return VP_EXIT_ERROR;
	}
	/* a FIFO, a directory or a link there: known before a page is taken */
	r = vp_root_check_regular(&ctx->root, path, &msg);
	if (r < 0) {
		vp_err("libvirt-hook: domain '%s': cannot record its pages: %s; nothing reserved",
		       domain, msg ? msg : strerror(-r));
		return VP_EXIT_ERROR;
	}
	vp_root_io(&io, &ctx->root, vp_cmd_say_err);
	r = vp_hp_reserve(&io.io, "", &req, NULL, NULL, &o);
	if (r < 0) {
		vp_err("libvirt-hook: domain '%s': %s", d->name, strerror(-r));
		return VP_EXIT_ERROR;
	}
	if (o.why != VPE_SHORT_NONE) {
		/* The domain will not start: do not keep pages nobody uses. */
		if (o.got > o.nr_before)
			vp_hp_release(&io.io, "", req.node, o.got - o.nr_before, &rel);
		vp_err("libvirt-hook: domain '%s' needs %lu free 1 GiB pages%s, only %lu could be "
		       "reserved; see `vfio-provision hugepages reserve %lu` for why and what helps",
		       d->name, req.pages, req.node >= 0 ? " on its node" : "",
		       o.free_now < req.pages ? o.free_now : req.pages, req.pages);
		return VP_EXIT_PENDING;
	}
	r = save_added(ctx, domain, o.got - o.nr_before, &msg);
	if (r < 0) {
		/* unrecorded, they would stay reserved for good: give them back */
		if (o.got > o.nr_before)
			vp_hp_release(&io.io, "", req.node, o.got - o.nr_before, &rel);
		vp_err("libvirt-hook: could not record the pages added for '%s': %s; the %lu "
		       "added are given back, not started", domain, msg ? msg : strerror(-r),
		       o.got - o.nr_before);
		return VP_EXIT_ERROR;
	}
	vp_info("libvirt-hook: %lu free 1 GiB pages for '%s' (%lu added)", req.pages, d->name,
		o.got - o.nr_before);
	return VP_EXIT_OK;
}

static int hook_release(struct vp_ctx *ctx, const char *domain, const struct vp_config *cfg,
			const struct vp_domain *d)
{
	unsigned long added = take_added(ctx, domain);
	struct vp_hp_released rel;
	int node = d->node >= 0 ? d->node : cfg->hp_node;
	struct vp_root_io io;
	int r;

	if (added == 0)
		return VP_EXIT_OK;
	vp_root_io(&io, &ctx->root, vp_cmd_say_err);
	r = vp_hp_release(&io.io, "", node, added, &rel);
	if (r < 0) {
		vp_err("libvirt-hook: releasing pages of '%s': %s", d->name, strerror(-r));
		return VP_EXIT_ERROR;
	}
	vp_info("libvirt-hook: released %lu 1 GiB pages of '%s'", rel.released, d->name);
	return VP_EXIT_OK;
}

/* 0 when the guest may have its block disks, VP_EXIT_ERROR (with messages) when not. */
static int guard_disks(struct vp_ctx *ctx, const struct vp_domain *d)
{
	struct vp_strv busy = {0}, notes = {0};
	char *msg = NULL;
	int r, ret = VP_EXIT_OK;

	r = vp_disk_guard(&ctx->root, &d->block_disks, &busy, &notes, &msg);
	if (r < 0) {
		vp_err("libvirt-hook: domain '%s': checking its disks: %s; not started", d->name,
		       msg ? msg : strerror(-r));
		ret = VP_EXIT_ERROR;
		goto out;
	}
	for (size_t i = 0; i < notes.n; i++)
		vp_warn("libvirt-hook: domain '%s': disk %s", d->name, notes.v[i]);
	for (size_t i = 0; i < busy.n; i++)
		vp_err("libvirt-hook: domain '%s': disk %s before starting the guest", d->name,
		       busy.v[i]);
	if (busy.n) {
		vp_err("libvirt-hook: domain '%s' not started: the host and the guest would "
		       "write to the same device", d->name);
		ret = VP_EXIT_ERROR;
	}
out:
	free(msg);
	vp_strv_free(&busy);
	vp_strv_free(&notes);
	return ret;
}

/* The 1 GiB pages of a domain named in [libvirt] domains. */
static int pages(struct vp_ctx *ctx, const struct vp_config *cfg, const struct vp_domain *d,
		 const char *domain, bool prepare)
{
	if (!vp_streq(d->name, domain)) {
		/* libvirt passes a domain its own XML: this is not libvirt calling */
		vp_err("libvirt-hook: called for '%s' with the XML of '%s'; nothing reserved or "
		       "released", domain, d->name);
		return VP_EXIT_ERROR;
	}
	if (!d->hugepages || (d->page_kib && d->page_kib != 1048576)) {
		vp_warn("libvirt-hook: domain '%s' is not backed by 1 GiB pages; add "
			"<memoryBacking><hugepages><page size='1' unit='GiB'/></hugepages></memoryBacking> "
			"(see `vfio-provision plan`); nothing reserved", d->name);
		return VP_EXIT_OK;
	}
	return prepare ? hook_prepare(ctx, domain, cfg, d) : hook_release(ctx, domain, cfg, d);
}

int vp_cmd_libvirt_hook(struct vp_ctx *ctx)
{
	struct vp_config cfg;
	struct vp_domain d = {0};
	struct vp_buf xml = {0};
	char *msg = NULL;
	const char *domain, *op;
	bool prepare, release, ours, gpu = false;
	int r, ret = VP_EXIT_ERROR;

	if (ctx->argc < 3) {
		vp_err("libvirt-hook: usage: libvirt-hook DOMAIN OPERATION SUB-OPERATION [EXTRA] < domain.xml");
		return VP_EXIT_ERROR;
	}
	domain = ctx->argv[0];
	op = ctx->argv[1];
	vp_config_init(&cfg);
	r = vp_config_load(&cfg, &ctx->root, ctx->config, &msg);
	if (r < 0) {
		vp_err("%s", msg ? msg : strerror(-r));
		goto out;
	}
	ret = VP_EXIT_OK;
	/*
	 * The disk guard is for every domain, on prepare; the GPU handoff for
	 * every domain with the selected functions, on prepare and release
	 * (cmd-gpu.c); the pages only for ours, on prepare and release.
	 */
	prepare = strcmp(op, "prepare") == 0;
	release = strcmp(op, "release") == 0;
	ours = vp_strv_contains(&cfg.libvirt_domains, domain);
	if (!prepare && !release)
		goto out;
	ret = VP_EXIT_ERROR;
	r = read_stdin(&xml);
	if (r < 0) {
		vp_err("libvirt-hook: reading the domain XML from standard input: %s", strerror(-r));
		goto out;
	}
	r = vp_domain_parse(xml.s ? xml.s : "", xml.len, "<stdin>", &d, &msg);
	if (r < 0) {
		vp_err("libvirt-hook: %s; nothing reserved", msg);
		goto out;
	}
	if (prepare) {
		ret = guard_disks(ctx, &d);
		if (ret == VP_EXIT_OK)
			ret = vp_gpu_hook(ctx, &cfg, &d.pci_hostdevs, true, &gpu);
		if (ret != VP_EXIT_OK)
			goto out;
	}
	ret = ours ? pages(ctx, &cfg, &d, domain, prepare) : VP_EXIT_OK;
	if (prepare && ret != VP_EXIT_OK && gpu) {
		/* the guest will not start: the host has its GPU back */
		(void)vp_gpu_hook(ctx, &cfg, &d.pci_hostdevs, false, NULL);
	} else if (release) {
		r = vp_gpu_hook(ctx, &cfg, &d.pci_hostdevs, false, NULL);
		if (ret == VP_EXIT_OK)
			ret = r;
	}
out:
	free(msg);
	vp_domain_free(&d);
	vp_buf_free(&xml);
	vp_config_free(&cfg);
	return ret;
}
