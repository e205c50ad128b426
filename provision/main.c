// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-provision: turn a Linux desktop into a VFIO GPU-passthrough host.
 * This file only parses the command line and dispatches to cmd-*.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "vp.h"

struct verb {
	const char *name;
	const char *flag;       /* the --flag spelling, or NULL */
	int (*fn)(struct vp_ctx *ctx);
	const char *help;
};

static const struct verb verbs[] = {
	{"detect", NULL, vp_cmd_detect, "show GPUs, IOMMU groups, CPU, kernels, boot setup"},
	{"plan", "dry-run", vp_cmd_plan, "show the changes as unified diffs; write nothing"},
	{"apply", "apply", vp_cmd_apply, "write the changes (atomically, with backups)"},
	{"check", "check", vp_cmd_check, "exit 0 if the system matches the config, 1 if not"},
	{"revert", "revert", vp_cmd_revert, "restore every file changed by apply"},
	{"verify", NULL, vp_cmd_verify, "parse the written files back and report problems"},
	{"guest-xml", NULL, vp_cmd_guest_xml, "print the libvirt <hostdev> XML of the selection"},
	{"hugepages", NULL, vp_cmd_hugepages, "status | reserve N|SIZE | release [N|all]"},
	{"libvirt-hook", NULL, vp_cmd_libvirt_hook, "DOMAIN OP SUBOP < XML: libvirt's qemu hook"},
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vfio-provision [OPTIONS] VERB [ARGS]\n"
		"\n"
		"Verbs:\n");
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		fprintf(f, "  %-12s %s%s%s\n", verbs[i].name, verbs[i].help,
			verbs[i].flag ? ", also --" : "", verbs[i].flag ? verbs[i].flag : "");
	fprintf(f,
		"\n"
		"Options:\n"
		"  --root DIR       operate on the system under DIR (default /)\n"
		"  --config FILE    config file inside the root (default /etc/vfio-provision.conf)\n"
		"  --kver VER       plan for this kernel only (default: every installed kernel)\n"
		"  --json           machine-readable output (detect, guest-xml, hugepages status)\n"
		"  --force          apply despite refusals or unmanaged files\n"
		"  --regenerate     run the initramfs/bootloader tools after apply\n"
		"  --node N         NUMA node (hugepages)\n"
		"  --timeout S      give up after S seconds (hugepages reserve)\n"
		"  --drop-caches    drop clean caches when short (hugepages reserve)\n"
		"  --partial-ok     accept fewer pages (hugepages reserve)\n"
		"  --post-install   check from a package/kernel hook: apply only with\n"
		"                   [apply] on_upgrade = yes, never fail\n"
		"  -q, --quiet      only errors\n"
		"  -v, --verbose    more detail\n"
		"  -h, --help       this help\n"
		"  -V, --version    print the version\n"
		"\n"
		"Exit status: 0 ok, 1 changes pending or verdict not ok, 2 error.\n");
}

enum {
	OPT_ROOT = 256, OPT_CONFIG, OPT_KVER, OPT_JSON, OPT_FORCE, OPT_REGEN,
	OPT_NODE, OPT_TIMEOUT, OPT_DROP, OPT_PARTIAL, OPT_VERB_FLAG, OPT_POSTINST,
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"root", required_argument, NULL, OPT_ROOT},
		{"config", required_argument, NULL, OPT_CONFIG},
		{"kver", required_argument, NULL, OPT_KVER},
		{"json", no_argument, NULL, OPT_JSON},
		{"force", no_argument, NULL, OPT_FORCE},
		{"regenerate", no_argument, NULL, OPT_REGEN},
		{"node", required_argument, NULL, OPT_NODE},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"drop-caches", no_argument, NULL, OPT_DROP},
		{"partial-ok", no_argument, NULL, OPT_PARTIAL},
		{"post-install", no_argument, NULL, OPT_POSTINST},
		{"dry-run", no_argument, NULL, OPT_VERB_FLAG},
		{"apply", no_argument, NULL, OPT_VERB_FLAG},
		{"check", no_argument, NULL, OPT_VERB_FLAG},
		{"revert", no_argument, NULL, OPT_VERB_FLAG},
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{0},
	};
	struct vp_ctx ctx = {.root = {.fd = -1}};
	const struct verb *verb = NULL;
	const char *nocolor;
	int c, idx, r;

	while ((c = getopt_long(argc, argv, "qvhV", opts, &idx)) != -1) {
		switch (c) {
		case OPT_ROOT: ctx.root_dir = optarg; break;
		case OPT_CONFIG: ctx.config = optarg; break;
		case OPT_KVER: ctx.kver = optarg; break;
		case OPT_JSON: ctx.json = true; break;
		case OPT_FORCE: ctx.force = true; break;
		case OPT_REGEN: ctx.regenerate = true; break;
		case OPT_NODE: ctx.node = optarg; break;
		case OPT_TIMEOUT: ctx.timeout = optarg; break;
		case OPT_DROP: ctx.drop_caches = true; break;
		case OPT_PARTIAL: ctx.partial_ok = true; break;
		case OPT_POSTINST: ctx.post_install = true; break;
		case OPT_VERB_FLAG: {
			const struct verb *v = NULL;

			for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
				if (verbs[i].flag && strcmp(verbs[i].flag, opts[idx].name) == 0)
					v = &verbs[i];
			if (verb && verb != v) {
				vp_err("--%s conflicts with another verb", opts[idx].name);
				return VP_EXIT_ERROR;
			}
			verb = v;
			break;
		}
		case 'q': vp_log_level = 0; break;
		case 'v': vp_log_level = 2; break;
		case 'h': usage(stdout); return VP_EXIT_OK;
		case 'V': printf("vfio-provision %s\n", VP_VERSION); return VP_EXIT_OK;
		default: usage(stderr); return VP_EXIT_ERROR;
		}
	}
	if (!verb) {
		if (optind >= argc) {
			usage(stderr);
			return VP_EXIT_ERROR;
		}
		for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
			if (strcmp(verbs[i].name, argv[optind]) == 0)
				verb = &verbs[i];
		if (!verb) {
			vp_err("unknown verb '%s' (see --help)", argv[optind]);
			return VP_EXIT_ERROR;
		}
		optind++;
	}
	ctx.argc = argc - optind;
	ctx.argv = argv + optind;
	nocolor = getenv("NO_COLOR");
	ctx.color = isatty(STDOUT_FILENO) && !(nocolor && *nocolor);

	r = vp_root_open(&ctx.root, ctx.root_dir ? ctx.root_dir : "/");
	if (r < 0) {
		vp_err("root '%s': %s", ctx.root_dir ? ctx.root_dir : "/", strerror(-r));
		return VP_EXIT_ERROR;
	}
	r = verb->fn(&ctx);
	vp_root_close(&ctx.root);
	return r;
}
