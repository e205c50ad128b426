// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Property test of owning changes over time (issues 11 and 19), on the pure
 * core.
 *
 * A fixture root is probed once; then seeded random sequences of steps run
 * against an in-memory copy of its files: config changes (GPU selection,
 * strategy, huge pages on/off/count/mount/mode/group, generator, set and
 * cleared, cmdline options), user edits of shared files (lines and tokens
 * added and removed, tokens of ours removed or given another value, our
 * fstab line edited, a word put in front of a whole command line, a
 * first-wins key before ours), lines added to whole files of ours, apply
 * and revert. Next to it a shadow copy gets the same edits of the user's
 * own and never an apply. Invariants:
 *   after apply   nothing is pending (check would say 0); every file equals
 *                 a fresh apply of the same config on the shadow (what the
 *                 config plus the user's edits imply); every user line and
 *                 token is there; every edit of an item of ours and every
 *                 line added to a file of ours is gone and was named; and
 *                 the judge (plan-effective.h) finds the next boot to be
 *                 what the config asks, unless the plan was refused;
 *   after revert  an item of ours the user changed since the last apply is
 *                 left as the user has it, then revert --force makes every
 *                 file equal the shadow: nothing of ours is left and no byte
 *                 of the user's is lost.
 * A failing sequence is shrunk (steps dropped while it still fails) and
 * printed with its seed. Usage: lifetime ROOT N SEED
 * Prints "ok ..." / "not ok ..." lines for tests/run.sh.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger.h"
#include "owner.h"
#include "plan-effective.h"
#include "plan.h"
#include "probe.h"
#include "root.h"
#include "select.h"

#define MAX_STEPS 14

/* ---- the files of one world ---- */

struct world {
	struct vp_bytes *cur;   /* parallel to sys->files, then extra paths */
	char **path;
	size_t n;
	struct vp_ledger led;
};

static struct vp_system sys;
static struct vp_bytes *pristine;      /* sys.files as probed */
static char *failure;           /* what went wrong, for the report */

static void fail(const char *fmt, ...) _printf_(1, 2);
static void fail(const char *fmt, ...)
{
	va_list ap;

	if (failure)
		return;
	va_start(ap, fmt);
	failure = vp_strdup_vprintf(fmt, ap);
	va_end(ap);
}

/* Only memory can fail here: a property run that cannot copy bytes stops. */
static void bytes_set(struct vp_bytes *b, bool exists, const char *data, size_t len)
{
	if (vp_bytes_set(b, exists, data, len) < 0) {
		fputs("lifetime: out of memory\n", stderr);
		abort();
	}
}

static void world_free(struct world *w)
{
	for (size_t i = 0; i < w->n; i++) {
		vp_bytes_free(&w->cur[i]);
		free(w->path[i]);
	}
	free(w->cur);
	free(w->path);
	vp_ledger_free(&w->led);
	*w = (struct world){0};
}

static struct vp_bytes *file_of(struct world *w, const char *path)
{
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->path[i], path) == 0)
			return &w->cur[i];
	w->cur = realloc(w->cur, (w->n + 1) * sizeof(*w->cur));
	w->path = realloc(w->path, (w->n + 1) * sizeof(*w->path));
	if (!w->cur || !w->path)
		abort();
	w->cur[w->n] = (struct vp_bytes){0};
	w->path[w->n] = strdup(path);
	return &w->cur[w->n++];
}

static void world_init(struct world *w)
{
	*w = (struct world){0};
	for (size_t i = 0; i < sys.n_files; i++) {
		const struct vp_file *f = &sys.files[i];

		if (f->path[strlen(f->path) - 1] == '/')
			continue;       /* a directory's existence */
		bytes_set(file_of(w, f->path), pristine[i].exists, pristine[i].data,
			     pristine[i].len);
	}
}

static void world_copy(struct world *dst, const struct world *src)
{
	*dst = (struct world){0};
	for (size_t i = 0; i < src->n; i++)
		bytes_set(file_of(dst, src->path[i]), src->cur[i].exists, src->cur[i].data,
			     src->cur[i].len);
}

/*
 * Equal, or equal but for the length of runs of blanks: inside a line that
 * both the user and we changed, the blanks next to a word we take out or
 * put back cannot always be told (merge3.h).
 */
static bool same(const struct vp_bytes *a, const struct vp_bytes *b)
{
	size_t i = 0, j = 0;

	if (vp_bytes_eq(a, b))
		return true;
	if (!a->exists || !b->exists)
		return false;
	while (i < a->len && j < b->len) {
		bool ba = a->data[i] == ' ' || a->data[i] == '\t';
		bool bb = b->data[j] == ' ' || b->data[j] == '\t';

		if (ba && bb) {
			while (i < a->len && (a->data[i] == ' ' || a->data[i] == '\t'))
				i++;
			while (j < b->len && (b->data[j] == ' ' || b->data[j] == '\t'))
				j++;
			continue;
		}
		if (a->data[i] != b->data[j])
			return false;
		i++;
		j++;
	}
	return i == a->len && j == b->len;
}

/* ---- planning on a world ---- */

/* The model sees each file as the world has it (owned ones as their base). */
static void show(struct world *w, const struct vp_bases *b)
{
	for (size_t i = 0; i < sys.n_files; i++) {
		struct vp_file *f = &sys.files[i];
		const struct vp_bytes *c;

		if (f->path[strlen(f->path) - 1] == '/')
			continue;
		c = file_of(w, f->path);
		free(f->content);
		f->content = c->exists ? strndup(c->data, c->len) : NULL;
		f->len = c->exists ? c->len : 0;
	}
	if (vp_owner_substitute(&sys, b) < 0)
		abort();
}

static int bases_of(struct world *w, bool revert, bool force, struct vp_bases *ret)
{
	struct vp_bases b = {0};

	b.v = calloc(w->led.n + 1, sizeof(*b.v));
	for (size_t i = 0; i < w->led.n; i++) {
		struct vp_base *x = &b.v[b.n++];

		x->path = strdup(w->led.f[i].path);
		if (vp_owner_base(&w->led.f[i], file_of(w, x->path), revert, force, &x->bytes,
				  &x->kept) < 0)
			abort();
	}
	*ret = b;
	return 0;
}

/* Edits of ours the user made since the last apply, and what apply must name. */
struct edits {
	struct vp_strv texts;           /* each as it now stands in the file */
};

/* Does some warning of the plan name text? */
static bool named(const struct vp_plan *plan, const char *text)
{
	for (size_t i = 0; i < plan->n_msgs; i++)
		if (plan->msgs[i].level == VP_MSG_WARN && strstr(plan->msgs[i].text, text))
			return true;
	return false;
}

/*
 * The judge on the world's files after apply: an error there (the next boot
 * would not be what the config asks) is allowed only with a refused plan.
 */
static void judge(struct world *w, const struct vp_config *cfg, const struct vp_selection *sel,
		  const struct vp_plan *plan, size_t step)
{
	struct vp_effect_report rep = {0};
	struct vp_plan now = {0};

	for (size_t i = 0; i < w->n; i++)
		if (vp_plan_add_file(&now, w->path[i], w->cur[i].exists ?
				     strndup(w->cur[i].data, w->cur[i].len) : NULL, 0644, false, "") < 0)
			abort();
	if (vp_effect_judge(cfg, &sys, sel, plan, &now, &rep) < 0)
		abort();
	if (rep.errors.n && !plan->refused)
		fail("step %zu: after apply of a plan not refused, the next boot is not what the "
		     "config asks: %s", step, rep.errors.v[0]);
	vp_effect_report_free(&rep);
	vp_plan_free(&now);
}

/*
 * apply (write) or check (count what is pending); -1 when the plan cannot be
 * made. With ed: every edit in it must be named by the plan, then it is gone.
 */
static int apply_named(struct world *w, const struct vp_config *cfg, bool write,
		       const struct edits *ed, size_t step)
{
	struct vp_selection sel = {0};
	struct vp_plan plan = {0};
	struct vp_bases b = {0};
	char *msg = NULL;
	int pending = 0, r;

	bases_of(w, false, false, &b);
	show(w, &b);
	r = vp_select(cfg, &sys, &sel, &msg);
	if (r >= 0)
		r = vp_plan_build(cfg, &sys, &sel, &plan, &msg);
	if (r >= 0)
		r = vp_owner_reconcile(cfg, &sys, &w->led, &b, &plan);
	if (r < 0) {
		pending = -1;
		goto out;
	}
	for (size_t i = 0; i < plan.n_files; i++) {
		const struct vp_plan_file *f = &plan.files[i];
		struct vp_bytes want = {.exists = f->content != NULL, .data = f->content,
					.len = f->content ? strlen(f->content) : 0};
		struct vp_bytes *cur = file_of(w, f->path);
		const struct vp_base *x = vp_bases_find(&b, f->path);

		if (vp_bytes_eq(cur, &want))
			continue;
		pending++;
		if (!write)
			continue;
		if (vp_ledger_record(&w->led, f->path, f->owned, x ? &x->bytes : cur, &want) < 0)
			abort();
		bytes_set(cur, want.exists, want.data, want.len);
	}
	for (size_t i = 0; write && ed && i < ed->texts.n; i++)
		if (!named(&plan, ed->texts.v[i]))
			fail("step %zu: apply writes over the user's '%s' without naming it", step,
			     ed->texts.v[i]);
	if (write)
		judge(w, cfg, &sel, &plan, step);
out:
	free(msg);
	vp_plan_free(&plan);
	vp_selection_free(&sel);
	vp_bases_free(&b);
	return pending;
}

static int apply(struct world *w, const struct vp_config *cfg, bool write)
{
	return apply_named(w, cfg, write, NULL, 0);
}

static void revert(struct world *w, bool force)
{
	struct vp_bases b = {0};

	bases_of(w, true, force, &b);
	for (size_t i = 0; i < b.n; i++) {
		bytes_set(file_of(w, b.v[i].path), b.v[i].bytes.exists, b.v[i].bytes.data,
			     b.v[i].bytes.len);
		/* revert keeps the entries of items the user changed (revert.c) */
		if (!b.v[i].kept.n)
			vp_ledger_remove(&w->led, b.v[i].path);
	}
	vp_bases_free(&b);
	if (force)
		vp_ledger_free(&w->led);
}

/* ---- configs ---- */

static char *config_text(unsigned long v)
{
	static const char *const sel[] = {"auto", "auto", "none"};
	static const char *const strat[] = {"auto", "ids", "override"};
	static const char *const count[] = {"0", "2", "8"};
	static const char *const mount[] = {"/dev/hugepages1G", "/dev/hugepages-vm", "none"};
	static const char *const mode[] = {"early", "boot", "runtime"};
	static const char *const group[] = {"kvm", "0"};
	static const char *const gen[] = {"auto", "dracut", "initramfs-tools", "mkinitcpio"};
	static const char *const pt[] = {"yes", "no"};
	static const char *const thp[] = {"keep", "never", "madvise"};
#define PICK(a) a[v % ARRAY_SIZE(a)]; v /= ARRAY_SIZE(a)
	const char *s1 = PICK(sel);
	const char *s2 = PICK(strat);
	const char *s3 = PICK(count);
	const char *s4 = PICK(mount);
	const char *s5 = PICK(mode);
	const char *s6 = PICK(group);
	const char *s7 = PICK(gen);
	const char *s8 = PICK(pt);
	const char *s9 = PICK(thp);
#undef PICK
	return vp_strdup_printf("[gpu]\nselect = %s\nstrategy = %s\n[hugepages]\ncount = %s\n"
				"mount = %s\nmode = %s\ngroup = %s\n[initramfs]\ngenerator = %s\n"
				"[cmdline]\niommu_pt = %s\ntransparent_hugepage = %s\n",
				s1, s2, s3, s4, s5, s6, s7, s8, s9);
}

static int load_config(unsigned long v, struct vp_config *cfg)
{
	_cleanup_free_ char *text = config_text(v), *msg = NULL;

	vp_config_init(cfg);
	if (strstr(text, "select = none"))
		/* nothing selected: the [gpu] section names no device at all */
		*strstr(text, "select = none") = '#';
	return vp_config_parse_string(cfg, "prop.conf", text, &msg);
}

/* ---- user edits, the same on both worlds ---- */

/* Inserts " word" at the end of the first line starting with prefix (before a closing quote). */
static bool add_word(struct vp_bytes *f, const char *prefix, const char *word)
{
	struct vp_buf b = {0};
	const char *p, *eol = NULL;
	size_t at;

	if (!f->exists)
		return false;
	for (p = f->data; p && *p; p = eol ? eol + 1 : NULL) {
		eol = strchr(p, '\n');
		if (vp_startswith(p, prefix))
			break;
	}
	if (!p || !*p)
		return false;
	at = (size_t)((eol ? eol : f->data + f->len) - f->data);
	if (at > 0 && (f->data[at - 1] == '"' || f->data[at - 1] == '\'' || f->data[at - 1] == ')'))
		at--;
	vp_buf_add(&b, f->data, at);
	/* right after an opening "( or =", no blank first */
	vp_buf_printf(&b, at && (f->data[at - 1] == '(' || f->data[at - 1] == '=' ||
				 (at > 1 && strchr("\"'", f->data[at - 1]) && f->data[at - 2] == '=')) ?
			  "%s" : " %s", word);
	vp_buf_add(&b, f->data + at, f->len - at);
	bytes_set(f, true, b.s, b.len);
	vp_buf_free(&b);
	return true;
}

/* Removes the first whole word, with the blank before it (else after it). */
static bool del_word(struct vp_bytes *f, const char *word)
{
	size_t n = strlen(word);

	for (char *p = f->exists ? f->data : NULL; p && (p = strstr(p, word)); p++) {
		char before = p == f->data ? '\n' : p[-1], after = p[n];
		char *from = p, *to = p + n;

		if (!strchr(" \t\"'(", before) || (after && !strchr(" \t\n\"')", after)))
			continue;
		if (before == ' ' || before == '\t')
			from--;
		else if (after == ' ' || after == '\t')
			to++;
		memmove(from, to, f->len - (size_t)(to - f->data) + 1);
		f->len -= (size_t)(to - from);
		return true;
	}
	return false;
}

static bool add_line(struct vp_bytes *f, const char *line)
{
	struct vp_buf b = {0};

	if (!f->exists)
		return false;
	vp_buf_add(&b, f->data, f->len);
	if (f->len && f->data[f->len - 1] != '\n')
		vp_buf_puts(&b, "\n");
	vp_buf_printf(&b, "%s\n", line);
	bytes_set(f, true, b.s, b.len);
	vp_buf_free(&b);
	return true;
}

static bool del_line(struct vp_bytes *f, const char *line)
{
	_cleanup_free_ char *pat = vp_strdup_printf("%s\n", line);
	char *p = f->exists ? strstr(f->data, pat) : NULL;

	if (!p || (p != f->data && p[-1] != '\n'))
		return false;
	memmove(p, p + strlen(pat), f->len - (size_t)(p - f->data) - strlen(pat) + 1);
	f->len -= strlen(pat);
	return true;
}

struct target {
	const char *path, *prefix;      /* a word goes on the line starting with prefix */
};

static const struct target word_targets[] = {
	{"/etc/default/grub", "GRUB_CMDLINE_LINUX="},
	{"/etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT="},
	{"/etc/kernel/cmdline", ""},
	{"/boot/refind_linux.conf", "\"Boot with standard"},
	{"/etc/mkinitcpio.conf", "MODULES=("},
};

static const char *const line_targets[] = {"/etc/fstab", "/etc/initramfs-tools/modules"};

/* ---- sequences ---- */

enum kind {
	S_CONFIG, S_ADD_WORD, S_ADD_LINE, S_DEL_USER, S_DEL_OURS, S_APPLY, S_REVERT,
	S_EDIT_OURS,    /* an item of ours given another value (main world) */
	S_OWN_LINE,     /* a line added to a whole file of ours (main world) */
	S_FRONT,        /* a word, or a first-wins key, in front of a command line (both) */
	S_KINDS
};

/* Puts word (and a blank) right after prefix at the start of the first line that has it. */
static bool front_word(struct vp_bytes *f, const char *prefix, const char *word)
{
	struct vp_buf b = {0};
	const char *p, *eol = NULL;
	size_t at;

	if (!f->exists)
		return false;
	for (p = f->data; p && *p; p = eol ? eol + 1 : NULL) {
		eol = strchr(p, '\n');
		if (vp_startswith(p, prefix))
			break;
	}
	if (!p || !*p)
		return false;
	at = (size_t)(p - f->data) + strlen(prefix);
	vp_buf_add(&b, f->data, at);
	vp_buf_printf(&b, "%s%s", word, strchr("\"'\n", f->data[at]) ? "" : " ");
	vp_buf_add(&b, f->data + at, f->len - at);
	bytes_set(f, true, b.s, b.len);
	vp_buf_free(&b);
	return true;
}

/* Replaces the first from (a whole word, or part of the hugetlbfs line) with to. */
static bool replace_text(struct vp_bytes *f, const char *from, const char *to)
{
	char *p = f->exists ? strstr(f->data, from) : NULL;
	struct vp_buf b = {0};

	if (!p)
		return false;
	vp_buf_add(&b, f->data, (size_t)(p - f->data));
	vp_buf_puts(&b, to);
	vp_buf_puts(&b, p + strlen(from));
	bytes_set(f, true, b.s, b.len);
	vp_buf_free(&b);
	return true;
}

struct step {
	enum kind kind;
	unsigned long arg, arg2;
};

static unsigned long rnd(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (unsigned long)(*s >> 11);
}

static const char *const ours_words[] = {"iommu=pt", "intel_iommu=on", "hugepagesz=1G",
					 "transparent_hugepage=never", "vfio_pci"};

/* An item of ours and the value the user gives it; key: how to tell it is ours. */
static const struct {
	const char *from, *to, *key;
} ours_edits[] = {
	{"iommu=pt", "iommu=nopt", "iommu="},
	{"transparent_hugepage=never", "transparent_hugepage=madvise", "transparent_hugepage="},
	{"mode=1770", "mode=1777", "hugetlbfs /dev/hugepages"},
};

/* Where a word goes in front of a whole command line, and what. */
static const struct target front_targets[] = {
	{"/etc/kernel/cmdline", ""},
	{"/etc/default/grub", "GRUB_CMDLINE_LINUX=\""},
	{"/etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\""},
};
static const char *const front_words[] = {"rd.luks.uuid=front", "hugepages=6",
					  "default_hugepagesz=2M",
					  "hugepages=6 default_hugepagesz=2M"};

static void describe(const struct step *s, char *buf, size_t n)
{
	static const char *const names[] = {"config", "user adds word", "user adds line",
					    "user removes own", "user removes ours", "apply",
					    "revert", "user changes ours", "user adds a line to ours",
					    "user puts a word in front"};
	_cleanup_free_ char *cfg = s->kind == S_CONFIG ? config_text(s->arg) : NULL;

	if (cfg)
		for (char *p = cfg; *p; p++)
			if (*p == '\n')
				*p = ' ';
	snprintf(n ? buf : NULL, n, "%s %lu/%lu%s%s", names[s->kind], s->arg, s->arg2,
		 cfg ? ": " : "", cfg ? cfg : "");
}

/* Runs a sequence; true when every invariant holds (else `failure` says why). */
static bool run(const struct step *st, size_t n)
{
	struct world w, shadow;
	struct vp_config cfg;
	struct vp_strv user_words = {0}, user_lines = {0};
	struct edits ed = {0};          /* of ours, since the last apply */
	struct vp_strv changed = {0};   /* items of ours the user changed since the last apply */
	bool ok = true;

	free(failure);
	failure = NULL;
	world_init(&w);
	world_copy(&shadow, &w);
	vp_config_init(&cfg);
	for (size_t k = 0; k < n && !failure; k++) {
		const struct step *s = &st[k];
		char word[128];

		switch (s->kind) {
		case S_CONFIG:
			vp_config_free(&cfg);
			if (load_config(s->arg, &cfg) < 0)
				fail("step %zu: config does not parse", k + 1);
			break;
		case S_ADD_WORD: {
			const struct target *t = &word_targets[s->arg % ARRAY_SIZE(word_targets)];

			snprintf(word, sizeof(word), "user.opt%zu=%lu", k, s->arg2 % 100);
			/* a file only one world has (one we created) is not the user's to edit here */
			if (file_of(&shadow, t->path)->exists &&
			    add_word(file_of(&shadow, t->path), t->prefix, word) &&
			    add_word(file_of(&w, t->path), t->prefix, word))
				vp_strv_push(&user_words, word);
			break;
		}
		case S_ADD_LINE: {
			const char *path = line_targets[s->arg % ARRAY_SIZE(line_targets)];

			if (strstr(path, "fstab"))
				snprintf(word, sizeof(word), "/dev/vd%c%zu /srv/u%zu ext4 defaults 0 2",
					 (char)('a' + (int)(s->arg2 % 26)), k, k);
			else
				snprintf(word, sizeof(word), "user_mod%zu", k);
			if (file_of(&shadow, path)->exists && file_of(&w, path)->exists &&
			    add_line(file_of(&w, path), word) && add_line(file_of(&shadow, path), word))
				vp_strv_push(&user_lines, word);
			break;
		}
		case S_DEL_USER:
			if (user_words.n && s->arg2 % 2) {
				size_t i = s->arg % user_words.n;

				for (size_t f = 0; f < w.n; f++)
					if (del_word(&w.cur[f], user_words.v[i]))
						break;
				for (size_t f = 0; f < shadow.n; f++)
					if (del_word(&shadow.cur[f], user_words.v[i]))
						break;
				free(user_words.v[i]);
				user_words.v[i] = user_words.v[--user_words.n];
			} else if (user_lines.n) {
				size_t i = s->arg % user_lines.n;

				for (size_t f = 0; f < w.n; f++)
					if (del_line(&w.cur[f], user_lines.v[i]))
						break;
				for (size_t f = 0; f < shadow.n; f++)
					if (del_line(&shadow.cur[f], user_lines.v[i]))
						break;
				free(user_lines.v[i]);
				user_lines.v[i] = user_lines.v[--user_lines.n];
			}
			break;
		case S_DEL_OURS: {
			/*
			 * The user takes out a token or module we added to a shared
			 * file: main world only. Not one that replaced theirs (what
			 * they meant by that is anybody's guess), and not from a whole
			 * file of ours (revert leaves an edited one alone: t-lifetime.sh).
			 */
			const char *ow = ours_words[s->arg % ARRAY_SIZE(ours_words)];
			_cleanup_free_ char *key = strndup(ow, strcspn(ow, "="));

			for (size_t f = 0; f < w.n; f++) {
				const struct vp_bytes *u = file_of(&shadow, w.path[f]);

				if (!u->exists || strstr(u->data, key) || !vp_ledger_find(&w.led, w.path[f]) ||
				    vp_ledger_find(&w.led, w.path[f])->whole)
					continue;
				if (del_word(&w.cur[f], ow))
					break;
			}
			break;
		}
		case S_EDIT_OURS: {
			size_t e = s->arg % ARRAY_SIZE(ours_edits);

			for (size_t f = 0; f < w.n; f++) {
				const struct vp_bytes *u = file_of(&shadow, w.path[f]);
				const struct vp_owned *o = vp_ledger_find(&w.led, w.path[f]);

				if (!u->exists || strstr(u->data, ours_edits[e].key) || !o || o->whole)
					continue;
				if (replace_text(&w.cur[f], ours_edits[e].from, ours_edits[e].to)) {
					vp_strv_push(&ed.texts, ours_edits[e].to);
					vp_strv_push(&changed, ours_edits[e].to);
					break;
				}
			}
			break;
		}
		case S_OWN_LINE: {
			size_t first = w.led.n ? s->arg % w.led.n : 0;

			for (size_t i = 0; i < w.led.n; i++) {
				const struct vp_owned *o = &w.led.f[(first + i) % w.led.n];
				struct vp_bytes *f = file_of(&w, o->path);

				if (!o->whole || !f->exists || !vp_startswith(f->data, VP_MANAGED_HEADER))
					continue;
				snprintf(word, sizeof(word), "user_setting%zu=1", k);
				add_line(f, word);
				vp_strv_push(&ed.texts, word);
				break;
			}
			break;
		}
		case S_FRONT: {
			const struct target *t = &front_targets[s->arg % ARRAY_SIZE(front_targets)];
			const char *fw = front_words[s->arg2 % ARRAY_SIZE(front_words)];

			if (file_of(&shadow, t->path)->exists && file_of(&w, t->path)->exists &&
			    front_word(file_of(&shadow, t->path), t->prefix, fw) &&
			    front_word(file_of(&w, t->path), t->prefix, fw) && fw[0] == 'r')
				vp_strv_push(&user_words, fw);   /* ours replace a first-wins key */
			break;
		}
		case S_KINDS:
			abort();
		case S_APPLY: {
			struct world fresh;
			int p;

			p = apply_named(&w, &cfg, true, &ed, k + 1);
			vp_strv_free(&ed.texts);
			vp_strv_free(&changed);
			if (p < 0)
				break;          /* a plan that cannot be made: nothing written */
			p = apply(&w, &cfg, false);
			if (p != 0)
				fail("step %zu: after apply, check finds %d change(s) pending", k + 1, p);
			world_copy(&fresh, &shadow);
			apply(&fresh, &cfg, true);
			for (size_t f = 0; f < fresh.n && !failure; f++)
				if (!same(&fresh.cur[f], file_of(&w, fresh.path[f])))
					fail("step %zu: after apply, '%s' differs from a fresh apply on "
					     "the user's files:\n--- fresh\n%s\n--- ours\n%s", k + 1,
					     fresh.path[f], fresh.cur[f].exists ? fresh.cur[f].data : "(absent)",
					     file_of(&w, fresh.path[f])->exists ?
						     file_of(&w, fresh.path[f])->data : "(absent)");
			for (size_t f = 0; f < w.n && !failure; f++)
				if (!same(&w.cur[f], file_of(&fresh, w.path[f])))
					fail("step %zu: after apply, '%s' differs from a fresh apply",
					     k + 1, w.path[f]);
			world_free(&fresh);
			break;
		}
		case S_REVERT:
			revert(&w, false);
			/* the user's latest edit of an item of ours is left as it is */
			for (size_t i = 0; i < changed.n && !failure; i++) {
				bool found = false;

				for (size_t f = 0; f < w.n && !found; f++)
					found = w.cur[f].exists && strstr(w.cur[f].data, changed.v[i]);
				if (!found)
					fail("step %zu: revert lost the user's edit '%s' of an item "
					     "of ours", k + 1, changed.v[i]);
			}
			revert(&w, true);
			vp_strv_free(&ed.texts);
			vp_strv_free(&changed);
			for (size_t f = 0; f < w.n && !failure; f++)
				if (!same(&w.cur[f], file_of(&shadow, w.path[f])))
					fail("step %zu: after revert, '%s' is not the user's file:\n"
					     "--- user's\n%s\n--- after revert\n%s", k + 1, w.path[f],
					     file_of(&shadow, w.path[f])->exists ?
						     file_of(&shadow, w.path[f])->data : "(absent)",
					     w.cur[f].exists ? w.cur[f].data : "(absent)");
			break;
		}
		/* no user byte lost, whatever the step */
		for (size_t i = 0; i < user_lines.n && !failure; i++) {
			bool found = false;

			for (size_t f = 0; f < w.n && !found; f++)
				found = w.cur[f].exists && strstr(w.cur[f].data, user_lines.v[i]);
			if (!found)
				fail("step %zu: the user's line '%s' is gone", k + 1, user_lines.v[i]);
		}
		for (size_t i = 0; i < user_words.n && !failure; i++) {
			bool found = false;

			for (size_t f = 0; f < w.n && !found; f++)
				found = w.cur[f].exists && strstr(w.cur[f].data, user_words.v[i]);
			if (!found)
				fail("step %zu: the user's word '%s' is gone", k + 1, user_words.v[i]);
		}
	}
	ok = !failure;
	vp_config_free(&cfg);
	vp_strv_free(&user_words);
	vp_strv_free(&user_lines);
	vp_strv_free(&ed.texts);
	vp_strv_free(&changed);
	world_free(&w);
	world_free(&shadow);
	return ok;
}

static size_t gen_sequence(unsigned long long *seed, struct step *st)
{
	size_t n = 3 + rnd(seed) % (MAX_STEPS - 2);

	st[0] = (struct step){S_CONFIG, rnd(seed), 0};
	st[1] = (struct step){S_APPLY, 0, 0};
	for (size_t k = 2; k < n; k++) {
		unsigned long x = rnd(seed) % 24;

		st[k] = (struct step){x < 4 ? S_CONFIG : x < 7 ? S_ADD_WORD : x < 9 ? S_ADD_LINE :
				      x < 10 ? S_DEL_USER : x < 11 ? S_DEL_OURS :
				      x < 13 ? S_EDIT_OURS : x < 14 ? S_OWN_LINE : x < 15 ? S_FRONT :
				      x < 21 ? S_APPLY : S_REVERT, rnd(seed), rnd(seed)};
	}
	return n;
}

/* Drops steps while the sequence still fails: the smallest story to tell. */
static size_t shrink(struct step *st, size_t n)
{
	for (bool again = true; again;) {
		again = false;
		for (size_t k = 0; k < n; k++) {
			struct step save = st[k];

			memmove(&st[k], &st[k + 1], (n - k - 1) * sizeof(*st));
			if (!run(st, n - 1)) {
				n--;
				again = true;
				break;
			}
			memmove(&st[k + 1], &st[k], (n - k - 1) * sizeof(*st));
			st[k] = save;
		}
	}
	run(st, n);     /* leave `failure` describing the shrunk sequence */
	return n;
}

int main(int argc, char **argv)
{
	struct vp_probe_opts opts = {0};
	struct vp_root root = {.fd = -1};
	unsigned long long seed;
	unsigned long n, failed = 0;
	size_t *all = NULL;
	char *msg = NULL;
	const char *name;

	if (argc != 4) {
		fprintf(stderr, "usage: %s ROOT N SEED\n", argv[0]);
		return 2;
	}
	name = strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1];
	n = strtoul(argv[2], NULL, 10);
	seed = strtoull(argv[3], NULL, 10) | 1;
	if (vp_root_open(&root, argv[1]) < 0 || vp_probe(&root, &opts, &sys, &msg) < 0) {
		printf("not ok lifetime %s: probe: %s\n", name, msg ? msg : "?");
		return 0;
	}
	/* every function's drivers: any selection a config makes has them */
	all = calloc(sys.n_fns + 1, sizeof(*all));
	for (size_t i = 0; all && i < sys.n_fns; i++)
		all[i] = i;
	if (!all || vp_probe_drivers(&root, &sys, all, sys.n_fns, &msg) < 0) {
		printf("not ok lifetime %s: probe: %s\n", name, msg ? msg : "?");
		return 0;
	}
	pristine = calloc(sys.n_files + 1, sizeof(*pristine));
	for (size_t i = 0; pristine && i < sys.n_files; i++)
		bytes_set(&pristine[i], sys.files[i].content != NULL, sys.files[i].content,
			     sys.files[i].len);
	for (unsigned long i = 0; pristine && i < n; i++) {
		struct step st[MAX_STEPS];
		unsigned long long s = seed + i * 0x9e3779b97f4a7c15ULL;
		size_t len = gen_sequence(&s, st);

		if (run(st, len))
			continue;
		failed++;
		len = shrink(st, len);
		printf("not ok lifetime %s: sequence %lu of seed %s fails\n", name, i, argv[3]);
		for (size_t k = 0; k < len; k++) {
			char buf[512];

			describe(&st[k], buf, sizeof(buf));
			printf("    %zu. %s\n", k + 1, buf);
		}
		printf("    %s\n", failure);
		break;
	}
	if (!failed)
		printf("ok lifetime %s: %lu random sequences of config changes, user edits, "
		       "apply and revert hold every invariant (seed %s)\n", name, n, argv[3]);
	free(failure);
	free(msg);
	free(all);
	for (size_t i = 0; pristine && i < sys.n_files; i++)
		vp_bytes_free(&pristine[i]);
	free(pristine);
	vp_system_free(&sys);
	vp_root_close(&root);
	return 0;
}
