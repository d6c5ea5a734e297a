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
		struct vmstat a, b;
		struct memcg cg;
		uint64_t cal, t;
		char *anon, *file;
		long long pages;
		int fd, ret;

		cal = calib_ns();
		memcg_enter(&cg, "ab-nopin", 0);
		anon = map_anon(len, 0);
		fd = open("/tmp/ab-nopin-file", O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || ftruncate(fd, len))
			die("tmpfs file");
		unlink("/tmp/ab-nopin-file");
		file = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (file == MAP_FAILED)
			die("mmap tmpfs file");
		fill_pages(anon, len, o.seed + i);
		fill_pages(file, len, o.seed + i + 1000);

		vm_read(&a);
		t = now_ns();
		ret = memcg_reclaim(&cg, 2 * len);
		t = now_ns() - t;
		vm_read(&b);
		pages = vm_delta2(&a, &b, "pgsteal_anon", "pgsteal_file");
		printf("AB bench=reclaim-nopin run=%d ns=%llu reclaimed=%lld scanned=%lld calib_ns=%llu eagain=%d\n",
		       i, (unsigned long long)t, pages,
		       vm_delta2(&a, &b, "pgscan_anon", "pgscan_file"),
		       (unsigned long long)cal, ret == -EAGAIN);
		munmap(anon, len);
		munmap(file, len);
		close(fd);
		memcg_leave(&cg);
	}
	return 0;
}
