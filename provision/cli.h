/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What main.c hands every verb. Verbs live in cmd-*.c, one verb a file. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "root.h"

/* Exit codes of the CLI contract. */
enum { VP_EXIT_OK = 0, VP_EXIT_PENDING = 1, VP_EXIT_ERROR = 2 };

struct vp_ctx {
	struct vp_root root;
	const char *root_dir;   /* as given, for messages */
	const char *config;     /* --config, NULL for the default */
	const char *kver;       /* --kver */
	bool json;
	/*
	 * Where the verb's output goes: stdout, or with --json the original
	 * stdout while fd 1 points at stderr (main.c), so that the JSON
	 * document is the only thing there.
	 */
	FILE *out;
	bool dry_run;           /* revert --dry-run: list, write nothing */
	bool force;
	bool regenerate;
	bool color;             /* stdout is a terminal and NO_COLOR is unset */
	/*
	 * check from a package or kernel hook: apply only when the config says
	 * [apply] on_upgrade = yes, otherwise report; never exit non-zero.
	 */
	bool post_install;
	/* hugepages options */
	const char *node;       /* --node */
	const char *timeout;    /* --timeout */
	bool drop_caches;
	bool partial_ok;
	/* guest-xml --domain NAME [--define] [--connect URI] */
	const char *domain;
	bool define;
	const char *connect;    /* libvirt URI, NULL: libvirt's default */
	bool reset;             /* gpu reattach --reset */
	/* positional arguments after the verb */
	int argc;
	char **argv;
};

/* Each returns an exit code (VP_EXIT_*). */
int vp_cmd_detect(struct vp_ctx *ctx);
int vp_cmd_plan(struct vp_ctx *ctx);
int vp_cmd_apply(struct vp_ctx *ctx);
int vp_cmd_check(struct vp_ctx *ctx);
int vp_cmd_revert(struct vp_ctx *ctx);
int vp_cmd_revert_dry_run(struct vp_ctx *ctx);  /* revert --dry-run (cmd-revert-dry-run.c) */
int vp_cmd_verify(struct vp_ctx *ctx);
int vp_cmd_hugepages(struct vp_ctx *ctx);
int vp_cmd_libvirt_hook(struct vp_ctx *ctx);
int vp_cmd_guest_xml(struct vp_ctx *ctx);
int vp_cmd_gpu(struct vp_ctx *ctx);
/*
 * `gpu detach` and `gpu reattach` for the libvirt hook too (cmd-gpu.c);
 * who prefixes the messages ("libvirt-hook: ").
 */
struct vp_config;
int vp_gpu_detach(struct vp_ctx *ctx, const struct vp_config *cfg, const char *who);
int vp_gpu_reattach(struct vp_ctx *ctx, const char *who);
/*
 * The libvirt hook's handoff: on prepare, a detach when the domain's PCI
 * hostdevs include a selected function (*ret_detached: it went ahead); on
 * release, a reattach when the record moved one of them. An exit code.
 */
struct vp_strv;
int vp_gpu_hook(struct vp_ctx *ctx, const struct vp_config *cfg, const struct vp_strv *hostdevs,
		bool prepare, bool *ret_detached);
