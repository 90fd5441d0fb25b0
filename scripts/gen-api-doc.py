#!/usr/bin/env python3
"""gen-api-doc.py [--check] - docs/api.md from the comments of include/pgtls/pgtls.h.

The header is the one place the API is documented: each section banner
(/* ---- ... ---- */) becomes a heading with its text, each declaration
(typedefs with their members, functions) is shown with the comment just
before it or beside it.  --check exits 1 when docs/api.md is not what the
header gives (CI runs it).
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = os.path.join(ROOT, "include", "pgtls", "pgtls.h")
OUT = os.path.join(ROOT, "docs", "api.md")


def comment_text(block):
    lines = []
    for line in block.splitlines():
        line = line.strip()
        line = re.sub(r"^/\*+-*", "", line)
        line = re.sub(r"-*\*+/$", "", line)
        line = re.sub(r"^\*\s?", "", line)
        lines.append(line.strip())
    return " ".join(x for x in lines if x and not set(x) <= {"-"}).strip()


def split_items(body):
    """(comment, code) pairs in order: a comment followed by the declaration it documents."""
    items = []
    pending = ""
    i = 0
    n = len(body)
    while i < n:
        if body.startswith("/*", i):
            j = body.index("*/", i) + 2
            pending = (pending + " " + comment_text(body[i:j])).strip()
            i = j
            continue
        if body[i].isspace():
            i += 1
            continue
        if body.startswith("#", i):  # preprocessor lines are not API
            j = body.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        # a declaration: up to the ';' at brace depth 0
        depth = 0
        j = i
        while j < n:
            c = body[j]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            elif c == ";" and depth == 0:
                break
            j += 1
        code = body[i:j + 1]
        # a comment on the same line after the ';'
        k = body.find("\n", j)
        tail = body[j + 1:k if k >= 0 else n]
        if "/*" in tail:
            pending = (pending + " " + comment_text(tail[tail.index("/*"):])).strip()
            j = k if k >= 0 else n
        code = re.sub(r"\bPGTLS_(API|MUSTCHECK)\s+", "", code)
        code = "\n".join(l.rstrip().replace("\t", "    ") for l in code.strip().splitlines())
        items.append((pending, code))
        pending = ""
        i = j + 1
    return items


def generate():
    src = open(HEADER).read()
    start = src.index("PGTLS_BEGIN_DECLS\n", src.index("#endif", src.index("PGTLS_END_DECLS")))
    end = src.rindex("PGTLS_END_DECLS")
    body = src[start + len("PGTLS_BEGIN_DECLS\n"):end]
    parts = re.split(r"(/\* -{20,}\n(?:.*\n)*? \* -{20,}\n \*/)", body)
    out = ["# libpgtls API", "",
           "Generated from the comments of `include/pgtls/pgtls.h` by `scripts/gen-api-doc.py`;",
           "do not edit. Build against it with `pkg-config --cflags --libs pgtls`; every",
           "symbol is declared in the one header `<pgtls/pgtls.h>`. Ownership, errors and",
           "threading rules are in the header's first section.", ""]
    head = comment_text(src[src.index("/*"):src.index("*/") + 2])
    head = re.sub(r"^pgtls\.h\s+", "", head)
    head = re.sub(r"\s*IDENTIFICATION\s+\S+\s*NOTES\s*", "\n\n", head)
    out += [head, ""]
    for part in parts:
        if not part.strip():
            continue
        if re.match(r"/\* -{20,}", part):
            text = comment_text(part)
            title, _, rest = text.partition(":")
            out += ["## " + title.strip().rstrip("."), ""]
            if rest.strip():
                out += [rest.strip(), ""]
            continue
        for comment, code in split_items(part):
            out += ["```c", code, "```", ""]
            if comment:
                out += [comment, ""]
    return "\n".join(out).rstrip() + "\n"


def main():
    text = generate()
    if "--check" in sys.argv[1:]:
        current = open(OUT).read() if os.path.exists(OUT) else ""
        if current != text:
            print("docs/api.md is not what include/pgtls/pgtls.h gives: run scripts/gen-api-doc.py")
            return 1
        print("api doc: docs/api.md matches the header")
        return 0
    with open(OUT + ".tmp", "w") as f:
        f.write(text)
    os.replace(OUT + ".tmp", OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
