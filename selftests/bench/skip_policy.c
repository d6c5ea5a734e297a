// SPDX-License-Identifier: GPL-2.0
/*
 * skip_policy: where should reclaim put a DMA-pinned folio that it did not
 * unmap?  Counts for the candidate policies, measured side by side in one
 * boot of the experiment kernel (overlay arm pin-aware+skip-policy, knob
 * /sys/kernel/debug/pin_reclaim_skip_policy; see patches/skip-policy and
 * patches/skip-policy/7.3).  First version of the series (6.12, which has
 * the pgunmap_pinned_skip counter):
 *
 *	0  activate it (the series as posted)
 *	1  keep it on the inactive list
 *	2  a lazyfree anon folio becomes swapbacked again, then activate
 *	3  as 2, then keep
 *
 * Second version (7.3, nr_pinned in the vmscan tracepoints):
 *
 *	0  activate it (the series as posted)
 *	1  keep it on the inactive list (the early check and the check
 *	   before folio_alloc_swap())
 *	4  no early check: aging and try_to_unmap() as without the series,
 *	   what the early check saves
 *
 * For each backing type and policy, in a fresh memory cgroup: a region R
 * whose first half is pinned by a userptr_emu object and whose second half
 * is unpinned, plus a hot set H of R/4 private anon that is touched before
 * every request (a working set that should survive).  P passes of two
 * memory.reclaim requests, each after MADV_COLD on R and a touch of H:
 *
 *	exact: R/2, what is cold and unpinned
 *	over:  R, more than that: reclaim hunts through the pinned folios
 *
 * Per request: skips (pinned pages met and set aside: pgunmap_pinned_skip
 * on the first version, the sum of nr_pinned of the vmscan tracepoints on
 * the second), scanned, reclaimed (pgscan_proactive and pgsteal_proactive
 * where they exist, the memory.reclaim share; else the anon+file totals),
 * activations, deactivations, invalidations (mmu_notifier invalidations
 * that hit the pinned object: try_to_unmap() walks of its mappings) and
 * hot_lost (pages of H not resident afterwards); the unpinned half and H
 * are faulted back in after each request.  A total line per type, policy
 * and request kind closes each group.  Policies 1 and 0 run again after
 * the others ("1r", "0r"), to show how well a count repeats within one
 * boot.
 *
 * First, the cost of the early check without any pin (bit 2 of the knob
 * turns it off): pairs of reclaim_nopin runs, one with the check and one
 * without, alternating which goes first; per pair the throughput ratio
 * on/off, then the median and range of the ratios.
 */
#include "regions.h"

#define KNOB "/sys/kernel/debug/pin_reclaim_skip_policy"
#define KNOB_NO_EARLY 4

static const char *policy_name(int policy)
{
	switch (policy) {
	case 0: return "activate";
	case 1: return "keep";
	case 2: return "swapbacked+activate";
	case 3: return "swapbacked+keep";
	case KNOB_NO_EARLY: return "no-early-check";
	}
	return "?";
}

/* The policies of each version of the series, activate first. */
static const int policies_v1[] = { 0, 1, 2, 3 };
static const int policies_v2[] = { 0, 1, KNOB_NO_EARLY };

/*
 * The pinned pages that reclaim set aside: the first version counts them
 * in pgunmap_pinned_skip; the second reports nr_pinned in the vmscan
 * tracepoints, summed by bench.h's trace_pinned_*() from a tracefs
 * instance of our own, emptied before each request.
 */
static int use_trace;

/* Pages scanned and reclaimed by memory.reclaim (proactive), else all. */
static long long scan_delta(const struct vmstat *a, const struct vmstat *b, int steal)
{
	const char *pro = steal ? "pgsteal_proactive" : "pgscan_proactive";

	if (vm_get(a, pro) >= 0)
		return vm_get(b, pro) - vm_get(a, pro);
	return steal ? vm_delta2(a, b, "pgsteal_anon", "pgsteal_file") :
		       vm_delta2(a, b, "pgscan_anon", "pgscan_file");
}

static const enum type types[] = { ANON, SWAPCACHE, MADVFREE, SHMEM, THP_SHMEM };

enum { EXACT, OVER, NR_ASKS };
static const char *const ask_name[NR_ASKS] = { "exact", "over" };

struct counts {
	long long skips, scanned, reclaimed, activate, deactivate, invalidations,
		  hot_lost, eagain;
	unsigned long long ns;
};

static long long not_resident(const char *p, size_t len)
{
	size_t n = len / PAGE_SZ;
	unsigned char *vec = malloc(n);
	long long out = 0;

	if (!vec || mincore((void *)p, len, vec))
		die("mincore");
	for (size_t i = 0; i < n; i++)
		out += !(vec[i] & 1);
	free(vec);
	return out;
}

static void request(int efd, const struct memcg *cg, struct region *r, char *hot,
		    size_t hot_len, int ask, struct counts *c)
{
	struct userptr_emu_stats ea, eb;
	struct vmstat a, b;
	long long s0 = 0;
	uint64_t t0;
	int ret;

	if (madvise(r->p, r->len, MADV_COLD))
		die("MADV_COLD");
	touch_pages(hot, hot_len);
	vm_read(&a);
	if (use_trace)
		trace_pinned_take();	/* counts start here */
	else
		s0 = vm_get(&a, "pgunmap_pinned_skip");
	emu_stats(efd, &ea);
	t0 = now_ns();
	ret = memcg_reclaim(cg, ask == EXACT ? r->len / 2 : r->len);
	c->ns = now_ns() - t0;
	emu_stats(efd, &eb);
	vm_read(&b);
	c->skips = use_trace ? trace_pinned_take() : vm_get(&b, "pgunmap_pinned_skip") - s0;
	if (use_trace && c->skips < 0)
		die("tracefs instance %s lost events", bench_trace.path);
	c->invalidations = eb.pinned_hits - ea.pinned_hits;
	c->scanned = scan_delta(&a, &b, 0);
	c->reclaimed = scan_delta(&a, &b, 1);
	c->activate = vm_get(&b, "pgactivate") - vm_get(&a, "pgactivate");
	c->deactivate = vm_get(&b, "pgdeactivate") - vm_get(&a, "pgdeactivate");
	c->hot_lost = not_resident(hot, hot_len);
	c->eagain = ret == -EAGAIN;
	/* The CPU comes back to its data. */
	touch_pages(r->p + r->len / 2, r->len / 2);
	touch_pages(hot, hot_len);
}

static void nopin_overhead(int pairs, size_t len, unsigned long seed)
{
	double ratio[64];
	int n = 0;

	printf("AB bench=policy stage=nopin-params anon_mib=%zu file_mib=%zu pairs=%d\n",
	       len / MIB, len / MIB, pairs);
	for (int i = 1; i <= pairs && n < 64; i++) {
		struct nopin_result r[2];	/* [0] check on, [1] off */

		for (int k = 0; k < 2; k++) {
			int off = (i + k) % 2;	/* odd pairs: off first */

			wb_write_text(KNOB, off ? "4" : "0");
			nopin_run(len, seed + i, &r[off]);
			printf("AB bench=policy stage=nopin pair=%d check=%s ns=%llu reclaimed=%lld scanned=%lld eagain=%d\n",
			       i, off ? "off" : "on", (unsigned long long)r[off].ns,
			       r[off].reclaimed, r[off].scanned, r[off].eagain);
		}
		if (r[0].ns && r[1].ns && r[1].reclaimed)
			ratio[n++] = ((double)r[0].reclaimed / r[0].ns) /
				     ((double)r[1].reclaimed / r[1].ns);
	}
	wb_write_text(KNOB, "0");
	qsort(ratio, n, sizeof(ratio[0]), cmp_double);
	printf("AB bench=policy stage=nopin-total pairs=%d ratio_median=%.3f ratio_min=%.3f ratio_max=%.3f\n",
	       n, n ? ratio[n / 2] : 0.0, n ? ratio[0] : 0.0, n ? ratio[n - 1] : 0.0);
}

static void print_counts(const char *head, const struct counts *c)
{
	printf("AB bench=policy %s skips=%lld scanned=%lld reclaimed=%lld pgactivate=%lld pgdeactivate=%lld invalidations=%lld hot_lost=%lld eagain=%lld reclaim_ns=%llu\n",
	       head, c->skips, c->scanned, c->reclaimed, c->activate,
	       c->deactivate, c->invalidations, c->hot_lost, c->eagain, c->ns);
}

static void run(int efd, enum type t, int policy, int repeat, size_t len,
		int passes, unsigned long seed)
{
	struct counts c, total[NR_ASKS] = {};
	struct userptr_emu_create cr;
	struct userptr_emu_submit sub;
	struct region r = { .len = len };
	struct memcg cg;
	char head[128], cgname[64], val[8];
	size_t hot_len = len / 4;
	unsigned int h;
	char *hot;

	snprintf(val, sizeof(val), "%d", policy);
	if (wb_write_text(KNOB, val))
		die("cannot write %s", KNOB);
	/* A fresh cgroup each time: nothing left over from the previous run. */
	snprintf(cgname, sizeof(cgname), "ab-policy-%s-%d%s", type_name[t],
		 policy, repeat ? "-again" : "");
	memcg_enter(&cg, cgname, 0);
	setup(&r, t, seed);
	hot = map_anon(hot_len, 0);
	fill_pages(hot, hot_len, seed + 100);
	h = emu_create(efd, r.p, len / 2, r.pin_flags, &cr);

	for (int pass = 1; pass <= passes; pass++) {
		for (int ask = 0; ask < NR_ASKS; ask++) {
			request(efd, &cg, &r, hot, hot_len, ask, &c);
			if (emu_submit(efd, h, &sub))
				die("USERPTR_EMU_SUBMIT");
			snprintf(head, sizeof(head), "type=%s policy=%d ask=%s pass=%d",
				 type_name[t], policy, ask_name[ask], pass);
			print_counts(head, &c);
			total[ask].skips += c.skips;
			total[ask].scanned += c.scanned;
			total[ask].reclaimed += c.reclaimed;
			total[ask].activate += c.activate;
			total[ask].deactivate += c.deactivate;
			total[ask].invalidations += c.invalidations;
			total[ask].hot_lost += c.hot_lost;
			total[ask].eagain += c.eagain;
			total[ask].ns += c.ns;
		}
	}
	for (int ask = 0; ask < NR_ASKS; ask++) {
		snprintf(head, sizeof(head), "stage=total type=%s policy=%d%s name=%s ask=%s passes=%d",
			 type_name[t], policy, repeat ? "r" : "", policy_name(policy),
			 ask_name[ask], passes);
		print_counts(head, &total[ask]);
	}

	emu_destroy(efd, h);
	munmap(hot, hot_len);
	teardown(&r);
	memcg_leave(&cg);
}

int main(int argc, char **argv)
{
	const int *policies = policies_v1;
	size_t nr_policies = sizeof(policies_v1) / sizeof(policies_v1[0]);
	struct bench_opts o;
	struct vmstat v;
	int efd, passes;
	size_t len;

	bench_init("skip_policy", argc, argv, &o);
	if (access(KNOB, W_OK))
		skip("no %s: boot the experiment arm pin-aware+skip-policy", KNOB);
	vm_read(&v);
	if (vm_get(&v, "pgunmap_pinned_skip") < 0) {
		if (!trace_pinned_start("skip_policy"))
			skip("neither pgunmap_pinned_skip nor nr_pinned in the vmscan tracepoints");
		use_trace = 1;
		policies = policies_v2;
		nr_policies = sizeof(policies_v2) / sizeof(policies_v2[0]);
	}
	efd = emu_open();
	if (efd < 0)
		skip("no %s (userptr_emu.ko not loaded)", USERPTR_EMU_DEBUGFS_PATH);
	emu_set_wait_us(0);
	len = (o.quick ? 4 : 8) * MIB;
	passes = o.quick ? 2 : 3;
	nopin_overhead(o.quick ? 5 : 9, (o.quick ? 4 : 16) * MIB, o.seed);
	printf("AB bench=policy stage=params region_mib=%zu hot_mib=%zu passes=%d seed=%lu series=%s skips_from=%s scan_from=%s stat_refresh=%s\n",
	       len / MIB, len / 4 / MIB, passes, o.seed, use_trace ? "v2" : "v1",
	       use_trace ? "nr_pinned" : "pgunmap_pinned_skip",
	       vm_get(&v, "pgscan_proactive") >= 0 ? "proactive" : "anon+file",
	       access("/proc/sys/vm/stat_refresh", W_OK) ? "no" : "yes");
	/*
	 * Every policy, then keep and activate once more in the opposite
	 * order ("(again)"): how well a count repeats in a boot, for the
	 * two policies the decision is between.
	 */
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		for (size_t p = 0; p < nr_policies; p++)
			run(efd, types[i], policies[p], 0, len, passes, o.seed);
		run(efd, types[i], 1, 1, len, passes, o.seed);
		run(efd, types[i], 0, 1, len, passes, o.seed);
	}
	wb_write_text(KNOB, "0");
	trace_pinned_stop();
	close(efd);
	return 0;
}
