// SPDX-License-Identifier: GPL-2.0
/*
 * The bench workload: N getppid() system calls, each one trace event of
 * syscalls:sys_enter_getppid, as fast as it can or at RATE calls per
 * second (each call waits for its time, so a late one is not made up by a
 * burst). Prints the nanoseconds per call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 0;
	double rate = argc > 2 ? atof(argv[2]) : 0;
	double a, next;
	long i;

	if (n <= 0 || rate < 0) {
		fprintf(stderr, "usage: %s CALLS [RATE]\n", argv[0]);
		return 2;
	}
	a = now();
	for (i = 0, next = a; i < n; i++) {
		if (rate) {
			while (now() < next)
				;
			next += 1e9 / rate;
		}
		syscall(SYS_getppid);
	}
	printf("%.1f\n", (now() - a) / n);
	return 0;
}
