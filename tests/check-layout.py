#!/usr/bin/env python3
"""check-layout.py [ROOT] - the layout rules of docs/architecture.md, checked:

  1. no circle of calls or includes between the folders of lib/ (a domain
     folder never calls up into report/, the serializers sit on top);
  2. no source file of lib/ or cli/ over 800 lines;
  3. no function of lib/ or cli/ over 100 lines.

Prints one line per breach and a summary; exits 1 on any breach.  The
parsing is the project's own style (clang-format): a function starts with
its name at column 0 and ends at the first "}" at column 0.
"""
import collections
import glob
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
MAX_FILE, MAX_FUNC = 800, 100


def strip(src):
    src = re.sub(r"/\*.*?\*/", "", src, flags=re.S)
    return re.sub(r'"(\\.|[^"\\])*"', '""', src)


def folder(path):
    return os.path.relpath(os.path.dirname(path), os.path.join(ROOT, "lib"))


def cycles(edges):
    """Tarjan's strongly connected components with more than one node."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def graphs(files):
    defs, srcs = {}, {}
    calls, incs = collections.defaultdict(set), collections.defaultdict(set)
    why = {}
    for f in files:
        raw = open(f, encoding="utf-8", errors="replace").read()
        for m in re.finditer(r'#include "([^"]+)"', raw):
            inc = m.group(1)
            to = os.path.dirname(inc) if "/" in inc else "."
            if f.endswith(".h") or f.endswith(".c"):
                if to != folder(f) and to != "pgtls":
                    incs[folder(f)].add(to)
                    why.setdefault(("inc", folder(f), to), "%s includes %s" % (os.path.relpath(f, ROOT), inc))
        if not f.endswith(".c"):
            continue
        s = strip(raw)
        srcs[f] = s
        for m in re.finditer(r"^([A-Za-z_]\w*)\(", s, flags=re.M):
            prev = s[s.rfind("\n", 0, m.start() - 1) + 1:m.start()]
            if "static" not in prev:
                defs.setdefault(m.group(1), f)
    for f, s in srcs.items():
        for m in re.finditer(r"\b([A-Za-z_]\w*)\s*\(", s):
            g = defs.get(m.group(1))
            if g and folder(g) != folder(f):
                calls[folder(f)].add(folder(g))
                why.setdefault(("call", folder(f), folder(g)),
                               "%s calls %s (%s)" % (os.path.relpath(f, ROOT), m.group(1), os.path.relpath(g, ROOT)))
    return calls, incs, why


def long_functions(path):
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    start = name = None
    for i, line in enumerate(lines):
        if start is None and re.match(r"^[A-Za-z_]\w*\(", line):
            j = i
            while j < len(lines) and j - i < 6 and lines[j] != "{":
                j += 1
            if j < len(lines) and lines[j] == "{":
                start, name = j, line.split("(")[0]
        elif start is not None and line == "}":
            if i - start + 1 > MAX_FUNC:
                yield name, start + 1, i - start + 1
            start = None


def main():
    lib = sorted(glob.glob(os.path.join(ROOT, "lib/**/*.[ch]"), recursive=True))
    cli = sorted(glob.glob(os.path.join(ROOT, "cli/*.[ch]")))
    bad = 0
    calls, incs, why = graphs(lib)
    for kind, edges in (("call", calls), ("include", incs)):
        for comp in cycles(edges):
            bad += 1
            print("%s circle between lib/ folders: %s" % (kind, " <-> ".join(comp)))
            for a in comp:
                for b in comp:
                    if (kind[:4] if kind == "call" else "inc", a, b) in why:
                        print("   " + why[(kind[:4] if kind == "call" else "inc", a, b)])
    for f in lib + cli:
        if not f.endswith(".c"):
            continue
        n = open(f, encoding="utf-8", errors="replace").read().count("\n")
        if n > MAX_FILE:
            bad += 1
            print("%s: %d lines (at most %d)" % (os.path.relpath(f, ROOT), n, MAX_FILE))
        for name, line, length in long_functions(f):
            bad += 1
            print("%s:%d: %s is %d lines (at most %d)" % (os.path.relpath(f, ROOT), line, name, length, MAX_FUNC))
    print("layout: %d files, %s" % (len(lib) + len(cli), "%d breaches" % bad if bad else
                                    "no folder circle, no file over %d lines, no function over %d" % (MAX_FILE, MAX_FUNC)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
