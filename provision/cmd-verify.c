// SPDX-License-Identifier: GPL-2.0-or-later
/* verify: read the written files back as their consumers do; findmnt --verify style. */
#include <string.h>
#include <sys/stat.h>

#include "cmd-util.h"
#include "fsroot.h"
#include "json-plan.h"
#include "kconfig.h"
#include "verify.h"

/* The target kernels' refusals become [E] lines, their warnings [W]. */
static int kconfig_line(void *userdata, enum vp_msg_level level, const char *text)
{
	return vp_verify_add(userdata, level == VP_MSG_REFUSE ? VP_VERIFY_ERROR : VP_VERIFY_WARN,
			     "%s", text);
}

int vp_cmd_verify(struct vp_ctx *ctx)
{
	struct vp_verify_report rep = {0};
	struct vp_effect_report now = {0};
	struct vp_pipeline p;
	int r, ret;

	ret = vp_cmd_pipeline(ctx, &p);
	if (ret)
		goto out;
	for (size_t i = 0; i < p.plan.n_files; i++) {
		r = vp_verify_file(&ctx->root, &p.plan.files[i], &rep);
		if (r < 0) {
			vp_err("verify '%s': %s", p.plan.files[i].path, strerror(-r));
			ret = VP_EXIT_ERROR;
			goto out;
		}
	}
	/* the command lines the next boot gives the kernel, judged by what it makes of them */
	r = vp_pipeline_judge_now(&p, &now);
	for (size_t i = 0; r >= 0 && i < now.errors.n; i++)
		r = vp_verify_add(&rep, VP_VERIFY_ERROR, "%s", now.errors.v[i]);
	for (size_t i = 0; r >= 0 && i < now.warnings.n; i++)
		r = vp_verify_add(&rep, VP_VERIFY_WARN, "%s", now.warnings.v[i]);
	if (r < 0) {
		vp_err("verify: %s", strerror(-r));
		ret = VP_EXIT_ERROR;
		goto out;
	}
	r = vp_kconfig_check(&p.cfg, &p.sys, &p.plan, kconfig_line, &rep);
	if (r < 0) {
		vp_err("verify: %s", strerror(-r));
		ret = VP_EXIT_ERROR;
		goto out;
	}
	for (size_t i = 0; i < p.plan.dirs.n; i++) {
		struct stat st;

		if (vp_root_stat(&ctx->root, p.plan.dirs.v[i], &st, NULL) < 0 || !S_ISDIR(st.st_mode))
			vp_verify_add(&rep, VP_VERIFY_WARN, "'%s': directory missing (run apply)",
				      p.plan.dirs.v[i]);
	}
	if (ctx->json) {
		struct vp_buf doc = {0};
		char *msg = NULL;

		r = vp_json_verify(&rep, &doc, &msg);
		ret = vp_cmd_json_out(ctx, r, &doc, msg);
		if (ret)
			goto out;
		goto exit_code;
	}
	for (size_t i = 0; i < rep.n; i++)
		vp_fprintf_human(stdout, "   [%c] %s\n", rep.lines[i].level == VP_VERIFY_ERROR ? 'E' : 'W',
		       rep.lines[i].text);
	printf("%zu file%s checked, %zu error%s, %zu warning%s\n", rep.n_checked,
	       rep.n_checked == 1 ? "" : "s", rep.n_errors, rep.n_errors == 1 ? "" : "s",
	       rep.n_warnings, rep.n_warnings == 1 ? "" : "s");
exit_code:
	ret = rep.n_errors ? VP_EXIT_PENDING : VP_EXIT_OK;
out:
	vp_effect_report_free(&now);
	vp_verify_report_free(&rep);
	vp_pipeline_free(&p);
	return ret;
}
