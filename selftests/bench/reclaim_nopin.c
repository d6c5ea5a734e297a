// SPDX-License-Identifier: GPL-2.0
/*
 * reclaim_nopin: reclaim throughput without any pin or notifier, i.e. what
 * the series costs everyone else.  A memory cgroup is filled with A bytes
 * of private anon and A bytes of a tmpfs file (the guest has no disk file
 * system: "file" here is shmem, written to swap), then one memory.reclaim
 * of everything is timed.  Throughput = pages reclaimed / second.  A fixed
 * user-space loop is timed before each run as a per-boot speed reference
 * (calib_ns), so that runs in different boots can be put on one scale.
 */
#include "bench.h"

int main(int argc, char **argv)
{
	struct bench_opts o;
	int runs;
	size_t len;

	bench_init("reclaim_nopin", argc, argv, &o);
	len = (o.quick ? 4 : 16) * MIB;
	runs = o.quick ? 5 : 7;
	printf("AB bench=reclaim-nopin stage=params anon_mib=%zu file_mib=%zu runs=%d seed=%lu\n",
	       len / MIB, len / MIB, runs, o.seed);
	for (int i = 1; i <= runs; i++) {
		struct nopin_result r;
		uint64_t cal;

		cal = calib_ns();
		nopin_run(len, o.seed + i, &r);
		printf("AB bench=reclaim-nopin run=%d ns=%llu reclaimed=%lld scanned=%lld calib_ns=%llu eagain=%d\n",
		       i, (unsigned long long)r.ns, r.reclaimed, r.scanned,
		       (unsigned long long)cal, r.eagain);
	}
	return 0;
}
