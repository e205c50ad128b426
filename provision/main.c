// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-provision: turn a Linux desktop into a VFIO GPU-passthrough host.
 * This file only parses the command line and dispatches to cmd-*.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ledger.h"
#include "mnt-api.h"
#include "vp.h"
#include "xml-api.h"

static void usage(FILE *f);

/*
 * What a verb accepts besides the common options; VERB_LEAN: it needs none
 * of the libraries loaded on demand (libxml2, libmount, libblkid), which
 * every other verb loads before the root is looked at.
 */
enum { VERB_JSON = 1 << 0, VERB_ARGS = 1 << 1, VERB_LEAN = 1 << 2 };

struct verb {
	const char *name;
	const char *flag;       /* the --flag spelling, or NULL */
	int (*fn)(struct vp_ctx *ctx);
	unsigned accepts;       /* VERB_* */
	const char *help;
};

static const struct verb verbs[] = {
	{"detect", NULL, vp_cmd_detect, VERB_JSON | VERB_LEAN,
	 "show GPUs, IOMMU groups, CPU, kernels, boot setup"},
	{"plan", "dry-run", vp_cmd_plan, VERB_JSON,
	 "show the changes as unified diffs; write nothing"},
	{"apply", "apply", vp_cmd_apply, VERB_JSON,
	 "write the changes (atomically, recorded in the ledger)"},
	{"check", "check", vp_cmd_check, VERB_JSON,
	 "exit 0 if the system matches the config, 1 if not"},
	{"revert", "revert", vp_cmd_revert, VERB_JSON,
	 "restore every file changed by apply (--dry-run: list them)"},
	{"verify", NULL, vp_cmd_verify, VERB_JSON,
	 "parse the written files back and report problems"},
	{"guest-xml", NULL, vp_cmd_guest_xml, VERB_JSON,
	 "print the libvirt <hostdev> XML of the selection (--domain: edit a domain)"},
	{"hugepages", NULL, vp_cmd_hugepages, VERB_JSON | VERB_ARGS,
	 "status | reserve N|SIZE | release [N|all]"},
	{"gpu", NULL, vp_cmd_gpu, VERB_JSON | VERB_ARGS,
	 "detach | reattach [--reset] | status: the GPU to vfio-pci now, and back"},
	{"libvirt-hook", NULL, vp_cmd_libvirt_hook, VERB_ARGS,
	 "DOMAIN OP SUBOP < XML: libvirt's qemu hook"},
};

static const struct verb *verb_named(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

static const struct verb *verb_flagged(const char *flag)
{
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (verbs[i].flag && strcmp(verbs[i].flag, flag) == 0)
			return &verbs[i];
	return NULL;
}

/*
 * One verb, given as a word or as a --flag (the same one both ways is
 * fine). --dry-run is plan's flag, and with revert it means "revert, dry
 * run": what revert would restore. Anything else is two verbs: an error.
 */
static int pick_verb(const struct verb *flagged, const char *flag_name, bool dry_run,
		     int argc, char **argv, const struct verb **ret)
{
	const struct verb *plan = verb_named("plan"), *revert = verb_named("revert");
	const struct verb *word = optind < argc ? verb_named(argv[optind]) : NULL;
	const struct verb *v;

	if (word && flagged && word != flagged) {
		vp_err("verb '%s' conflicts with --%s: give one verb", word->name, flag_name);
		return -EINVAL;
	}
	if (word)
		optind++;
	v = word ? word : flagged;
	if (!v && dry_run)
		v = plan;
	if (!v) {
		if (optind >= argc)
			usage(stderr);
		else
			vp_err("unknown verb '%s' (see --help)", argv[optind]);
		return -EINVAL;
	}
	if (dry_run && v != plan && v != revert) {
		vp_err("--dry-run conflicts with verb '%s' (it goes with plan or revert)", v->name);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

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
		"  --config FILE    config file inside the root (default /etc/vfio-provision.conf;\n"
		"                   - reads it from standard input)\n"
		"  --kver VER       plan for this kernel only (default: every installed kernel)\n"
		"  --json           machine-readable output (every verb but libvirt-hook;\n"
		"                   schemas in docs/detect-json.md and docs/plan-json.md)\n"
		"  --dry-run        with revert: show what it would restore, write nothing\n"
		"  --force          apply despite refusals or unmanaged files\n"
		"  --regenerate     run the initramfs/bootloader tools after apply\n"
		"  --node N         NUMA node (hugepages)\n"
		"  --timeout S      give up after S seconds (hugepages reserve; gpu: each wait\n"
		"                   for the kernel, default 10)\n"
		"  --reset          gpu reattach: remove the functions and rescan the bus\n"
		"  --drop-caches    drop clean caches when short (hugepages reserve)\n"
		"  --partial-ok     accept fewer pages (hugepages reserve)\n"
		"  --domain NAME    guest-xml: put the selection and the pages into this\n"
		"                   libvirt domain (shown as a diff; libvirt's API)\n"
		"  --define         guest-xml --domain: define the edited domain\n"
		"  --connect URI    guest-xml --domain: libvirt URI (default: libvirt's)\n"
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
	OPT_NODE, OPT_TIMEOUT, OPT_DROP, OPT_PARTIAL, OPT_VERB_FLAG, OPT_POSTINST, OPT_DRY_RUN,
	OPT_DOMAIN, OPT_DEFINE, OPT_CONNECT,
	OPT_RESET,
};

/*
 * --json: the verb's document is the only thing on stdout. Everything else
 * written to stdout (a stray line, a regeneration tool's output) goes to
 * stderr; the document goes to ctx->out, the original stdout.
 */
static int json_stdout(struct vp_ctx *ctx)
{
	int fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);

	if (fd < 0)
		return -errno;
	ctx->out = fdopen(fd, "w");
	if (!ctx->out) {
		close(fd);
		return -errno;
	}
	fflush(stdout);
	if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		return -errno;
	return 0;
}

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
		{"dry-run", no_argument, NULL, OPT_DRY_RUN},
		{"domain", required_argument, NULL, OPT_DOMAIN},
		{"define", no_argument, NULL, OPT_DEFINE},
		{"connect", required_argument, NULL, OPT_CONNECT},
		{"reset", no_argument, NULL, OPT_RESET},
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
	const struct verb *verb = NULL, *flagged = NULL;
	const char *nocolor, *flag_name = NULL;
	bool dry_run = false;
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
		case OPT_DRY_RUN: dry_run = true; break;
		case OPT_DOMAIN: ctx.domain = optarg; break;
		case OPT_DEFINE: ctx.define = true; break;
		case OPT_CONNECT: ctx.connect = optarg; break;
		case OPT_RESET: ctx.reset = true; break;
		case OPT_VERB_FLAG: {
			const struct verb *v = verb_flagged(opts[idx].name);

			if (flagged && flagged != v) {
				vp_err("--%s conflicts with --%s: give one verb", opts[idx].name,
				       flag_name);
				return VP_EXIT_ERROR;
			}
			flagged = v;
			flag_name = opts[idx].name;
			break;
		}
		case 'q': vp_log_level = 0; break;
		case 'v': vp_log_level = 2; break;
		case 'h': usage(stdout); return VP_EXIT_OK;
		case 'V': printf("vfio-provision %s\n", VP_VERSION); return VP_EXIT_OK;
		default: usage(stderr); return VP_EXIT_ERROR;
		}
	}
	if (pick_verb(flagged, flag_name, dry_run, argc, argv, &verb) < 0)
		return VP_EXIT_ERROR;
	ctx.dry_run = dry_run && strcmp(verb->name, "revert") == 0;
	ctx.argc = argc - optind;
	ctx.argv = argv + optind;
	if (ctx.argc > 0 && !(verb->accepts & VERB_ARGS)) {
		vp_err("%s: unexpected argument '%s' (it takes none)", verb->name, ctx.argv[0]);
		return VP_EXIT_ERROR;
	}
	if ((ctx.domain || ctx.define || ctx.connect) && strcmp(verb->name, "guest-xml") != 0) {
		vp_err("%s: --domain, --define and --connect go with guest-xml", verb->name);
		return VP_EXIT_ERROR;
	}
	if ((ctx.define || ctx.connect) && !ctx.domain) {
		vp_err("guest-xml: --%s needs --domain NAME", ctx.define ? "define" : "connect");
		return VP_EXIT_ERROR;
	}
	if (ctx.json && !(verb->accepts & VERB_JSON)) {
		vp_err("%s: --json is not supported (it has no machine-readable output)",
		       verb->name);
		return VP_EXIT_ERROR;
	}
	ctx.out = stdout;
	if (ctx.json) {
		r = json_stdout(&ctx);
		if (r < 0) {
			vp_err("--json: %s", strerror(-r));
			return VP_EXIT_ERROR;
		}
	}
	nocolor = getenv("NO_COLOR");
	ctx.color = isatty(STDOUT_FILENO) && !(nocolor && *nocolor);

	/*
	 * A linked library comes before the root is opened: so do those loaded
	 * on demand, for the verbs that may use them, as when they were
	 * linked. libxml2's failure is said where it is needed (loaded again);
	 * libmount and libblkid are called in too many places to ask each,
	 * so without them (a broken installation) no such verb starts.
	 */
	if (!(verb->accepts & VERB_LEAN)) {
		_cleanup_free_ char *msg = NULL;

		(void)vp_xml_load(NULL);
		if (vp_mnt_load(&msg) < 0) {
			vp_err("%s", msg ? msg : strerror(ENOMEM));
			return VP_EXIT_ERROR;
		}
	}
	r = vp_root_open(&ctx.root, ctx.root_dir ? ctx.root_dir : "/");
	if (r < 0) {
		vp_err("root '%s': %s", ctx.root_dir ? ctx.root_dir : "/", strerror(-r));
		return VP_EXIT_ERROR;
	}
	/* our own state: a link there would send a write or a sweep elsewhere */
	r = vp_root_forbid_links(&ctx.root, VP_STATE_DIR);
	if (r >= 0)
		r = vp_root_forbid_links(&ctx.root, VP_RUN_DIR);
	if (r < 0) {
		vp_err("root '%s': %s", ctx.root_dir ? ctx.root_dir : "/", strerror(-r));
		vp_root_close(&ctx.root);
		return VP_EXIT_ERROR;
	}
	r = verb->fn(&ctx);
	vp_root_close(&ctx.root);
	if (ctx.out != stdout && fclose(ctx.out) != 0 && r != VP_EXIT_ERROR) {
		vp_err("writing the output: %s", strerror(errno));
		r = VP_EXIT_ERROR;
	}
	return r;
}
