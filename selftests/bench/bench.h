/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the A/B benchmarks in selftests/bench/: clocks,
 * /proc/vmstat snapshots, a memory cgroup per benchmark, the userptr_emu
 * module and result lines; what the selftests need too (text files,
 * memcg, tracefs, the pin loop) is selftests/lib/wb.h's, wrapped here with
 * the benchmarks' die()/skip().
 *
 * Every result is one line on stdout:
 *	AB bench=NAME key=value key=value ...
 * which selftests/run-bench.sh turns into a TAP comment and
 * scripts/ab-report.py parses.  A counter that this kernel does not have
 * is printed as "n/a", never as 0.  Exit status follows kselftest:
 * 0 done, 1 setup failed, 4 skipped (KSFT_SKIP).
 */
#ifndef _BENCH_H
#define _BENCH_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "userptr_emu.h"
#include "wb.h"

#define KSFT_SKIP	4
#define PAGE_SZ		4096UL
#define MIB		(1024UL * 1024UL)
#define THP_SZ		(2 * MIB)
#define CGROOT		WB_CGROUP_ROOT
#define EMU_PARAM	"/sys/module/userptr_emu/parameters/"

static const char *bench_name = "bench";

static void __attribute__((noreturn, format(printf, 2, 3)))
bench_exit(int code, const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: %s: ", bench_name, code == KSFT_SKIP ? "SKIP" : "error");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err && code != KSFT_SKIP)
		fprintf(stderr, " (%s)", strerror(err));
	fputc('\n', stderr);
	exit(code);
}

#define die(...)	bench_exit(1, __VA_ARGS__)
#define skip(...)	bench_exit(KSFT_SKIP, __VA_ARGS__)

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Observed resolution of CLOCK_MONOTONIC: the smallest step between two
 * reads that differ, over a few steps.  4 ms on a guest whose clocksource
 * is jiffies; clock_getres() cannot tell (without HIGH_RES_TIMERS it
 * reports the tick whatever the clocksource).
 */
static inline uint64_t clock_res_ns(void)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 5; i++) {
		uint64_t a = now_ns(), b;

		while ((b = now_ns()) == a)
			;
		if (b - a < best)
			best = b - a;
	}
	return best;
}

/*
 * The TSC, read from user space, for short intervals.  Under QEMU TCG it is
 * the host's TSC even when the guest kernel found it unusable and runs on
 * jiffies; tsc_per_us() calibrates it against CLOCK_MONOTONIC over @ms.
 */
static inline uint64_t rdtsc(void)
{
	return __builtin_ia32_rdtsc();
}

static inline double tsc_per_us(unsigned int ms)
{
	uint64_t t0 = now_ns(), c0 = rdtsc(), t1, c1;

	do {
		usleep(10000);
		t1 = now_ns();
	} while (t1 - t0 < ms * 1000000ULL);
	c1 = rdtsc();
	return (double)(c1 - c0) * 1000.0 / (double)(t1 - t0);
}

/* Common options: -q (quick), -s SEED. */
struct bench_opts {
	int quick;
	unsigned long seed;
};

static inline void bench_init(const char *name, int argc, char **argv,
			      struct bench_opts *o)
{
	cpu_set_t cpus;
	int c;

	bench_name = name;
	o->quick = 0;
	o->seed = 1;
	while ((c = getopt(argc, argv, "qs:")) != -1) {
		switch (c) {
		case 'q':
			o->quick = 1;
			break;
		case 's':
			o->seed = strtoul(optarg, NULL, 0);
			break;
		default:
			die("usage: %s [-q] [-s SEED]", name);
		}
	}
	/*
	 * One CPU: the per-CPU LRU batches then all drain where reclaim
	 * runs, which keeps the counts identical from boot to boot.
	 */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* xorshift64: the same seed gives the same page contents on every arm. */
static inline uint64_t rnd_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Write one seeded word per page: every page is dirty and distinct. */
static inline void fill_pages(char *p, size_t len, unsigned long seed)
{
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 1;
	size_t off;

	for (off = 0; off < len; off += PAGE_SZ)
		*(volatile uint64_t *)(p + off) = rnd_next(&s);
}

/* Read one word per page (fault the range back in). */
static inline uint64_t touch_pages(const char *p, size_t len)
{
	uint64_t sum = 0;
	size_t off;

	for (off = 0; off < len; off += PAGE_SZ)
		sum += *(const volatile uint64_t *)(p + off);
	return sum;
}

static inline void *map_anon(size_t len, size_t align)
{
	char *p = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		die("mmap %zu bytes", len);
	if (!align)
		return p;
	a = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	munmap((char *)a + len, (uintptr_t)p + align - a);
	return (void *)a;
}

/* A shared mapping of a new memfd (shmem); the fd is closed already. */
static inline void *map_memfd(size_t len)
{
	int fd = memfd_create("ab-bench", 0);
	void *p;

	if (fd < 0 || ftruncate(fd, len))
		die("memfd of %zu bytes", len);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap memfd");
	close(fd);
	return p;
}

/* ---- /proc/vmstat ---- */

/* 7.3 has more than 256 lines in /proc/vmstat (pgactivate comes late). */
#define VM_MAX 512

struct vmstat {
	int n;
	char name[VM_MAX][40];
	long long val[VM_MAX];
};

/*
 * Since 7.3 pgscan_* and pgsteal_* (and pgrotate_*) are node stats, whose
 * per-CPU deltas /proc/vmstat does not add up (it prints the global atomic,
 * up to the stat threshold per CPU behind); vm events (pgactivate, ...) are
 * summed over CPUs when read.  Writing /proc/sys/vm/stat_refresh folds
 * every CPU's deltas first, so both kinds are exact.  Without it (not
 * root, no CONFIG_SMP) the node stats are as /proc/vmstat has them.
 */
static inline void vm_read(struct vmstat *v)
{
	FILE *f;

	wb_write_text("/proc/sys/vm/stat_refresh", "1");
	f = fopen("/proc/vmstat", "r");

	if (!f)
		die("/proc/vmstat");
	v->n = 0;
	while (v->n < VM_MAX &&
	       fscanf(f, "%39s %lld", v->name[v->n], &v->val[v->n]) == 2)
		v->n++;
	fclose(f);
}

/* Value of @name, or -1 if this kernel has no such counter. */
static inline long long vm_get(const struct vmstat *v, const char *name)
{
	int i;

	for (i = 0; i < v->n; i++)
		if (!strcmp(v->name[i], name))
			return v->val[i];
	return -1;
}

/* Print " key=after-before" (or " key=n/a") for a list of counters. */
static inline void vm_print_delta(const struct vmstat *a, const struct vmstat *b,
				  const char *const *names)
{
	for (; *names; names++) {
		long long x = vm_get(a, *names), y = vm_get(b, *names);

		if (x < 0 || y < 0)
			printf(" %s=n/a", *names);
		else
			printf(" %s=%lld", *names, y - x);
	}
}

/* Sum of two counters' deltas (pgscan_anon + pgscan_file, ...). */
static inline long long vm_delta2(const struct vmstat *a, const struct vmstat *b,
				  const char *n1, const char *n2)
{
	return vm_get(b, n1) - vm_get(a, n1) + vm_get(b, n2) - vm_get(a, n2);
}

/*
 * ---- v2's nr_pinned: a field of the vmscan tracepoints, not a vm event ----
 *
 * trace_pinned_start(NAME) makes a tracefs instance NAME of our own with
 * both events enabled (wb_trace_pinned_start()), if the kernel has the
 * field (returns 0 otherwise); trace_pinned_take() sums the field since the
 * last take and empties the buffer: -1 if there is no instance or it lost
 * events.  trace_pinned_stop() removes the instance.
 */
static struct wb_trace bench_trace;

static inline int trace_pinned_start(const char *name)
{
	return wb_trace_pinned_start(&bench_trace, name, "16384");
}

static inline long long trace_pinned_take(void)
{
	long long sum, lost;

	sum = wb_trace_sum(&bench_trace, " nr_pinned=", &lost);
	if (sum < 0)
		return -1;
	wb_trace_clear(&bench_trace);
	return lost ? -1 : sum;
}

static inline void trace_pinned_stop(void)
{
	wb_trace_remove(&bench_trace);
}

/* " key=V", or " key=n/a" for a negative V. */
static inline void print_or_na(const char *key, long long v)
{
	if (v < 0)
		printf(" %s=n/a", key);
	else
		printf(" %s=%lld", key, v);
}

/* ---- a memory cgroup for the benchmark ---- */

struct memcg {
	char path[128];
};

/* Set memory.max of @cg: @bytes, or "max" for 0.  0 or -errno. */
static inline int memcg_set_max(const struct memcg *cg, unsigned long long bytes)
{
	return wb_memcg_set_max(cg->path, bytes);
}

/* Create CGROOT/NAME, set memory.max ("max" or bytes) and move in. */
static inline void memcg_enter(struct memcg *cg, const char *name,
			       unsigned long max_bytes)
{
	if (!wb_have_cgroup2())
		skip("no cgroup2 at " CGROOT);
	if (wb_memcg_create(cg->path, sizeof(cg->path), "%s", name))
		die("cannot create " CGROOT "/%s", name);
	if (memcg_set_max(cg, max_bytes))
		skip("cannot write %s/memory.max (no memory controller?)", cg->path);
	if (wb_memcg_enter(cg->path))
		die("cannot move into %s", cg->path);
}

static inline void memcg_leave(struct memcg *cg)
{
	/* Charges of freed memory may linger a moment: it retries briefly. */
	wb_memcg_remove(cg->path);
}

static inline long long memcg_current(const struct memcg *cg)
{
	return wb_memcg_read_long(cg->path, "memory.current");
}

/* One memory.reclaim request; 0, or -EAGAIN if it fell short. */
static inline int memcg_reclaim(const struct memcg *cg, unsigned long bytes)
{
	return wb_memcg_reclaim(cg->path, bytes);
}

/* ---- reclaim without pins (reclaim_nopin, skip_policy) ---- */

struct nopin_result {
	uint64_t ns;
	long long reclaimed, scanned;
	int eagain;
};

/*
 * Fill a fresh memory cgroup with @len of private anon and @len of a tmpfs
 * file, then time one memory.reclaim of everything.
 */
static inline void nopin_run(size_t len, unsigned long seed, struct nopin_result *r)
{
	struct vmstat a, b;
	struct memcg cg;
	char *anon, *file;
	int fd, ret;

	memcg_enter(&cg, "ab-nopin", 0);
	anon = map_anon(len, 0);
	fd = open("/tmp/ab-nopin-file", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, len))
		die("tmpfs file");
	unlink("/tmp/ab-nopin-file");
	file = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (file == MAP_FAILED)
		die("mmap tmpfs file");
	fill_pages(anon, len, seed);
	fill_pages(file, len, seed + 1000);

	vm_read(&a);
	r->ns = now_ns();
	ret = memcg_reclaim(&cg, 2 * len);
	r->ns = now_ns() - r->ns;
	vm_read(&b);
	r->reclaimed = vm_delta2(&a, &b, "pgsteal_anon", "pgsteal_file");
	r->scanned = vm_delta2(&a, &b, "pgscan_anon", "pgscan_file");
	r->eagain = ret == -EAGAIN;
	munmap(anon, len);
	munmap(file, len);
	close(fd);
	memcg_leave(&cg);
}

/* ---- the userptr_emu module ---- */

static inline int emu_open(void)
{
	return open(USERPTR_EMU_DEBUGFS_PATH, O_RDWR);
}

static inline void emu_set_wait_us(unsigned int us)
{
	char v[16];

	snprintf(v, sizeof(v), "%u", us);
	if (wb_write_text(EMU_PARAM "invalidate_wait_us", v))
		die("cannot set invalidate_wait_us");
}

/* All the aging callbacks the emulator's mmu_notifier saw. */
static inline uint64_t emu_young_calls(const struct userptr_emu_stats *st)
{
	uint64_t n = 0;

	for (int i = 0; i < USERPTR_EMU_NR_YOUNG; i++)
		n += st->young_calls[i];
	return n;
}

static inline void emu_stats(int fd, struct userptr_emu_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->scope = USERPTR_EMU_SCOPE_FILE;
	if (ioctl(fd, USERPTR_EMU_STATS, st))
		die("USERPTR_EMU_STATS");
}

/* Pin [p, p + len) into a new object; returns the handle. */
static inline unsigned int emu_create(int fd, void *p, size_t len,
				      unsigned int flags,
				      struct userptr_emu_create *out)
{
	struct userptr_emu_create c = {
		.addr = (uintptr_t)p, .len = len, .flags = flags,
	};

	if (ioctl(fd, USERPTR_EMU_CREATE, &c))
		die("USERPTR_EMU_CREATE of %zu bytes", len);
	if (out)
		*out = c;
	return c.handle;
}

static inline int emu_submit(int fd, unsigned int handle,
			     struct userptr_emu_submit *out)
{
	memset(out, 0, sizeof(*out));
	out->handle = handle;
	return ioctl(fd, USERPTR_EMU_SUBMIT, out) ? -errno : 0;
}

static inline void emu_destroy(int fd, unsigned int handle)
{
	struct userptr_emu_destroy d = { .handle = handle };

	ioctl(fd, USERPTR_EMU_DESTROY, &d);
}

/* ---- statistics ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static inline uint64_t pct(const uint64_t *v, size_t n, unsigned int p)
{
	size_t r;

	if (!n)
		return 0;
	r = (p * n + 99) / 100;
	return v[r ? r - 1 : 0];
}

/* A fixed amount of user-space work: a per-boot speed reference. */
static inline uint64_t calib_ns(void)
{
	uint64_t t = now_ns(), s = 88172645463325252ULL;
	volatile uint64_t sink = 0;

	for (int i = 0; i < 2000000; i++)
		sink += rnd_next(&s);
	(void)sink;
	return now_ns() - t;
}

#endif /* _BENCH_H */
