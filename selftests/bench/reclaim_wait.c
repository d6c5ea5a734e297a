// SPDX-License-Identifier: GPL-2.0
/*
 * reclaim_wait: the cost of reclaim when a notifier subscriber waits.
 *
 * A memory cgroup holds a shmem (memfd) region of R bytes whose first half
 * is pinned by a userptr_emu object with invalidate_wait_us=1000 (the 5.x
 * i915/amdgpu way: wait for the GPU in the invalidate callback).  A run is
 * L rounds of "dirty the unpinned half, MADV_COLD the other half,
 * memory.reclaim R/2" and its time is
 * the time spent in memory.reclaim.  Each run is paired with a control run
 * without the object (same memory, no pin, no notifier) in the same boot;
 * pairs alternate their order.  The in-boot ratio pinned/control is what
 * to compare across arms: the arms run in different boots.
 *
 * shmem, not private anon: 6.12's shrink_folio_list() already skips a
 * pinned anon folio that is not in the swap cache, before any unmap, so an
 * anon region would measure nothing.  shmem goes all the way to
 * try_to_unmap() and the notifier on base.
 */
#include "bench.h"

#define WAIT_US 1000

static void run(int efd, int pinned, int idx, size_t len, int rounds,
		unsigned long seed)
{
	struct userptr_emu_stats ea, eb;
	struct vmstat a, b;
	struct memcg cg;
	uint64_t ns = 0;
	unsigned int h = 0;
	int eagain = 0;
	char *p;

	memcg_enter(&cg, "ab-wait", 0);
	p = map_memfd(len);
	fill_pages(p, len, seed);
	if (pinned)
		h = emu_create(efd, p, len / 2, 0, NULL);
	emu_stats(efd, &ea);
	vm_read(&a);
	for (int r = 0; r < rounds; r++) {
		uint64_t t;

		fill_pages(p + len / 2, len / 2, seed + r + 1);
		/* Cold for the CPU (pin_counts.c): reclaim meets the range. */
		if (madvise(p, len / 2, MADV_COLD))
			die("MADV_COLD");
		t = now_ns();
		eagain += memcg_reclaim(&cg, len / 2) == -EAGAIN;
		ns += now_ns() - t;
	}
	vm_read(&b);
	emu_stats(efd, &eb);
	printf("AB bench=reclaim-wait run=%d variant=%s ns=%llu inval=%llu mayfail_declined=%llu",
	       idx, pinned ? "pinned" : "control", (unsigned long long)ns,
	       (unsigned long long)(eb.pinned_hits - ea.pinned_hits),
	       (unsigned long long)(eb.mayfail_declined - ea.mayfail_declined));
	printf(" reclaimed=%lld scanned=%lld eagain=%d\n",
	       vm_delta2(&a, &b, "pgsteal_anon", "pgsteal_file"),
	       vm_delta2(&a, &b, "pgscan_anon", "pgscan_file"), eagain);
	if (pinned)
		emu_destroy(efd, h);
	munmap(p, len);	/* the memfd is gone with its last mapping */
	memcg_leave(&cg);
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	int efd, runs, rounds;
	size_t len;

	bench_init("reclaim_wait", argc, argv, &o);
	efd = emu_open();
	if (efd < 0)
		skip("no %s (userptr_emu.ko not loaded)", USERPTR_EMU_DEBUGFS_PATH);
	len = (o.quick ? 2 : 8) * MIB;
	rounds = o.quick ? 2 : 3;
	runs = o.quick ? 5 : 7;
	printf("AB bench=reclaim-wait stage=params region_mib=%zu pinned_mib=%zu rounds=%d runs=%d wait_us=%d seed=%lu\n",
	       len / MIB, len / 2 / MIB, rounds, runs, WAIT_US, o.seed);
	emu_set_wait_us(WAIT_US);
	for (int i = 1; i <= runs; i++) {
		/* ABBA: alternate which variant of the pair goes first. */
		run(efd, i & 1, i, len, rounds, o.seed);
		run(efd, !(i & 1), i, len, rounds, o.seed);
	}
	emu_set_wait_us(0);
	close(efd);
	return 0;
}
