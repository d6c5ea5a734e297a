// SPDX-License-Identifier: GPL-2.0
/*
 * pin_counts: what one reclaim pass does to a DMA-pinned range, by backing
 * type.  Exact counts, no timing judgement.
 *
 * For each backing type a region of R bytes is mapped and filled in a fresh
 * memory cgroup; its first half is pinned by a userptr_emu object (an
 * mmu_interval_notifier subscriber, like i915 userptr), the second half
 * stays unpinned.  Then P passes of:
 *
 *	MADV_COLD R           (the CPU does not touch the pinned buffer)
 *	memory.reclaim R/2    (the reclaim pass: as much as is reclaimable)
 *	SUBMIT                (the "GPU" uses the object: re-pins if stale)
 *	read the unpinned half back in
 *
 * and per pass the deltas of the emulator's counters and of /proc/vmstat:
 * invalidations of the pinned range and re-pins; the aging calls
 * (clear_flush_young, clear_young, test_young) that the emulator's plain
 * mmu_notifier saw, in all and on the pinned pages (what a secondary MMU
 * such as KVM pays for each rmap walk of folio_referenced()); pages
 * scanned (pgscan_anon + pgscan_file; memory.reclaim also counts them as
 * pgscan_proactive on 7.3), reclaimed (pgsteal_*), and the rotations
 * (pgactivate, pgdeactivate, pgrefill; pgrotate_anon/file on 7.3, which
 * count the pages shrink_inactive_list() scanned and did not reclaim, and
 * shrink_active_list()'s referenced executable pages; pgrotated is the
 * end-of-writeback rotation), and on 7.3 with the pin-aware series the
 * nr_pinned field of mm_vmscan_lru_shrink_inactive (tracefs).  A counter
 * that this kernel lacks is n/a.
 * MADV_COLD deactivates the pinned half first, so reclaim meets every
 * pinned folio once before it frees the unpinned half.  A pass does not ask
 * for more than is reclaimable: past that point memory_reclaim() retries
 * and rescans the pinned folios a number of times that varies from run to
 * run, and the counts would no longer repeat.
 * Types: private anon, anon in the swap cache (MADV_PAGEOUT, read back),
 * MADV_FREE anon, shmem (memfd), a tmpfs file, THP anon and THP shmem
 * (MADV_HUGEPAGE).  Private anon not in the swap cache is the control:
 * 6.12's shrink_folio_list() already skips it when pinned, before
 * add_to_swap().
 */
#include "regions.h"

/* /proc/vmstat counters printed per pass, as they are. */
static const char *const pass_vm[] = {
	"pgactivate", "pgdeactivate", "pgrefill", "pgrotated", "pgrotate_anon",
	"pgrotate_file", "pgscan_proactive", "pgsteal_proactive",
	"thp_split_pmd", "pswpout", "pgunmap_pinned_skip", NULL,
};

static void run_type(int efd, enum type t, size_t len, int passes,
		     unsigned long seed)
{
	struct userptr_emu_stats ea, eb, ec;
	struct userptr_emu_submit sub;
	struct userptr_emu_create cr;
	struct vmstat v0, v1, a, b;
	struct region r = { .len = len };
	long long sc0 = meminfo_kb("SwapCached");
	struct memcg cg;
	unsigned int h;

	memcg_enter(&cg, "ab-counts", 0);
	vm_read(&v0);
	setup(&r, t, seed);
	h = emu_create(efd, r.p, len / 2, r.pin_flags, &cr);
	vm_read(&v1);

	printf("AB bench=counts type=%s stage=setup region_pages=%zu pinned_pages=%llu",
	       type_name[t], len / PAGE_SZ, (unsigned long long)cr.npages);
	printf(" thp_anon=%lld thp_shmem=%lld swapcache_pages=%lld\n",
	       vm_get(&v1, "thp_fault_alloc") - vm_get(&v0, "thp_fault_alloc"),
	       vm_get(&v1, "thp_file_alloc") - vm_get(&v0, "thp_file_alloc"),
	       (meminfo_kb("SwapCached") - sc0) / 4);

	for (int pass = 1; pass <= passes; pass++) {
		long long nr_pinned;
		uint64_t t0;
		int ret;

		/*
		 * The device uses the buffer, the CPU does not: its PTEs are
		 * old.  Without this, reclaim would only ever activate the
		 * pinned folios that the pin and the re-read just made young.
		 */
		if (madvise(r.p, len, MADV_COLD))
			die("MADV_COLD");
		emu_stats(efd, &ea);
		vm_read(&a);
		trace_pinned_take();
		t0 = now_ns();
		ret = memcg_reclaim(&cg, len / 2);
		t0 = now_ns() - t0;
		nr_pinned = trace_pinned_take();
		vm_read(&b);
		emu_stats(efd, &eb);
		if (emu_submit(efd, h, &sub))
			die("USERPTR_EMU_SUBMIT");
		emu_stats(efd, &ec);

		printf("AB bench=counts type=%s pass=%d", type_name[t], pass);
		printf(" inval=%llu mayfail_declined=%llu",
		       (unsigned long long)(eb.pinned_hits - ea.pinned_hits),
		       (unsigned long long)(eb.mayfail_declined - ea.mayfail_declined));
		printf(" reclaimed=%lld scanned=%lld",
		       vm_delta2(&a, &b, "pgsteal_anon", "pgsteal_file"),
		       vm_delta2(&a, &b, "pgscan_anon", "pgscan_file"));
		vm_print_delta(&a, &b, pass_vm);
		print_or_na("nr_pinned", nr_pinned);
		printf(" repins=%llu repinned_pages=%llu",
		       (unsigned long long)(ec.repins - eb.repins),
		       (unsigned long long)(ec.pages_pinned - eb.pages_pinned));
		printf(" young=%llu young_pages=%llu young_pinned=%llu young_pinned_pages=%llu",
		       (unsigned long long)(emu_young_calls(&eb) - emu_young_calls(&ea)),
		       (unsigned long long)(eb.young_pages - ea.young_pages),
		       (unsigned long long)(eb.young_pinned_calls - ea.young_pinned_calls),
		       (unsigned long long)(eb.young_pinned_pages - ea.young_pinned_pages));
		printf(" eagain=%d reclaim_ns=%llu\n", ret == -EAGAIN,
		       (unsigned long long)t0);

		touch_pages(r.p + len / 2, len / 2);
	}

	emu_destroy(efd, h);
	teardown(&r);
	memcg_leave(&cg);
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	size_t len;
	int efd, passes;

	bench_init("pin_counts", argc, argv, &o);
	efd = emu_open();
	if (efd < 0)
		skip("no %s (userptr_emu.ko not loaded)", USERPTR_EMU_DEBUGFS_PATH);
	emu_set_wait_us(0);
	len = (o.quick ? 4 : 8) * MIB;
	passes = o.quick ? 2 : 3;
	printf("AB bench=counts stage=params region_mib=%zu passes=%d seed=%lu clock_res_ns=%llu\n",
	       len / MIB, passes, o.seed, (unsigned long long)clock_res_ns());
	trace_pinned_start("pin_counts");
	for (int t = 0; t < NR_TYPES; t++)
		run_type(efd, t, len, passes, o.seed);
	trace_pinned_stop();
	close(efd);
	return 0;
}
