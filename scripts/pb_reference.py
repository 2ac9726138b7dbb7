#!/usr/bin/env python3
"""Outcomes that pabutools 1.2.3 computes for Pabulib files, as JSON lines.

Usage: pb_reference.py [--rule greedy|mes|both] FILE.pb...

For each file prints one line: {"file", "rule", "selected" (project ids in file
order), "cost", "seconds"}. Cumulative, scoring and ordinal ballots are read as
approval of every listed project, as `teahouse pb-tally` does. MES is
method_of_equal_shares(sat_class=Cost_Sat, voter_budget_increment=1); greedy is
greedy_utilitarian_welfare(sat_class=Cost_Sat); ties lexicographic (default).
"""
import json
import sys
import time
from decimal import Decimal

from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, parse_pabulib
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares


def as_approval(instance, profile):
    ballots = []
    for b in profile:
        ballots.append(ApprovalBallot(list(b)))
    return ApprovalProfile(ballots, instance=instance)


def fmt(x):
    d = Decimal(x.numerator) / Decimal(x.denominator)
    s = format(d.normalize(), "f")
    return s


def main(argv):
    rules = ["greedy", "mes"]
    if argv and argv[0] == "--rule":
        rules = ["greedy", "mes"] if argv[1] == "both" else [argv[1]]
        argv = argv[2:]
    for path in argv:
        instance, profile = parse_pabulib(path)
        order = [p.name for p in instance.project_meta]  # insertion order = file order
        order_index = {name: i for i, name in enumerate(order)}
        profile = as_approval(instance, profile)
        for rule in rules:
            t = time.perf_counter()
            if rule == "greedy":
                out = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
            else:
                out = method_of_equal_shares(
                    instance, profile, sat_class=Cost_Sat, voter_budget_increment=1
                )
            secs = time.perf_counter() - t
            names = sorted((p.name for p in out), key=lambda n: order_index[n])
            cost = sum((p.cost for p in out), 0)
            from fractions import Fraction
            cost = Fraction(int(cost.numerator), int(cost.denominator)) if hasattr(cost, "numerator") else Fraction(cost)
            print(json.dumps({"file": path.rsplit("/", 1)[-1], "rule": rule, "selected": names,
                              "cost": fmt(cost), "seconds": round(secs, 3)}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
