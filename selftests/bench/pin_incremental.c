// SPDX-License-Identifier: GPL-2.0
/*
 * pin_incremental: the 2020 scenario (Chris Wilson, "Mark up direct reclaim
 * paths with MAYFAIL"): an i915 userptr object pinned one page at a time
 *
 *	for (n = 0; n < num_pages; n++)
 *		pin_user_page()
 *
 * under memory-cgroup pressure, where reclaim entered from the loop meets
 * pages [0, n-1] of the very object being pinned.  The setup is that of
 * the selftests (pin_reclaim and userptr_selfinval, pin_loop), wb.h's
 * wb_pin_loop_prepare(): the first half of the object is populated first
 * and aged, so it is the tail of the LRU; a filler comes after it;
 * memory.max is then set 512 KiB above the usage, and the pin loop faults
 * in the second half right at the limit.  The reclaim this triggers meets
 * the first half, pinned by then, before it gets to the filler, which it
 * can always free instead.  (With an untouched object and a filler at the
 * LRU tail, reclaim only ever frees the filler and no arm shows a
 * self-invalidation.)  We measure the time until the object
 * holds a valid set of pages (CREATE with USERPTR_EMU_PIN_INCREMENTAL,
 * then SUBMITs until one needs no re-pin, at most MAX_SUBMITS), and count
 * the self-invalidations.
 *
 * Two backings: private anon, as in 2020 (since then shrink_folio_list()
 * skips pinned anon that is not in the swap cache, so base should be
 * quiet), and shmem (memfd), which still reaches the notifier on base.
 */
#include "bench.h"

#define MAX_SUBMITS 3

static void run(int efd, int shmem, int idx, size_t obj_len, size_t fill_len,
		unsigned long seed)
{
	struct userptr_emu_stats ea, eb;
	struct userptr_emu_create cr;
	struct userptr_emu_submit sub;
	struct vmstat a, b;
	struct memcg cg;
	struct wb_pin_loop pl;
	uint64_t t0, t_create, t_valid;
	int submits = 0, valid = 0, err = 0;
	unsigned int h;

	memcg_enter(&cg, "ab-incr", 0);
	pl.obj = shmem ? map_memfd(obj_len) : map_anon(obj_len, 0);
	pl.obj_len = obj_len;
	pl.filler = map_anon(fill_len, 0);
	pl.filler_len = fill_len;
	/* LRU order: first half of the object, then the filler; all old. */
	if (wb_pin_loop_prepare(&pl, cg.path, fill_pages, seed))
		die("cannot age the pages or set memory.max of %s", cg.path);

	emu_stats(efd, &ea);
	vm_read(&a);
	t0 = now_ns();
	h = emu_create(efd, pl.obj, obj_len, USERPTR_EMU_PIN_INCREMENTAL, &cr);
	t_create = now_ns() - t0;
	valid = !cr.stale;
	while (!valid && submits < MAX_SUBMITS) {
		submits++;
		err = emu_submit(efd, h, &sub);
		if (!err && !sub.repinned)
			valid = 1;
	}
	t_valid = now_ns() - t0;
	vm_read(&b);
	emu_stats(efd, &eb);

	printf("AB bench=pin-incremental backing=%s run=%d create_ns=%llu valid_ns=%llu valid=%d submits=%d last_err=%d",
	       shmem ? "shmem" : "anon", idx, (unsigned long long)t_create, (unsigned long long)t_valid,
	       valid, submits, err);
	printf(" self_inval=%llu recursive_inval=%llu inval=%llu mayfail_declined=%llu stale=%u",
	       (unsigned long long)cr.self_invalidations,
	       (unsigned long long)(eb.recursive_invalidations - ea.recursive_invalidations),
	       (unsigned long long)(eb.pinned_hits - ea.pinned_hits),
	       (unsigned long long)(eb.mayfail_declined - ea.mayfail_declined), cr.stale);
	printf(" repins=%llu restarts=%llu reclaimed=%lld scanned=%lld",
	       (unsigned long long)(eb.repins - ea.repins),
	       (unsigned long long)(eb.restarts - ea.restarts),
	       vm_delta2(&a, &b, "pgsteal_anon", "pgsteal_file"),
	       vm_delta2(&a, &b, "pgscan_anon", "pgscan_file"));
	vm_print_delta(&a, &b, (const char *const[]){ "pgunmap_pinned_skip", NULL });
	printf("\n");

	if (wb_pin_loop_end(cg.path))
		die("cannot reset memory.max of %s", cg.path);
	emu_destroy(efd, h);
	wb_pin_loop_unmap(&pl);
	memcg_leave(&cg);
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	size_t obj_len, fill_len;
	int efd, runs;

	bench_init("pin_incremental", argc, argv, &o);
	efd = emu_open();
	if (efd < 0)
		skip("no %s (userptr_emu.ko not loaded)", USERPTR_EMU_DEBUGFS_PATH);
	emu_set_wait_us(0);
	obj_len = (o.quick ? 8 : 32) * MIB;
	/*
	 * As large as the object: the pin loop needs the room of the whole
	 * second half, which only the filler can give (the pinned first half
	 * cannot be reclaimed); with less, the memcg OOM-kills the loop.
	 */
	fill_len = obj_len;
	runs = o.quick ? 3 : 5;
	printf("AB bench=pin-incremental stage=params object_mib=%zu filler_mib=%zu memory_max=usage+512KiB runs=%d seed=%lu\n",
	       obj_len / MIB, fill_len / MIB, runs, o.seed);
	for (int shmem = 0; shmem <= 1; shmem++)
		for (int i = 1; i <= runs; i++)
			run(efd, shmem, i, obj_len, fill_len, o.seed);
	close(efd);
	return 0;
}
