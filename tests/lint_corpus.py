"""The labelled statement-lint corpus (``tests/fixtures/lint_corpus/``) and its evaluation:
precision and recall of each rule, per language, against the bundled word lists.

Each line is ``<expected codes> | <kind> | [<lang> |] <sentence>``; ``-`` means none (a
legitimate sentence, often a look-alike: a negation, required legal wording, a quoted rumour
being denied) or the default kind ``update``. The facts register used for every sentence is
:data:`FACTS` (confirmed, unconfirmed and retracted facts, some with translations).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.domain.records import Fact, FactStatus
from bot.domain.statement_lint import LintRules, base_lang, lint_text

CORPUS = Path(__file__).resolve().parent / "fixtures" / "lint_corpus"
RULES = ("absolute_claim", "speculation", "unconfirmed_fact", "retracted_fact", "slack_mention")
_T0 = datetime(2026, 11, 19, 6, 0, tzinfo=UTC)


def _fact(no: int, text: str, status: FactStatus, **translations: str) -> Fact:
    return Fact(no, text, "U1", _T0, status=status, translations=dict(translations))


FACTS = [
    _fact(1, "Batch 2411-B of the moisturiser is affected", FactStatus.CONFIRMED,
          zh="保湿霜2411-B批次受影响"),
    _fact(2, "The supplier changed the formula in October", FactStatus.UNCONFIRMED,
          zh="供应商在10月更换了配方"),
    _fact(3, "The cream contains lead", FactStatus.RETRACTED, zh="该面霜含铅"),
    _fact(4, "华东仓库的冷链设备故障", FactStatus.UNCONFIRMED),
    _fact(5, "Customer passwords were stolen", FactStatus.RETRACTED),
]


@dataclass(frozen=True)
class Sample:
    text: str
    lang: str
    kind: str
    expected: frozenset[str]
    source: str
    heldout: bool = False


def load_corpus(directory: Path = CORPUS) -> list[Sample]:
    samples: list[Sample] = []
    files = (("en.txt", "en"), ("zh.txt", "zh"), ("zh_hant.txt", None), ("heldout.txt", None))
    for path, default_lang in files:
        for no, line in enumerate((directory / path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = [p.strip() for p in line.split("|", 3 if default_lang is None else 2)]
            codes, kind = parts[0], parts[1]
            lang = parts[2] if default_lang is None else default_lang
            text = parts[-1]
            expected = frozenset() if codes == "-" else frozenset(c.strip() for c in codes.split(","))
            unknown = expected - set(RULES)
            if unknown:
                raise ValueError(f"{path}:{no}: unknown code(s) {sorted(unknown)}")
            samples.append(Sample(text, lang, "update" if kind == "-" else kind, expected,
                                  f"{path}:{no}", heldout=path == "heldout.txt"))
    return samples


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def script(lang: str) -> str:
    """``en``, ``zh-Hans`` or ``zh-Hant`` (Traditional: zh-Hant, zh-HK, zh-TW)."""
    return "en" if base_lang(lang) == "en" else "zh-Hans" if lang == "zh" else "zh-Hant"


def evaluate(rules: LintRules, samples: list[Sample]) -> dict[tuple[str, str], Score]:
    """Scores keyed by (rule, script) plus (rule, "all"), (“all”, script) and ("all", "all")."""
    scores: dict[tuple[str, str], Score] = {}
    for sample in samples:
        found = {
            f.code for f in lint_text(sample.text, kind=sample.kind, lang=sample.lang,
                                      facts=FACTS, contact="", rules=rules)
        } & set(RULES)
        for rule in RULES:
            hit, want = rule in found, rule in sample.expected
            if not hit and not want:
                continue
            for key in ((rule, script(sample.lang)), (rule, "all"), ("all", script(sample.lang)),
                        ("all", "all")):
                score = scores.setdefault(key, Score())
                if hit and want:
                    score.tp += 1
                elif hit:
                    score.fp += 1
                    score.errors.append(f"FP {rule} {sample.source}: {sample.text}")
                else:
                    score.fn += 1
                    score.errors.append(f"FN {rule} {sample.source}: {sample.text}")
    return scores


def bundled_rules() -> LintRules:
    """The bundled word lists (``playbooks/templates/statements/lint.yaml``), both scripts."""
    import yaml

    from bot.adapters.playbooks import bundled_playbooks_dir
    from bot.adapters.rendering.statement_config import LINT_FILE, lint_rules

    path = bundled_playbooks_dir() / LINT_FILE
    return lint_rules(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
