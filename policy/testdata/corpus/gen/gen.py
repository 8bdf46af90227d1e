#!/usr/bin/env python3
"""Writes the policy evaluation corpus (policy/testdata/corpus/<topic>/*.txtar).

Run from anywhere: python3 policy/testdata/corpus/gen/gen.py
It rewrites only the topic folders listed in OWNED; engine/ belongs to the engine's author.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import conditions  # noqa: E402
import elements  # noqa: E402
import gates  # noqa: E402
import principals  # noqa: E402
import validation  # noqa: E402
import varsets  # noqa: E402
from lib import write  # noqa: E402

OWNED = ["effect", "action", "resource", "principal", "crossaccount", "conditions", "sets", "variables", "gates", "validation"]


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cases = (elements.cases() + principals.cases() + conditions.cases() + varsets.cases()
             + gates.cases() + validation.cases())
    write(root, cases, OWNED)
    counts = {}
    for c in cases:
        top = c.topic.split("/")[0]
        counts[top] = counts.get(top, 0) + 1
    for k in sorted(counts):
        print(f"{k:14} {counts[k]}")
    print(f"{'total':14} {len(cases)}")


if __name__ == "__main__":
    main()
