#!/usr/bin/env python3
"""Functions longer than N lines (default 80) in non-test Rust code, longest first.
usage: scripts/long_fns.py [N] [dirs...]   (default dirs: src views/src). Brace matching is
crude (strings and line comments stripped), enough to find the long ones.
A function whose comment block just above it has a line starting "Long:" (the reason it
is long, e.g. "// Long: one route per line, the matrix test reads this table") is listed
only with --all, marked with its reason."""
import re, sys, os
ALL = "--all" in sys.argv
args = [a for a in sys.argv[1:] if a != "--all"]
N = int(args[0]) if args and args[0].isdigit() else 80
dirs = [a for a in args if not a.isdigit()]

def reason(lines, i):
    """The "Long:" reason in the comments and attributes just above line i."""
    k = i - 1
    while k >= 0 and (lines[k].strip().startswith(("//", "#["))):
        t = lines[k].strip().lstrip("/! ").strip()
        if t.startswith("Long:"):
            return t
        k -= 1
    return None

out = []
for root in dirs or ["src", "views/src"]:
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
                    why = reason(lines, i)
                    if started and n > N and (ALL or not why):
                        out.append((n, p, i + 1, m.group(6) + (f"  ({why})" if why else "")))
                    i = j + 1 if started else i + 1
                else:
                    i += 1
for n, p, l, name in sorted(out, reverse=True):
    print(f"{n:4} {p}:{l} {name}")
