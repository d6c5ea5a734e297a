/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wb.h: the helpers the workbench's own C tests share (selftests/mm,
 * selftests/kvm, selftests/i915, selftests/bench).  Header only, every
 * function static inline, as the tests are single-file static binaries
 * built by three Makefiles; each adds -I selftests/lib.
 *
 *  - the arms and PIN_RECLAIM_ARM (WB_ARM_FROM_ENV() for kselftest tests);
 *  - text files of sysfs, procfs and cgroupfs (0 or -errno);
 *  - /proc/vmstat counters, /proc/swaps (the device too), /proc/self/clear_refs,
 *    /proc/PID/status; every CPU's LRU batches applied;
 *  - a memory cgroup v2: create, enter, set memory.max, reclaim, remove;
 *  - tracefs instances of our own, v2's nr_pinned field of the vmscan
 *    tracepoints, and the pinned folios reclaim set aside on v1 or v2;
 *  - the gup_test pin (when the test included mm/gup_test.h first) and the
 *    test_hmm mirror read (when it included lib/test_hmm_uapi.h first);
 *  - a seeded random sequence (splitmix64), for tests that replay a seed;
 *  - the "pin loop at the memcg limit" scenario (the 2020 i915 report).
 *
 * Not for the in-tree kselftests: selftests/upstream/mm/pin_reclaim.c uses
 * the kernel's vm_util.h and hugepage_settings.h instead.
 */
#ifndef WB_H
#define WB_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>

/* snprintf() into the array @buf: true if it did not fit (ENAMETOOLONG). */
#define WB_PATH_TOO_LONG(buf, ...) \
	(snprintf(buf, sizeof(buf), __VA_ARGS__) >= (int)sizeof(buf))

/* ---- the arms ---- */

/*
 * The kernels under comparison: "base" (no series), "mayfail" (notifier
 * subscribers may decline reclaim invalidations) and "pin-aware" (reclaim
 * skips pinned folios before try_to_unmap()).  ARM_NONE: no arm given, for
 * a test that then only reports (selftests/i915).
 */
enum wb_arm { ARM_BASE, ARM_MAYFAIL, ARM_PIN_AWARE, NR_ARMS, ARM_NONE = NR_ARMS };

#define WB_ARM_ENV	"PIN_RECLAIM_ARM"
#define WB_ARM_USAGE	"use base, mayfail or pin-aware"

static inline const char *wb_arm_name(enum wb_arm a)
{
	static const char *const names[] = {
		[ARM_BASE] = "base",
		[ARM_MAYFAIL] = "mayfail",
		[ARM_PIN_AWARE] = "pin-aware",
		[ARM_NONE] = "none",
	};

	return (unsigned int)a <= ARM_NONE ? names[a] : "?";
}

/* The arm @s names, @def for none (NULL or ""), -1 if @s is not an arm. */
static inline int wb_arm_parse(const char *s, enum wb_arm def)
{
	int i;

	if (!s || !*s)
		return def;
	for (i = 0; i < NR_ARMS; i++)
		if (!strcmp(s, wb_arm_name(i)))
			return i;
	return -1;
}

/*
 * WB_ARM_FROM_ENV(def) defines "static enum wb_arm arm", set from
 * PIN_RECLAIM_ARM (default @def) before main() and so before the kselftest
 * harness starts its cases: an unknown arm is a hard failure
 * (ksft_exit_fail_msg() of kselftest.h), not a silent default.
 */
#define WB_ARM_FROM_ENV(def)						\
	static enum wb_arm arm = (def);					\
	static void __attribute__((constructor)) wb_arm_from_env(void)	\
	{								\
		const char *s = getenv(WB_ARM_ENV);			\
		int a = wb_arm_parse(s, (def));				\
									\
		if (a < 0)						\
			ksft_exit_fail_msg(WB_ARM_ENV "=%s: " WB_ARM_USAGE "\n", s); \
		arm = a;						\
	}

/* ---- text files (sysfs, procfs, cgroupfs, tracefs) ---- */

/* Write @s to @path opened with O_WRONLY | @flags: 0 or -errno. */
static inline int wb_write_flags(const char *path, const char *s, int flags)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | flags);
	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	n = n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
	close(fd);
	return n;
}

static inline int wb_write_text(const char *path, const char *s)
{
	return wb_write_flags(path, s, 0);
}

/* Read up to @size - 1 bytes of @path into @buf, NUL-terminated: 0 or -errno. */
static inline int wb_read_text(const char *path, char *buf, size_t size)
{
	ssize_t len;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, size - 1);
	if (len < 0)
		len = -errno;
	close(fd);
	if (len < 0)
		return len;
	buf[len] = '\0';
	return 0;
}

/* The number @path starts with, -1 if it cannot be read or is empty. */
static inline long wb_read_long(const char *path)
{
	char buf[64];

	if (wb_read_text(path, buf, sizeof(buf)) || !buf[0])
		return -1;
	return strtol(buf, NULL, 10);
}

/* ---- /proc ---- */

/*
 * The value of @key in a "key value" file (/proc/vmstat, memory.stat),
 * -1 if the file or the key is missing.
 */
static inline long wb_keyed_read(const char *path, const char *key)
{
	char k[64];
	long val, ret = -1;
	FILE *f;

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

/* A /proc/vmstat counter, -1 if this kernel does not have it. */
static inline long wb_vmstat(const char *name)
{
	return wb_keyed_read("/proc/vmstat", name);
}

/* Sum of every /proc/vmstat counter whose name starts with @prefix. */
static inline long wb_vmstat_sum(const char *prefix)
{
	char key[64];
	long val, ret = 0;
	FILE *f;

	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", key, &val) == 2)
		if (!strncmp(key, prefix, strlen(prefix)))
			ret += val;
	fclose(f);
	return ret;
}

/* Is there a swap device (a line after /proc/swaps' header)? */
static inline bool wb_have_swap(void)
{
	char line[256];
	bool ret = false;
	FILE *f;

	f = fopen("/proc/swaps", "r");
	if (!f)
		return false;
	if (fgets(line, sizeof(line), f) && fgets(line, sizeof(line), f))
		ret = true;
	fclose(f);
	return ret;
}

/*
 * The first swap device of /proc/swaps (its "Filename" column) into @dev:
 * 0, or -ENOENT without one.
 */
static inline int wb_swap_device(char *dev, size_t size)
{
	char line[256], name[256];
	int ret = -ENOENT;
	FILE *f;

	f = fopen("/proc/swaps", "r");
	if (!f)
		return -errno;
	if (fgets(line, sizeof(line), f) && fgets(line, sizeof(line), f) &&
	    sscanf(line, "%255s", name) == 1 && strlen(name) < size) {
		strcpy(dev, name);
		ret = 0;
	}
	fclose(f);
	return ret;
}

/* Clear the accessed bits of this process (no mmu notifier involved). */
static inline int wb_clear_refs(void)
{
	return wb_write_text("/proc/self/clear_refs", "1");
}

/*
 * Apply the LRU batches of every CPU this process may run on, as the
 * kernel's lru_add_drain_all() does: MADV_COLD starts with the local
 * lru_add_drain(), so do one on each CPU in turn.  A folio waiting in
 * another CPU's batch (lru_move_tail: the CPU that completed its
 * writeback) is off the LRU, and reclaim cannot isolate it.  0 or -errno.
 */
static inline int wb_lru_drain_all(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	cpu_set_t old, one;
	int cpu, ret = 0;
	void *p;

	if (sched_getaffinity(0, sizeof(old), &old))
		return -errno;
	p = mmap(NULL, ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	for (cpu = 0; cpu < CPU_SETSIZE && !ret; cpu++) {
		if (!CPU_ISSET(cpu, &old))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one) ||
		    madvise(p, ps, MADV_COLD))
			ret = -errno;
	}
	munmap(p, ps);
	if (sched_setaffinity(0, sizeof(old), &old) && !ret)
		ret = -errno;
	return ret;
}

/* A "Key:   N kB" line of /proc/@pid/status (VmPin, VmRSS), -1 if missing. */
static inline long wb_proc_status_kb(pid_t pid, const char *key)
{
	char path[64], line[128];
	size_t len = strlen(key);
	long ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, len) && line[len] == ':') {
			ret = strtol(line + len + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return ret;
}

/* ---- a memory cgroup (v2) ---- */

#define WB_CGROUP_ROOT	"/sys/fs/cgroup"

static inline bool wb_have_cgroup2(void)
{
	return !access(WB_CGROUP_ROOT "/cgroup.subtree_control", W_OK);
}

/*
 * Enable the memory controller for the root's children and make
 * WB_CGROUP_ROOT/NAME (NAME from @fmt; it may exist already) into @path.
 * 0 or -errno (@path is "" then).
 */
static inline __attribute__((format(printf, 3, 4)))
int wb_memcg_create(char *path, size_t size, const char *fmt, ...)
{
	char name[128];
	va_list ap;
	int ret;

	path[0] = '\0';
	ret = wb_write_text(WB_CGROUP_ROOT "/cgroup.subtree_control", "+memory");
	if (ret && ret != -EBUSY)
		return ret;
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (snprintf(path, size, WB_CGROUP_ROOT "/%s", name) >= (int)size) {
		path[0] = '\0';
		return -ENAMETOOLONG;
	}
	if (mkdir(path, 0755) && errno != EEXIST) {
		ret = -errno;
		path[0] = '\0';
		return ret;
	}
	return 0;
}

/* Write @val to the file @file of the cgroup @cg: 0 or -errno. */
static inline int wb_memcg_write(const char *cg, const char *file, const char *val)
{
	char path[PATH_MAX];

	if (WB_PATH_TOO_LONG(path, "%s/%s", cg, file))
		return -ENAMETOOLONG;
	return wb_write_text(path, val);
}

/* The number in @file of @cg, -1 if it cannot be read. */
static inline long wb_memcg_read_long(const char *cg, const char *file)
{
	char path[PATH_MAX];

	if (WB_PATH_TOO_LONG(path, "%s/%s", cg, file))
		return -1;
	return wb_read_long(path);
}

/* One key of the "key value" file @file (memory.events) of @cg, -1 if missing. */
static inline long wb_memcg_key(const char *cg, const char *file, const char *key)
{
	char path[PATH_MAX];

	if (WB_PATH_TOO_LONG(path, "%s/%s", cg, file))
		return -1;
	return wb_keyed_read(path, key);
}

/* One key of memory.stat of @cg, -1 if missing. */
static inline long wb_memcg_stat(const char *cg, const char *key)
{
	return wb_memcg_key(cg, "memory.stat", key);
}

/* Move this process into @cg (everything it charges from now on). */
static inline int wb_memcg_enter(const char *cg)
{
	return wb_memcg_write(cg, "cgroup.procs", "0");
}

/* memory.max of @cg: @bytes, or "max" for 0.  0 or -errno. */
static inline int wb_memcg_set_max(const char *cg, unsigned long long bytes)
{
	char v[32];

	if (bytes)
		snprintf(v, sizeof(v), "%llu", bytes);
	else
		snprintf(v, sizeof(v), "max");
	return wb_memcg_write(cg, "memory.max", v);
}

/* One memory.reclaim of @bytes: 0, or -EAGAIN if it fell short. */
static inline int wb_memcg_reclaim(const char *cg, unsigned long long bytes)
{
	char v[32];

	snprintf(v, sizeof(v), "%llu", bytes);
	return wb_memcg_write(cg, "memory.reclaim", v);
}

/*
 * Move this process back to the root cgroup and remove @cg (nothing if
 * @cg is ""), retrying briefly while it is busy.
 */
static inline void wb_memcg_remove(const char *cg)
{
	int i;

	if (!cg[0])
		return;
	wb_write_text(WB_CGROUP_ROOT "/cgroup.procs", "0");
	for (i = 0; i < 100 && rmdir(cg) && errno == EBUSY; i++)
		usleep(10000);
}

/* ---- tracefs instances of our own ---- */

/* An instance: ROOT/instances/NAME, "" if none. */
struct wb_trace {
	char path[256];
};

/*
 * The tracefs mount that has @rel (a file or directory in it), after
 * mounting tracefs at /sys/kernel/tracing if it is not there yet; NULL if
 * neither /sys/kernel/tracing nor /sys/kernel/debug/tracing has it.
 */
static inline const char *wb_tracefs(const char *rel)
{
	static const char *const roots[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[256];
	size_t i;

	mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		if (WB_PATH_TOO_LONG(path, "%s/%s", roots[i], rel))
			continue;
		if (!access(path, F_OK))
			return roots[i];
	}
	return NULL;
}

/* Write @val to the instance's file @rel: 0 or -errno. */
static inline int wb_trace_write(const struct wb_trace *t, const char *rel,
				 const char *val)
{
	char path[512];

	if (WB_PATH_TOO_LONG(path, "%s/%s", t->path, rel))
		return -ENAMETOOLONG;
	return wb_write_text(path, val);
}

/*
 * Make the instance @root/instances/@name (it may exist) with a buffer of
 * @buffer_kb per CPU.  0 or -errno (t->path is "" then).
 */
static inline int wb_trace_create(struct wb_trace *t, const char *root,
				  const char *name, const char *buffer_kb)
{
	int ret;

	if (WB_PATH_TOO_LONG(t->path, "%s/instances/%s", root, name)) {
		t->path[0] = '\0';
		return -ENAMETOOLONG;
	}
	if (mkdir(t->path, 0755) && errno != EEXIST) {
		ret = -errno;
		t->path[0] = '\0';
		return ret;
	}
	wb_trace_write(t, "buffer_size_kb", buffer_kb);
	return 0;
}

/* Enable @event ("system/name") in the instance: 0 or -errno. */
static inline int wb_trace_enable(const struct wb_trace *t, const char *event)
{
	char rel[192];

	if (WB_PATH_TOO_LONG(rel, "events/%s/enable", event))
		return -ENAMETOOLONG;
	return wb_trace_write(t, rel, "1");
}

/* Empty the instance's buffer (open its "trace" with O_TRUNC). */
static inline int wb_trace_clear(const struct wb_trace *t)
{
	char path[512];
	int fd;

	if (WB_PATH_TOO_LONG(path, "%s/trace", t->path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* The instance's "trace", to read its events; NULL if none. */
static inline FILE *wb_trace_open(const struct wb_trace *t)
{
	char path[512];

	if (!t->path[0])
		return NULL;
	if (WB_PATH_TOO_LONG(path, "%s/trace", t->path))
		return NULL;
	return fopen(path, "r");
}

/*
 * Events a line of "trace" says were lost: its header has
 * "# entries-in-buffer/entries-written: 1/2   #P:2"; 0 for any other line.
 */
static inline long wb_trace_lost(const char *line)
{
	const char *p = strstr(line, "entries-written: ");
	long in, written;

	if (line[0] == '#' && p && sscanf(p + 17, "%ld/%ld", &in, &written) == 2)
		return written - in;
	return 0;
}

/*
 * Sum of the number after @field (" nr_pinned=") over the events in the
 * buffer; *lost (if not NULL) gets the events lost.  -1 without a buffer.
 */
static inline long long wb_trace_sum(const struct wb_trace *t, const char *field,
				     long long *lost)
{
	char line[1024], *p;
	long long sum = 0;
	FILE *f;

	if (lost)
		*lost = 0;
	f = wb_trace_open(t);
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#') {
			if (lost)
				*lost += wb_trace_lost(line);
			continue;
		}
		p = strstr(line, field);
		if (p)
			sum += strtoll(p + strlen(field), NULL, 10);
	}
	fclose(f);
	return sum;
}

/* Remove the instance (and with it its enabled events). */
static inline void wb_trace_remove(struct wb_trace *t)
{
	if (t->path[0])
		rmdir(t->path);
	t->path[0] = '\0';
}

/*
 * v2's nr_pinned: the pin-aware series on 7.3 reports the folios reclaim
 * sets aside as nr_pinned (pages) in mm_vmscan_reclaim_pages (MADV_PAGEOUT)
 * and mm_vmscan_lru_shrink_inactive (LRU reclaim), not as a vm event.
 * wb_trace_pinned_start() makes the instance @name with both events
 * enabled and an empty buffer, if the kernel has the field: true, or false
 * (and no instance).
 */
static inline bool wb_trace_pinned_start(struct wb_trace *t, const char *name,
					 const char *buffer_kb)
{
	static const char *const events[] = {
		"vmscan/mm_vmscan_reclaim_pages",
		"vmscan/mm_vmscan_lru_shrink_inactive",
	};
	char path[512], buf[4096];
	const char *root;
	size_t i, n;
	FILE *f;

	t->path[0] = '\0';
	root = wb_tracefs("events/vmscan/mm_vmscan_lru_shrink_inactive/format");
	if (!root)
		return false;
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		if (WB_PATH_TOO_LONG(path, "%s/events/%s/format", root, events[i]))
			return false;
		f = fopen(path, "r");
		if (!f)
			return false;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		if (!strstr(buf, "nr_pinned"))
			return false;
	}
	if (wb_trace_create(t, root, name, buffer_kb))
		return false;
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (wb_trace_enable(t, events[i]))
			goto fail;
	if (wb_trace_clear(t))
		goto fail;
	return true;
fail:
	wb_trace_remove(t);
	return false;
}

/*
 * The pinned folios reclaim set aside, on either series: v1's vm event
 * pgunmap_pinned_skip (a total since boot), or v2's nr_pinned summed over
 * the events of a tracefs instance of our own (since its first call).
 * Callers compare two reads.  -1 on a kernel with neither.
 */
struct wb_pinned {
	enum { WB_PINNED_UNKNOWN, WB_PINNED_NONE, WB_PINNED_VMSTAT,
	       WB_PINNED_TRACE } source;
	struct wb_trace trace;
	long long lost;		/* events the instance lost (a full buffer) */
};

/* The count now; the first call picks the source (instance @name). */
static inline long wb_pinned_read(struct wb_pinned *p, const char *name,
				  const char *buffer_kb)
{
	if (p->source == WB_PINNED_UNKNOWN) {
		if (wb_vmstat("pgunmap_pinned_skip") >= 0)
			p->source = WB_PINNED_VMSTAT;
		else if (wb_trace_pinned_start(&p->trace, name, buffer_kb))
			p->source = WB_PINNED_TRACE;
		else
			p->source = WB_PINNED_NONE;
	}
	if (p->source == WB_PINNED_VMSTAT)
		return wb_vmstat("pgunmap_pinned_skip");
	if (p->source == WB_PINNED_TRACE)
		return wb_trace_sum(&p->trace, " nr_pinned=", &p->lost);
	return -1;
}

/* Remove the instance, if any; the next read starts again. */
static inline void wb_pinned_stop(struct wb_pinned *p)
{
	if (p->source == WB_PINNED_TRACE)
		wb_trace_remove(&p->trace);
	p->source = WB_PINNED_UNKNOWN;
	p->lost = 0;
}

/* ---- gup_test: FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE ---- */

#ifdef PIN_LONGTERM_TEST_START	/* the test included mm/gup_test.h */
#define WB_GUP_TEST_PATH	"/sys/kernel/debug/gup_test"

static inline int wb_gup_open(void)
{
	return open(WB_GUP_TEST_PATH, O_RDWR);
}

/* Pin [addr, addr + size) (pin_user_pages(), one page after the other). */
static inline int wb_gup_pin(int fd, void *addr, size_t size)
{
	struct pin_longterm_test args = {
		.addr = (uintptr_t)addr,
		.size = size,
		.flags = PIN_LONGTERM_TEST_FLAG_USE_WRITE,
	};

	return ioctl(fd, PIN_LONGTERM_TEST_START, &args) ? -errno : 0;
}

static inline int wb_gup_unpin(int fd)
{
	return ioctl(fd, PIN_LONGTERM_TEST_STOP) ? -errno : 0;
}

/* Copy the pinned pages, read through the pin, to @dst. */
static inline int wb_gup_read(int fd, void *dst)
{
	__u64 addr = (uintptr_t)dst;

	return ioctl(fd, PIN_LONGTERM_TEST_READ, &addr) ? -errno : 0;
}
#endif /* PIN_LONGTERM_TEST_START */

/* ---- test_hmm: a secondary MMU without any pin awareness ---- */

#ifdef HMM_DMIRROR_READ		/* the test included lib/test_hmm_uapi.h */
#define WB_DMIRROR_PATH		"/dev/hmm_dmirror0"

/*
 * Read @npages at @addr through the device mirror into @buf; *faults gets
 * the pages the device had to fault in (whose mirror entry was gone).
 */
static inline int wb_dmirror_read(int fd, void *addr, void *buf,
				  unsigned long npages, uint64_t *faults)
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
#endif /* HMM_DMIRROR_READ */

/* ---- a seeded random sequence (splitmix64): a seed replays a run ---- */

static inline uint64_t wb_mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The next number of the sequence whose state is *@state. */
static inline uint64_t wb_rand(uint64_t *state)
{
	*state += 0x9e3779b97f4a7c15ULL;
	return wb_mix64(*state);
}

/* A number in [0, @n) (@n > 0). */
static inline uint64_t wb_rand_below(uint64_t *state, uint64_t n)
{
	return wb_rand(state) % n;
}

/* ---- page contents ---- */

static inline uint8_t wb_pattern(size_t off, unsigned int seed)
{
	return (uint8_t)((off >> 12) * 31 + (off & 4095) * 7 + seed);
}

/* Fill @p with the pattern of the offsets [base, base + len). */
static inline void wb_fill(char *p, size_t len, size_t base, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = wb_pattern(base + i, seed);
}

/* Offset of the first byte that differs from the pattern, or -1. */
static inline long wb_check(const char *p, size_t len, size_t base,
			    unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((uint8_t)p[i] != wb_pattern(base + i, seed))
			return i;
	return -1;
}

/* ---- the pin loop at the memcg limit ---- */

/*
 * The 2020 i915 scenario (Chris Wilson, "Mark up direct reclaim paths with
 * MAYFAIL"): an object is pinned one page at a time inside a memcg at its
 * limit, so that direct reclaim entered from the pin loop meets the
 * object's own, already pinned pages.  Before the series reclaim unmaps
 * them again (a "self-invalidation"); with it, it skips them.
 *
 * The setup: the first half of the object is populated first and aged, so
 * it is the tail of the LRU; a filler comes after it; memory.max is then
 * set WB_PIN_LOOP_ROOM above the usage, and the pin loop (the caller's:
 * gup_test, userptr_emu) faults in the second half right at the limit.  The
 * reclaim this triggers meets the first half, pinned by then, before it
 * gets to the filler, which it can always free instead (no OOM).  With an
 * untouched object and a filler at the LRU tail, reclaim only ever frees
 * the filler and no arm shows a self-invalidation.
 */
#define WB_PIN_LOOP_OBJECT	(4UL << 20)	/* the selftests' sizes */
#define WB_PIN_LOOP_FILLER	(6UL << 20)
#define WB_PIN_LOOP_ROOM	(512L << 10)

struct wb_pin_loop {
	char *obj, *filler;
	size_t obj_len, filler_len;
};

/*
 * The selftests' mappings: the filler private anon, the object shared
 * anon (shmem).  0 or -errno.
 */
static inline int wb_pin_loop_map(struct wb_pin_loop *pl, size_t obj_len,
				  size_t filler_len)
{
	pl->obj_len = obj_len;
	pl->filler_len = filler_len;
	pl->filler = mmap(NULL, filler_len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pl->obj = mmap(NULL, obj_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return pl->filler == MAP_FAILED || pl->obj == MAP_FAILED ? -ENOMEM : 0;
}

static inline void wb_pin_loop_unmap(struct wb_pin_loop *pl)
{
	if (pl->obj && pl->obj != MAP_FAILED)
		munmap(pl->obj, pl->obj_len);
	if (pl->filler && pl->filler != MAP_FAILED)
		munmap(pl->filler, pl->filler_len);
	pl->obj = pl->filler = NULL;
}

/*
 * Populate the first half of the object, then the filler (with @populate
 * and @seed, @seed + 1; NULL: every byte 1), age them and set memory.max
 * of @cg, which this process is in, WB_PIN_LOOP_ROOM above its usage.
 * Then the caller's pin loop may start.  0 or -errno.
 */
static inline int wb_pin_loop_prepare(const struct wb_pin_loop *pl, const char *cg,
				      void (*populate)(char *p, size_t len,
						       unsigned long seed),
				      unsigned long seed)
{
	long cur;
	int ret;

	madvise(pl->filler, pl->filler_len, MADV_NOHUGEPAGE);
	madvise(pl->obj, pl->obj_len, MADV_NOHUGEPAGE);
	if (populate) {
		populate(pl->obj, pl->obj_len / 2, seed);
		populate(pl->filler, pl->filler_len, seed + 1);
	} else {
		memset(pl->obj, 1, pl->obj_len / 2);
		memset(pl->filler, 1, pl->filler_len);
	}
	ret = wb_clear_refs();
	if (ret)
		return ret;
	cur = wb_memcg_read_long(cg, "memory.current");
	if (cur < 0)
		return -EIO;
	return wb_memcg_set_max(cg, cur + WB_PIN_LOOP_ROOM);
}

/* After the pin loop: memory.max of @cg back to "max".  0 or -errno. */
static inline int wb_pin_loop_end(const char *cg)
{
	return wb_memcg_set_max(cg, 0);
}

#endif /* WB_H */
