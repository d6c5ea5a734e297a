"""What the workbench declares elsewhere, read from where it is declared.

The arm list is ARMS_ALL in scripts/lib.sh and the benchmark list is
`benches=` in selftests/run-bench.sh: never mirrored here.
"""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _shell_list(path, var):
    with open(os.path.join(ROOT, path)) as f:
        for line in f:
            m = re.match(r'^\s*%s="([^"]*)"' % re.escape(var), line)
            if m:
                return m.group(1).split()
    raise SystemExit("report: no %s=\"...\" in %s" % (var, path))


ARMS = _shell_list("scripts/lib.sh", "ARMS_ALL")
BENCHES = _shell_list("selftests/run-bench.sh", "benches")

# One colour per arm of ARMS_ALL, in that order; arms outside it get grey.
PALETTE = ["#777777", "#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e"]


def color(arm):
    base = arm.split("+", 1)[0]
    return PALETTE[ARMS.index(base) % len(PALETTE)] if base in ARMS else "#444444"
