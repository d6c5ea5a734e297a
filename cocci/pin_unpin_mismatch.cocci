// SPDX-License-Identifier: GPL-2.0-only
/// Pages taken with pin_user_pages*() (FOLL_PIN) must be released with
/// unpin_user_page(s)*(), pages taken with get_user_pages*() (FOLL_GET)
/// with put_page()/release_pages().  A pinned page released with
/// put_page() keeps GUP_PIN_COUNTING_BIAS references for ever, so
/// folio_maybe_dma_pinned() stays true and reclaim skips the folio;
/// unpin_user_page() on a FOLL_GET page underflows the pin count.
///
/// Two scopes.  In one function: a release, on some path after the gup
/// call, of the page array passed to it (E, E + O or &E[O]) or of the
/// single page (&P).  Across the functions of one file: a field of a
/// structure type that is pinned in one place (S->fld, S->fld + O,
/// &S->fld[O], or the same with S.fld) and released with put_page() or
/// release_pages() through a pointer or value of the same structure type
/// elsewhere, unless the file also fills that field of that type with
/// get_user_pages*().
///
/// Patch mode fixes the pin -> put direction in one function, which is
/// unambiguous (FOLL_PIN pages must be unpinned).  get -> unpin and the
/// cross-function case are reported only: whether to pin the pages or to
/// put them is a decision about the driver, and the cross-function fix
/// touches every release of the field.
///
//# The cross-function scope needs the type of S: spatch infers it from
//# the declaration of a local variable or parameter, or from a structure
//# defined in the file; with --no-includes a structure defined in a header
//# is unknown, so S->a->fld with the struct of a in a header is not
//# matched (missed, never reported).  Releases through another alias (the
//# array copied to a local, a helper that takes the array) are not
//# followed.  A field that holds pinned pages on one path and page-cache
//# or alloc_page() pages on another gives a false positive.  A function
//# that fills the same array or page with pin_user_pages*() or with
//# get_user_pages*() depending on a flag, and releases it on a branch of
//# that flag (KVM's hva_to_pfn_slow()), is skipped in the same-function
//# scope: the rule does not follow the flag, so a real mismatch in such
//# a function is missed.
//
// Confidence: High
// Comments: see Documentation/core-api/pin_user_pages.rst
// Options: --no-includes --include-headers

virtual patch
virtual context
virtual org
virtual report

@initialize:python@
@@

seen = set()
mixed = set()

def mixed_site(p):
	return (p.file, p.line, p.column) in mixed

def emit(kind, p, msg):
	k = (p.file, p.line, p.column)
	if k in seen:
		return
	seen.add(k)
	if kind == 'org':
		coccilib.org.print_todo(p, msg)
	else:
		coccilib.report.print_report(p, msg)

def pin_msg(a, pf, rel):
	return ("ERROR %s() releases pages pinned by %s() at line %s: FOLL_PIN "
		"pages must be released with unpin_user_page(s)() "
		"(%s() leaves the pin count raised for ever)" % (rel, pf, a.line, rel))

def get_msg(a, gf, rel):
	return ("ERROR %s() releases pages taken by %s() at line %s without "
		"FOLL_PIN: use pin_user_pages*() to take them (for DMA targets) "
		"or release them with put_page()/release_pages()" % (rel, gf, a.line))

// ---------------------------------------------------------------------
// Functions that fill the same page array or page either way, e.g.
//   if (pin) pin_user_pages_unlocked(..., &page, ...);
//   else     get_user_pages_unlocked(..., &page, ...);
// A later put_page() or unpin_user_page() then belongs to one branch,
// chosen by a condition the rule cannot follow (KVM's hva_to_pfn_slow()).
// Their gup calls are left out of the same-function rules below.
// ---------------------------------------------------------------------

@gotarg@
identifier fn;
expression A, E1, E2, E3, E4, E5;
@@

fn(...) {
<+...
(
  get_user_pages(E1, E2, E3, A)
|
  get_user_pages_fast(E1, E2, E3, A)
|
  get_user_pages_fast_only(E1, E2, E3, A)
|
  get_user_page_fast_only(E1, E2, A)
|
  get_user_pages_remote(E4, E1, E2, E3, A, E5)
|
  get_user_pages_unlocked(E1, E2, A, E3)
)
...+>
}

@mixpin@
identifier gotarg.fn;
expression gotarg.A, E1, E2, E3, E4, E5;
position a;
@@

fn(...) {
<+...
(
  pin_user_pages@a(E1, E2, E3, A)
|
  pin_user_pages_fast@a(E1, E2, E3, A)
|
  pin_user_pages_remote@a(E4, E1, E2, E3, A, E5)
|
  pin_user_pages_unlocked@a(E1, E2, A, E3)
)
...+>
}

@pinarg@
identifier fn;
expression A, E1, E2, E3, E4, E5;
@@

fn(...) {
<+...
(
  pin_user_pages(E1, E2, E3, A)
|
  pin_user_pages_fast(E1, E2, E3, A)
|
  pin_user_pages_remote(E4, E1, E2, E3, A, E5)
|
  pin_user_pages_unlocked(E1, E2, A, E3)
)
...+>
}

@mixget@
identifier pinarg.fn;
expression pinarg.A, E1, E2, E3, E4, E5;
position g;
@@

fn(...) {
<+...
(
  get_user_pages@g(E1, E2, E3, A)
|
  get_user_pages_fast@g(E1, E2, E3, A)
|
  get_user_pages_fast_only@g(E1, E2, E3, A)
|
  get_user_page_fast_only@g(E1, E2, A)
|
  get_user_pages_remote@g(E4, E1, E2, E3, A, E5)
|
  get_user_pages_unlocked@g(E1, E2, A, E3)
)
...+>
}

@script:python@
a << mixpin.a;
@@
mixed.add((a[0].file, a[0].line, a[0].column))

@script:python@
g << mixget.g;
@@
mixed.add((g[0].file, g[0].line, g[0].column))

// ---------------------------------------------------------------------
// Same function: pin_user_pages*() ... put_page()/release_pages()
// ---------------------------------------------------------------------

@pin exists@
expression E, E1, E2, E3, E4, E5, N, O, X;
identifier pf, rel;
position a : script:python () { not mixed_site(a[0]) };
position f;
@@

(
  pin_user_pages@pf@a(E1, E2, E3, \(E\|E + O\|&E[O]\))
|
  pin_user_pages_fast@pf@a(E1, E2, E3, \(E\|E + O\|&E[O]\))
|
  pin_user_pages_remote@pf@a(E4, E1, E2, E3, \(E\|E + O\|&E[O]\), E5)
|
  pin_user_pages_unlocked@pf@a(E1, E2, \(E\|E + O\|&E[O]\), E3)
)
  ... when != E = X
      when != E[...] = X
      when != unpin_user_pages(E, ...)
      when != unpin_user_pages_dirty_lock(E, ...)
      when != unpin_user_page(E[...])
(
  put_page@rel@f(E[N])
|
  release_pages@rel@f(E, N)
)

@pin1 exists@
expression P, E1, E2, E3, E4, E5, X;
identifier pf, rel;
position a : script:python () { not mixed_site(a[0]) };
position f;
@@

(
  pin_user_pages@pf@a(E1, E2, E3, &P)
|
  pin_user_pages_fast@pf@a(E1, E2, E3, &P)
|
  pin_user_pages_remote@pf@a(E4, E1, E2, E3, &P, E5)
|
  pin_user_pages_unlocked@pf@a(E1, E2, &P, E3)
)
  ... when != P = X
      when != unpin_user_page(P)
      when != unpin_user_pages(&P, ...)
      when != unpin_user_pages_dirty_lock(&P, ...)
  put_page@rel@f(P)

@depends on patch exists@
expression E, E1, E2, E3, E4, E5, N, O, X;
position a : script:python () { not mixed_site(a[0]) };
@@

(
  pin_user_pages@a(E1, E2, E3, \(E\|E + O\|&E[O]\))
|
  pin_user_pages_fast@a(E1, E2, E3, \(E\|E + O\|&E[O]\))
|
  pin_user_pages_remote@a(E4, E1, E2, E3, \(E\|E + O\|&E[O]\), E5)
|
  pin_user_pages_unlocked@a(E1, E2, \(E\|E + O\|&E[O]\), E3)
)
  ... when != E = X
      when != E[...] = X
      when != unpin_user_pages(E, ...)
      when != unpin_user_pages_dirty_lock(E, ...)
      when != unpin_user_page(E[...])
(
- put_page
+ unpin_user_page
  (E[N])
|
- release_pages
+ unpin_user_pages
  (E, N)
)

@depends on patch exists@
expression P, E1, E2, E3, E4, E5, X;
position a : script:python () { not mixed_site(a[0]) };
@@

(
  pin_user_pages@a(E1, E2, E3, &P)
|
  pin_user_pages_fast@a(E1, E2, E3, &P)
|
  pin_user_pages_remote@a(E4, E1, E2, E3, &P, E5)
|
  pin_user_pages_unlocked@a(E1, E2, &P, E3)
)
  ... when != P = X
      when != unpin_user_page(P)
      when != unpin_user_pages(&P, ...)
      when != unpin_user_pages_dirty_lock(&P, ...)
- put_page
+ unpin_user_page
  (P)

// ---------------------------------------------------------------------
// Same function: get_user_pages*() ... unpin_user_page(s)*()
// ---------------------------------------------------------------------

@get exists@
expression E, E1, E2, E3, E4, E5, O, X;
identifier gf, rel;
position a : script:python () { not mixed_site(a[0]) };
position f;
@@

(
  get_user_pages(E1, E2, E3, NULL)
|
  get_user_pages_fast(E1, E2, E3, NULL)
|
  get_user_pages_remote(E4, E1, E2, E3, NULL, E5)
|
  get_user_pages@gf@a(E1, E2, E3, \(E\|E + O\|&E[O]\))
|
  get_user_pages_fast@gf@a(E1, E2, E3, \(E\|E + O\|&E[O]\))
|
  get_user_pages_fast_only@gf@a(E1, E2, E3, \(E\|E + O\|&E[O]\))
|
  get_user_pages_remote@gf@a(E4, E1, E2, E3, \(E\|E + O\|&E[O]\), E5)
|
  get_user_pages_unlocked@gf@a(E1, E2, \(E\|E + O\|&E[O]\), E3)
)
  ... when != E = X
      when != E[...] = X
      when != release_pages(E, ...)
      when != put_page(E[...])
(
  unpin_user_page@rel@f(E[...])
|
  unpin_user_pages@rel@f(E, ...)
|
  unpin_user_pages_dirty_lock@rel@f(E, ...)
|
  unpin_user_page@rel@f(*E)
)

@get1 exists@
expression P, E1, E2, E3, E4, E5, X;
identifier gf, rel;
position a : script:python () { not mixed_site(a[0]) };
position f;
@@

(
  get_user_pages@gf@a(E1, E2, E3, &P)
|
  get_user_pages_fast@gf@a(E1, E2, E3, &P)
|
  get_user_pages_fast_only@gf@a(E1, E2, E3, &P)
|
  get_user_pages_remote@gf@a(E4, E1, E2, E3, &P, E5)
|
  get_user_pages_unlocked@gf@a(E1, E2, &P, E3)
)
  ... when != P = X
      when != put_page(P)
(
  unpin_user_page@rel@f(P)
|
  unpin_user_pages@rel@f(&P, ...)
|
  unpin_user_pages_dirty_lock@rel@f(&P, ...)
)

// ---------------------------------------------------------------------
// Across functions: a field of one structure type that holds pinned
// pages.  T is the structure type: S is a T *, S2 a T.  The get and put
// rules inherit T and fld, so a field of the same name in another
// structure type is a different field.
// ---------------------------------------------------------------------

@pinfld@
type T;
T *S;
T S2;
expression E1, E2, E3, E4, E5, O;
identifier fld, pf;
position a;
@@

(
  pin_user_pages@pf@a(E1, E2, E3, \(S->fld\|S->fld + O\|&S->fld[O]\|S2.fld\|S2.fld + O\|&S2.fld[O]\))
|
  pin_user_pages_fast@pf@a(E1, E2, E3, \(S->fld\|S->fld + O\|&S->fld[O]\|S2.fld\|S2.fld + O\|&S2.fld[O]\))
|
  pin_user_pages_remote@pf@a(E4, E1, E2, E3, \(S->fld\|S->fld + O\|&S->fld[O]\|S2.fld\|S2.fld + O\|&S2.fld[O]\), E5)
|
  pin_user_pages_unlocked@pf@a(E1, E2, \(S->fld\|S->fld + O\|&S->fld[O]\|S2.fld\|S2.fld + O\|&S2.fld[O]\), E3)
)

@getfld@
type pinfld.T;
T *S;
T S2;
expression E1, E2, E3, E4, E5, O;
identifier pinfld.fld;
@@

(
  get_user_pages(E1, E2, E3, \(S->fld\|S->fld + O\|&S->fld[O]\|S2.fld\|S2.fld + O\|&S2.fld[O]\))
|
  get_user_pages_fast(E1, E2, E3, \(S->fld\|S->fld + O\|&S->fld[O]\|S2.fld\|S2.fld + O\|&S2.fld[O]\))
|
  get_user_pages_fast_only(E1, E2, E3, \(S->fld\|S->fld + O\|&S->fld[O]\|S2.fld\|S2.fld + O\|&S2.fld[O]\))
|
  get_user_pages_remote(E4, E1, E2, E3, \(S->fld\|S->fld + O\|&S->fld[O]\|S2.fld\|S2.fld + O\|&S2.fld[O]\), E5)
|
  get_user_pages_unlocked(E1, E2, \(S->fld\|S->fld + O\|&S->fld[O]\|S2.fld\|S2.fld + O\|&S2.fld[O]\), E3)
)

@putfld depends on !getfld@
type pinfld.T;
T *R;
T R2;
expression N;
identifier pinfld.fld, rel;
position f;
@@

(
  put_page@rel@f(R->fld[N])
|
  put_page@rel@f(R2.fld[N])
|
  release_pages@rel@f(R->fld, N)
|
  release_pages@rel@f(R2.fld, N)
)

// ---------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------

@script:python depends on report@
pf << pin.pf; rel << pin.rel; a << pin.a; f << pin.f;
@@
emit('report', f[0], pin_msg(a[0], pf, rel))

@script:python depends on org@
pf << pin.pf; rel << pin.rel; a << pin.a; f << pin.f;
@@
emit('org', f[0], pin_msg(a[0], pf, rel))

@script:python depends on report@
pf << pin1.pf; rel << pin1.rel; a << pin1.a; f << pin1.f;
@@
emit('report', f[0], pin_msg(a[0], pf, rel))

@script:python depends on org@
pf << pin1.pf; rel << pin1.rel; a << pin1.a; f << pin1.f;
@@
emit('org', f[0], pin_msg(a[0], pf, rel))

@script:python depends on report@
gf << get.gf; rel << get.rel; a << get.a; f << get.f;
@@
emit('report', f[0], get_msg(a[0], gf, rel))

@script:python depends on org@
gf << get.gf; rel << get.rel; a << get.a; f << get.f;
@@
emit('org', f[0], get_msg(a[0], gf, rel))

@script:python depends on report@
gf << get1.gf; rel << get1.rel; a << get1.a; f << get1.f;
@@
emit('report', f[0], get_msg(a[0], gf, rel))

@script:python depends on org@
gf << get1.gf; rel << get1.rel; a << get1.a; f << get1.f;
@@
emit('org', f[0], get_msg(a[0], gf, rel))

@script:python depends on report@
fld << pinfld.fld; pf << pinfld.pf; a << pinfld.a; rel << putfld.rel; f << putfld.f;
@@
emit('report', f[0], pin_msg(a[0], pf, rel) + " (pages kept in ->%s)" % fld)

@script:python depends on org@
fld << pinfld.fld; pf << pinfld.pf; a << pinfld.a; rel << putfld.rel; f << putfld.f;
@@
emit('org', f[0], pin_msg(a[0], pf, rel) + " (pages kept in ->%s)" % fld)

@depends on context exists@
position pin.f;
identifier rel;
@@
* rel@f(...)

@depends on context exists@
position pin1.f;
identifier rel;
@@
* rel@f(...)

@depends on context exists@
position get.f;
identifier rel;
@@
* rel@f(...)

@depends on context exists@
position get1.f;
identifier rel;
@@
* rel@f(...)

@depends on context exists@
position putfld.f;
identifier rel;
@@
* rel@f(...)
