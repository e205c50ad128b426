/* cpu-time RUNS CMD_A... -- CMD_B...: the CPU time (user + sys) of two
 * commands, run RUNS times each in turn (A, B, A, B, ...: a load that comes
 * and goes weighs on both alike), output discarded. Prints the median of
 * each in microseconds and the median of the RUNS ratios A/B of a run of A
 * and the run of B right after it, in thousandths: "A B RATIO". On a
 * shared machine whose speed drifts between runs, the pairs' ratio moves
 * less than the ratio of the medians. Fails when a command exits above 1
 * (1 is a verdict) or cannot run. For `make bench` (bench/detect.sh).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static long run(char **argv)
{
	struct rusage ru;
	int status, null;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		null = open("/dev/null", O_WRONLY);
		if (null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) > 1) {
		fprintf(stderr, "cpu-time: %s: exit %d\n", argv[0],
			WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -1;
	}
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L + ru.ru_utime.tv_usec +
	       ru.ru_stime.tv_usec;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	char **a = argv + 2, **b = NULL;
	long *ta, *tb, *tr;
	int runs;

	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			argv[i] = NULL;
			b = argv + i + 1;
		}
	if (argc < 5 || (runs = atoi(argv[1])) < 1 || !b || !*a || !*b) {
		fprintf(stderr, "usage: cpu-time RUNS CMD_A... -- CMD_B...\n");
		return 2;
	}
	ta = calloc((size_t)runs, sizeof(*ta));
	tb = calloc((size_t)runs, sizeof(*tb));
	tr = calloc((size_t)runs, sizeof(*tr));
	if (!ta || !tb || !tr)
		return 1;
	for (int i = 0; i < runs; i++) {
		ta[i] = run(a);
		tb[i] = run(b);
		if (ta[i] < 0 || tb[i] < 0)
			return 1;
		tr[i] = tb[i] ? ta[i] * 1000 / tb[i] : 0;
	}
	qsort(ta, (size_t)runs, sizeof(*ta), cmp_long);
	qsort(tb, (size_t)runs, sizeof(*tb), cmp_long);
	qsort(tr, (size_t)runs, sizeof(*tr), cmp_long);
	printf("%ld %ld %ld\n", ta[runs / 2], tb[runs / 2], tr[runs / 2]);
	return 0;
}
