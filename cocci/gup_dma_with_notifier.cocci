// SPDX-License-Identifier: GPL-2.0-only
///
/// Find drivers that take plain (FOLL_GET) references on user pages with
/// get_user_pages*(), DMA-map those pages, and also subscribe to mmu
/// notifiers.  Reclaim cannot tell such pages are in use by a device:
/// folio_maybe_dma_pinned() only sees FOLL_PIN references, so reclaim
/// unmaps the pages and fires the driver's notifier for folios it can
/// never free.  Use pin_user_pages*() and release with unpin_user_page(s)().
///
/// "Subscribes to mmu notifiers" means a call to mmu_notifier_register(),
/// __mmu_notifier_register(), mmu_notifier_get*() or
/// mmu_interval_notifier_insert*() in the same file or in another .c file
/// of the same directory (radeon takes the pages in radeon_ttm.c and
/// registers the notifier in radeon_mn.c).  "DMA-maps" means the file calls
/// dma_map_*(), ib_dma_map_*(), sg_set_page() or sg_alloc_*_from_pages().
///
/// Patch mode converts the simple case only: the page array is a local
/// variable, and every use of it in the function is a gup call, a
/// release_pages()/put_page() on it, its allocation or free, or a
/// non-releasing use of one element.  Anything else (pages kept in a
/// structure and released in another function, an alias of the array,
/// get_user_pages_fast_only(), a single struct page) is reported only:
/// converting the gup call without converting every release would turn a
/// correct FOLL_GET pairing into a pin/put mismatch.
///
// Confidence: Moderate
// Copyright: (C) 2025 the pin-aware-reclaim project contributors
// Comments: see Documentation/core-api/pin_user_pages.rst
// Options: --no-includes --include-headers

virtual patch
virtual context
virtual org
virtual report

@initialize:python@
@@
import os
import re

# A call (not a definition): preceded by indentation, '=', 'return', '('
# or '!'.  Definitions start at column 0 or after a type.
NOTIFIER_CALL = re.compile(
	r'(?:^[ \t]+|=[ \t]*|return[ \t]+|\([ \t]*|![ \t]*)'
	r'((?:__)?mmu_notifier_register|mmu_notifier_get(?:_locked)?|'
	r'mmu_interval_notifier_insert(?:_locked)?)[ \t]*\(', re.M)
notifier_cache = {}
dma_sites = {}
escaped = set()

def file_notifier(path):
	if path not in notifier_cache:
		hit = None
		try:
			with open(path, errors='replace') as f:
				text = f.read()
			m = NOTIFIER_CALL.search(text)
			if m:
				line = text.count('\n', 0, m.start(1)) + 1
				hit = (m.group(1), line)
		except OSError:
			pass
		notifier_cache[path] = hit
	return notifier_cache[path]

def driver_notifier(path):
	"""(function, file, line) of a notifier registration in this file or a
	sibling .c file, or None."""
	hit = file_notifier(path)
	if hit:
		return (hit[0], os.path.basename(path), hit[1])
	d = os.path.dirname(path) or '.'
	try:
		names = sorted(os.listdir(d))
	except OSError:
		return None
	for name in names:
		if not name.endswith('.c'):
			continue
		sib = os.path.join(d, name)
		if sib == path:
			continue
		hit = file_notifier(sib)
		if hit:
			return (hit[0], name, hit[1])
	return None

def key(p):
	return (p.file, p.line, p.column)

def message(p, fname):
	n = driver_notifier(p.file)
	d = dma_sites.get(p.file)
	pin = fname.replace('get_user_pages', 'pin_user_pages')
	msg = ("WARNING %s() takes plain (FOLL_GET) page references; the pages are "
	       "DMA-mapped in this file (%s() at line %s) and the driver subscribes "
	       "to mmu notifiers (%s() at %s:%s): reclaim cannot see these pages "
	       "are in use and will unmap them and fire the notifier anyway. "
	       % (fname, d[0], d[1], n[0], n[1], n[2]))
	if fname == 'get_user_pages_fast_only':
		msg += "There is no pin_ variant of %s(); use pin_user_pages_fast() " % fname
	elif fname == 'FOLL_GET':
		msg += "Use FOLL_PIN via pin_user_pages*() "
	else:
		msg += "Use %s() " % pin
	msg += "and release every page with unpin_user_page(s)()"
	if key(p) in convertible:
		msg += " (patch mode converts this call and its releases)."
	else:
		msg += " (not converted automatically: the pages are kept or released outside this function)."
	return msg

convertible = set()
context_sites = set()

// ---------------------------------------------------------------------
// Evidence that the file DMA-maps pages.
// ---------------------------------------------------------------------

@dma@
identifier f;
position pd;
@@

(
  dma_map_sg@f@pd(...)
|
  dma_map_sg_attrs@f@pd(...)
|
  dma_map_sgtable@f@pd(...)
|
  dma_map_page@f@pd(...)
|
  dma_map_page_attrs@f@pd(...)
|
  ib_dma_map_sg@f@pd(...)
|
  ib_dma_map_sgtable_attrs@f@pd(...)
|
  ib_dma_map_page@f@pd(...)
|
  sg_set_page@f@pd(...)
|
  sg_alloc_table_from_pages@f@pd(...)
|
  sg_alloc_table_from_pages_segment@f@pd(...)
|
  sg_alloc_append_table_from_pages@f@pd(...)
|
  drm_prime_pages_to_sg@f@pd(...)
)

@script:python@
f << dma.f;
pd << dma.pd;
@@

old = dma_sites.get(pd[0].file)
if old is None or int(pd[0].line) < int(old[1]):
	dma_sites[pd[0].file] = (f, pd[0].line)

// ---------------------------------------------------------------------
// Every get_user_pages*() call that returns page references.
// ---------------------------------------------------------------------

@gup depends on dma@
identifier f;
expression E1, E2, E3, E4, E5, pages;
position p;
@@

(
  get_user_pages(E1, E2, E3, NULL)
|
  get_user_pages_fast(E1, E2, E3, NULL)
|
  get_user_pages_remote(E4, E1, E2, E3, NULL, E5)
|
  get_user_pages_fast_only(E1, E2, E3, NULL)
|
  get_user_pages@f@p(E1, E2, E3, pages)
|
  get_user_pages_fast@f@p(E1, E2, E3, pages)
|
  get_user_pages_fast_only@f@p(E1, E2, E3, pages)
|
  get_user_pages_remote@f@p(E4, E1, E2, E3, pages, E5)
|
  get_user_pages_unlocked@f@p(E1, E2, pages, E3)
)

@follget depends on dma@
position p;
@@

  FOLL_GET@p

// ---------------------------------------------------------------------
// The simple case: a local page array used only in known ways.
// ---------------------------------------------------------------------

@gp depends on dma@
identifier fn;
local idexpression pages;
expression E1, E2, E3, E4, E5;
position p;
@@

fn(...) {
<+...
(
  get_user_pages@p(E1, E2, E3, pages)
|
  get_user_pages_fast@p(E1, E2, E3, pages)
|
  get_user_pages_remote@p(E4, E1, E2, E3, pages, E5)
|
  get_user_pages_unlocked@p(E1, E2, pages, E3)
)
...+>
}

@ok@
identifier gp.fn;
local idexpression gp.pages;
identifier alloc =~ "^(kmalloc|kzalloc|kcalloc|kmalloc_array|kvmalloc|kvzalloc|kvcalloc|kvmalloc_array|vmalloc|vzalloc|vmalloc_array|vcalloc)$";
identifier free =~ "^(kfree|kvfree|vfree)$";
identifier use =~ "^(page_to_pfn|page_to_phys|page_address|kmap|kunmap|kmap_local_page|kmap_atomic|set_page_dirty|set_page_dirty_lock|mark_page_accessed|flush_dcache_page|dma_map_page|dma_map_page_attrs|ib_dma_map_page|sg_set_page|PageHighMem|page_folio)$";
identifier sgf =~ "^(sg_alloc_table_from_pages|sg_alloc_table_from_pages_segment|sg_alloc_append_table_from_pages|vmap)$";
identifier g =~ "^(get_user_pages|get_user_pages_fast|get_user_pages_remote|get_user_pages_unlocked)$";
expression E, N;
position u;
@@

fn(...) {
<...
(
  g(..., pages@u, ...)
|
  release_pages(pages@u, N)
|
  put_page(pages@u[E])
|
  free(pages@u)
|
  pages@u = alloc(...)
|
  pages@u = NULL
|
  !pages@u
|
  pages@u == NULL
|
  pages@u != NULL
|
  sgf(..., pages@u, ...)
|
  use(..., pages@u[E], ...)
)
...>
}

@ok2@
identifier gp.fn;
local idexpression gp.pages;
expression E;
position u;
@@

fn(...) {
<+...
(
  sizeof(*pages@u)
|
  sizeof(pages@u[E])
)
...+>
}

@bad@
identifier gp.fn;
local idexpression gp.pages;
position q != {ok.u, ok2.u};
@@

fn(...) {
<+... pages@q ...+>
}

@script:python@
p << gp.p;
q << bad.q;
@@

escaped.add(key(p[0]))

@initdecl@
identifier gp.fn;
identifier x;
position q;
type T;
identifier alloc =~ "^(kmalloc|kzalloc|kcalloc|kmalloc_array|kvmalloc|kvzalloc|kvcalloc|kvmalloc_array|vmalloc|vzalloc|vmalloc_array|vcalloc)$";
expression E;
@@

fn(...) {
<+...
(
  T x = NULL;
|
  T x = alloc(...);
|
  T x@q = E;
)
...+>
}

@script:python@
p << gp.p;
pages << gp.pages;
x << initdecl.x;
@@

if str(x) == str(pages):
	escaped.add(key(p[0]))

@script:python@
p << gp.p;
@@

if key(p[0]) not in escaped and driver_notifier(p[0].file) is not None:
	convertible.add(key(p[0]))

@cv@
identifier gp.fn;
local idexpression gp.pages;
expression E1, E2, E3, E4, E5;
position pc : script:python () { key(pc[0]) in convertible };
position pf;
@@

fn@pf(...) {
<+...
(
  get_user_pages@pc(E1, E2, E3, pages)
|
  get_user_pages_fast@pc(E1, E2, E3, pages)
|
  get_user_pages_remote@pc(E4, E1, E2, E3, pages, E5)
|
  get_user_pages_unlocked@pc(E1, E2, pages, E3)
)
...+>
}

@depends on patch@
identifier gp.fn;
local idexpression gp.pages;
position cv.pf;
expression E1, E2, E3, E4, E5;
@@

fn@pf(...) {
<...
(
- get_user_pages
+ pin_user_pages
  (E1, E2, E3, pages)
|
- get_user_pages_fast
+ pin_user_pages_fast
  (E1, E2, E3, pages)
|
- get_user_pages_remote
+ pin_user_pages_remote
  (E4, E1, E2, E3, pages, E5)
|
- get_user_pages_unlocked
+ pin_user_pages_unlocked
  (E1, E2, pages, E3)
|
- release_pages
+ unpin_user_pages
  (pages, E1)
|
- put_page
+ unpin_user_page
  (pages[E1])
)
...>
}

// ---------------------------------------------------------------------
// Report, org and context output.
// ---------------------------------------------------------------------

@script:python depends on report@
f << gup.f;
p << gup.p;
@@

if driver_notifier(p[0].file) is not None:
	coccilib.report.print_report(p[0], message(p[0], f))

@script:python depends on report@
p << follget.p;
@@

if driver_notifier(p[0].file) is not None:
	coccilib.report.print_report(p[0], message(p[0], 'FOLL_GET'))

@script:python depends on org@
f << gup.f;
p << gup.p;
@@

if driver_notifier(p[0].file) is not None:
	coccilib.org.print_todo(p[0], message(p[0], f))

@script:python depends on org@
p << follget.p;
@@

if driver_notifier(p[0].file) is not None:
	coccilib.org.print_todo(p[0], message(p[0], 'FOLL_GET'))

@script:python depends on context@
p << gup.p;
@@

if driver_notifier(p[0].file) is not None:
	context_sites.add(key(p[0]))

@depends on context@
identifier f;
position p : script:python () { key(p[0]) in context_sites };
@@

* f@p(...)
