"""The one parser of a guest's TAP stream and of a run directory.

The stream (results.tap): "TAP version 13", a plan "1..N", one top-level
result per test binary or benchmark ("ok 3 ARM:NAME", "not ok 5 ARM:NAME
# exit=1", "ok 2 ARM:NAME # SKIP why") and, before it, the binary's own
output as "# " lines, which may be TAP of its own ("# 1..39", "# ok 1
ARM:SUB", "# ok 7 # SKIP why" from kselftest.h) or benchmark result
lines ("# AB key=value ..."); at the end "WORKBENCH-END rc=N".

Results: one (STATUS, ID, REASON) per result, STATUS pass|fail|skip.  A
binary with results of its own contributes those (ID "BINARY/SUB", or
"BINARY/#N" when a result has no name), plus a failure of its own when it
failed although none of them did; a binary without any contributes itself
(ID "BINARY").  XFAIL counts as a pass, XPASS as a failure (kselftest's
exit codes).  The arm prefix is dropped.  Problems: one sentence per
problem of the stream (a plan that does not match its results, no plan,
no WORKBENCH-END, a WORKBENCH-END rc other than 0).
"""
import os
import re

NA = "n/a"
_DIRECTIVE = re.compile(r"^(SKIP|XFAIL|XPASS|TODO)([^A-Z]|$)")


class Result:
    """One parsed result line (without the "# " of a binary's own)."""

    def __init__(self, line, arm):
        self.ok = not line.startswith("not ")
        line = re.sub(r"^(not )?ok ", "", line, count=1)
        self.num = line.split(" ", 1)[0]
        rest = line[len(self.num):]
        if rest.startswith(" "):
            rest = rest[1:]
        self.name, self.directive, self.why = rest, "", ""
        if rest.startswith("#"):
            rest = " " + rest
        i = rest.find(" # ")
        if i >= 0:
            self.name = rest[:i]
            d = rest[i + 3:].lstrip(" ")
            if _DIRECTIVE.match(d.upper()):
                self.directive = re.match(r"[A-Z]*", d.upper()).group(0)
                d = re.sub(r"^[: ]+", "", d[len(self.directive):])
            self.why = d
        self.name = strip_arm(self.name.rstrip(" "), arm)

    def status(self):
        if not self.ok or self.directive == "XPASS":
            return "fail"
        return "skip" if self.directive == "SKIP" else "pass"


def strip_arm(name, arm):
    """NAME without the "ARM:" that run-guest.sh puts first (ARM from the
    "# arm=" line; without one, any leading "WORD:")."""
    if arm:
        return name[len(arm) + 1:] if name.startswith(arm + ":") else name
    return re.sub(r"^[A-Za-z0-9_+-]+:", "", name, count=1)


def _int_prefix(s):
    m = re.match(r"\d*", s)
    return int(m.group(0) or 0)


def parse_kv(text):
    """key=value tokens of a result line, in order."""
    rec = {}
    for tok in text.split():
        if "=" in tok:
            k, v = tok.split("=", 1)
            rec[k] = v
    return rec


class Stream:
    """Everything in one results.tap: results, problems, the top-level
    status of each binary or benchmark, and the "# AB" records."""

    def __init__(self, lines):
        self.results = []     # [status, id, reason]
        self.problems = []
        self.top = {}         # name -> "ok" | "not ok" | "skip[ why]"
        self.records = []     # dicts of the "# AB ..." lines, in order
        # dicts of the workbench tests' own "result arm=... key=value"
        # lines (ksft_print_msg(), so one "# " per TAP level), in order
        self.result_records = []
        self.seen_end = False
        arm = ""
        top_plan, top_n, end_rc = -1, 0, None
        subs, sub_plan = [], -1

        def emit(st, rid, why):
            self.results.append([st, rid, why.replace("\t", " ")])

        for line in lines:
            line = line.rstrip("\r\n").replace("\r", "")
            if line.startswith("# AB "):
                self.records.append(parse_kv(line[5:]))
                continue
            m = re.match(r"^#(?: #)* result (arm=.*)", line)
            if m:
                self.result_records.append(parse_kv(m.group(1)))
                continue
            if re.match(r"^# arm=", line) and not arm:
                f = line.split()
                arm = f[1][4:] if len(f) > 1 else ""
                continue
            if re.match(r"^# (not )?ok \d", line):
                r = Result(line[2:], arm)
                subs.append((r.status(), r.name or "#" + r.num,
                             ("XPASS " if r.directive == "XPASS" else "") + r.why))
                continue
            if re.match(r"^# 1\.\.\d", line):
                sub_plan = _int_prefix(line.split()[1][3:])
                continue
            if re.match(r"^1\.\.\d", line):
                first = line.split()[0]
                if top_plan >= 0:
                    self.problems.append("two top-level TAP plans (1..%d and %s)" % (top_plan, first))
                top_plan = _int_prefix(first[3:])
                if top_plan == 0 and re.search(r"# *SKIP", line):
                    emit("skip", "(run)", re.sub(r"^[^#]*# *SKIP:? *", "", line, count=1))
                continue
            if re.match(r"^(not )?ok \d", line):
                top_n += 1
                r = Result(line, arm)
                st = r.status()
                self.top[r.name] = ("skip" + (" " + r.why if r.why else "")
                                    if st == "skip" else ("ok" if r.ok else "not ok"))
                if not subs:
                    why = r.why
                    if sub_plan > 0:
                        why += " (planned %d results, printed none)" % sub_plan
                    emit(st, r.name, why)
                else:
                    for sst, sid, swhy in subs:
                        emit(sst, r.name + "/" + sid, swhy)
                    if st == "fail" and not any(s[0] == "fail" for s in subs):
                        emit("fail", r.name, "the binary failed (%s) although none of its %d "
                             "results did" % (r.why, len(subs)))
                    if sub_plan < 0:
                        self.problems.append("%s: %d results of its own but no plan (1..N)"
                                             % (r.name, len(subs)))
                    elif sub_plan != len(subs) and st == "skip" and len(subs) < sub_plan:
                        emit("skip", r.name, "stopped after %d of %d planned results: %s"
                             % (len(subs), sub_plan, r.why))
                    elif sub_plan != len(subs):
                        self.problems.append("%s: its plan is 1..%d but it printed %d results"
                                             % (r.name, sub_plan, len(subs)))
                subs, sub_plan = [], -1
                continue
            if line.startswith("WORKBENCH-END rc="):
                f = line.split()
                end_rc = f[1][3:] if len(f) > 1 else ""
        if subs:
            self.problems.append("%d results of a binary that has no top-level result "
                                 "(the run stopped inside it)" % len(subs))
        if end_rc is None:
            self.problems.append("the guest did not reach the end of its run (no WORKBENCH-END)")
        elif end_rc != "0":
            self.problems.append("the guest's run ended with rc=%s (WORKBENCH-END rc=%s)"
                                 % (end_rc, end_rc))
        if top_plan < 0:
            self.problems.append("no TAP plan (1..N) in the guest's output")
        elif top_plan != top_n:
            self.problems.append("the TAP plan is 1..%d but the guest printed %d results"
                                 % (top_plan, top_n))

    def binaries(self):
        """Per binary, in order: [name, results, passed, failed, skipped]."""
        out = {}
        for st, rid, _ in self.results:
            b = out.setdefault(rid.split("/", 1)[0], {"pass": 0, "fail": 0, "skip": 0})
            b[st] += 1
        return [[n, sum(c.values()), c["pass"], c["fail"], c["skip"]] for n, c in out.items()]


def read_stream(path):
    if not os.path.exists(path):
        return None
    with open(path, errors="replace") as f:
        return Stream(f)


def read_text(path, default=NA):
    try:
        with open(path, errors="replace") as f:
            return f.read().strip()
    except OSError:
        return default


def read_kv(path):
    """KEY=VALUE lines; a key given more than once becomes a list."""
    out = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    out.setdefault(k, []).append(v)
    return {k: (v[0] if len(v) == 1 else v) for k, v in out.items()}


def read_tsv(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def run_dir(path, root=""):
    """One run directory (build/<base>/runs/RUN, or an arm's copy in a job):
    the stream, the verdict's files and the QEMU command (paths relative
    to ROOT)."""
    qemu = read_text(os.path.join(path, "qemu.cmd"))
    if root:
        qemu = qemu.replace(root.rstrip("/") + "/", "")
    bins = read_tsv(os.path.join(path, "binaries.tsv"))
    bad = read_text(os.path.join(path, "console.bad"), None)
    return {
        "stream": read_stream(os.path.join(path, "results.tap")),
        "summary": read_text(os.path.join(path, "summary")),
        "qemu": qemu,
        "binaries": [[b[0]] + [int(x) for x in b[1:5]] for b in bins] if bins is not None else None,
        "console_clean": None if bad is None else bad == "",
    }


def write_verdict_files(rundir):
    """The verdict's parse of RUNDIR/results.tap (scripts/verdict.sh):
    results.tsv and binaries.tsv; returns the problems of the stream."""
    s = read_stream(os.path.join(rundir, "results.tap"))
    results = s.results if s else []
    with open(os.path.join(rundir, "results.tsv"), "w") as f:
        for r in results:
            f.write("\t".join(r) + "\n")
    with open(os.path.join(rundir, "binaries.tsv"), "w") as f:
        for b in (s.binaries() if s else []):
            f.write("\t".join(str(x) for x in b) + "\n")
    if s is None:
        return ["no TAP output (%s is missing)" % os.path.join(rundir, "results.tap")]
    return s.problems
