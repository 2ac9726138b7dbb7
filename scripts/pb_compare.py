#!/usr/bin/env python3
"""Compares `teahouse pb-tally` with pabutools' outcomes on the same files.

Usage: pb_compare.py TEAHOUSE_BIN REFERENCE.jsonl DATA_DIR [--skip-slow SECONDS]

REFERENCE.jsonl holds lines written by scripts/pb_reference.py. For each line
the same file is tallied with the same rule; selected ids and cost must match.
Lines for which pabutools took longer than --skip-slow seconds are skipped
(our own run of them can be slow too); exit 1 on any difference.
"""
import json
import subprocess
import sys
import time

def main(argv):
    binary, ref, data = argv[0], argv[1], argv[2]
    slow = float(argv[4]) if len(argv) > 4 and argv[3] == "--skip-slow" else None
    bad = checked = 0
    for line in open(ref):
        d = json.loads(line)
        if "rule" not in d:
            continue
        if slow is not None and d["seconds"] > slow:
            continue
        import os
        if not os.path.exists(f"{data}/{d['file']}"):
            continue
        t = time.perf_counter()
        out = subprocess.run([binary, "pb-tally", f"{data}/{d['file']}", "--rule", d["rule"]],
                             capture_output=True, text=True, check=True)
        ours = json.loads(out.stdout)
        secs = time.perf_counter() - t
        same = ours["selected"] == d["selected"] and str(ours["cost"]) == d["cost"]
        checked += 1
        if not same:
            bad += 1
        print(f"{'same' if same else 'DIFFERENT'}  {d['rule']:6} {d['file']}  pabutools {d['seconds']:.2f}s  teahouse {secs:.2f}s"
              + ("" if same else f"\n    pabutools {d['selected']} {d['cost']}\n    teahouse  {ours['selected']} {ours['cost']}"))
    print(f"pb_compare: {checked} outcomes compared, {bad} different")
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
