/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Workbench build only, never part of the in-tree patch: selftests/Makefile
 * puts this directory in front of KSRC's tools/testing/selftests/mm for the
 * sources in selftests/mm when KSRC's vm_util.h declares check_huge_anon()
 * with the length of the range (7.3: addr, len, nr_hpages, hpage_size).
 * Our sources call it as 6.12 declares it (addr, nr_hpages, hpage_size),
 * the form the in-tree patch for 6.12 needs; the length of nr_hpages huge
 * pages is nr_hpages * hpage_size.  The tree's own files include their
 * vm_util.h from their own directory and never see this one.
 */
#include_next "vm_util.h"

#ifdef WORKBENCH_CHECK_HUGE_LEN
#define check_huge_anon(addr, nr, size) \
	check_huge_anon(addr, (size_t)(nr) * (size), nr, size)
#define check_huge_file(addr, nr, size) \
	check_huge_file(addr, (size_t)(nr) * (size), nr, size)
#define check_huge_shmem(addr, nr, size) \
	check_huge_shmem(addr, (size_t)(nr) * (size), nr, size)
#endif
