"""Tables as JSON-ready dicts, and their Markdown and plain-text renderings.

A table: {"id", "title", "note", "columns": [...], "rows": [row...]}; a
row: {"label", "cells": [str per column]} (the rendered text), or
{"label", "section": true}; a row of counts also carries "key" (a stable
name for machines, e.g. the cover letter) and "values" (the numbers,
null for n/a).
"""

NA = "n/a"


def table(tid, title, columns, note=""):
    return {"id": tid, "title": title, "note": note, "columns": list(columns), "rows": []}


def section(t, label):
    t["rows"].append({"label": label, "section": True})


def row(t, label, cells, key=None, values=None):
    r = {"label": label, "cells": [str(c) for c in cells]}
    if key:
        r["key"] = key
    if values is not None:
        r["values"] = values
    t["rows"].append(r)
    return r


def markdown(t):
    out = ["### " + t["title"], ""]
    if t.get("note"):
        out += [t["note"], ""]
    out.append("| metric | " + " | ".join(t["columns"]) + " |")
    out.append("|---|" + "---:|" * len(t["columns"]))
    for r in t["rows"]:
        if r.get("section"):
            out.append("| **%s** |" % r["label"] + " |" * len(t["columns"]))
        else:
            out.append("| %s | %s |" % (r["label"].strip(), " | ".join(r["cells"])))
    return "\n".join(out) + "\n"


def text(t):
    n = len(t["columns"])
    hdr = ["metric"] + t["columns"]
    body = [[r["label"]] + ([""] * n if r.get("section") else r["cells"]) for r in t["rows"]]
    w = [max(len(r[i]) for r in [hdr] + body) for i in range(len(hdr))]

    def line(r):
        return "  ".join(c.ljust(w[0]) if i == 0 else c.rjust(w[i])
                         for i, c in enumerate(r)).rstrip()
    out = [t["title"], "=" * len(t["title"]), line(hdr)]
    for r, b in zip(t["rows"], body):
        out.append(r["label"] + ":" if r.get("section") else line(b))
    return "\n".join(out) + "\n"


def md_grid(header, rows, align=None):
    """A plain Markdown table: header cells, rows of cells."""
    align = align or ["---"] * len(header)
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return out


def text_grid(rows):
    """Rows of cells as aligned plain text: first column left, others right."""
    w = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join((r[0].ljust(w[0]) + "".join("  " + r[i].rjust(w[i])
                                                 for i in range(1, len(r)))).rstrip()
                     for r in rows)
