#!/usr/bin/python3
"""bench/clients_java_bench.py - `pgtls clients` over a Maven multi-module project.

The root pom.xml manages DEPS dependencies (pgjdbc 42.2.4 among them: a big
parent pom), and DIRS modules each hold a pom.xml that names pgjdbc without
a version, an application.properties with a JDBC URL and 49 .java files.
Every module's pgjdbc version comes from the root pom (lib/clients/java.c,
lib/clients/project.c), so this measures what reading the build files
costs: the same tree is timed with and without the poms, next to grep,
interleaved over N rounds; medians and ratios are printed.

Usage: bench/clients_java_bench.py [BUILD_DIR] [DIRS] [N] [DEPS]
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from benchlib import print_with_without_grep, with_without_grep  # noqa: E402
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
DIRS = int(sys.argv[2]) if len(sys.argv) > 2 else 200
N = int(sys.argv[3]) if len(sys.argv) > 3 else 5
DEPS = int(sys.argv[4]) if len(sys.argv) > 4 else 5000

DEP = "<dependency><groupId>%s</groupId><artifactId>%s</artifactId>%s</dependency>\n"


def poms(tmp, on):
    for dp, _, fs in os.walk(tmp):
        for f in fs:
            if f in ("pom.xml", "pom.off"):
                src = os.path.join(dp, f)
                os.rename(src, os.path.join(dp, "pom.xml" if on else "pom.off"))


def main():
    tmp = tempfile.mkdtemp(prefix="pgtls-bench-java-")
    try:
        deps = "".join(DEP % ("com.example.g%d" % i, "lib-%d" % i, "<version>1.%d.0</version>" % (i % 50))
                       for i in range(DEPS))
        deps += DEP % ("org.postgresql", "postgresql", "<version>42.2.4</version>")
        root_pom = ("<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
                    "<dependencyManagement><dependencies>\n%s</dependencies></dependencyManagement></project>\n" % deps)
        with open(os.path.join(tmp, "pom.xml"), "w") as f:
            f.write(root_pom)
        body = "".join("    int v%d = compute(%d, \"some text here\"); // comment line\n" % (l, l) for l in range(60))
        for d in range(DIRS):
            m = os.path.join(tmp, "m%d" % d)
            os.makedirs(os.path.join(m, "src/main/resources"))
            os.makedirs(os.path.join(m, "src/main/java"))
            with open(os.path.join(m, "pom.xml"), "w") as f:
                f.write("<project><dependencies>%s</dependencies></project>\n" % (DEP % ("org.postgresql",
                                                                                        "postgresql", "")))
            with open(os.path.join(m, "src/main/resources/application.properties"), "w") as f:
                f.write("spring.datasource.url=jdbc:postgresql://db%d.internal:5432/app?ssl=true\n" % d)
            for k in range(49):
                with open(os.path.join(m, "src/main/java/C%d.java" % k), "w") as f:
                    f.write("class C%d {\n%s}\n" % (k, body))
        size = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(tmp) for f in fs)
        pgtls = os.path.join(BUILD, "pgtls")
        out = subprocess.run([pgtls, "clients", "--json", tmp], capture_output=True, text=True).stdout
        found = json.loads(out)["clients"]
        assert len(found) == DIRS and all(c["driver"] == "pgjdbc-before-42.2.5" for c in found), "bench tree not read"
        m = with_without_grep(N, [pgtls, "clients", "--json", tmp], ["grep", "-rlE", "postgres|host=", tmp],
                              lambda: poms(tmp, False), lambda: poms(tmp, True))
        print("tree: %d files in %d modules, %.1f MB, root pom %.1f MB (%d dependencies), %d pgjdbc clients"
              % (DIRS * 51 + 1, DIRS, size / 1e6, len(root_pom) / 1e6, DEPS + 1, DIRS))
        print_with_without_grep(m, "poms read", "no poms", "the poms cost")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
