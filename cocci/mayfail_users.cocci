// SPDX-License-Identifier: GPL-2.0-only
/// List every use of MMU_NOTIFIER_RANGE_MAYFAIL and
/// mmu_notifier_range_mayfail(): the code to migrate if the pin-aware
/// design is chosen over the 2020 "MAYFAIL" design.  Producers (code that
/// sets the flag, i.e. reclaim's try_to_unmap_one()) stop setting it: with
/// TTU_RECLAIM, reclaim checks folio_maybe_dma_pinned() before any unmap
/// and never fires a notifier for a folio it cannot free.  Consumers
/// (notifier callbacks that decline may-fail invalidations) lose their
/// decline branch and instead take their page references with
/// pin_user_pages*(), so reclaim skips those folios before calling them.
///
/// This rule is a grep.  It matches two tokens, with no control flow or
/// type information.  The same list comes from
///   git grep -nw -e MMU_NOTIFIER_RANGE_MAYFAIL -e mmu_notifier_range_mayfail
/// less the lines grep also prints: comments, the #define, and the
/// definition of mmu_notifier_range_mayfail() and its use of the flag.
/// It is kept as a rule only so that scripts/cocci-run.sh lists the users
/// on the mayfail arm with positions and verdicts next to the other rules;
/// it checks nothing and is not a candidate for scripts/coccinelle/.
/// Neither name exists in 6.12 or 7.3: it has hits only on a tree with
/// the MAYFAIL series applied.
///
/// There is no patch mode on purpose.  The producer change is a design
/// decision made once in mm/ by the series itself, not a rewrite to apply
/// wherever the flag appears.  For consumers, deleting the decline branch
/// is mechanical but changes which path the callback takes (e.g. i915
/// goes back to a blocking unbind inside reclaim), and the part that makes
/// it safe, pinning the pages with FOLL_PIN, is in another function
/// (the page acquisition path).  A generated patch would compile and be
/// wrong; each user needs a reviewed, hand-written change.
///
//# A use hidden behind a macro of another name, or through a copy of
//# range->flags tested against a literal, is not found (grep would miss
//# it too).
//
// Confidence: High
// Options: --no-includes --include-headers

virtual context
virtual org
virtual report

@def@
position p;
@@

mmu_notifier_range_mayfail(...) {
<+... MMU_NOTIFIER_RANGE_MAYFAIL@p ...+>
}

@flag@
position p != def.p;
@@

MMU_NOTIFIER_RANGE_MAYFAIL@p

@call@
position p;
@@

mmu_notifier_range_mayfail@p(...)

@script:python depends on report@
p << flag.p;
@@

coccilib.report.print_report(p[0], "WARNING MMU_NOTIFIER_RANGE_MAYFAIL is used here: under the pin-aware design this flag does not exist; a producer stops setting it (reclaim passes TTU_RECLAIM and skips DMA-pinned folios before unmapping), a consumer drops its decline branch and pins its pages with pin_user_pages*()")

@script:python depends on org@
p << flag.p;
@@

coccilib.org.print_todo(p[0], "WARNING MMU_NOTIFIER_RANGE_MAYFAIL is used here: under the pin-aware design this flag does not exist; a producer stops setting it (reclaim passes TTU_RECLAIM and skips DMA-pinned folios before unmapping), a consumer drops its decline branch and pins its pages with pin_user_pages*()")

@script:python depends on report@
p << call.p;
@@

coccilib.report.print_report(p[0], "WARNING mmu_notifier_range_mayfail() is tested here: under the pin-aware design invalidations are never may-fail; remove the decline branch and make sure the pages this subscriber holds are taken with pin_user_pages*() so reclaim skips them before the notifier runs")

@script:python depends on org@
p << call.p;
@@

coccilib.org.print_todo(p[0], "WARNING mmu_notifier_range_mayfail() is tested here: under the pin-aware design invalidations are never may-fail; remove the decline branch and make sure the pages this subscriber holds are taken with pin_user_pages*() so reclaim skips them before the notifier runs")

@depends on context@
position flag.p;
@@

* MMU_NOTIFIER_RANGE_MAYFAIL@p

@depends on context@
position call.p;
@@

* mmu_notifier_range_mayfail@p(...)
