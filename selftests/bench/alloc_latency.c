// SPDX-License-Identifier: GPL-2.0
/*
 * alloc_latency: page-fault latency of fresh memory while reclaim runs over
 * a pinned working set (the latency view of the 2020 thread, stutterp-like).
 *
 * A memory cgroup with memory.max = M holds a shmem (memfd) working set of
 * M/2 pinned by a userptr_emu object that waits invalidate_wait_us=1000 in its callback,
 * plus M/4 of unpinned anon.  A child loops memory.reclaim M/16 over the
 * cgroup; the probe (this task, same cgroup, so its charges reclaim too;
 * before every 4k batch and every THP sample it SUBMITs the object, as the
 * device would, and marks the working set cold with MADV_COLD, as a
 * device-only buffer is for the CPU)
 * faults in fresh anon memory and times every fault:
 *	4k:  one write per page of a fresh M/8 mapping, then munmap, repeated
 *	thp: one write into a fresh 2 MiB-aligned MADV_HUGEPAGE mapping
 * Samples stop at N or at a deadline; n is printed with p50/p90/p99/max.
 * Faults are timed with the TSC: the guest's CLOCK_MONOTONIC may tick in
 * jiffies (4 ms) under TCG.
 */
#include "bench.h"

#include <signal.h>
#include <sys/wait.h>

#define WAIT_US 1000

/* SUBMITs that met an invalidation on every restart (-EAGAIN). */
static unsigned long submit_eagain;

/*
 * The device uses its buffer: SUBMIT (re-pins it if an invalidation made
 * it stale, i.e. the secondary MMU faults it back), and the CPU does not
 * touch it: MADV_COLD (see pin_counts.c).  Not timed.  While the reclaimer
 * keeps invalidating the range, a SUBMIT may collide on each of its
 * restarts and return -EAGAIN, which i915's execbuf hands to user space to
 * retry: so do we, a bounded number of times, and count it.
 */
static void use_ws(int efd, unsigned int h, char *ws, size_t len)
{
	struct userptr_emu_submit sub;
	int ret, tries = 0;

	while ((ret = emu_submit(efd, h, &sub)) == -EAGAIN && ++tries < 100)
		submit_eagain++;
	if (ret) {
		errno = -ret;
		die("USERPTR_EMU_SUBMIT (%d tries)", tries + 1);
	}
	madvise(ws, len, MADV_COLD);
}

static void report(const char *kind, uint64_t *v, size_t n, const struct vmstat *a,
		   const struct vmstat *b, const struct userptr_emu_stats *ea,
		   const struct userptr_emu_stats *eb)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	printf("AB bench=latency kind=%s n=%zu p50_ns=%llu p90_ns=%llu p99_ns=%llu max_ns=%llu",
	       kind, n, (unsigned long long)pct(v, n, 50), (unsigned long long)pct(v, n, 90),
	       (unsigned long long)pct(v, n, 99), (unsigned long long)(n ? v[n - 1] : 0));
	printf(" inval=%llu mayfail_declined=%llu repins=%llu submit_eagain=%lu reclaimed=%lld scanned=%lld",
	       (unsigned long long)(eb->pinned_hits - ea->pinned_hits),
	       (unsigned long long)(eb->mayfail_declined - ea->mayfail_declined),
	       (unsigned long long)(eb->repins - ea->repins), submit_eagain,
	       vm_delta2(a, b, "pgsteal_anon", "pgsteal_file"),
	       vm_delta2(a, b, "pgscan_anon", "pgscan_file"));
	vm_print_delta(a, b, (const char *const[]){ "thp_fault_alloc", "thp_fault_fallback",
		       "thp_fault_fallback_charge", "pgunmap_pinned_skip", NULL });
	printf("\n");
	submit_eagain = 0;
}

int main(int argc, char **argv)
{
	struct userptr_emu_stats ea, eb;
	size_t mem, n4k, nthp, n;
	struct bench_opts o;
	uint64_t *v, deadline;
	double tpu;
	struct vmstat a, b;
	char *ws, *filler;
	struct memcg cg;
	unsigned int h;
	pid_t child;
	int efd, go[2];

	bench_init("alloc_latency", argc, argv, &o);
	efd = emu_open();
	if (efd < 0)
		skip("no %s (userptr_emu.ko not loaded)", USERPTR_EMU_DEBUGFS_PATH);
	mem = (o.quick ? 16 : 32) * MIB;
	n4k = o.quick ? 1024 : 4096;
	nthp = o.quick ? 16 : 64;
	deadline = (o.quick ? 8 : 40) * 1000000000ULL;
	printf("AB bench=latency stage=params memory_max_mib=%zu pinned_mib=%zu filler_mib=%zu n4k=%zu nthp=%zu deadline_s=%llu wait_us=%d seed=%lu\n",
	       mem / MIB, mem / 2 / MIB, mem / 4 / MIB, n4k, nthp,
	       (unsigned long long)(deadline / 1000000000ULL), WAIT_US, o.seed);
	v = calloc(n4k > nthp ? n4k : nthp, sizeof(*v));
	if (!v)
		die("calloc");
	/* Samples in TSC ticks, converted with a 1 s calibration (0.5% error). */
	tpu = tsc_per_us(o.quick ? 500 : 1000);
	printf("AB bench=latency stage=clock clock_res_ns=%llu tsc_mhz=%.1f\n",
	       (unsigned long long)clock_res_ns(), tpu);

	memcg_enter(&cg, "ab-latency", mem);
	/*
	 * Fork the reclaimer before anything is pinned: fork() copies
	 * pinned anon pages into the child at once.  It waits on a pipe.
	 */
	if (pipe(go))
		die("pipe");
	child = fork();
	if (child < 0)
		die("fork");
	if (!child) {
		cpu_set_t cpus;
		char c;

		/* The reclaimer on the other vCPU, the probe stays on CPU 0. */
		CPU_ZERO(&cpus);
		CPU_SET(1, &cpus);
		sched_setaffinity(0, sizeof(cpus), &cpus);
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(0);
		for (;;) {
			memcg_reclaim(&cg, mem / 16);
			usleep(20000);
		}
	}
	close(go[0]);

	ws = map_memfd(mem / 2);	/* shmem: see reclaim_wait.c */
	fill_pages(ws, mem / 2, o.seed);
	h = emu_create(efd, ws, mem / 2, 0, NULL);
	filler = map_anon(mem / 4, 0);
	fill_pages(filler, mem / 4, o.seed + 1);
	emu_set_wait_us(WAIT_US);
	if (write(go[1], "g", 1) != 1)
		die("pipe write");

	/* 4k faults of fresh anon memory. */
	emu_stats(efd, &ea);
	vm_read(&a);
	deadline += now_ns();
	for (n = 0; n < n4k && now_ns() < deadline;) {
		size_t len = mem / 8, off;
		char *p = map_anon(len, 0);

		use_ws(efd, h, ws, mem / 2);
		for (off = 0; off < len && n < n4k; off += PAGE_SZ) {
			uint64_t t = rdtsc();

			*(volatile char *)(p + off) = 1;
			v[n++] = (rdtsc() - t) * 1000.0 / tpu;
		}
		munmap(p, len);
	}
	vm_read(&b);
	emu_stats(efd, &eb);
	report("4k", v, n, &a, &b, &ea, &eb);

	/* THP faults (MADV_HUGEPAGE); fallbacks to 4k are counted. */
	emu_stats(efd, &ea);
	vm_read(&a);
	deadline = now_ns() + (o.quick ? 8 : 40) * 1000000000ULL;
	for (n = 0; n < nthp && now_ns() < deadline;) {
		char *p = map_anon(THP_SZ, THP_SZ);
		uint64_t t;

		use_ws(efd, h, ws, mem / 2);
		if (madvise(p, THP_SZ, MADV_HUGEPAGE))
			die("MADV_HUGEPAGE");
		t = rdtsc();
		*(volatile char *)p = 1;
		v[n++] = (rdtsc() - t) * 1000.0 / tpu;
		munmap(p, THP_SZ);
	}
	vm_read(&b);
	emu_stats(efd, &eb);
	report("thp", v, n, &a, &b, &ea, &eb);

	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	emu_set_wait_us(0);
	emu_destroy(efd, h);
	munmap(ws, mem / 2);
	munmap(filler, mem / 4);
	memcg_leave(&cg);
	close(efd);
	free(v);
	return 0;
}
