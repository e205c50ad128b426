/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The planner targets: one file of a minimal system holds the input, a
 * planner edits it. Invariants: the planner gives 0 (or an error with a
 * message), and planning again on what it wrote wants the same bytes
 * (apply twice is apply once: `check` then says up to date).
 */
#pragma once

#include "fuzz.h"
#include "plan.h"

struct fuzz_plan {
	const char *path;                       /* the file the input becomes */
	enum vp_bootloader bootloader;          /* NONE: an initramfs/fstab planner */
	enum vp_initramfs initramfs;
	bool uki;
	int (*planner)(const struct vp_config *, const struct vp_system *,
		       const struct vp_selection *, struct vp_plan *, char **);
};

static const char fuzz_group[] = "root:x:0:\nkvm:x:993:libvirt-qemu\n";
static const char fuzz_kver[] = "6.1.0-18-amd64";

/* The content planned for fp->path when that file holds text; NULL: none. */
static char *fuzz_plan_once(const struct fuzz_plan *fp, const char *text, bool *refused)
{
	static size_t one_fn;
	struct vp_kernel k = {.version = (char *)fuzz_kver,
			      .mods = {VP_MOD_MODULE, VP_MOD_MODULE, VP_MOD_MODULE,
				       VP_MOD_MODULE, VP_MOD_MODULE}};
	struct vp_file files[2] = {
		{.path = (char *)fp->path, .content = (char *)text, .len = strlen(text),
		 .mode = 0644},
		{.path = "/etc/group", .content = (char *)fuzz_group,
		 .len = sizeof(fuzz_group) - 1, .mode = 0644},
	};
	struct vp_system sys = {.files = files, .n_files = 2, .kernels = &k, .n_kernels = 1,
				.bootloader = fp->bootloader, .uki = fp->uki,
				.grub_cfg = "/boot/grub/grub.cfg", .initramfs = fp->initramfs};
	struct vp_config cfg = {.select_auto = true, .hp_count = 8, .hp_node = -1,
				.hp_mode = VP_HP_EARLY, .hp_mount = "/dev/hugepages1G",
				.hp_group = "kvm", .host_min_mib = 2048,
				.bootloader_auto = true, .initramfs_auto = true};
	struct vp_selection sel = {.fns = &one_fn, .n_fns = 1};
	struct vp_plan plan = {0};
	const struct vp_plan_file *f;
	char *msg = NULL, *ret = NULL;
	int r;

	sys.initramfs_found[fp->initramfs] = true;
	if (fp->bootloader != VP_BOOT_NONE) {
		FUZZ_CHECK(vp_plan_add_token(&plan, "intel_iommu", "intel_iommu=on", "r") == 0);
		FUZZ_CHECK(vp_plan_add_token(&plan, "iommu", "iommu=pt", "r") == 0);
		FUZZ_CHECK(vp_plan_add_token(&plan, "hugetlb_cma", NULL, "r") == 0);
	}
	r = fp->planner(&cfg, &sys, &sel, &plan, &msg);
	FUZZ_CHECK(r <= 0);
	if (r < 0)
		FUZZ_CHECK(msg && *msg);
	*refused = r < 0 || plan.refused;
	f = vp_plan_file(&plan, fp->path);
	if (r == 0 && f && f->content) {
		ret = strdup(f->content);
		FUZZ_CHECK(ret);
	}
	free(msg);
	vp_plan_free(&plan);
	return ret;
}

static inline int fuzz_plan_run(const struct fuzz_plan *fp, const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *once, *twice;
	bool refused, refused2;

	if (!text)
		return 0;
	once = fuzz_plan_once(fp, text, &refused);
	if (once && !refused) {
		twice = fuzz_plan_once(fp, once, &refused2);
		if (twice && !refused2 && strcmp(once, twice) != 0) {
			fprintf(stderr, "input:\n%s\n-- planned:\n%s\n-- planned again:\n%s\n",
				text, once, twice);
			FUZZ_CHECK(strcmp(once, twice) == 0);
		}
		free(twice);
	}
	free(once);
	free(text);
	return 0;
}
