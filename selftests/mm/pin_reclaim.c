// SPDX-License-Identifier: GPL-2.0
/*
 * Reclaim vs. DMA-pinned folios.
 *
 * Reclaim cannot free a folio that holds a FOLL_PIN pin, yet until now
 * try_to_unmap() still unmapped many of them first: pinned shmem, memfd and
 * tmpfs pages, anon pages already in the swapcache, MADV_FREE pages and large
 * folios.  Every such attempt fires the mmu notifiers of the range, so a
 * secondary MMU (a GPU userptr, an HMM mirror, KVM) throws away a perfectly
 * valid mapping of memory that stays exactly where it was.
 *
 * These tests pin part of a mapping, make a test_hmm dmirror device mirror
 * it, trigger reclaim and then look at
 *  - the mirror: HMM_DMIRROR_READ reports a fault for every page whose mirror
 *    entry an invalidation erased;
 *  - the CPU page table (/proc/self/pagemap);
 *  - the unpinned part of the same mapping, which must still be reclaimed;
 *  - the content of every page, through the CPU and through the pin;
 *  - /proc/vmstat: pgunmap_pinned_skip (first version of the series) or
 *    nr_pinned of the vmscan tracepoints (second version), thp_split_pmd.
 *
 * What each kernel is expected to do is spelled out in scenarios[] below,
 * per "arm": "base" (no series), "mayfail" (notifier subscribers may decline
 * reclaim invalidations; test_hmm does not decline, so the mirror sees the
 * same as on base) and "pin-aware" (reclaim skips pinned folios before
 * try_to_unmap()).  PIN_RECLAIM_ARM selects the arm; the default is
 * pin-aware, the behaviour this test asserts upstream.
 *
 * Needs: CONFIG_GUP_TEST (debugfs), CONFIG_TEST_HMM (/dev/hmm_dmirror0),
 * swap, cgroup v2 with the memory controller, root.  Missing pieces make the
 * tests SKIP with the reason.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "local_config.h"
#ifdef LOCAL_CONFIG_HAVE_LIBURING
#include <liburing.h>
#endif /* LOCAL_CONFIG_HAVE_LIBURING */

#include "../kselftest_harness.h"
#include "../../../../mm/gup_test.h"
#include "../../../../lib/test_hmm_uapi.h"
#include "vm_util.h"

#define CGROUP_ROOT	"/sys/fs/cgroup"
#define GUP_TEST_PATH	"/sys/kernel/debug/gup_test"
#define DMIRROR_PATH	"/dev/hmm_dmirror0"
#define SHMEM_THP_PATH	"/sys/kernel/mm/transparent_hugepage/shmem_enabled"

/* Small-page layout: [NR_PINNED pinned pages | NR_UNPINNED unpinned pages] */
#define NR_PINNED	32
#define NR_UNPINNED	32
/* An unpinned page mapped more often than GUP_PIN_COUNTING_BIAS (1024). */
#define NR_WIDE_MAPPINGS	1100

/* ------------------------------------------------------------------------ */
/* Arms and expectations                                                    */

enum arm { ARM_BASE, ARM_MAYFAIL, ARM_PIN_AWARE, NR_ARMS };

static const char * const arm_names[NR_ARMS] = {
	[ARM_BASE] = "base",
	[ARM_MAYFAIL] = "mayfail",
	[ARM_PIN_AWARE] = "pin-aware",
};

static enum arm arm = ARM_PIN_AWARE;

/*
 * Parsed before the harness starts: an unknown arm is a hard failure, not a
 * silent default.
 */
static void __attribute__((constructor)) parse_arm(void)
{
	const char *s = getenv("PIN_RECLAIM_ARM");
	int i;

	if (!s || !*s)
		return;
	for (i = 0; i < NR_ARMS; i++) {
		if (!strcmp(s, arm_names[i])) {
			arm = i;
			return;
		}
	}
	ksft_exit_fail_msg("PIN_RECLAIM_ARM=%s: use base, mayfail or pin-aware\n", s);
}

/*
 * MADV_PAGEOUT drains only this CPU's LRU batches: a folio still in
 * another CPU's batch is off the LRU and is not isolated, so stay on the
 * CPU the test starts on, before the harness forks its cases.
 */
static void __attribute__((constructor)) stay_on_one_cpu(void)
{
	cpu_set_t cpus;

	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu(), &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		ksft_exit_fail_msg("sched_setaffinity: %s\n", strerror(errno));
}

enum backing {
	ANON,		/* MAP_PRIVATE|MAP_ANONYMOUS, not in the swapcache */
	ANON_SWAPCACHE,	/* ... swapped out and read back: still in swapcache */
	ANON_LAZYFREE,	/* ... after MADV_FREE */
	SHMEM,		/* MAP_SHARED|MAP_ANONYMOUS */
	MEMFD,		/* memfd_create() + MAP_SHARED */
	TMPFS_FILE,	/* a regular file on a tmpfs /tmp + MAP_SHARED */
	THP_ANON,	/* MADV_HUGEPAGE private anon, PMD mapped */
	THP_LAZYFREE,	/* ... after MADV_FREE */
	THP_SHMEM,	/* MADV_HUGEPAGE MAP_SHARED|MAP_ANONYMOUS, shmem THP */
};

enum pin_kind {
	PIN_GUP_TEST,	/* FOLL_PIN|FOLL_LONGTERM|FOLL_WRITE via gup_test */
	PIN_IO_URING,	/* io_uring fixed buffer (FOLL_PIN|FOLL_LONGTERM) */
	REF_VMSPLICE,	/* plain FOLL_GET references held by a pipe */
};

static const char * const pin_names[] = {
	[PIN_GUP_TEST] = "gup_test",
	[PIN_IO_URING] = "io_uring",
	[REF_VMSPLICE] = "get",
};

/*
 * What the dmirror (a secondary MMU without any pin awareness) sees for the
 * pinned pages, and what happens to their CPU PTEs, after MADV_PAGEOUT of
 * the pinned pages.
 */
enum inval { INVAL_NONE, INVAL_ALL };
enum pte { PTE_KEPT, PTE_RESTORED, PTE_REMOVED };

struct expect {
	enum inval inval;	/* mirror entries of pinned pages erased */
	enum pte pte;		/* CPU PTEs of the pinned pages afterwards */
	bool skip_counted;	/* pgunmap_pinned_skip grows by the pinned pages */
	bool pmd_split;		/* thp_split_pmd grows */
};

/* The outcomes that occur, named for the table below. */
enum outcome {
	KEPT,		/* not touched: no invalidation, PTE stays */
	SKIPPED,	/* ... because reclaim skipped it as pinned (counted) */
	RESTORED,	/* invalidated, PTE cleared and put back */
	REMOVED,	/* invalidated, PTE removed */
	RESTORED_SPLIT,	/* RESTORED after a PMD split */
	REMOVED_SPLIT,	/* REMOVED after a PMD split */
};

static const struct expect outcomes[] = {
	[KEPT]		 = { INVAL_NONE, PTE_KEPT,     false, false },
	[SKIPPED]	 = { INVAL_NONE, PTE_KEPT,     true,  false },
	[RESTORED]	 = { INVAL_ALL,  PTE_RESTORED, false, false },
	[REMOVED]	 = { INVAL_ALL,  PTE_REMOVED,  false, false },
	[RESTORED_SPLIT] = { INVAL_ALL,  PTE_RESTORED, false, true },
	[REMOVED_SPLIT]	 = { INVAL_ALL,  PTE_REMOVED,  false, true },
};

struct scenario {
	const char *name;
	enum outcome arm[NR_ARMS];	/* base, mayfail, pin-aware */
	const char *why;
};

/*
 * The per-arm expectations, for MADV_PAGEOUT of the pinned range.
 *
 * "RESTORED": try_to_unmap() fired the notifiers and cleared the PTE, then
 * gave up on the pin and put the PTE back: the CPU sees no difference, the
 * secondary MMU lost its mapping.  "REMOVED": the PTE is really gone (the
 * page stays in the page cache); the next CPU access faults it back in.
 *
 * Reclaim through memcg (memory.reclaim, memory.max) visits folios in LRU
 * order and may stop early, so there "every pinned page" (INVAL_ALL,
 * PTE_REMOVED) becomes "at least one pinned page"; "none" stays "none" and
 * a counted skip becomes "pgunmap_pinned_skip grew".
 */
static const struct scenario scenarios[] = {
	[ANON] = { "anon",
		/* base      mayfail    pin-aware */
		{ KEPT,      KEPT,      KEPT },
		"vmscan keeps pinned anon folios before add_to_swap() on every arm" },
	[ANON_SWAPCACHE] = { "anon_swapcache",
		{ RESTORED,  RESTORED,  SKIPPED },
		"already in swapcache: no pre-unmap pin check before the series" },
	[ANON_LAZYFREE] = { "anon_lazyfree",
		{ RESTORED,  RESTORED,  SKIPPED },
		"MADV_FREE folios go straight to try_to_unmap()" },
	[SHMEM] = { "shmem",
		{ REMOVED,   REMOVED,   SKIPPED },
		"shmem is only checked for pins after the unmap" },
	[MEMFD] = { "memfd",
		{ REMOVED,   REMOVED,   SKIPPED },
		"memfd is shmem" },
	[TMPFS_FILE] = { "tmpfs_file",
		{ REMOVED,   REMOVED,   SKIPPED },
		"tmpfs files are shmem" },
	[THP_ANON] = { "thp_anon",
		{ KEPT,      KEPT,      KEPT },
		"large anon folios: _pincount is exact, vmscan keeps them" },
	[THP_LAZYFREE] = { "thp_lazyfree",
		{ RESTORED_SPLIT, RESTORED_SPLIT, SKIPPED },
		"PMD split by TTU_SPLIT_HUGE_PMD, then the lazyfree refcount check fails" },
	[THP_SHMEM] = { "thp_shmem",
		{ REMOVED_SPLIT,  REMOVED_SPLIT,  SKIPPED },
		"PMD split and unmapped, then vmscan sees the pin" },
};

/*
 * Plain references (FOLL_GET, here held by a pipe after vmsplice()) are not
 * pins: reclaim unmaps the folio on every arm, as it always did.  Private
 * anon then gets a swap PTE, shmem loses its PTE.
 */
static const enum outcome get_ref_outcome[NR_ARMS] = {
	/* base	 mayfail  pin-aware */
	REMOVED, REMOVED, REMOVED,
};

static long vmstat_read(const char *name);
static long pinned_skips(void);

static const struct expect *expected(enum backing b, enum pin_kind pin)
{
	enum outcome o = scenarios[b].arm[arm];

	if (pin == REF_VMSPLICE)
		return &outcomes[get_ref_outcome[arm]];
	/*
	 * The second version of the series (nr_pinned in the tracepoints)
	 * sets aside every mapped pinned folio before aging, anon ones too,
	 * and counts them; the first left those to the anon check before
	 * add_to_swap(), uncounted.
	 */
	if (arm == ARM_PIN_AWARE && o == KEPT && pinned_skips() >= 0 &&
	    vmstat_read("pgunmap_pinned_skip") < 0)
		o = SKIPPED;
	return &outcomes[o];
}

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */

/* Value of a /proc/vmstat counter, -1 if this kernel does not have it. */
static long vmstat_read(const char *name)
{
	char key[64];
	long val, ret = -1;
	FILE *f;

	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", key, &val) == 2) {
		if (!strcmp(key, name)) {
			ret = val;
			break;
		}
	}
	fclose(f);
	return ret;
}

/*
 * The pinned pages reclaim set aside, counted since this process first
 * asked: the first version of the series has the pgunmap_pinned_skip
 * counter in /proc/vmstat; the second reports nr_pinned in the vmscan
 * tracepoints, summed here from a tracefs instance of our own. -1 on a
 * kernel with neither.
 */
enum skip_source { SKIP_UNKNOWN, SKIP_NONE, SKIP_VMSTAT, SKIP_TRACE };
static enum skip_source skip_source;
static char trace_inst[128];
static const char *const pinned_events[] = {
	"vmscan/mm_vmscan_reclaim_pages",
	"vmscan/mm_vmscan_lru_shrink_inactive",
};

static bool trace_write(const char *rel, const char *val)
{
	char path[256];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s", trace_inst, rel);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return false;
	ret = write(fd, val, strlen(val));
	close(fd);
	return ret == (int)strlen(val);
}

/* A tracefs whose vmscan events carry nr_pinned, with our instance on. */
static bool trace_setup(void)
{
	static const char *const roots[] = { "/sys/kernel/tracing",
					     "/sys/kernel/debug/tracing" };
	char path[256], buf[4096];
	size_t i, n;
	FILE *f;

	for (i = 0; i < ARRAY_SIZE(roots); i++) {
		snprintf(path, sizeof(path), "%s/events/%s/format", roots[i],
			 pinned_events[0]);
		f = fopen(path, "r");
		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = 0;
		if (!strstr(buf, "nr_pinned"))
			return false;
		snprintf(trace_inst, sizeof(trace_inst), "%s/instances/pin_reclaim",
			 roots[i]);
		if (mkdir(trace_inst, 0755) && errno != EEXIST)
			return false;
		trace_write("buffer_size_kb", "8192");
		for (n = 0; n < ARRAY_SIZE(pinned_events); n++) {
			snprintf(path, sizeof(path), "events/%s/enable", pinned_events[n]);
			if (!trace_write(path, "1"))
				return false;
		}
		return trace_write("trace", "");	/* empty it */
	}
	return false;
}

static long trace_nr_pinned(void)
{
	char path[256], line[1024], *p;
	long sum = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", trace_inst);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, " nr_pinned=");
		if (line[0] != '#' && p)
			sum += strtol(p + 11, NULL, 10);
	}
	fclose(f);
	return sum;
}

static long pinned_skips(void)
{
	if (skip_source == SKIP_UNKNOWN) {
		if (vmstat_read("pgunmap_pinned_skip") >= 0)
			skip_source = SKIP_VMSTAT;
		else
			skip_source = trace_setup() ? SKIP_TRACE : SKIP_NONE;
	}
	switch (skip_source) {
	case SKIP_VMSTAT:
		return vmstat_read("pgunmap_pinned_skip");
	case SKIP_TRACE:
		return trace_nr_pinned();
	default:
		return -1;
	}
}

static long meminfo_kb(const char *name)
{
	char line[128];
	size_t len = strlen(name);
	long ret = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, name, len) && line[len] == ':') {
			ret = strtol(line + len + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return ret;
}

static bool have_swap(void)
{
	char line[256];
	bool ret = false;
	FILE *f;

	f = fopen("/proc/swaps", "r");
	if (!f)
		return false;
	/* A header line, then one line per swap device. */
	if (fgets(line, sizeof(line), f) && fgets(line, sizeof(line), f))
		ret = true;
	fclose(f);
	return ret;
}

static int write_text(const char *path, const char *buf)
{
	ssize_t len = strlen(buf);
	int fd, ret = 0;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

static int read_text(const char *path, char *buf, size_t size)
{
	ssize_t len;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, size - 1);
	close(fd);
	if (len < 0)
		return -errno;
	buf[len] = '\0';
	return 0;
}

static uint8_t pattern(size_t off, unsigned int seed)
{
	return (uint8_t)((off >> 12) * 31 + (off & 4095) * 7 + seed);
}

static void fill(char *p, size_t len, size_t base, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pattern(base + i, seed);
}

/* Offset of the first byte that differs from the pattern, or -1. */
static long check(const char *p, size_t len, size_t base, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((uint8_t)p[i] != pattern(base + i, seed))
			return i;
	return -1;
}

/* Clear the accessed bits of this process (no mmu notifier involved). */
static int age_pages(void)
{
	return write_text("/proc/self/clear_refs", "1");
}

/* ------------------------------------------------------------------------ */
/* cgroup v2                                                                */

static int cg_create(char *path, size_t size)
{
	char buf[PATH_MAX];
	int ret;

	ret = write_text(CGROUP_ROOT "/cgroup.subtree_control", "+memory");
	if (ret && ret != -EBUSY)
		return ret;
	snprintf(path, size, CGROUP_ROOT "/pin_reclaim.%d", getpid());
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	snprintf(buf, sizeof(buf), "%s/cgroup.procs", path);
	ret = write_text(buf, "0");
	if (ret)
		rmdir(path);
	return ret;
}

static void cg_destroy(const char *path)
{
	write_text(CGROUP_ROOT "/cgroup.procs", "0");
	rmdir(path);
}

static int cg_write(const char *cg, const char *file, const char *val)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return write_text(path, val);
}

static long cg_read_long(const char *cg, const char *file)
{
	char path[PATH_MAX], buf[64];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	if (read_text(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

/* One key of memory.stat, -1 if missing. */
static long cg_stat(const char *cg, const char *key)
{
	char path[PATH_MAX], k[64];
	long val, ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.stat", cg);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", k, &val) == 2) {
		if (!strcmp(k, key)) {
			ret = val;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* ------------------------------------------------------------------------ */
/* The fixture                                                              */

struct pin_state {
	size_t page_size;
	size_t pmd_size;
	size_t unit;		/* one pinned/unpinned half */
	size_t size;		/* the whole mapping: 2 * unit */
	size_t npinned;		/* pages */
	char *reserve;		/* PROT_NONE reservation (for alignment) */
	size_t reserve_size;
	char *mem;		/* [pinned unit | unpinned unit] */
	int file_fd;
	char tmpfs_path[64];
	int pagemap_fd;
	int dmirror_fd;
	int gup_fd;
	bool pinned;
	int pipe_fd[2];
	char *mirror;		/* bounce buffer for HMM_DMIRROR_READ */
	char *tmp;		/* buffer for reads through the pin */
	char cg[PATH_MAX];
	char shmem_thp_saved[64];
#ifdef LOCAL_CONFIG_HAVE_LIBURING
	struct io_uring ring;
	bool ring_registered;
	int uring_out_fd;
#endif
};

FIXTURE(pin_reclaim)
{
	struct pin_state st;
};

FIXTURE_VARIANT(pin_reclaim)
{
	enum backing backing;
	enum pin_kind pin;
};

FIXTURE_VARIANT_ADD(pin_reclaim, anon_pin)
{
	.backing = ANON,
	.pin = PIN_GUP_TEST,
};

FIXTURE_VARIANT_ADD(pin_reclaim, anon_swapcache_pin)
{
	.backing = ANON_SWAPCACHE,
	.pin = PIN_GUP_TEST,
};

FIXTURE_VARIANT_ADD(pin_reclaim, anon_lazyfree_pin)
{
	.backing = ANON_LAZYFREE,
	.pin = PIN_GUP_TEST,
};

FIXTURE_VARIANT_ADD(pin_reclaim, shmem_pin)
{
	.backing = SHMEM,
	.pin = PIN_GUP_TEST,
};

FIXTURE_VARIANT_ADD(pin_reclaim, memfd_pin)
{
	.backing = MEMFD,
	.pin = PIN_GUP_TEST,
};

FIXTURE_VARIANT_ADD(pin_reclaim, tmpfs_file_pin)
{
	.backing = TMPFS_FILE,
	.pin = PIN_GUP_TEST,
};

FIXTURE_VARIANT_ADD(pin_reclaim, thp_anon_pin)
{
	.backing = THP_ANON,
	.pin = PIN_GUP_TEST,
};

FIXTURE_VARIANT_ADD(pin_reclaim, thp_lazyfree_pin)
{
	.backing = THP_LAZYFREE,
	.pin = PIN_GUP_TEST,
};

FIXTURE_VARIANT_ADD(pin_reclaim, thp_shmem_pin)
{
	.backing = THP_SHMEM,
	.pin = PIN_GUP_TEST,
};

FIXTURE_VARIANT_ADD(pin_reclaim, anon_swapcache_io_uring)
{
	.backing = ANON_SWAPCACHE,
	.pin = PIN_IO_URING,
};

FIXTURE_VARIANT_ADD(pin_reclaim, shmem_io_uring)
{
	.backing = SHMEM,
	.pin = PIN_IO_URING,
};

FIXTURE_VARIANT_ADD(pin_reclaim, anon_get)
{
	.backing = ANON,
	.pin = REF_VMSPLICE,
};

FIXTURE_VARIANT_ADD(pin_reclaim, shmem_get)
{
	.backing = SHMEM,
	.pin = REF_VMSPLICE,
};

static bool is_thp(enum backing b)
{
	return b == THP_ANON || b == THP_LAZYFREE || b == THP_SHMEM;
}

static bool is_lazyfree(enum backing b)
{
	return b == ANON_LAZYFREE || b == THP_LAZYFREE;
}

static bool is_private_anon(enum backing b)
{
	return b == ANON || b == ANON_SWAPCACHE || b == ANON_LAZYFREE ||
	       b == THP_ANON || b == THP_LAZYFREE;
}

static int dmirror_read(int fd, void *addr, void *buf, unsigned long npages,
			uint64_t *faults)
{
	struct hmm_dmirror_cmd cmd = {
		.addr = (uintptr_t)addr,
		.ptr = (uintptr_t)buf,
		.npages = npages,
	};

	while (ioctl(fd, HMM_DMIRROR_READ, &cmd)) {
		if (errno != EINTR)
			return -errno;
	}
	*faults = cmd.faults;
	return 0;
}

/*
 * Map the backing store, 2 * unit bytes, aligned to unit, with at least one
 * PROT_NONE guard page in front: test_hmm's dmirror_do_update() also erases
 * the mirror entry of the page right after an invalidated range, so an
 * invalidation of whatever is mapped just below would look like one of the
 * first pinned page.
 */
static void *map_backing(struct pin_state *st, enum backing b)
{
	int flags = MAP_FIXED;
	char *addr;
	int fd = -1;

	st->reserve_size = st->size + st->unit + st->page_size;
	st->reserve = mmap(NULL, st->reserve_size, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (st->reserve == MAP_FAILED)
		return MAP_FAILED;
	addr = (char *)(((uintptr_t)st->reserve + st->page_size + st->unit - 1) &
			~(uintptr_t)(st->unit - 1));

	switch (b) {
	case ANON:
	case ANON_SWAPCACHE:
	case ANON_LAZYFREE:
	case THP_ANON:
	case THP_LAZYFREE:
		flags |= MAP_PRIVATE | MAP_ANONYMOUS;
		break;
	case SHMEM:
	case THP_SHMEM:
		flags |= MAP_SHARED | MAP_ANONYMOUS;
		break;
	case MEMFD:
		fd = memfd_create("pin_reclaim", 0);
		break;
	case TMPFS_FILE:
		snprintf(st->tmpfs_path, sizeof(st->tmpfs_path),
			 "/tmp/pin_reclaim.XXXXXX");
		fd = mkstemp(st->tmpfs_path);
		break;
	}
	if (b == MEMFD || b == TMPFS_FILE) {
		if (fd < 0 || ftruncate(fd, st->size))
			return MAP_FAILED;
		st->file_fd = fd;
		flags |= MAP_SHARED;
	}
	return mmap(addr, st->size, PROT_READ | PROT_WRITE, flags, fd, 0);
}

/* Undo the setup; also called before a late SKIP(), which skips teardown. */
static void pin_state_cleanup(struct pin_state *st)
{
	if (st->pinned)
		ioctl(st->gup_fd, PIN_LONGTERM_TEST_STOP);
#ifdef LOCAL_CONFIG_HAVE_LIBURING
	if (st->ring_registered) {
		io_uring_unregister_buffers(&st->ring);
		io_uring_queue_exit(&st->ring);
		close(st->uring_out_fd);
	}
#endif
	if (st->pipe_fd[0] >= 0) {
		close(st->pipe_fd[0]);
		close(st->pipe_fd[1]);
	}
	if (st->reserve && st->reserve != MAP_FAILED)
		munmap(st->reserve, st->reserve_size);
	if (st->file_fd >= 0)
		close(st->file_fd);
	if (st->tmpfs_path[0])
		unlink(st->tmpfs_path);
	if (st->shmem_thp_saved[0]) {
		/* "always within_size advise [never] deny force" -> "never" */
		char *l = strchr(st->shmem_thp_saved, '[');
		char *r = l ? strchr(l, ']') : NULL;

		if (r) {
			*r = '\0';
			write_text(SHMEM_THP_PATH, l + 1);
		}
	}
	if (st->cg[0])
		cg_destroy(st->cg);
	free(st->mirror);
	free(st->tmp);
	if (st->dmirror_fd >= 0)
		close(st->dmirror_fd);
	if (st->gup_fd >= 0)
		close(st->gup_fd);
	if (st->pagemap_fd >= 0)
		close(st->pagemap_fd);
	memset(st, 0, sizeof(*st));
	st->file_fd = -1;
	st->pagemap_fd = -1;
	st->dmirror_fd = -1;
	st->gup_fd = -1;
	st->pipe_fd[0] = -1;
	st->pipe_fd[1] = -1;
}

FIXTURE_SETUP(pin_reclaim)
{
	struct pin_state *st = &self->st;
	enum backing b = variant->backing;
	struct statfs sfs;
	uint64_t faults = 0;
	size_t i;

	st->page_size = getpagesize();
	st->file_fd = -1;
	st->pagemap_fd = -1;
	st->dmirror_fd = -1;
	st->gup_fd = -1;
	st->pipe_fd[0] = -1;
	st->pipe_fd[1] = -1;

	TH_LOG("arm %s, scenario %s, pin %s", arm_names[arm], scenarios[b].name,
	       pin_names[variant->pin]);

	if (getuid())
		SKIP(return, "must run as root");
	st->gup_fd = open(GUP_TEST_PATH, O_RDWR);
	if (st->gup_fd < 0)
		SKIP(return, "no %s (CONFIG_GUP_TEST, debugfs)", GUP_TEST_PATH);
	st->dmirror_fd = open(DMIRROR_PATH, O_RDWR);
	if (st->dmirror_fd < 0)
		SKIP(return, "no %s (CONFIG_TEST_HMM)", DMIRROR_PATH);
	if (!have_swap())
		SKIP(return, "no swap device");
	if (access(CGROUP_ROOT "/cgroup.subtree_control", W_OK))
		SKIP(return, "no cgroup v2 at " CGROUP_ROOT);
	st->pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
	ASSERT_GE(st->pagemap_fd, 0);
#ifndef LOCAL_CONFIG_HAVE_LIBURING
	if (variant->pin == PIN_IO_URING)
		SKIP(return, "built without liburing");
#endif
	if (b == TMPFS_FILE &&
	    (statfs("/tmp", &sfs) || sfs.f_type != TMPFS_MAGIC))
		SKIP(return, "/tmp is not a tmpfs");

	if (is_thp(b)) {
		st->pmd_size = read_pmd_pagesize();
		if (!st->pmd_size)
			SKIP(return, "no THP support");
		st->unit = st->pmd_size;
	} else {
		st->unit = NR_PINNED * st->page_size;
	}
	ASSERT_EQ(NR_PINNED, NR_UNPINNED);
	st->size = 2 * st->unit;
	st->npinned = st->unit / st->page_size;

	if (b == THP_SHMEM) {
		if (read_text(SHMEM_THP_PATH, st->shmem_thp_saved,
			      sizeof(st->shmem_thp_saved)))
			SKIP(return, "no %s", SHMEM_THP_PATH);
		if (write_text(SHMEM_THP_PATH, "advise"))
			SKIP(return, "cannot set %s to advise", SHMEM_THP_PATH);
	}

	st->mirror = malloc(st->size);
	st->tmp = malloc(st->size);
	ASSERT_NE(st->mirror, NULL);
	ASSERT_NE(st->tmp, NULL);

	/* Everything charged from here on belongs to the test's memcg. */
	ASSERT_EQ(cg_create(st->cg, sizeof(st->cg)), 0)
		TH_LOG("cannot create a memory cgroup under " CGROUP_ROOT);

	st->mem = map_backing(st, b);
	ASSERT_NE(st->mem, MAP_FAILED);
	ASSERT_EQ(madvise(st->mem, st->size,
			  is_thp(b) ? MADV_HUGEPAGE : MADV_NOHUGEPAGE), 0);

	fill(st->mem, st->size, 0, 0);
	if (is_thp(b)) {
		bool huge = b == THP_SHMEM ?
			check_huge_shmem(st->mem, 2, st->pmd_size) :
			check_huge_anon(st->mem, 2, st->pmd_size);
		if (!huge) {
			pin_state_cleanup(st);
			SKIP(return, "no PMD-mapped THP for %s", scenarios[b].name);
		}
	}

	if (b == ANON_SWAPCACHE) {
		/* Swap it all out, then read it back: it stays in swapcache. */
		ASSERT_EQ(madvise(st->mem, st->size, MADV_PAGEOUT), 0);
		for (i = 0; i < st->size; i += st->page_size) {
			if (!pagemap_is_swapped(st->pagemap_fd, st->mem + i)) {
				/* The cleanup zeroes *st, page_size too. */
				size_t page = i / st->page_size;

				pin_state_cleanup(st);
				SKIP(return, "MADV_PAGEOUT did not swap out page %zu",
				     page);
			}
		}
		ASSERT_EQ(check(st->mem, st->size, 0, 0), -1);
		TH_LOG("SwapCached %ld kB after the read-back",
		       meminfo_kb("SwapCached"));
	}
	if (is_lazyfree(b))
		ASSERT_EQ(madvise(st->mem, st->size, MADV_FREE), 0);

	/* Pin (or reference) the first unit. */
	switch (variant->pin) {
	case PIN_GUP_TEST: {
		struct pin_longterm_test args = {
			.addr = (uintptr_t)st->mem,
			.size = st->unit,
			.flags = PIN_LONGTERM_TEST_FLAG_USE_WRITE,
		};

		ASSERT_EQ(ioctl(st->gup_fd, PIN_LONGTERM_TEST_START, &args), 0)
			TH_LOG("PIN_LONGTERM_TEST_START: %s", strerror(errno));
		st->pinned = true;
		break;
	}
	case PIN_IO_URING: {
#ifdef LOCAL_CONFIG_HAVE_LIBURING
		struct iovec iov = { .iov_base = st->mem, .iov_len = st->unit };
		int ret;

		ret = io_uring_queue_init(4, &st->ring, 0);
		if (ret) {
			pin_state_cleanup(st);
			SKIP(return, "io_uring_queue_init: %s", strerror(-ret));
		}
		ret = io_uring_register_buffers(&st->ring, &iov, 1);
		if (ret) {
			io_uring_queue_exit(&st->ring);
			pin_state_cleanup(st);
			SKIP(return, "io_uring_register_buffers: %s", strerror(-ret));
		}
		st->ring_registered = true;
		st->uring_out_fd = memfd_create("pin_reclaim_out", 0);
		ASSERT_GE(st->uring_out_fd, 0);
#endif
		break;
	}
	case REF_VMSPLICE: {
		struct iovec iov = { .iov_base = st->mem, .iov_len = st->unit };
		ssize_t n;

		ASSERT_EQ(pipe(st->pipe_fd), 0);
		ASSERT_GE(fcntl(st->pipe_fd[1], F_SETPIPE_SZ, (int)st->unit),
			  (int)st->unit);
		while (iov.iov_len) {
			n = vmsplice(st->pipe_fd[1], &iov, 1, 0);
			ASSERT_GT(n, 0);
			iov.iov_base = (char *)iov.iov_base + n;
			iov.iov_len -= n;
		}
		break;
	}
	}

	if (b == ANON_SWAPCACHE) {
		long kb = meminfo_kb("SwapCached"), want = st->unit / 1024;

		/* At least the pinned unit must still be in the swapcache. */
		TH_LOG("SwapCached %ld kB after pinning %ld kB", kb, want);
		if (kb < want) {
			pin_state_cleanup(st);
			SKIP(return, "SwapCached %ld kB < %ld kB: swapcache dropped",
			     kb, want);
		}
	}

	/* The device mirrors the whole mapping ... */
	ASSERT_EQ(dmirror_read(st->dmirror_fd, st->mem, st->mirror,
			       st->size / st->page_size, &faults), 0);
	/* ... and keeps it while nothing invalidates it. */
	ASSERT_EQ(dmirror_read(st->dmirror_fd, st->mem, st->mirror,
			       st->size / st->page_size, &faults), 0);
	ASSERT_EQ(faults, 0)
		TH_LOG("the mirror lost entries without any reclaim");
	if (!is_lazyfree(b))
		ASSERT_EQ(check(st->mirror, st->size, 0, 0), -1);
}

FIXTURE_TEARDOWN(pin_reclaim)
{
	pin_state_cleanup(&self->st);
}

/* Counter snapshot around a trigger. */
struct counters {
	long skip;		/* pgunmap_pinned_skip, -1 if missing */
	long split;		/* thp_split_pmd */
	long pswpout;
	long pgactivate;
};

static void counters_read(struct counters *c)
{
	c->skip = pinned_skips();
	c->split = vmstat_read("thp_split_pmd");
	c->pswpout = vmstat_read("pswpout");
	c->pgactivate = vmstat_read("pgactivate");
}

/* Pinned pages whose mirror entry is gone; refills the mirror. */
static long count_invalidated(struct __test_metadata *_metadata,
			      struct pin_state *st)
{
	uint64_t faults = 0;
	long n = 0;
	size_t i;

	for (i = 0; i < st->unit; i += st->page_size) {
		ASSERT_EQ(dmirror_read(st->dmirror_fd, st->mem + i,
				       st->mirror + i, 1, &faults), 0);
		if (faults)
			n++;
	}
	return n;
}

static long count_present(struct pin_state *st, char *start,
			  size_t len)
{
	long n = 0;
	size_t i;

	for (i = 0; i < len; i += st->page_size)
		if (pagemap_get_entry(st->pagemap_fd, start + i) & PM_PRESENT)
			n++;
	return n;
}

enum trigger { TRIGGER_PAGEOUT, TRIGGER_MEMCG_RECLAIM, TRIGGER_MEMCG_MAX };

static const char * const trigger_names[] = {
	"MADV_PAGEOUT", "memory.reclaim", "memory.max",
};

/* lo <= val <= hi, naming the observable on failure. */
static void expect_range(struct __test_metadata *_metadata, const char *what,
			 long val, long lo, long hi)
{
	EXPECT_GE(val, lo)
		TH_LOG("%s: %ld, expected at least %ld on %s", what, val, lo,
		       arm_names[arm]);
	EXPECT_LE(val, hi)
		TH_LOG("%s: %ld, expected at most %ld on %s", what, val, hi,
		       arm_names[arm]);
}

/*
 * Compare what the kernel did with the table.  @exact: MADV_PAGEOUT, where
 * every pinned folio went through shrink_folio_list() exactly once.
 */
static void check_outcome(struct __test_metadata *_metadata,
			  struct pin_state *st, enum backing b,
			  enum pin_kind pin, enum trigger trig,
			  const struct counters *before,
			  const struct counters *after, long unpinned_reclaimed)
{
	const struct expect *e = expected(b, pin);
	bool exact = trig == TRIGGER_PAGEOUT;
	long npinned = st->npinned, nunpinned = st->npinned;
	long present, invalidated, skip = -1;
	long off, lo, hi;

	present = count_present(st, st->mem, st->unit);
	invalidated = count_invalidated(_metadata, st);
	if (before->skip >= 0 && after->skip >= 0)
		skip = after->skip - before->skip;

	/* One machine-readable line, also useful on a failure. */
	ksft_print_msg("result arm=%s scenario=%s pin=%s trigger=%s",
		       arm_names[arm], scenarios[b].name, pin_names[pin],
		       trigger_names[trig]);
	printf(" pinned=%ld invalidated=%ld pte_present=%ld", npinned,
	       invalidated, present);
	printf(" unpinned=%ld unpinned_reclaimed=%ld", nunpinned,
	       unpinned_reclaimed);
	printf(" pgunmap_pinned_skip=%ld thp_split_pmd=%ld pswpout=%ld pgactivate=%ld\n",
	       skip, after->split - before->split,
	       after->pswpout - before->pswpout,
	       after->pgactivate - before->pgactivate);
	fflush(stdout);	/* the harness _exit()s its test children */
	TH_LOG("%s on %s: %s", scenarios[b].name, arm_names[arm],
	       scenarios[b].why);

	/* 1. The secondary MMU: pinned pages whose mirror entry was erased. */
	lo = e->inval == INVAL_NONE ? 0 : exact ? npinned : 1;
	hi = e->inval == INVAL_NONE ? 0 : npinned;
	expect_range(_metadata, "pinned pages invalidated", invalidated, lo, hi);

	/* 2. The CPU page table of the pinned pages. */
	lo = e->pte != PTE_REMOVED ? npinned : 0;
	hi = e->pte != PTE_REMOVED ? npinned : exact ? 0 : npinned - 1;
	expect_range(_metadata, "pinned pages with a PTE", present, lo, hi);

	/* 3. The new counter. */
	if (arm == ARM_PIN_AWARE) {
		ASSERT_GE(after->skip, 0)
			TH_LOG("no pgunmap_pinned_skip, no nr_pinned: no pin-aware reclaim");
		lo = !e->skip_counted ? 0 : exact ? npinned : 1;
		hi = !e->skip_counted ? 0 : exact ? npinned : LONG_MAX;
		expect_range(_metadata, "pgunmap_pinned_skip", skip, lo, hi);
	}

	/* 4. PMD splits, only measurable where nothing else was reclaimed. */
	if (exact)
		expect_range(_metadata, "thp_split_pmd",
			     after->split - before->split,
			     e->pmd_split ? 1 : 0, e->pmd_split ? LONG_MAX : 0);

	/* 5. The unpinned part of the same mapping is reclaimed on every arm. */
	expect_range(_metadata, "unpinned pages reclaimed", unpinned_reclaimed,
		     exact ? nunpinned : 1, nunpinned);

	/* 6. Data: the device view (just refilled), the CPU view, the pin. */
	off = check(st->mirror, st->unit, 0, 0);
	EXPECT_EQ(off, -1) TH_LOG("device read wrong data at pinned offset %ld", off);
	off = check(st->mem, st->unit, 0, 0);
	EXPECT_EQ(off, -1) TH_LOG("CPU read wrong data at pinned offset %ld", off);
	if (!is_lazyfree(b)) {
		off = check(st->mem + st->unit, st->unit, st->unit, 0);
		EXPECT_EQ(off, -1)
			TH_LOG("CPU read wrong data at unpinned offset %ld", off);
	}

	switch (pin) {
	case PIN_GUP_TEST: {
		__u64 dst = (uintptr_t)st->tmp;

		ASSERT_EQ(ioctl(st->gup_fd, PIN_LONGTERM_TEST_READ, &dst), 0);
		off = check(st->tmp, st->unit, 0, 0);
		EXPECT_EQ(off, -1) TH_LOG("pinned page has wrong data at %ld", off);
		/* The CPU mapping must still lead to the pinned pages. */
		fill(st->mem, st->unit, 0, 1);
		ASSERT_EQ(ioctl(st->gup_fd, PIN_LONGTERM_TEST_READ, &dst), 0);
		off = check(st->tmp, st->unit, 0, 1);
		EXPECT_EQ(off, -1)
			TH_LOG("CPU write did not reach the pinned page (offset %ld)", off);
		break;
	}
	case PIN_IO_URING: {
#ifdef LOCAL_CONFIG_HAVE_LIBURING
		struct io_uring_sqe *sqe;
		struct io_uring_cqe *cqe;
		int round;

		/* WRITE_FIXED copies from the registered (pinned) pages. */
		for (round = 0; round < 2; round++) {
			if (round)
				fill(st->mem, st->unit, 0, 1);
			sqe = io_uring_get_sqe(&st->ring);
			ASSERT_NE(sqe, NULL);
			io_uring_prep_write_fixed(sqe, st->uring_out_fd, st->mem,
						  st->unit, 0, 0);
			ASSERT_EQ(io_uring_submit_and_wait(&st->ring, 1), 1);
			ASSERT_EQ(io_uring_wait_cqe(&st->ring, &cqe), 0);
			ASSERT_EQ(cqe->res, (int)st->unit);
			io_uring_cqe_seen(&st->ring, cqe);
			ASSERT_EQ(pread(st->uring_out_fd, st->tmp, st->unit, 0),
				  (ssize_t)st->unit);
			off = check(st->tmp, st->unit, 0, round);
			EXPECT_EQ(off, -1)
				TH_LOG("registered buffer differs at %ld (round %d)",
				       off, round);
		}
#endif
		break;
	}
	case REF_VMSPLICE: {
		size_t got = 0;
		ssize_t n;

		/*
		 * The pipe holds the pages it got at vmsplice() time.  Only
		 * their content is checked: FOLL_GET gives no coherency
		 * guarantee against later CPU writes.
		 */
		while (got < st->unit) {
			n = read(st->pipe_fd[0], st->tmp + got, st->unit - got);
			ASSERT_GT(n, 0);
			got += n;
		}
		off = check(st->tmp, st->unit, 0, 0);
		EXPECT_EQ(off, -1) TH_LOG("referenced page has wrong data at %ld", off);
		break;
	}
	}
}

/* Unpinned pages of the mapping that reclaim took away from the CPU. */
static long count_unpinned_reclaimed(struct pin_state *st,
				     enum backing b)
{
	char *start = st->mem + st->unit;
	long n = 0;
	uint64_t ent;
	size_t i;

	for (i = 0; i < st->unit; i += st->page_size) {
		ent = pagemap_get_entry(st->pagemap_fd, start + i);
		/*
		 * Private anon: a swap PTE (lazyfree: PTE cleared, page
		 * discarded).  Shared: the PTE is gone and the page was written
		 * to swap.
		 */
		if ((is_lazyfree(b) || !is_private_anon(b)) ?
		    !(ent & PM_PRESENT) : !!(ent & PM_SWAP))
			n++;
	}
	return n;
}

TEST_F_TIMEOUT(pin_reclaim, pageout, 120)
{
	struct pin_state *st = &self->st;
	struct counters c0, c1;
	long reclaimed;

	counters_read(&c0);
	ASSERT_EQ(madvise(st->mem, st->unit, MADV_PAGEOUT), 0);
	counters_read(&c1);
	/* The unpinned half separately: its PMD splits are not ours. */
	ASSERT_EQ(madvise(st->mem + st->unit, st->unit, MADV_PAGEOUT), 0);
	reclaimed = count_unpinned_reclaimed(st, variant->backing);
	check_outcome(_metadata, st, variant->backing, variant->pin,
		      TRIGGER_PAGEOUT, &c0, &c1, reclaimed);
}

TEST_F_TIMEOUT(pin_reclaim, memcg_reclaim, 180)
{
	struct pin_state *st = &self->st;
	struct counters c0, c1;
	char req[32];
	long reclaimed;
	int ret;

	ASSERT_EQ(age_pages(), 0);
	counters_read(&c0);
	/*
	 * Ask for more than the cgroup could ever give back: with the pinned
	 * unit unreclaimable, memory.reclaim must end with -EAGAIN on every
	 * arm, after having tried every folio several times.
	 */
	snprintf(req, sizeof(req), "%zu", st->size + (16UL << 20));
	ret = cg_write(st->cg, "memory.reclaim", req);
	counters_read(&c1);
	EXPECT_EQ(ret, -EAGAIN)
		TH_LOG("memory.reclaim %s: %d (memory.current %ld)", req, ret,
		       cg_read_long(st->cg, "memory.current"));
	reclaimed = count_unpinned_reclaimed(st, variant->backing);
	ksft_print_msg("memory.stat pgactivate=%ld pgscan=%ld pgsteal=%ld\n",
		       cg_stat(st->cg, "pgactivate"), cg_stat(st->cg, "pgscan"),
		       cg_stat(st->cg, "pgsteal"));
	fflush(stdout);	/* the harness _exit()s its test children */
	check_outcome(_metadata, st, variant->backing, variant->pin,
		      TRIGGER_MEMCG_RECLAIM, &c0, &c1, reclaimed);
}

TEST_F_TIMEOUT(pin_reclaim, memcg_max, 180)
{
	struct pin_state *st = &self->st;
	size_t pressure_size = st->size + (2UL << 20);
	struct counters c0, c1;
	long current, reclaimed;
	char *pressure;
	char max[32];
	size_t i;

	ASSERT_EQ(age_pages(), 0);
	current = cg_read_long(st->cg, "memory.current");
	ASSERT_GT(current, 0);
	/*
	 * 1 MiB of room, then fault in more than that: the charges reclaim
	 * from this cgroup.  The pressure pages are swappable themselves, so
	 * this never needs the OOM killer.
	 */
	snprintf(max, sizeof(max), "%ld", current + (1L << 20));
	counters_read(&c0);
	ASSERT_EQ(cg_write(st->cg, "memory.max", max), 0);
	pressure = mmap(NULL, pressure_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(pressure, MAP_FAILED);
	madvise(pressure, pressure_size, MADV_NOHUGEPAGE);
	for (i = 0; i < pressure_size; i += st->page_size)
		pressure[i] = 1;
	counters_read(&c1);
	reclaimed = count_unpinned_reclaimed(st, variant->backing);
	ASSERT_EQ(cg_write(st->cg, "memory.max", "max"), 0);
	munmap(pressure, pressure_size);
	ksft_print_msg("memory.stat pgactivate=%ld pgscan=%ld pgsteal=%ld\n",
		       cg_stat(st->cg, "pgactivate"), cg_stat(st->cg, "pgscan"),
		       cg_stat(st->cg, "pgsteal"));
	fflush(stdout);	/* the harness _exit()s its test children */
	check_outcome(_metadata, st, variant->backing, variant->pin,
		      TRIGGER_MEMCG_MAX, &c0, &c1, reclaimed);
}

/* ------------------------------------------------------------------------ */
/*
 * An unpinned small page mapped NR_WIDE_MAPPINGS (> 1024) times has a
 * refcount above GUP_PIN_COUNTING_BIAS, which folio_maybe_dma_pinned()
 * alone cannot tell from a pin.  It must stay reclaimable on every arm.
 */
FIXTURE(unpinned)
{
	int memfd;
	char *maps[NR_WIDE_MAPPINGS];
	int pagemap_fd;
	char cg[PATH_MAX];
};

FIXTURE_SETUP(unpinned)
{
	if (getuid())
		SKIP(return, "must run as root");
	if (!have_swap())
		SKIP(return, "no swap device");
	if (access(CGROUP_ROOT "/cgroup.subtree_control", W_OK))
		SKIP(return, "no cgroup v2 at " CGROUP_ROOT);
	self->pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
	ASSERT_GE(self->pagemap_fd, 0);
	ASSERT_EQ(cg_create(self->cg, sizeof(self->cg)), 0);
	self->memfd = memfd_create("pin_reclaim_wide", 0);
	ASSERT_GE(self->memfd, 0);
	ASSERT_EQ(ftruncate(self->memfd, getpagesize()), 0);
}

FIXTURE_TEARDOWN(unpinned)
{
	int i;

	for (i = 0; i < NR_WIDE_MAPPINGS; i++)
		if (self->maps[i] && self->maps[i] != MAP_FAILED)
			munmap(self->maps[i], getpagesize());
	close(self->memfd);
	close(self->pagemap_fd);
	cg_destroy(self->cg);
}

TEST_F_TIMEOUT(unpinned, mapped_1100_times, 180)
{
	size_t ps = getpagesize();
	long mapped = 0, before_skip, after_skip;
	char req[32];
	int i, ret;

	for (i = 0; i < NR_WIDE_MAPPINGS; i++) {
		self->maps[i] = mmap(NULL, ps, PROT_READ | PROT_WRITE,
				     MAP_SHARED, self->memfd, 0);
		ASSERT_NE(self->maps[i], MAP_FAILED);
		if (!i)
			fill(self->maps[0], ps, 0, 0);
		/* Map it (read fault) in every VMA. */
		ASSERT_EQ((uint8_t)self->maps[i][0], pattern(0, 0));
	}
	for (i = 0; i < NR_WIDE_MAPPINGS; i++)
		if (pagemap_get_entry(self->pagemap_fd, self->maps[i]) & PM_PRESENT)
			mapped++;
	ASSERT_EQ(mapped, NR_WIDE_MAPPINGS);

	ASSERT_EQ(age_pages(), 0);
	before_skip = pinned_skips();
	snprintf(req, sizeof(req), "%lu", 16UL << 20);
	ret = cg_write(self->cg, "memory.reclaim", req);
	after_skip = pinned_skips();

	mapped = 0;
	for (i = 0; i < NR_WIDE_MAPPINGS; i++)
		if (pagemap_get_entry(self->pagemap_fd, self->maps[i]) & PM_PRESENT)
			mapped++;
	ksft_print_msg("result arm=%s scenario=unpinned_mapped_%d trigger=memory.reclaim",
		       arm_names[arm], NR_WIDE_MAPPINGS);
	printf(" ret=%d still_mapped=%ld pgunmap_pinned_skip=%ld\n", ret, mapped,
	       before_skip >= 0 ? after_skip - before_skip : -1);
	fflush(stdout);	/* the harness _exit()s its test children */
	/* Every arm: reclaim unmapped it everywhere (a false "pinned" would not). */
	EXPECT_EQ(mapped, 0)
		TH_LOG("an unpinned page mapped %d times was treated as pinned",
		       NR_WIDE_MAPPINGS);
	if (arm == ARM_PIN_AWARE && before_skip >= 0)
		EXPECT_EQ(after_skip - before_skip, 0);
	/* Its content survives the round trip through swap. */
	EXPECT_EQ(check(self->maps[NR_WIDE_MAPPINGS - 1], ps, 0, 0), -1);
}

/* ------------------------------------------------------------------------ */
/*
 * The 2020 i915 scenario: an object is pinned page by page inside a memcg at
 * its limit, so that direct reclaim from the pin loop meets the object's own,
 * already pinned pages.  Before the series reclaim unmaps them again (their
 * shmem PTEs are gone when the loop ends: a "self-invalidation"); with it,
 * it skips them.  Base and mayfail may or may not get there (LRU order), so
 * only the count is reported for them.
 */
#define PIN_LOOP_OBJECT	(4UL << 20)
#define PIN_LOOP_FILLER	(6UL << 20)

FIXTURE(pin_loop)
{
	int gup_fd;
	int pagemap_fd;
	char cg[PATH_MAX];
};

FIXTURE_SETUP(pin_loop)
{
	if (getuid())
		SKIP(return, "must run as root");
	self->gup_fd = open(GUP_TEST_PATH, O_RDWR);
	if (self->gup_fd < 0)
		SKIP(return, "no %s (CONFIG_GUP_TEST, debugfs)", GUP_TEST_PATH);
	if (!have_swap())
		SKIP(return, "no swap device");
	if (access(CGROUP_ROOT "/cgroup.subtree_control", W_OK))
		SKIP(return, "no cgroup v2 at " CGROUP_ROOT);
	self->pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
	ASSERT_GE(self->pagemap_fd, 0);
	ASSERT_EQ(cg_create(self->cg, sizeof(self->cg)), 0);
}

FIXTURE_TEARDOWN(pin_loop)
{
	ioctl(self->gup_fd, PIN_LONGTERM_TEST_STOP);
	close(self->gup_fd);
	close(self->pagemap_fd);
	cg_destroy(self->cg);
}

TEST_F_TIMEOUT(pin_loop, memcg_at_limit, 180)
{
	struct pin_longterm_test args = { .flags = PIN_LONGTERM_TEST_FLAG_USE_WRITE };
	size_t ps = getpagesize(), i;
	long skip0, skip1, lost;
	char *obj, *filler;
	char max[32];

	filler = mmap(NULL, PIN_LOOP_FILLER, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	obj = mmap(NULL, PIN_LOOP_OBJECT, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(filler, MAP_FAILED);
	ASSERT_NE(obj, MAP_FAILED);
	madvise(filler, PIN_LOOP_FILLER, MADV_NOHUGEPAGE);
	madvise(obj, PIN_LOOP_OBJECT, MADV_NOHUGEPAGE);

	/*
	 * The first half of the object is populated first and aged, so it is
	 * the tail of the LRU; the filler comes after it.  The second half is
	 * faulted in by the pin loop itself, right at the memcg limit: the
	 * reclaim that this triggers meets the first half, pinned by then,
	 * before it gets to the filler, which it can always free instead.
	 */
	memset(obj, 1, PIN_LOOP_OBJECT / 2);
	memset(filler, 1, PIN_LOOP_FILLER);
	ASSERT_EQ(age_pages(), 0);
	snprintf(max, sizeof(max), "%ld",
		 cg_read_long(self->cg, "memory.current") + (512L << 10));
	ASSERT_EQ(cg_write(self->cg, "memory.max", max), 0);

	skip0 = pinned_skips();
	args.addr = (uintptr_t)obj;
	args.size = PIN_LOOP_OBJECT;
	/* pin_user_pages() faults in and pins one page after the other. */
	ASSERT_EQ(ioctl(self->gup_fd, PIN_LONGTERM_TEST_START, &args), 0)
		TH_LOG("PIN_LONGTERM_TEST_START: %s", strerror(errno));
	skip1 = pinned_skips();

	lost = 0;
	for (i = 0; i < PIN_LOOP_OBJECT / 2; i += ps)
		if (!(pagemap_get_entry(self->pagemap_fd, obj + i) & PM_PRESENT))
			lost++;
	ksft_print_msg("result arm=%s scenario=pin_loop trigger=memory.max",
		       arm_names[arm]);
	printf(" pinned=%lu first_half_unmapped=%ld pgunmap_pinned_skip=%ld\n",
	       PIN_LOOP_OBJECT / ps, lost, skip0 >= 0 ? skip1 - skip0 : -1);
	fflush(stdout);	/* the harness _exit()s its test children */
	/* base, mayfail: any number; pin-aware: none. */
	if (arm == ARM_PIN_AWARE)
		EXPECT_EQ(lost, 0)
			TH_LOG("reclaim unmapped %ld pages the pin loop had pinned",
			       lost);

	ASSERT_EQ(cg_write(self->cg, "memory.max", "max"), 0);
	ASSERT_EQ(ioctl(self->gup_fd, PIN_LONGTERM_TEST_STOP), 0);
	munmap(obj, PIN_LOOP_OBJECT);
	munmap(filler, PIN_LOOP_FILLER);
}

TEST_HARNESS_MAIN
