"""Numbers: parsing, formatting, and the spread of identical runs."""
import statistics

NA = "n/a"


def num(v):
    """int, float, or None for n/a / missing."""
    if v is None or v == NA:
        return None
    if isinstance(v, (int, float)):
        return v
    try:
        return int(v)
    except ValueError:
        try:
            return float(v)
        except ValueError:
            return v


def ssum(vals):
    """Sum, or None if any value is n/a (never turn n/a into 0)."""
    vals = list(vals)
    if not vals or any(v is None for v in vals):
        return None
    return sum(vals)


def fmt_int(v):
    return NA if v is None else str(v)


def fmt_ms(ns):
    if ns is None:
        return NA
    ms = ns / 1e6
    if ms >= 100:
        return "%.0f" % ms
    if ms >= 10:
        return "%.1f" % ms
    return "%.3g" % ms


def fmt_ratio(r):
    return NA if r is None else "%.3f" % r


def pct_change(base, val):
    if not isinstance(base, (int, float)) or not isinstance(val, (int, float)):
        return ""
    if val == base:
        return " (=)"
    if base == 0:
        return " (new)"
    return " (%+.1f%%)" % (100.0 * (val - base) / base)


def med_range(vals, fmt):
    vals = [v for v in vals if v is not None]
    if not vals:
        return NA
    return "%s [%s..%s] n=%d" % (fmt(statistics.median(vals)), fmt(min(vals)),
                                 fmt(max(vals)), len(vals))


def median(vals):
    vals = [v for v in vals if isinstance(v, (int, float))]
    return statistics.median(vals) if vals else None


def spread(vals):
    """max - min of the values of identical runs; None without a repeat
    (fewer than two numbers)."""
    vals = [v for v in vals if isinstance(v, (int, float))]
    return max(vals) - min(vals) if len(vals) >= 2 else None


def significant(base_vals, vals):
    """Whether the difference between two arms exceeds the run-to-run
    spread of identical runs of both: True/False, or None when either arm
    has no repeat (spread unknown).  As mmtests' compare-kernels: a
    difference inside the noise of identical runs is not a difference."""
    sb, sa = spread(base_vals), spread(vals)
    if sb is None or sa is None:
        return None
    return abs(median(vals) - median(base_vals)) > max(sb, sa)


def disjoint(base_vals, vals):
    """Whether the ranges of two sets of per-boot values do not overlap:
    None without a repeat on either side."""
    b = [v for v in base_vals if isinstance(v, (int, float))]
    a = [v for v in vals if isinstance(v, (int, float))]
    if len(a) < 2 or len(b) < 2:
        return None
    return max(a) < min(b) or min(a) > max(b)
