"""The numbers of the cover letter (scripts/export.sh), from the published
JSON summaries (docs/ab-results-BASE.json, docs/skip-policy-BASE.json,
docs/kvm-results-BASE.json)."""
import json

from . import skip_policy
from . import table as T

# The key rows of the counts table.  The swap-cache setup row too: with
# zram it can be 0, and the reader must see that such a "swap cache" type
# measured private anon.
AB_KEYS = ["swapcache_pages", "inval", "mayfail_declined", "pgunmap_pinned_skip", "nr_pinned",
           "repinned_pages", "scanned", "pgactivate", "pgrotate", "young_pinned", "thp_split_pmd"]


def ab_counts(s):
    t = next(t for t in s["tables"] if t["id"] == "counts")
    rows = [[""] + t["columns"]]
    for r in t["rows"]:
        if r.get("section"):
            rows.append([r["label"] + ":"] + [""] * len(t["columns"]))
        elif r.get("key") in AB_KEYS and any(c != "n/a" for c in r.get("plain", r["cells"])):
            # (a counter no arm's kernel has is left out: an older job's data)
            rows.append(["  " + r["label"].strip()] + r.get("plain", r["cells"]))
    return "From `make ab` of %s:\n\n%s" % (s["meta"].get("date", "unknown date"),
                                            T.text_grid(rows))


KVM_KEYS = ["invalidated_pinned", "refault_pinned", "age_pinned"]


def kvm_counts(s):
    """Per case, the counts of the pinned half, arm/arm/arm (make kvm)."""
    arms = [a["arm"] for a in s["arms"]]
    by = {(r["case"], r["arm"]): r for r in s["rows"]}
    cases = sorted({r["case"] for r in s["rows"]})
    rows = [["32 pinned pages", "invalidated", "re-faults", "aging calls"]]
    for c in cases:
        rows.append(["  " + c] + ["/".join(str(by.get((c, a), {}).get(k, "-")) for a in arms)
                                  for k in KVM_KEYS])
    return ("From `make kvm` of %s, each cell %s:\n\n%s"
            % (s.get("date", "unknown date"), "/".join(arms), T.text_grid(rows)))


def load(path):
    with open(path) as f:
        return json.load(f)


def fill(patch, cover, ab_json, sp_json, kvm_json=None):
    """Subject and body of the cover letter into git format-patch's
    0000-cover-letter.patch, with @AB_COUNTS@, @SKIP_POLICY@ and
    @KVM_COUNTS@ filled."""
    with open(cover) as f:
        parts = f.read().split("\n", 1)
    subject = parts[0].split("] ", 1)[-1].strip()
    body = parts[1].strip("\n") if len(parts) > 1 else ""
    if "@AB_COUNTS@" in body:
        body = body.replace("@AB_COUNTS@", ab_counts(load(ab_json)))
    if "@SKIP_POLICY@" in body:
        body = body.replace("@SKIP_POLICY@", skip_policy.cover_text(load(sp_json)))
    if "@KVM_COUNTS@" in body:
        body = body.replace("@KVM_COUNTS@", kvm_counts(load(kvm_json)))
    with open(patch) as f:
        text = f.read()
    text = text.replace("*** SUBJECT HERE ***", subject).replace("*** BLURB HERE ***", body)
    with open(patch, "w") as f:
        f.write(text)
