#!/usr/bin/env python3
"""Checks a report page as Chromium rendered it (its --dump-dom output) against what the build
recorded (sds show --json, sds diff --json, sds query --json), and that the browser logged
nothing: no console message, no script error, no blocked load.

usage: check.py build DOM CONSOLE_LOG MANIFEST.json [STUDY=QUERY.jsonl ...]
       check.py diff  DOM CONSOLE_LOG DIFF.json MANIFEST_A.json MANIFEST_B.json
Prints one line of counts; exits 1 with every failed check listed.
"""
import json
import sys
from html.parser import HTMLParser


class Page(HTMLParser):
    """The cells of the heatmaps and the body rows of the tables marked data-table."""

    def __init__(self):
        super().__init__()
        self.heatmap = None          # (study, channel) of the open <svg data-heatmap>
        self.cells = []              # (study, channel, windows)
        self.tables = {}             # kind -> [rows of the first table of that kind, ...]
        self.table = None            # [kind, in body, rows]
        self.sortable_ready = 0      # sortable headers the script made focusable
        self.ids = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "svg" and "data-heatmap" in a:
            self.heatmap = (a["data-heatmap"], a.get("data-channel"))
        elif tag == "rect" and self.heatmap and "data-n" in a:
            channel = a.get("data-ch", self.heatmap[1])
            self.cells.append((self.heatmap[0], channel, int(a["data-n"])))
        elif tag == "table" and "data-table" in a:
            self.table = [a["data-table"], False, 0]
        elif tag == "tbody" and self.table:
            self.table[1] = True
        elif tag == "tr" and self.table and self.table[1] and "group" not in (a.get("class") or ""):
            self.table[2] += 1
        elif tag == "th" and a.get("tabindex") == "0":
            self.sortable_ready += 1

    def handle_endtag(self, tag):
        if tag == "svg":
            self.heatmap = None
        elif tag == "table" and self.table:
            self.tables.setdefault(self.table[0], []).append(self.table[2])
            self.table = None


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main():
    kind, dom_path, log_path = sys.argv[1:4]
    failures = []

    def expect(ok, what):
        if not ok:
            failures.append(what)

    with open(log_path, encoding="utf-8", errors="replace") as f:
        console = [line.strip() for line in f if ":CONSOLE" in line]
    expect(not console, "the browser logged: " + " | ".join(console[:5]))

    page = Page()
    with open(dom_path, encoding="utf-8") as f:
        dom = f.read()
    page.feed(dom)
    expect("</html>" in dom, "the DOM dump is incomplete")
    expect(len(page.ids) == len(set(page.ids)), "ids repeat")
    sortable = dom.count('class="sortable"')
    expect(sortable == 0 or page.sortable_ready > 0, "the sorting script did not run")
    said = []

    if kind == "build":
        manifest = load(sys.argv[4])
        report = manifest["report"]
        for s in report["studies"]:
            mine = [c for c in page.cells if c[0] == s["study"]]
            channels = sorted({c[1] for c in mine})
            expect(channels, f"study {s['study']}: no heatmap")
            for ch in channels:
                drawn = sum(c[2] for c in mine if c[1] == ch)
                expect(drawn == s["windows"], f"study {s['study']} channel {ch}: {drawn} windows drawn, the build made {s['windows']}")
            said.append(f"{s['study']}: {len(channels)} channels x {s['windows']} windows in {len(mine)} cells")
        counters = [st for st in manifest["steps"] if st["op"] in ("frame.window-counts", "sensors.window-counts")]
        expect(sum(page.tables.get("coverage", [])) == len(counters),
               f"coverage tables have {page.tables.get('coverage')} rows, the build has {len(counters)} partitions with windows")
        lineage = sum(len(sh["partitions"]) for sh in manifest["shards"])
        expect(page.tables.get("lineage") == [lineage], f"lineage rows {page.tables.get('lineage')}, shards hold {lineage} partitions")
        expect(page.tables.get("splits") == [len(report["splits"])], f"split rows {page.tables.get('splits')}")
        expect(page.tables.get("bad-rows", [0]) == [len(manifest.get("quarantine", {}))], "bad-row reasons")
        features = {f for s in manifest["statistics"].values() for f in s["features"]}
        expect(page.tables.get("missing") == [len(features)], f"missing-value rows {page.tables.get('missing')}, {len(features)} features")
        expect(len(page.tables.get("feature", [])) == len(features), "a card per feature")
        for arg in sys.argv[5:]:
            study, path = arg.split("=", 1)
            with open(path, encoding="utf-8") as f:
                rows = sum(1 for line in f if line.strip())
            got = page.tables.get("statistics", [])
            expect(rows in got, f"statistics table of {study}: {got} rows shown, sds query has {rows}")
            said.append(f"statistics {study}: {rows} rows")
        said.append(f"lineage {lineage} rows, coverage {len(counters)} rows, {len(features)} features")
    else:
        diff, a, b = load(sys.argv[4]), load(sys.argv[5]), load(sys.argv[6])
        pairs = {(split, f) for m in (a, b) for split, s in m["statistics"].items() for f in s["features"]}
        expect(page.tables.get("shift") == [len(pairs)], f"shift rows {page.tables.get('shift')}, {len(pairs)} (split, feature) pairs")
        splits = diff["outputs"]["splits"]
        expect(page.tables.get("outputs") == [len(splits)], f"output rows {page.tables.get('outputs')}")
        changed = [s for s in diff["examples"]["splits"]]
        expect(page.tables.get("examples", [0]) == [len(changed)] or not changed, f"example rows {page.tables.get('examples')}")
        rewritten = sum(len(s["changed_files"]) for s in splits)
        expect(dom.count("<li><code>") == rewritten, f"{dom.count('<li><code>')} shards listed as rewritten, diff says {rewritten}")
        expect(page.tables.get("spec", [0]) == [len(diff["spec"])], f"spec rows {page.tables.get('spec')}, {len(diff['spec'])} changes")
        moved = {k: sum(len(s[k]) for s in changed) for k in ("added", "removed", "changed")}
        said.append(f"{len(pairs)} shift rows, {rewritten} shards rewritten, examples {moved}")

    if failures:
        print("FAILED: " + "; ".join(failures))
        sys.exit(1)
    print("ok: " + "; ".join(said))


if __name__ == "__main__":
    main()
