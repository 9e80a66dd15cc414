#!/usr/bin/env python3
"""Checks the #include lines of src/ against docs/architecture.md (label unit).

The document's table "Folders and what each may include" gives, per folder of src/, the folders whose headers its
files may include and the system headers reserved to some folders (used by their .c files and private *_impl.h
headers only, never by a public header); its table "Known exceptions" lists the
includes that break those rules today (each one a piece of issue #19 still to do). The check fails on
  - an include of another folder's header (or of a restricted system header) that the rules do not allow and that
    is not a known exception, and
  - a known exception that no longer occurs (the table must shrink as the code does).
Standard library only; usage: check_layers.py [REPO_ROOT]."""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
doc = open(os.path.join(root, "docs", "architecture.md"), encoding="utf-8").read()


def table(title):
    """Rows (lists of cells) of the first Markdown table after the heading that contains `title`."""
    m = re.search(r"^#+ .*" + re.escape(title) + r".*$", doc, re.M)
    if not m:
        sys.exit(f"docs/architecture.md: no section '{title}'")
    rows = []
    for line in doc[m.end():].splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not set("".join(cells)) <= set("-: "):
                rows.append(cells)
        elif rows:
            break
    return rows[1:]  # without the header row


def names(cell):
    return re.findall(r"`([^`]+)`", cell)


allowed, system = {}, {}
for row in table("Folders and what each may include"):
    folder = names(row[0])[0].rstrip("/").split("/")[-1]
    allowed[folder] = set(n.rstrip("/").split("/")[-1] for n in names(row[1])) | {folder}
    for h in names(row[2]) if len(row) > 2 else []:
        system.setdefault(h, set()).add(folder)
exceptions = {(names(r[0])[0], names(r[1])[0]) for r in table("Known exceptions")}

src = os.path.join(root, "src")
owner = {}  # header file name -> folder
for d in sorted(os.listdir(src)):
    if os.path.isdir(os.path.join(src, d)):
        for f in os.listdir(os.path.join(src, d)):
            if f.endswith((".h", ".h.in")):
                owner[f.replace(".h.in", ".h")] = d
missing = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)) and d not in allowed)
if missing:
    sys.exit("docs/architecture.md: folders without rules: " + ", ".join(missing))

found, bad = set(), []
for d in sorted(allowed):
    for f in sorted(os.listdir(os.path.join(src, d))):
        if not f.endswith((".c", ".h")):
            continue
        rel = f"src/{d}/{f}"
        for n, line in enumerate(open(os.path.join(src, d, f), encoding="utf-8"), 1):
            m = re.match(r'\s*#\s*include\s*([<"])([^>"]+)[>"]', line)
            if not m:
                continue
            inc = m.group(2)
            base = os.path.basename(inc)
            if m.group(1) == '"' and base in owner and owner[base] not in allowed[d]:
                why = f"{owner[base]}/ is not among the folders {d}/ may include"
            elif m.group(1) == "<" and inc in system and d not in system[inc]:
                why = f"<{inc}> is reserved to {', '.join(sorted(system[inc]))}/"
            elif m.group(1) == "<" and inc in system and f.endswith(".h") and not f.endswith("_impl.h"):
                why = f"<{inc}> in a public header (only .c files and private *_impl.h headers may use it)"
            else:
                continue
            if (rel, inc) in exceptions:
                found.add((rel, inc))
            else:
                bad.append(f"{rel}:{n}: #include {line.strip()[len('#include'):].strip()}: {why} (docs/architecture.md)")
stale = sorted(exceptions - found)
for rel, inc in stale:
    bad.append(f"docs/architecture.md: known exception {rel} -> {inc} no longer occurs: remove it from the table")
print(f"{sum(1 for _ in allowed)} folders, {len(found)} known exceptions in use, {len(bad)} problems")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
