// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unified diff. Myers, "An O(ND) Difference Algorithm and Its Variations"
 * (1986): the greedy forward search, keeping the furthest-reaching x of
 * every diagonal after each step d so the path can be walked back. The
 * saved state is O(D^2); beyond MAX_D edits (never for the files we write)
 * we fall back to "remove everything, add everything", still a valid diff.
 */
#include <errno.h>
#include <string.h>

#include "diff.h"

#define MAX_D 1000

#define C_RESET "\033[0m"
#define C_META "\033[1m"
#define C_FRAG "\033[36m"
#define C_OLD "\033[31m"
#define C_NEW "\033[32m"

struct line {
	const char *s;
	size_t len;             /* without the newline */
	bool nl;                /* ends with a newline */
};

struct lines {
	struct line *v;
	size_t n;
};

static int split_lines(const char *s, size_t len, struct lines *ret)
{
	size_t n = 0, i = 0;

	for (size_t k = 0; k < len; k++)
		if (s[k] == '\n')
			n++;
	if (len > 0 && s[len - 1] != '\n')
		n++;
	ret->v = calloc(n ? n : 1, sizeof(*ret->v));
	if (!ret->v)
		return -ENOMEM;
	for (size_t start = 0; start < len; i++) {
		const char *nl = memchr(s + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - s) : len;

		ret->v[i] = (struct line){.s = s + start, .len = end - start, .nl = nl != NULL};
		start = nl ? end + 1 : len;
	}
	ret->n = i;
	return 0;
}

static bool line_eq(const struct line *a, const struct line *b)
{
	return a->len == b->len && a->nl == b->nl && memcmp(a->s, b->s, a->len) == 0;
}

enum op_kind { OP_EQ, OP_DEL, OP_INS };

struct op {
	enum op_kind kind;
	size_t a, b;            /* positions in old/new before this op */
};

struct ops {
	struct op *v;
	size_t n;
};

/* Myers' forward search; fills ops in order. */
static int edit_script(const struct lines *A, const struct lines *B, struct ops *ret)
{
	long N = (long)A->n, M = (long)B->n, max = N + M, D = -1;
	long *V = NULL, **trace = NULL;
	struct op *ops = NULL;
	size_t n_ops = 0;
	long x, y;
	int r = -ENOMEM;

	ops = calloc((size_t)max + 1, sizeof(*ops));
	V = calloc((size_t)(2 * max + 3), sizeof(*V));
	trace = calloc((size_t)(max < MAX_D ? max : MAX_D) + 1, sizeof(*trace));
	if (!ops || !V || !trace)
		goto out;
	V += max + 1;   /* V[k] for k in [-max-1, max+1] */
	for (long d = 0; d <= max && d <= MAX_D && D < 0; d++) {
		for (long k = -d; k <= d; k += 2) {
			if (k == -d || (k != d && V[k - 1] < V[k + 1]))
				x = V[k + 1];
			else
				x = V[k - 1] + 1;
			y = x - k;
			while (x < N && y < M && line_eq(&A->v[x], &B->v[y]))
				x++, y++;
			V[k] = x;
			if (x >= N && y >= M)
				D = d;
		}
		trace[d] = malloc((size_t)(2 * d + 1) * sizeof(long));
		if (!trace[d])
			goto out_v;
		memcpy(trace[d], V - d, (size_t)(2 * d + 1) * sizeof(long));
	}
	if (D < 0) {
		/* too different: the crude but valid script */
		for (long i = 0; i < N; i++)
			ops[n_ops++] = (struct op){OP_DEL, (size_t)i, 0};
		for (long j = 0; j < M; j++)
			ops[n_ops++] = (struct op){OP_INS, (size_t)N, (size_t)j};
		goto done;
	}
	/* walk back from (N, M); ops come out reversed */
	x = N, y = M;
	for (long d = D; d > 0; d--) {
		long *Vp = trace[d - 1] + (d - 1);  /* Vp[k] for k in [-(d-1), d-1] */
		long k = x - y, pk, px, py, mx;
		bool down = k == -d || (k != d && Vp[k - 1] < Vp[k + 1]);

		pk = down ? k + 1 : k - 1;
		px = Vp[pk];
		py = px - pk;
		mx = down ? px : px + 1;
		while (x > mx) {
			x--, y--;
			ops[n_ops++] = (struct op){OP_EQ, (size_t)x, (size_t)y};
		}
		if (down)
			ops[n_ops++] = (struct op){OP_INS, (size_t)px, (size_t)py};
		else
			ops[n_ops++] = (struct op){OP_DEL, (size_t)px, (size_t)py};
		x = px, y = py;
	}
	while (x > 0 && y > 0) {
		x--, y--;
		ops[n_ops++] = (struct op){OP_EQ, (size_t)x, (size_t)y};
	}
	for (size_t i = 0; i < n_ops / 2; i++) {
		struct op t = ops[i];

		ops[i] = ops[n_ops - 1 - i];
		ops[n_ops - 1 - i] = t;
	}
done:
	ret->v = ops;
	ret->n = n_ops;
	ops = NULL;
	r = 0;
out_v:
	V -= max + 1;
out:
	if (trace)
		for (long d = 0; d <= max && d <= MAX_D; d++)
			free(trace[d]);
	free(trace);
	free(V);
	free(ops);
	return r;
}

/* "@@ -l,n" as diff -u writes it: ",1" omitted; an empty range names the line before. */
static int put_range(struct vp_buf *out, char sign, size_t start, size_t count)
{
	if (count == 1)
		return vp_buf_printf(out, "%c%zu", sign, start + 1);
	return vp_buf_printf(out, "%c%zu,%zu", sign, count ? start + 1 : start, count);
}

static int put_line(struct vp_buf *out, bool color, const char *col, char sign,
		    const struct line *l)
{
	int r;

	r = vp_buf_printf(out, "%s%c", color && col ? col : "", sign);
	if (r == 0)
		r = vp_buf_add(out, l->s, l->len);
	if (r == 0 && color && col)
		r = vp_buf_puts(out, C_RESET);
	if (r == 0)
		r = vp_buf_puts(out, "\n");
	if (r == 0 && !l->nl)
		r = vp_buf_puts(out, "\\ No newline at end of file\n");
	return r;
}

static int put_hunk(struct vp_buf *out, bool color, const struct lines *A,
		    const struct lines *B, const struct op *ops, size_t n)
{
	size_t na = 0, nb = 0;
	int r;

	for (size_t i = 0; i < n; i++) {
		na += ops[i].kind != OP_INS;
		nb += ops[i].kind != OP_DEL;
	}
	r = vp_buf_printf(out, "%s@@ ", color ? C_FRAG : "");
	if (r == 0)
		r = put_range(out, '-', ops[0].a, na);
	if (r == 0)
		r = vp_buf_puts(out, " ");
	if (r == 0)
		r = put_range(out, '+', ops[0].b, nb);
	if (r == 0)
		r = vp_buf_printf(out, " @@%s\n", color ? C_RESET : "");
	for (size_t i = 0; i < n && r == 0; i++) {
		const struct op *o = &ops[i];

		if (o->kind == OP_EQ)
			r = put_line(out, color, NULL, ' ', &A->v[o->a]);
		else if (o->kind == OP_DEL)
			r = put_line(out, color, C_OLD, '-', &A->v[o->a]);
		else
			r = put_line(out, color, C_NEW, '+', &B->v[o->b]);
	}
	return r;
}

int vp_diff(const char *path, const char *old, size_t old_len, const char *new_,
	    size_t new_len, bool color, struct vp_buf *out)
{
	struct lines A = {0}, B = {0};
	struct ops ops = {0};
	const char *rel = path;
	int r;

	if (!old)
		old_len = 0;
	if (!new_)
		new_len = 0;
	if (old_len == new_len && (old_len == 0 || memcmp(old, new_, old_len) == 0))
		return 0;
	while (*rel == '/')
		rel++;
	r = split_lines(old, old_len, &A);
	if (r == 0)
		r = split_lines(new_, new_len, &B);
	if (r == 0)
		r = edit_script(&A, &B, &ops);
	if (r == 0)
		r = vp_buf_printf(out, "%s--- a/%s%s\n%s+++ b/%s%s\n", color ? C_META : "", rel,
				  color ? C_RESET : "", color ? C_META : "", rel,
				  color ? C_RESET : "");
	for (size_t k = 0; k < ops.n && r == 0;) {
		size_t start, end, last;

		if (ops.v[k].kind == OP_EQ) {
			k++;
			continue;
		}
		start = k > VP_DIFF_CONTEXT ? k - VP_DIFF_CONTEXT : 0;
		/* extend over changes separated by at most 2*context equal lines */
		last = k;
		for (size_t i = k + 1; i < ops.n; i++) {
			if (ops.v[i].kind == OP_EQ)
				continue;
			if (i - last - 1 > 2 * VP_DIFF_CONTEXT)
				break;
			last = i;
		}
		end = last + 1 + VP_DIFF_CONTEXT;
		if (end > ops.n)
			end = ops.n;
		r = put_hunk(out, color, &A, &B, ops.v + start, end - start);
		k = end;
	}
	free(A.v);
	free(B.v);
	free(ops.v);
	return r;
}
