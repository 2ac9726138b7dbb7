#!/usr/bin/env python3
"""Functions longer than N lines (default 80) in non-test Rust code, longest first.
usage: scripts/long_fns.py [N] [dirs...]   (default dirs: src views/src). Brace matching is
crude (strings and line comments stripped), enough to find the long ones."""
import re, sys, os
N = int(sys.argv[1]) if len(sys.argv) > 1 else 80
out = []
for root in sys.argv[2:] or ["src", "views/src"]:
    for d, _, fs in os.walk(root):
        for f in fs:
            if not f.endswith(".rs") or f.endswith("tests.rs"): continue
            p = os.path.join(d, f)
            lines = open(p).read().split("\n")
            # stop at an inline test module
            end = next((i for i, l in enumerate(lines) if l.startswith("#[cfg(test)]") and i+1 < len(lines) and lines[i+1].startswith("mod tests {")), len(lines))
            i = 0
            while i < end:
                m = re.match(r'^(\s*)(pub(\([^)]*\))? )?(async )?(const )?fn (\w+)', lines[i])
                if m:
                    depth, started, j = 0, False, i
                    while j < end:
                        s = re.sub(r'"(\\.|[^"\\])*"', '""', lines[j])
                        s = re.sub(r"'(\\.|[^'\\])'", "''", s)
                        s = s.split("//")[0]
                        depth += s.count("{") - s.count("}")
                        if "{" in s: started = True
                        if started and depth <= 0: break
                        if not started and s.rstrip().endswith(";"): break
                        j += 1
                    n = j - i + 1
                    if started and n > N: out.append((n, p, i + 1, m.group(6)))
                    i = j + 1 if started else i + 1
                else:
                    i += 1
for n, p, l, name in sorted(out, reverse=True):
    print(f"{n:4} {p}:{l} {name}")
