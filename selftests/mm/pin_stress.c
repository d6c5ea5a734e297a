// SPDX-License-Identifier: GPL-2.0
/*
 * pin_stress: a seeded, time-bounded stress of long-term pins against
 * everything in mm that moves, copies, splits or reclaims the pages under
 * them (issue 16, "debug-kernel stress").
 *
 * NR_REGIONS regions of REGION_PAGES pages, of four kinds: private anon
 * (4 KiB pages), private anon THP (MADV_HUGEPAGE), shmem (MAP_SHARED
 * anonymous) and a memfd (MADV_HUGEPAGE, shmem_enabled=advise for the run).
 * Every page carries a pattern derived from the seed, its region, its
 * index and its generation (bumped on every rewrite): a page moved,
 * duplicated, zeroed or lost reads as a wrong pattern.  Worker threads
 * (-j) then pick random operations until -t seconds have passed:
 *
 *  rewrite        new generation for some pages (CPU writes, also into
 *                 pinned pages: the pin must see them);
 *  verify         check a region through the CPU and through its pins;
 *  pin_gup        gup_test PIN_LONGTERM_TEST_START (FOLL_PIN|FOLL_LONGTERM,
 *                 FOLL_WRITE; fast GUP or not) of some pages;
 *  pin_uring      io_uring fixed buffers (IORING_REGISTER_BUFFERS);
 *  pin_iommufd    IOMMU_IOAS_MAP into an IOMMUFD_TEST mock domain (where
 *                 /dev/iommu exists: the debug and kvm config variants);
 *  unpin          check through the pin (gup_test PIN_LONGTERM_TEST_READ,
 *                 io_uring WRITE_FIXED to a scratch memfd), then drop it;
 *  fork           lock two regions, fork: the child checks them, writes
 *                 its own pattern into its private copies (COW) and exits;
 *  remap          munmap (pins still held: checked through them after the
 *                 munmap, then dropped) and mmap again (the memfd keeps its
 *                 pages, the others are filled anew);
 *  mremap         move the region to a new address, pins and all;
 *  madv_free, madv_pageout, madv_cold  on some pages;
 *  memcg_reclaim  memory.reclaim of the memcg the process is in;
 *  memcg_move     the process into the other of two memcgs;
 *  swapoff        swapoff and swapon of the guest's swap device;
 *  thp_collapse   MADV_COLLAPSE of a THP region;
 *  thp_split      debugfs split_huge_pages of a region's range;
 *  compact        /proc/sys/vm/compact_memory.
 *
 * Operations that change a region's pages or pins hold that region's
 * lock; madvise(PAGEOUT|COLD|COLLAPSE), the THP split and the global ones
 * do not, so they race with the rest.  A page that MADV_FREE marked lazy
 * may read as zeros (reclaim discarded it) until rewritten, but a pinned
 * page must read through the pin what the CPU reads.  At the end every
 * page is checked through the CPU and every pin through the pin.
 *
 * The seed (printed as seed=N; -s N replays) fixes each worker's sequence
 * of operations and arguments; the interleaving of the workers is the
 * scheduler's, so a replay runs the same operations, not the same race.
 * -C N corrupts N bytes (through the CPU, behind the checker's back) after
 * the workers stop: the run must then fail with N corrupted bytes.
 *
 * TAP (kselftest.h), one line per check, and one record for the report:
 *	AB bench=stress arm=... seed=N seconds=S op_NAME=done ... corrupted_bytes=0
 * Exit: KSFT_PASS, or KSFT_FAIL on any corrupted byte, any unexpected
 * operation error, a failed child or swap not restored.
 *
 * Needs root, CONFIG_GUP_TEST (debugfs), cgroup v2; uses swap, THP,
 * io_uring and iommufd where the kernel has them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/iommufd.h>

#include "local_config.h"
#ifdef LOCAL_CONFIG_HAVE_LIBURING
#include <liburing.h>
#endif /* LOCAL_CONFIG_HAVE_LIBURING */

#include "kselftest.h"
#include "mm/gup_test.h"
#include "drivers/iommu/iommufd/iommufd_test.h"
#include "wb.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

WB_ARM_FROM_ENV(ARM_PIN_AWARE)

#define PAGE		4096UL
#define PMD		(2UL << 20)
#define REGION_PAGES	512			/* one PMD */
#define REGION_LEN	(REGION_PAGES * PAGE)
#define NR_KINDS	4
#define NR_REGIONS	(2 * NR_KINDS)
#define MAX_PIN_PAGES	64
#define NR_GUP_SLOTS	6
#define NR_URING_SLOTS	3
#define NR_IOMMUFD_SLOTS 3
#define NR_SLOTS	(NR_GUP_SLOTS + NR_URING_SLOTS + NR_IOMMUFD_SLOTS)
#define MAX_THREADS	16
#define HIST		16
#define MAX_REPORTS	8
#define DEFAULT_SECONDS	60
#define DEFAULT_THREADS	4
#define CG_NAME		"pin_stress"
#define SPLIT_PATH	"/sys/kernel/debug/split_huge_pages"
#define SHMEM_THP_PATH	"/sys/kernel/mm/transparent_hugepage/shmem_enabled"

enum kind { ANON, ANON_THP, SHMEM, MEMFD };

static const char *const kind_names[NR_KINDS] = {
	[ANON] = "anon", [ANON_THP] = "anon_thp", [SHMEM] = "shmem", [MEMFD] = "memfd",
};

enum op {
	OP_rewrite, OP_verify, OP_pin_gup, OP_pin_uring, OP_pin_iommufd,
	OP_unpin, OP_fork, OP_remap, OP_mremap, OP_madv_free, OP_madv_pageout,
	OP_madv_cold, OP_memcg_reclaim, OP_memcg_move, OP_swapoff,
	OP_thp_collapse, OP_thp_split, OP_compact, NR_OPS
};

/* The names are the report's (scripts/report/stress.py: op_NAME=N). */
static const char *const op_names[NR_OPS] = {
	[OP_rewrite] = "rewrite", [OP_verify] = "verify",
	[OP_pin_gup] = "pin_gup", [OP_pin_uring] = "pin_uring",
	[OP_pin_iommufd] = "pin_iommufd", [OP_unpin] = "unpin",
	[OP_fork] = "fork", [OP_remap] = "remap", [OP_mremap] = "mremap",
	[OP_madv_free] = "madv_free", [OP_madv_pageout] = "madv_pageout",
	[OP_madv_cold] = "madv_cold", [OP_memcg_reclaim] = "memcg_reclaim",
	[OP_memcg_move] = "memcg_move", [OP_swapoff] = "swapoff",
	[OP_thp_collapse] = "thp_collapse", [OP_thp_split] = "thp_split",
	[OP_compact] = "compact",
};

/* How often each is picked, relative to the others. */
static const unsigned int op_weights[NR_OPS] = {
	[OP_rewrite] = 10, [OP_verify] = 3, [OP_pin_gup] = 8,
	[OP_pin_uring] = 4, [OP_pin_iommufd] = 4, [OP_unpin] = 12,
	[OP_fork] = 2, [OP_remap] = 3, [OP_mremap] = 4, [OP_madv_free] = 4,
	[OP_madv_pageout] = 8, [OP_madv_cold] = 4, [OP_memcg_reclaim] = 4,
	[OP_memcg_move] = 3, [OP_swapoff] = 1, [OP_thp_collapse] = 3,
	[OP_thp_split] = 3, [OP_compact] = 1,
};

/*
 * Per operation: done (it ran), declined (the kernel said no in a way it
 * may: -EAGAIN from memory.reclaim, a collapse that could not collapse, a
 * pin that found no memory), unavailable (the kernel or the guest lacks
 * it: no /dev/iommu, no swap), errors (anything else: fails the run).
 */
struct op_count {
	unsigned long done, declined, unavailable, errors;
};

enum pin_type { PIN_GUP, PIN_URING, PIN_IOMMUFD };

struct slot {
	enum pin_type type;
	bool ready;		/* its fd, ring or IOAS was set up */
	bool used;		/* holds a pin of region, start, npages */
	int region;
	size_t start, npages;
	uintptr_t va;		/* the address pinned (io_uring's buffer) */
	int fd;			/* gup_test or /dev/iommu */
	uint32_t ioas;
	uint64_t iova;
#ifdef LOCAL_CONFIG_HAVE_LIBURING
	struct io_uring ring;
	int scratch;		/* memfd that WRITE_FIXED copies the pin into */
#endif
};

struct hist_entry {
	uint8_t op, thread;
	uint32_t ms;
	uint32_t start, npages;
};

struct region {
	pthread_mutex_t lock;
	int idx;
	enum kind kind;
	char *addr;		/* read without the lock by the racing ops */
	int memfd;
	uint32_t gen[REGION_PAGES];
	uint8_t lazy[REGION_PAGES];	/* MADV_FREE'd since the last write */
	unsigned int epoch;		/* mappings made */
	int npins;			/* slots with a pin of it */
	struct hist_entry hist[HIST];
	unsigned int nhist;
};

/* What the forked children found, in a page shared with them. */
struct child_report {
	unsigned long corrupted, pages;
};

struct worker {
	pthread_t tid;
	int idx;
	uint64_t rng;
	struct op_count ops[NR_OPS];
	unsigned long corrupted_cpu, corrupted_pin, pages_cpu, pages_pin;
	unsigned long child_failed;
};

static struct region regions[NR_REGIONS];
static struct slot slots[NR_SLOTS];
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t swap_lock = PTHREAD_MUTEX_INITIALIZER;
static struct worker workers[MAX_THREADS];
static struct child_report *child_report;
static uint64_t seed;
static int nthreads = DEFAULT_THREADS;
static long seconds = DEFAULT_SECONDS;
static long inject;
static struct timespec t_start;
static int stop;		/* __atomic: set when a region is lost */
static char swapdev[256];
static bool have_swap, have_split, have_compact, have_uring, have_iommufd;
static char cgs[2][PATH_MAX];
static int cg_cur;		/* index into cgs, moved under cg_lock */
static pthread_mutex_t cg_lock = PTHREAD_MUTEX_INITIALIZER;
static char shmem_thp_saved[64];
static unsigned long reports;
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

static uint32_t elapsed_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t_start.tv_sec) * 1000 +
	       (t.tv_nsec - t_start.tv_nsec) / 1000000;
}

/* ---- the pattern: seed, region, page, generation ---- */

static uint64_t page_key(int r, size_t i, uint32_t gen)
{
	return wb_mix64(seed ^ ((uint64_t)r << 56) ^ ((uint64_t)i << 32) ^ gen);
}

static void fill_page(char *p, uint64_t key)
{
	uint64_t *w = (uint64_t *)p;
	size_t j;

	for (j = 0; j < PAGE / 8; j++)
		w[j] = key ^ (j * 0x9e3779b97f4a7c15ULL);
}

static bool page_is_zero(const char *p)
{
	const uint64_t *w = (const uint64_t *)p;
	size_t j;

	for (j = 0; j < PAGE / 8; j++)
		if (w[j])
			return false;
	return true;
}

/* Bytes of @p that differ from the pattern @key (0: intact). */
static unsigned long page_bad_bytes(const char *p, uint64_t key)
{
	const uint64_t *w = (const uint64_t *)p;
	unsigned long bad = 0;
	size_t j, b;

	for (j = 0; j < PAGE / 8; j++) {
		uint64_t x = w[j] ^ key ^ (j * 0x9e3779b97f4a7c15ULL);

		for (b = 0; x && b < 8; b++, x >>= 8)
			bad += !!(x & 0xff);
	}
	return bad;
}

static unsigned long bytes_differ(const char *a, const char *b)
{
	unsigned long bad = 0;
	size_t j;

	for (j = 0; j < PAGE; j++)
		bad += a[j] != b[j];
	return bad;
}

/*
 * A page read through the CPU (@cpu; NULL once unmapped) and, if pinned,
 * through its pin (@pin; NULL if not): the corrupted bytes of each.  A lazy
 * page may be all zeros through the CPU; through a pin it must then read
 * what the CPU reads.
 */
static void check_page(const char *cpu, const char *pin, uint64_t key, bool lazy,
		       unsigned long *bad_cpu, unsigned long *bad_pin)
{
	bool cpu_zero = false;

	*bad_cpu = *bad_pin = 0;
	if (cpu) {
		*bad_cpu = page_bad_bytes(cpu, key);
		if (*bad_cpu && lazy && page_is_zero(cpu)) {
			*bad_cpu = 0;
			cpu_zero = true;
		}
	}
	if (!pin)
		return;
	if (cpu_zero)
		*bad_pin = bytes_differ(pin, cpu);
	else if (lazy && !cpu && page_is_zero(pin))
		*bad_pin = 0;
	else
		*bad_pin = page_bad_bytes(pin, key);
}

/* ---- reports ---- */

static void record(struct region *rg, enum op op, int thread, size_t start,
		   size_t npages)
{
	struct hist_entry *h = &rg->hist[rg->nhist++ % HIST];

	h->op = op;
	h->thread = thread;
	h->ms = elapsed_ms();
	h->start = start;
	h->npages = npages;
}

/*
 * The first MAX_REPORTS corruptions, with the first bad word of the page
 * and the region's last operations.
 */
static void report_bad(struct region *rg, const char *view, size_t page,
		       unsigned long bad, const char *p)
{
	uint64_t key = page_key(rg->idx, page, rg->gen[page]), want = key;
	const uint64_t *w = (const uint64_t *)p;
	unsigned int i, n;
	size_t j;

	pthread_mutex_lock(&report_lock);
	if (reports++ >= MAX_REPORTS) {
		pthread_mutex_unlock(&report_lock);
		return;
	}
	for (j = 0; j < PAGE / 8; j++) {
		want = key ^ (j * 0x9e3779b97f4a7c15ULL);
		if (w[j] != want)
			break;
	}
	ksft_print_msg("CORRUPT region=%d kind=%s view=%s page=%zu bytes=%lu gen=%u lazy=%d npins=%d offset=%zu got=0x%016llx expected=0x%016llx at %u ms\n",
		       rg->idx, kind_names[rg->kind], view, page, bad, rg->gen[page],
		       rg->lazy[page], rg->npins, j * 8,
		       j < PAGE / 8 ? (unsigned long long)w[j] : 0ULL,
		       (unsigned long long)want, elapsed_ms());
	n = rg->nhist < HIST ? rg->nhist : HIST;
	for (i = rg->nhist - n; i < rg->nhist; i++) {
		struct hist_entry *h = &rg->hist[i % HIST];

		ksft_print_msg("  region %d history: %u ms thread %u %s pages %u+%u\n",
			       rg->idx, h->ms, h->thread, op_names[h->op], h->start,
			       h->npages);
	}
	pthread_mutex_unlock(&report_lock);
}

/* ---- mappings ---- */

/* Reserve @len of address space aligned to PMD (PROT_NONE), or NULL. */
static char *reserve(size_t len)
{
	char *p = mmap(NULL, len + PMD, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)p + PMD - 1) & ~(PMD - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	munmap((char *)a + len, (uintptr_t)p + PMD - a);
	return (char *)a;
}

/* Map region @rg at a fresh address: 0 or -errno. */
static int map_region(struct region *rg)
{
	int prot = PROT_READ | PROT_WRITE, flags = MAP_FIXED;
	char *at = reserve(REGION_LEN), *p;
	int fd = -1;

	if (!at)
		return -ENOMEM;
	switch (rg->kind) {
	case ANON:
	case ANON_THP:
		flags |= MAP_PRIVATE | MAP_ANONYMOUS;
		break;
	case SHMEM:
		flags |= MAP_SHARED | MAP_ANONYMOUS;
		break;
	case MEMFD:
		flags |= MAP_SHARED;
		fd = rg->memfd;
		break;
	}
	p = mmap(at, REGION_LEN, prot, flags, fd, 0);
	if (p == MAP_FAILED) {
		int ret = -errno;

		munmap(at, REGION_LEN);
		return ret;
	}
	madvise(p, REGION_LEN, rg->kind == ANON_THP || rg->kind == MEMFD ?
		MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	__atomic_store_n(&rg->addr, p, __ATOMIC_RELEASE);
	rg->epoch++;
	return 0;
}

/* New generation for pages [start, start + n) of @rg, written by the CPU. */
static void rewrite(struct region *rg, size_t start, size_t n)
{
	size_t i;

	for (i = start; i < start + n; i++) {
		rg->gen[i]++;
		rg->lazy[i] = 0;
		fill_page(rg->addr + i * PAGE, page_key(rg->idx, i, rg->gen[i]));
	}
}

/* CPU check of every page of @rg (locked): corrupted bytes. */
static unsigned long verify_cpu(struct worker *w, struct region *rg)
{
	unsigned long bad, none, sum = 0;
	size_t i;

	for (i = 0; i < REGION_PAGES; i++) {
		const char *p = rg->addr + i * PAGE;

		check_page(p, NULL, page_key(rg->idx, i, rg->gen[i]), rg->lazy[i],
			   &bad, &none);
		if (bad)
			report_bad(rg, "cpu", i, bad, p);
		sum += bad;
	}
	w->pages_cpu += REGION_PAGES;
	w->corrupted_cpu += sum;
	return sum;
}

/* ---- pins ---- */

/* The pages of slot @s read through its pin into @buf: 0, -ENOTSUP, -errno. */
static int read_through_pin(struct slot *s, char *buf)
{
	switch (s->type) {
	case PIN_GUP:
		return wb_gup_read(s->fd, buf);
	case PIN_URING: {
#ifdef LOCAL_CONFIG_HAVE_LIBURING
		size_t len = s->npages * PAGE;
		struct io_uring_cqe *cqe;
		struct io_uring_sqe *sqe;
		int ret;

		sqe = io_uring_get_sqe(&s->ring);
		if (!sqe)
			return -EBUSY;
		io_uring_prep_write_fixed(sqe, s->scratch, (void *)s->va, len, 0, 0);
		ret = io_uring_submit(&s->ring);
		if (ret < 0)
			return ret;
		ret = io_uring_wait_cqe(&s->ring, &cqe);
		if (ret)
			return ret;
		ret = cqe->res;
		io_uring_cqe_seen(&s->ring, cqe);
		if (ret < 0)
			return ret;
		if ((size_t)ret != len)
			return -EIO;
		if (pread(s->scratch, buf, len, 0) != (ssize_t)len)
			return -EIO;
		return 0;
#else
		return -ENOTSUP;
#endif
	}
	case PIN_IOMMUFD:
		return -ENOTSUP;	/* no CPU access to the mock domain here */
	}
	return -EINVAL;
}

/*
 * Check slot @s (a pin of @rg, locked) through the pin and, while mapped,
 * against the CPU's view.  Corrupted bytes through the pin, or -errno if
 * it could not be read.
 */
static long verify_pin(struct worker *w, struct region *rg, struct slot *s,
		       bool mapped)
{
	unsigned long bad_cpu, bad_pin, sum = 0;
	char *buf;
	size_t j;
	int ret;

	buf = malloc(s->npages * PAGE);
	if (!buf)
		return -ENOMEM;
	ret = read_through_pin(s, buf);
	if (ret) {
		free(buf);
		return ret == -ENOTSUP ? 0 : ret;
	}
	for (j = 0; j < s->npages; j++) {
		size_t i = s->start + j;

		check_page(mapped ? rg->addr + i * PAGE : NULL, buf + j * PAGE,
			   page_key(rg->idx, i, rg->gen[i]), rg->lazy[i],
			   &bad_cpu, &bad_pin);
		if (bad_pin)
			report_bad(rg, s->type == PIN_GUP ? "gup_test" : "io_uring",
				   i, bad_pin, buf + j * PAGE);
		sum += bad_pin;
	}
	free(buf);
	w->pages_pin += s->npages;
	w->corrupted_pin += sum;
	return sum;
}

/* Pin pages [start, start + n) of @rg (locked) through slot @s. */
static int pin(struct slot *s, struct region *rg, size_t start, size_t n,
	       bool fast)
{
	char *va = rg->addr + start * PAGE;

	switch (s->type) {
	case PIN_GUP: {
		struct pin_longterm_test args = {
			.addr = (uintptr_t)va, .size = n * PAGE,
			.flags = PIN_LONGTERM_TEST_FLAG_USE_WRITE |
				 (fast ? PIN_LONGTERM_TEST_FLAG_USE_FAST : 0),
		};

		if (ioctl(s->fd, PIN_LONGTERM_TEST_START, &args))
			return -errno;
		break;
	}
	case PIN_URING: {
#ifdef LOCAL_CONFIG_HAVE_LIBURING
		struct iovec iov = { .iov_base = va, .iov_len = n * PAGE };
		int ret = io_uring_register_buffers(&s->ring, &iov, 1);

		if (ret)
			return ret;
		break;
#else
		return -ENOTSUP;
#endif
	}
	case PIN_IOMMUFD: {
		struct iommu_ioas_map map = {
			.size = sizeof(map),
			.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
			.ioas_id = s->ioas,
			.user_va = (uintptr_t)va, .length = n * PAGE,
		};

		if (ioctl(s->fd, IOMMU_IOAS_MAP, &map))
			return -errno;
		s->iova = map.iova;
		break;
	}
	}
	s->va = (uintptr_t)va;
	s->start = start;
	s->npages = n;
	return 0;
}

static int unpin(struct slot *s)
{
	switch (s->type) {
	case PIN_GUP:
		return wb_gup_unpin(s->fd);
	case PIN_URING:
#ifdef LOCAL_CONFIG_HAVE_LIBURING
		return io_uring_unregister_buffers(&s->ring);
#else
		return -ENOTSUP;
#endif
	case PIN_IOMMUFD: {
		struct iommu_ioas_unmap unmap = {
			.size = sizeof(unmap), .ioas_id = s->ioas,
			.iova = s->iova, .length = s->npages * PAGE,
		};

		return ioctl(s->fd, IOMMU_IOAS_UNMAP, &unmap) ? -errno : 0;
	}
	}
	return -EINVAL;
}

/* A free slot of @type, claimed for @rg (locked by the caller), or NULL. */
static struct slot *claim_slot(enum pin_type type, struct region *rg, uint64_t *rng)
{
	struct slot *s = NULL;
	int i, k, off = wb_rand_below(rng, NR_SLOTS);

	pthread_mutex_lock(&slots_lock);
	for (k = 0; k < NR_SLOTS; k++) {
		i = (off + k) % NR_SLOTS;
		if (slots[i].type == type && slots[i].ready && !slots[i].used) {
			s = &slots[i];
			s->used = true;
			s->region = rg->idx;
			break;
		}
	}
	pthread_mutex_unlock(&slots_lock);
	return s;
}

static void release_slot(struct slot *s)
{
	pthread_mutex_lock(&slots_lock);
	s->used = false;
	s->region = -1;
	pthread_mutex_unlock(&slots_lock);
}

/* Slots holding a pin of @rg (locked) into @out: how many. */
static int pins_of(struct region *rg, struct slot **out)
{
	int i, n = 0;

	pthread_mutex_lock(&slots_lock);
	for (i = 0; i < NR_SLOTS; i++)
		if (slots[i].used && slots[i].region == rg->idx && slots[i].npages)
			out[n++] = &slots[i];
	pthread_mutex_unlock(&slots_lock);
	return n;
}

/* ---- the operations ---- */

static bool declinable(int err)
{
	return err == -ENOMEM || err == -EAGAIN || err == -EINTR || err == -EBUSY;
}

/* Pick pages [*start, *start + *n) of a region, at most @max. */
static void pick_range(uint64_t *rng, size_t max, size_t *start, size_t *n)
{
	*n = 1 + wb_rand_below(rng, max);
	*start = wb_rand_below(rng, REGION_PAGES - *n + 1);
}

static struct region *pick_region(uint64_t *rng)
{
	return &regions[wb_rand_below(rng, NR_REGIONS)];
}

static void op_pin(struct worker *w, struct op_count *c, enum pin_type type)
{
	struct region *rg = pick_region(&w->rng);
	size_t start, n;
	struct slot *s;
	bool fast;
	int ret;

	pick_range(&w->rng, MAX_PIN_PAGES, &start, &n);
	fast = wb_rand_below(&w->rng, 2);
	pthread_mutex_lock(&rg->lock);
	s = claim_slot(type, rg, &w->rng);
	if (!s) {
		c->declined++;		/* every slot of the type holds a pin */
		goto out;
	}
	s->npages = 0;
	ret = pin(s, rg, start, n, fast);
	if (ret) {
		release_slot(s);
		if (declinable(ret)) {
			c->declined++;
		} else {
			c->errors++;
			ksft_print_msg("%s of region %d pages %zu+%zu: %s\n",
				       op_names[OP_pin_gup + type], rg->idx, start, n,
				       strerror(-ret));
		}
		goto out;
	}
	rg->npins++;
	record(rg, OP_pin_gup + type, w->idx, start, n);
	c->done++;
out:
	pthread_mutex_unlock(&rg->lock);
}

/* Check through @s, drop the pin and release the slot (@rg locked). */
static int drop_pin(struct worker *w, struct region *rg, struct slot *s, bool mapped)
{
	long bad = verify_pin(w, rg, s, mapped);
	int ret = unpin(s);

	if (bad < 0)
		ksft_print_msg("reading region %d pages %zu+%zu through its pin: %s\n",
			       rg->idx, s->start, s->npages, strerror(-bad));
	if (ret)
		ksft_print_msg("unpin of region %d pages %zu+%zu: %s\n",
			       rg->idx, s->start, s->npages, strerror(-ret));
	s->npages = 0;
	release_slot(s);
	rg->npins--;
	return bad < 0 ? bad : ret;
}

static void op_unpin(struct worker *w, struct op_count *c)
{
	struct slot *mine[NR_SLOTS];
	struct region *rg = NULL;
	int k, n, off = wb_rand_below(&w->rng, NR_REGIONS);
	size_t pick = wb_rand(&w->rng);

	for (k = 0; k < NR_REGIONS; k++) {
		rg = &regions[(off + k) % NR_REGIONS];
		if (__atomic_load_n(&rg->npins, __ATOMIC_RELAXED))
			break;
	}
	pthread_mutex_lock(&rg->lock);
	n = pins_of(rg, mine);
	if (!n) {
		c->declined++;		/* no pins (any more) */
	} else {
		struct slot *s = mine[pick % n];

		record(rg, OP_unpin, w->idx, s->start, s->npages);
		if (drop_pin(w, rg, s, true))
			c->errors++;
		else
			c->done++;
	}
	pthread_mutex_unlock(&rg->lock);
}

static void op_rewrite(struct worker *w, struct op_count *c)
{
	struct region *rg = pick_region(&w->rng);
	size_t start, n;

	pick_range(&w->rng, REGION_PAGES / 4, &start, &n);
	pthread_mutex_lock(&rg->lock);
	rewrite(rg, start, n);
	record(rg, OP_rewrite, w->idx, start, n);
	pthread_mutex_unlock(&rg->lock);
	c->done++;
}

static void op_verify(struct worker *w, struct op_count *c)
{
	struct region *rg = pick_region(&w->rng);
	struct slot *mine[NR_SLOTS];
	int i, n;

	pthread_mutex_lock(&rg->lock);
	record(rg, OP_verify, w->idx, 0, REGION_PAGES);
	verify_cpu(w, rg);
	n = pins_of(rg, mine);
	for (i = 0; i < n; i++)
		if (verify_pin(w, rg, mine[i], true) < 0)
			c->errors++;
	pthread_mutex_unlock(&rg->lock);
	c->done++;
}

/*
 * The child of op_fork: check the regions its parent holds locked (their
 * pages cannot change under it), write its own pattern into its private
 * copies, exit.  No stdio, no locks: another thread of the parent may have
 * held them at fork().
 */
static __noreturn void fork_child(struct region **rgs, int n)
{
	unsigned long bad, none, sum = 0, pages = 0;
	int k;
	size_t i;

	for (k = 0; k < n; k++) {
		struct region *rg = rgs[k];

		for (i = 0; i < REGION_PAGES; i++) {
			check_page(rg->addr + i * PAGE, NULL,
				   page_key(rg->idx, i, rg->gen[i]), rg->lazy[i],
				   &bad, &none);
			sum += bad;
			pages++;
		}
		if (rg->kind == ANON || rg->kind == ANON_THP)
			for (i = 0; i < REGION_PAGES; i += 3)
				fill_page(rg->addr + i * PAGE,
					  ~page_key(rg->idx, i, rg->gen[i]));
	}
	__atomic_fetch_add(&child_report->corrupted, sum, __ATOMIC_RELAXED);
	__atomic_fetch_add(&child_report->pages, pages, __ATOMIC_RELAXED);
	_exit(sum ? 1 : 0);
}

static void op_fork(struct worker *w, struct op_count *c)
{
	int a = wb_rand_below(&w->rng, NR_REGIONS);
	int b = (a + 1 + wb_rand_below(&w->rng, NR_REGIONS - 1)) % NR_REGIONS;
	struct region *rgs[2] = { &regions[a < b ? a : b], &regions[a < b ? b : a] };
	int status;
	pid_t pid;

	pthread_mutex_lock(&rgs[0]->lock);
	pthread_mutex_lock(&rgs[1]->lock);
	pid = fork();
	if (pid == 0)
		fork_child(rgs, 2);
	if (pid < 0) {
		if (declinable(-errno))
			c->declined++;
		else
			c->errors++;
	} else if (waitpid(pid, &status, 0) != pid ||
		   !WIFEXITED(status) || WEXITSTATUS(status) > 1) {
		ksft_print_msg("fork child of regions %d and %d: status 0x%x\n",
			       rgs[0]->idx, rgs[1]->idx, status);
		w->child_failed++;
		c->errors++;
	} else {
		if (WEXITSTATUS(status)) {
			ksft_print_msg("fork child found corrupted bytes in region %d or %d\n",
				       rgs[0]->idx, rgs[1]->idx);
			w->child_failed++;
		}
		record(rgs[0], OP_fork, w->idx, 0, REGION_PAGES);
		record(rgs[1], OP_fork, w->idx, 0, REGION_PAGES);
		c->done++;
	}
	pthread_mutex_unlock(&rgs[1]->lock);
	pthread_mutex_unlock(&rgs[0]->lock);
}

static void op_remap(struct worker *w, struct op_count *c)
{
	struct region *rg = pick_region(&w->rng);
	struct slot *mine[NR_SLOTS];
	int i, n, ret;

	pthread_mutex_lock(&rg->lock);
	record(rg, OP_remap, w->idx, 0, REGION_PAGES);
	if (munmap(rg->addr, REGION_LEN)) {
		c->errors++;
		goto out;
	}
	/* The pins keep the pages: read them through the pins, then drop. */
	n = pins_of(rg, mine);
	for (i = 0; i < n; i++)
		if (drop_pin(w, rg, mine[i], false))
			c->errors++;
	for (i = 0; i < 10 && (ret = map_region(rg)); i++)
		usleep(10000);
	if (ret)	/* the region is gone: nothing left to check it with */
		ksft_exit_fail_msg("mmap of region %d: %s\n", rg->idx, strerror(-ret));
	if (rg->kind == MEMFD)
		verify_cpu(w, rg);	/* the file kept its pages */
	else
		rewrite(rg, 0, REGION_PAGES);
	c->done++;
out:
	pthread_mutex_unlock(&rg->lock);
}

static void op_mremap(struct worker *w, struct op_count *c)
{
	struct region *rg = pick_region(&w->rng);
	char *to, *p;

	pthread_mutex_lock(&rg->lock);
	to = reserve(REGION_LEN);
	if (!to) {
		c->declined++;
		goto out;
	}
	p = mremap(rg->addr, REGION_LEN, REGION_LEN, MREMAP_MAYMOVE | MREMAP_FIXED, to);
	if (p == MAP_FAILED) {
		ksft_print_msg("mremap of region %d: %s\n", rg->idx, strerror(errno));
		munmap(to, REGION_LEN);
		c->errors++;
		goto out;
	}
	__atomic_store_n(&rg->addr, p, __ATOMIC_RELEASE);
	record(rg, OP_mremap, w->idx, 0, REGION_PAGES);
	c->done++;
out:
	pthread_mutex_unlock(&rg->lock);
}

/* A region of kind @a or @b (regions[r].kind is r % NR_KINDS). */
static struct region *pick_kind(uint64_t *rng, enum kind a, enum kind b)
{
	int r = NR_KINDS * wb_rand_below(rng, NR_REGIONS / NR_KINDS);

	return &regions[r + (wb_rand_below(rng, 2) ? a : b)];
}

static void op_madv_free(struct worker *w, struct op_count *c)
{
	/* MADV_FREE is for private anon only. */
	struct region *rg = pick_kind(&w->rng, ANON, ANON_THP);
	size_t start, n, i;

	pick_range(&w->rng, REGION_PAGES / 2, &start, &n);
	pthread_mutex_lock(&rg->lock);
	if (madvise(rg->addr + start * PAGE, n * PAGE, MADV_FREE)) {
		ksft_print_msg("MADV_FREE of region %d: %s\n", rg->idx, strerror(errno));
		c->errors++;
	} else {
		for (i = start; i < start + n; i++)
			rg->lazy[i] = 1;
		record(rg, OP_madv_free, w->idx, start, n);
		c->done++;
	}
	pthread_mutex_unlock(&rg->lock);
}

/* madvise() without the region's lock: it races with everything else. */
static void op_madvise_racy(struct worker *w, struct op_count *c, int advice)
{
	struct region *rg;
	char *addr;
	size_t start, n;

	if (advice == MADV_COLLAPSE) {
		rg = pick_kind(&w->rng, ANON_THP, MEMFD);
		start = 0;
		n = REGION_PAGES;
	} else {
		rg = pick_region(&w->rng);
		pick_range(&w->rng, REGION_PAGES, &start, &n);
	}
	addr = __atomic_load_n(&rg->addr, __ATOMIC_ACQUIRE);
	if (!madvise(addr + start * PAGE, n * PAGE, advice))
		c->done++;
	else if (errno == ENOMEM || errno == EAGAIN || errno == EINVAL ||
		 errno == EBUSY)
		c->declined++;	/* moved away meanwhile, or nothing to collapse */
	else
		c->errors++;
}

static void op_memcg_reclaim(struct worker *w, struct op_count *c)
{
	unsigned long long bytes = (1 + wb_rand_below(&w->rng, 8)) << 20;
	int cur, ret;

	if (!cgs[0][0]) {
		c->unavailable++;
		return;
	}
	cur = __atomic_load_n(&cg_cur, __ATOMIC_RELAXED);
	ret = wb_memcg_reclaim(cgs[cur], bytes);
	if (!ret)
		c->done++;
	else if (ret == -EAGAIN || ret == -EINTR)
		c->declined++;
	else
		c->errors++;
}

static void op_memcg_move(struct worker *w, struct op_count *c)
{
	int ret;

	if (!cgs[0][0]) {
		c->unavailable++;
		return;
	}
	pthread_mutex_lock(&cg_lock);
	ret = wb_memcg_enter(cgs[!cg_cur]);
	if (!ret)
		__atomic_store_n(&cg_cur, !cg_cur, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&cg_lock);
	if (ret) {
		ksft_print_msg("moving into %s: %s\n", cgs[!cg_cur], strerror(-ret));
		c->errors++;
	} else {
		c->done++;
	}
}

/* swapon of the device, retried briefly: 0 or -errno. */
static int swap_on(void)
{
	int i, ret = 0;

	for (i = 0; i < 50; i++) {
		if (!swapon(swapdev, 0))
			return 0;
		ret = -errno;
		if (ret != -EBUSY && ret != -EINTR)
			break;
		usleep(100000);
	}
	return ret;
}

static void op_swapoff(struct worker *w, struct op_count *c)
{
	int ret;

	if (!have_swap) {
		c->unavailable++;
		return;
	}
	if (pthread_mutex_trylock(&swap_lock)) {
		c->declined++;
		return;
	}
	if (swapoff(swapdev)) {
		ret = -errno;
		if (ret == -ENOMEM || ret == -EINTR) {
			c->declined++;
		} else {
			ksft_print_msg("swapoff %s: %s\n", swapdev, strerror(-ret));
			c->errors++;
		}
		goto out;
	}
	ret = swap_on();
	if (ret) {
		ksft_print_msg("swapon %s after swapoff: %s\n", swapdev, strerror(-ret));
		c->errors++;
		goto out;
	}
	c->done++;
out:
	pthread_mutex_unlock(&swap_lock);
	(void)w;
}

static void op_thp_split(struct worker *w, struct op_count *c)
{
	struct region *rg = pick_region(&w->rng);
	char *addr = __atomic_load_n(&rg->addr, __ATOMIC_ACQUIRE);
	char cmd[128];
	int ret;

	if (!have_split) {
		c->unavailable++;
		return;
	}
	snprintf(cmd, sizeof(cmd), "%d,0x%lx,0x%lx", getpid(), (unsigned long)addr,
		 (unsigned long)addr + REGION_LEN);
	ret = wb_write_text(SPLIT_PATH, cmd);
	if (!ret)
		c->done++;
	else if (ret == -EINVAL || ret == -ENOMEM || ret == -EBUSY || ret == -EAGAIN)
		c->declined++;
	else
		c->errors++;
}

static void op_compact(struct worker *w, struct op_count *c)
{
	(void)w;
	if (!have_compact)
		c->unavailable++;
	else if (wb_write_text("/proc/sys/vm/compact_memory", "1"))
		c->errors++;
	else
		c->done++;
}

static void run_op(struct worker *w, enum op op)
{
	struct op_count *c = &w->ops[op];

	switch (op) {
	case OP_rewrite:
		op_rewrite(w, c);
		break;
	case OP_verify:
		op_verify(w, c);
		break;
	case OP_pin_gup:
		op_pin(w, c, PIN_GUP);
		break;
	case OP_pin_uring:
		if (have_uring)
			op_pin(w, c, PIN_URING);
		else
			c->unavailable++;
		break;
	case OP_pin_iommufd:
		if (have_iommufd)
			op_pin(w, c, PIN_IOMMUFD);
		else
			c->unavailable++;
		break;
	case OP_unpin:
		op_unpin(w, c);
		break;
	case OP_fork:
		op_fork(w, c);
		break;
	case OP_remap:
		op_remap(w, c);
		break;
	case OP_mremap:
		op_mremap(w, c);
		break;
	case OP_madv_free:
		op_madv_free(w, c);
		break;
	case OP_madv_pageout:
		op_madvise_racy(w, c, MADV_PAGEOUT);
		break;
	case OP_madv_cold:
		op_madvise_racy(w, c, MADV_COLD);
		break;
	case OP_memcg_reclaim:
		op_memcg_reclaim(w, c);
		break;
	case OP_memcg_move:
		op_memcg_move(w, c);
		break;
	case OP_swapoff:
		op_swapoff(w, c);
		break;
	case OP_thp_collapse:
		op_madvise_racy(w, c, MADV_COLLAPSE);
		break;
	case OP_thp_split:
		op_thp_split(w, c);
		break;
	case OP_compact:
		op_compact(w, c);
		break;
	case NR_OPS:
		break;
	}
}

static enum op pick_op(uint64_t *rng)
{
	unsigned int total = 0, x, i;

	for (i = 0; i < NR_OPS; i++)
		total += op_weights[i];
	x = wb_rand_below(rng, total);
	for (i = 0; i < NR_OPS; i++) {
		if (x < op_weights[i])
			return i;
		x -= op_weights[i];
	}
	return OP_rewrite;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint32_t end = seconds * 1000;

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED) && elapsed_ms() < end)
		run_op(w, pick_op(&w->rng));
	return NULL;
}

/* ---- setup and teardown ---- */

static void setup_slots(void)
{
	int i;

	for (i = 0; i < NR_SLOTS; i++) {
		struct slot *s = &slots[i];

		s->region = -1;
		s->fd = -1;
		if (i < NR_GUP_SLOTS) {
			s->type = PIN_GUP;
			s->fd = wb_gup_open();
			s->ready = s->fd >= 0;
		} else if (i < NR_GUP_SLOTS + NR_URING_SLOTS) {
			s->type = PIN_URING;
#ifdef LOCAL_CONFIG_HAVE_LIBURING
			s->scratch = memfd_create("pin_stress_scratch", 0);
			s->ready = s->scratch >= 0 &&
				   !ftruncate(s->scratch, MAX_PIN_PAGES * PAGE) &&
				   !io_uring_queue_init(4, &s->ring, 0);
			have_uring |= s->ready;
#endif
		} else {
			struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
			struct iommu_test_cmd mock = {
				.size = sizeof(mock), .op = IOMMU_TEST_OP_MOCK_DOMAIN,
			};

			s->type = PIN_IOMMUFD;
			s->fd = open("/dev/iommu", O_RDWR);
			if (s->fd < 0 || ioctl(s->fd, IOMMU_IOAS_ALLOC, &alloc))
				continue;
			s->ioas = alloc.out_ioas_id;
			mock.id = s->ioas;
			/* A mock device with its own domain: maps pin at once. */
			s->ready = !ioctl(s->fd, IOMMU_TEST_CMD, &mock);
			have_iommufd |= s->ready;
		}
	}
}

static int setup_regions(void)
{
	int r, ret;

	for (r = 0; r < NR_REGIONS; r++) {
		struct region *rg = &regions[r];

		pthread_mutex_init(&rg->lock, NULL);
		rg->idx = r;
		rg->kind = r % NR_KINDS;
		rg->memfd = -1;
		if (rg->kind == MEMFD) {
			rg->memfd = memfd_create("pin_stress", 0);
			if (rg->memfd < 0 || ftruncate(rg->memfd, REGION_LEN))
				return -errno;
		}
		ret = map_region(rg);
		if (ret)
			return ret;
		rewrite(rg, 0, REGION_PAGES);
	}
	return 0;
}

static void setup_system(void)
{
	char buf[128], *sel, *end;

	have_swap = !wb_swap_device(swapdev, sizeof(swapdev));
	have_split = !access(SPLIT_PATH, W_OK);
	have_compact = !access("/proc/sys/vm/compact_memory", W_OK);
	/* shmem THP where asked (MADV_HUGEPAGE), for the memfd regions. */
	if (!wb_read_text(SHMEM_THP_PATH, buf, sizeof(buf))) {
		sel = strchr(buf, '[');
		end = sel ? strchr(sel, ']') : NULL;
		if (end && end - sel - 1 < (long)sizeof(shmem_thp_saved)) {
			memcpy(shmem_thp_saved, sel + 1, end - sel - 1);
			shmem_thp_saved[end - sel - 1] = '\0';
			wb_write_text(SHMEM_THP_PATH, "advise");
		}
	}
	if (wb_have_cgroup2() &&
	    (wb_memcg_create(cgs[0], sizeof(cgs[0]), CG_NAME ".a") ||
	     wb_memcg_create(cgs[1], sizeof(cgs[1]), CG_NAME ".b") ||
	     wb_memcg_enter(cgs[0]))) {
		wb_memcg_remove(cgs[0]);
		wb_memcg_remove(cgs[1]);
		cgs[0][0] = '\0';
		cgs[1][0] = '\0';
	}
}

static void teardown_system(void)
{
	if (shmem_thp_saved[0])
		wb_write_text(SHMEM_THP_PATH, shmem_thp_saved);
	wb_memcg_remove(cgs[0]);
	wb_memcg_remove(cgs[1]);
}

/* ---- the checker's own test, and -C ---- */

/* The checker must count exactly the bytes changed, and only those. */
static bool checker_selftest(void)
{
	char *p = malloc(3 * PAGE), zero[PAGE] = { 0 };
	unsigned long bc, bp;
	uint64_t k = page_key(0, 1, 7);
	bool ok = true;

	if (!p)
		return false;
	fill_page(p, k);
	check_page(p, NULL, k, false, &bc, &bp);
	ok &= bc == 0 && bp == 0;
	check_page(p, NULL, page_key(0, 1, 8), false, &bc, &bp);	/* old gen */
	ok &= bc > PAGE / 2;
	check_page(p, NULL, page_key(0, 2, 7), false, &bc, &bp);	/* wrong page */
	ok &= bc > PAGE / 2;
	memcpy(p + PAGE, p, PAGE);
	p[PAGE + 5] ^= 0x01;
	p[PAGE + 4000] ^= 0x80;
	p[PAGE + 4095] ^= 0xff;
	check_page(p + PAGE, NULL, k, false, &bc, &bp);
	ok &= bc == 3;
	check_page(p, p + PAGE, k, false, &bc, &bp);		/* pin view bad */
	ok &= bc == 0 && bp == 3;
	check_page(zero, NULL, k, false, &bc, &bp);		/* zeroed */
	ok &= bc > PAGE / 2;
	check_page(zero, NULL, k, true, &bc, &bp);		/* lazy: may be 0 */
	ok &= bc == 0;
	check_page(zero, p, k, true, &bc, &bp);	/* discarded under a pin */
	ok &= bc == 0 && bp > PAGE / 2;
	check_page(NULL, zero, k, true, &bc, &bp);	/* unmapped, lazy pin */
	ok &= bp == 0;
	check_page(NULL, zero, k, false, &bc, &bp);
	ok &= bp > PAGE / 2;
	free(p);
	return ok;
}

/* -C N: change N bytes behind the checker's back, one per page. */
static void inject_corruption(long n)
{
	uint64_t rng = seed ^ 0xc0ffee;
	long k;

	for (k = 0; k < n; k++) {
		struct region *rg = &regions[k % NR_REGIONS];
		size_t i = (k / NR_REGIONS) % REGION_PAGES;
		size_t off = wb_rand_below(&rng, PAGE);

		rg->addr[i * PAGE + off] ^= 0x5a;
	}
	ksft_print_msg("injected %ld corrupted bytes (-C)\n", n);
}

/* ---- main ---- */

static void usage_exit(const char *why)
{
	fprintf(stderr, "pin_stress: %s\n"
		"usage: pin_stress [-s SEED] [-t SECONDS] [-j THREADS] [-C BYTES]\n"
		"  -s  seed of the run (default: random, printed as seed=N); env PIN_STRESS_SEED\n"
		"  -t  seconds the workers run (default %d); env PIN_STRESS_SECONDS\n"
		"  -j  worker threads, 1..%d (default %d)\n"
		"  -C  corrupt BYTES bytes after the run: the run must fail (a test of the checker)\n",
		why, DEFAULT_SECONDS, MAX_THREADS, DEFAULT_THREADS);
	exit(KSFT_FAIL);
}

static unsigned long long parse_num(const char *opt, const char *s,
				    unsigned long long min, unsigned long long max)
{
	unsigned long long v;
	char *end, msg[256];

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-' || v < min || v > max) {
		snprintf(msg, sizeof(msg), "%s %s: not a number in %llu..%llu",
			 opt, s, min, max);
		usage_exit(msg);
	}
	return v;
}

int main(int argc, char **argv)
{
	unsigned long corrupted_cpu = 0, corrupted_pin = 0, pages_cpu = 0,
		pages_pin = 0, child_failed = 0, errors = 0, declined = 0;
	struct op_count total[NR_OPS] = { 0 };
	const char *env;
	char line[2048];
	int opt, i, r, ret, len;
	bool have_seed = false, swap_ok = true;
	struct worker fin = { .idx = MAX_THREADS };
	uint32_t ms;

	env = getenv("PIN_STRESS_SEED");
	if (env && *env) {
		seed = parse_num("PIN_STRESS_SEED", env, 0, UINT32_MAX);
		have_seed = true;
	}
	env = getenv("PIN_STRESS_SECONDS");
	if (env && *env)
		seconds = parse_num("PIN_STRESS_SECONDS", env, 1, 86400);
	while ((opt = getopt(argc, argv, "s:t:j:C:h")) != -1) {
		switch (opt) {
		case 's':
			seed = parse_num("-s", optarg, 0, UINT32_MAX);
			have_seed = true;
			break;
		case 't':
			seconds = parse_num("-t", optarg, 1, 86400);
			break;
		case 'j':
			nthreads = parse_num("-j", optarg, 1, MAX_THREADS);
			break;
		case 'C':
			inject = parse_num("-C", optarg, 1, NR_REGIONS * REGION_PAGES);
			break;
		case 'h':
		default:
			usage_exit(opt == 'h' ? "help" : "unknown option");
		}
	}
	if (optind < argc)
		usage_exit("unexpected argument");
	if (!have_seed) {
		struct timespec t;

		clock_gettime(CLOCK_REALTIME, &t);
		seed = (uint32_t)wb_mix64(t.tv_nsec ^ ((uint64_t)t.tv_sec << 20) ^ getpid());
	}

	ksft_print_header();
	ksft_set_plan(6);
	ksft_print_msg("seed=%llu seconds=%ld threads=%d arm=%s (replay: pin_stress -s %llu -t %ld -j %d)\n",
		       (unsigned long long)seed, seconds, nthreads, wb_arm_name(arm),
		       (unsigned long long)seed, seconds, nthreads);

	ksft_test_result(checker_selftest(), "checker_counts_corrupted_bytes\n");

	if (geteuid())
		ksft_exit_skip("needs root (gup_test, cgroups, swapoff)\n");
	if (access(WB_GUP_TEST_PATH, R_OK | W_OK))
		ksft_exit_skip("no %s (CONFIG_GUP_TEST, debugfs)\n", WB_GUP_TEST_PATH);
	child_report = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (child_report == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	setup_system();
	setup_slots();
	ret = setup_regions();
	if (ret) {
		teardown_system();
		ksft_exit_fail_msg("mapping the regions: %s\n", strerror(-ret));
	}
	ksft_print_msg("regions=%d of %lu KiB (anon, anon_thp, shmem, memfd) pin slots: gup_test %d, io_uring %d, iommufd %d; swap=%s split=%d memcg=%d\n",
		       NR_REGIONS, REGION_LEN >> 10, NR_GUP_SLOTS,
		       have_uring ? NR_URING_SLOTS : 0,
		       have_iommufd ? NR_IOMMUFD_SLOTS : 0,
		       have_swap ? swapdev : "none", have_split, !!cgs[0][0]);

	clock_gettime(CLOCK_MONOTONIC, &t_start);
	for (i = 0; i < nthreads; i++) {
		workers[i].idx = i;
		workers[i].rng = wb_mix64(seed * 0x100 + i);
		ret = pthread_create(&workers[i].tid, NULL, worker_main, &workers[i]);
		if (ret) {
			__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
			nthreads = i;
			ksft_print_msg("pthread_create: %s\n", strerror(ret));
			errors++;
			break;
		}
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(workers[i].tid, NULL);
	ms = elapsed_ms();

	if (inject)
		inject_corruption(inject);
	/* The end: every page through the CPU, every pin through the pin. */
	for (r = 0; r < NR_REGIONS; r++) {
		struct region *rg = &regions[r];
		struct slot *mine[NR_SLOTS];
		int n;

		pthread_mutex_lock(&rg->lock);
		verify_cpu(&fin, rg);
		n = pins_of(rg, mine);
		for (i = 0; i < n; i++)
			if (drop_pin(&fin, rg, mine[i], true))
				errors++;
		pthread_mutex_unlock(&rg->lock);
	}
	if (have_swap && !wb_have_swap()) {
		swap_ok = !swap_on();
		ksft_print_msg("swap was off at the end: swapon %s\n", swap_ok ? "done" : "failed");
		swap_ok = false;
	}
	teardown_system();

	for (i = 0; i <= nthreads; i++) {
		struct worker *w = i < nthreads ? &workers[i] : &fin;

		for (opt = 0; opt < NR_OPS; opt++) {
			total[opt].done += w->ops[opt].done;
			total[opt].declined += w->ops[opt].declined;
			total[opt].unavailable += w->ops[opt].unavailable;
			total[opt].errors += w->ops[opt].errors;
		}
		corrupted_cpu += w->corrupted_cpu;
		corrupted_pin += w->corrupted_pin;
		pages_cpu += w->pages_cpu;
		pages_pin += w->pages_pin;
		child_failed += w->child_failed;
	}
	for (opt = 0; opt < NR_OPS; opt++) {
		ksft_print_msg("op %-14s done %6lu declined %6lu unavailable %6lu errors %lu\n",
			       op_names[opt], total[opt].done, total[opt].declined,
			       total[opt].unavailable, total[opt].errors);
		errors += total[opt].errors;
		declined += total[opt].declined;
	}
	ksft_print_msg("checked: %lu pages through the CPU, %lu through pins, %lu by %lu fork children\n",
		       pages_cpu, pages_pin, child_report->pages, total[OP_fork].done);

	len = snprintf(line, sizeof(line),
		       "AB bench=stress arm=%s seed=%llu seconds=%ld elapsed_ms=%u threads=%d",
		       wb_arm_name(arm), (unsigned long long)seed, seconds, ms, nthreads);
	for (opt = 0; opt < NR_OPS && len < (int)sizeof(line); opt++)
		len += snprintf(line + len, sizeof(line) - len, " op_%s=%lu",
				op_names[opt], total[opt].done);
	if (len < (int)sizeof(line))
		snprintf(line + len, sizeof(line) - len,
			 " declined=%lu errors=%lu uring=%d iommufd=%d swap=%d split=%d memcg=%d pages_cpu=%lu pages_pin=%lu pages_child=%lu corrupted_cpu=%lu corrupted_pin=%lu corrupted_child=%lu injected=%ld corrupted_bytes=%lu",
			 declined, errors, have_uring, have_iommufd, have_swap,
			 have_split, !!cgs[0][0], pages_cpu, pages_pin,
			 child_report->pages, corrupted_cpu, corrupted_pin,
			 child_report->corrupted, inject,
			 corrupted_cpu + corrupted_pin + child_report->corrupted);
	printf("%s\n", line);

	ksft_test_result(!errors, "no_unexpected_errors (%lu)\n", errors);
	ksft_test_result(!corrupted_cpu, "cpu_view_intact (%lu corrupted bytes in %lu pages checked)\n",
			 corrupted_cpu, pages_cpu);
	ksft_test_result(!corrupted_pin, "pin_view_intact (%lu corrupted bytes in %lu pages checked)\n",
			 corrupted_pin, pages_pin);
	ksft_test_result(!child_report->corrupted && !child_failed,
			 "fork_children_intact (%lu corrupted bytes, %lu children failed)\n",
			 child_report->corrupted, child_failed);
	if (!have_swap)
		ksft_test_result_skip("swap_restored: no swap device, swapoff not run\n");
	else
		ksft_test_result(swap_ok, "swap_restored\n");
	ksft_finished();
}
