"""Precision and recall of the statement lint on the labelled corpus (tests/fixtures/lint_corpus).

    python bench/lint_eval.py            # table per rule and script, then the overall figures
    python bench/lint_eval.py --errors   # also every false positive and false negative

Exits 1 when overall precision or recall is below the target (0.95).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.lint_corpus import RULES, bundled_rules, evaluate, load_corpus, script

TARGET = 0.95
SCRIPTS = ("en", "zh-Hans", "zh-Hant", "all")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list every FP and FN")
    args = parser.parse_args(argv)
    samples = load_corpus()
    scores = evaluate(bundled_rules(), samples)
    counts = {s: sum(1 for x in samples if script(x.lang) == s) for s in SCRIPTS[:-1]}
    print(f"corpus: {len(samples)} sentences (" + ", ".join(f"{k} {v}" for k, v in counts.items())
          + f"); {sum(1 for x in samples if not x.expected)} legitimate, "
          f"{sum(1 for x in samples if x.expected)} with violations")
    print(f"{'rule':<18}{'script':<9}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}")
    for rule in (*RULES, "all"):
        for each in SCRIPTS:
            score = scores.get((rule, each))
            if score is None:
                continue
            print(f"{rule:<18}{each:<9}{score.tp:>5}{score.fp:>5}{score.fn:>5}"
                  f"{score.precision:>11.3f}{score.recall:>8.3f}")
    for name, part in (("dev (used to tune the lists)", [x for x in samples if not x.heldout]),
                       ("held-out (never used to tune)", [x for x in samples if x.heldout])):
        each = evaluate(bundled_rules(), part).get(("all", "all"))
        if each:
            print(f"{name}: {len(part)} sentences, precision {each.precision:.3f}, "
                  f"recall {each.recall:.3f}")
    overall = scores[("all", "all")]
    print(f"overall: precision {overall.precision:.3f}, recall {overall.recall:.3f} "
          f"(target >= {TARGET})")
    if args.errors:
        for line in overall.errors:
            print(line)
    return 0 if overall.precision >= TARGET and overall.recall >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
