"""The one Jinja environment crisisbot renders with, built here and nowhere else.

Templates are data written by playbook authors, so they render in Jinja's
``ImmutableSandboxedEnvironment``: no access to attributes starting with ``_`` (so
``''.__class__.__mro__`` fails), no mutating methods, and ``StrictUndefined`` turns a misspelt
variable into an error instead of an empty string. Every failure is reported as a
:class:`TemplateProblem` naming the template and the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from bot.domain.errors import InvalidInput


class TemplateProblem(InvalidInput):
    """A template failed to load or render; ``template`` and ``line`` say where."""

    code = "template_problem"

    def __init__(self, template: str, line: int, reason: str) -> None:
        where = f"{template}:{line}" if line else template
        super().__init__(
            f"Template {where} is broken: {reason}. Nothing was drafted; "
            "fix the template (`crisisbot playbooks validate`)."
        )
        self.template = template
        self.line = line
        self.reason = reason


#: Largest string or list a template may build with ``*`` and largest ``**`` exponent: a
#: template must not be able to exhaust memory or CPU (``{{ 'x' * 10**10 }}``).
MAX_REPEAT = 100_000
MAX_EXPONENT = 64


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, plus limits on ``*`` and ``**``."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            if isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
                raise SecurityError(f"exponent {right} is larger than {MAX_EXPONENT}")
        elif operator == "*":
            for seq, n in ((left, right), (right, left)):
                if (
                    isinstance(seq, (str, list, tuple))
                    and isinstance(n, int)
                    and (len(seq) * n > MAX_REPEAT)
                ):
                    raise SecurityError(f"repeating would build more than {MAX_REPEAT} items")
        return super().call_binop(context, operator, left, right)


def build_environment(*, directory: Path, autoescape: bool = False) -> ImmutableSandboxedEnvironment:
    """The sandboxed environment loading templates from ``directory``.

    Statements load from the playbooks directory with ``autoescape=False`` (they are plain
    text; Slack escaping happens on the way out); the HTML post-mortem loads its own templates
    with ``autoescape=True``.
    """
    return _Sandbox(
        loader=FileSystemLoader(str(directory)),
        undefined=StrictUndefined,
        autoescape=autoescape,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(env: ImmutableSandboxedEnvironment, name: str, context: Mapping[str, Any]) -> str:
    """Render template ``name``; any failure becomes a :class:`TemplateProblem`."""
    try:
        return env.get_template(name).render(**context)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(name, exc.lineno or 0, exc.message or "syntax error") from None
    except SecurityError as exc:
        raise TemplateProblem(name, _line_of(exc), f"not allowed in the sandbox ({exc})") from None
    except TemplateError as exc:
        raise TemplateProblem(name, _line_of(exc), exc.message or exc.__class__.__name__) from None
    except (
        TypeError,
        ValueError,
        ArithmeticError,
        LookupError,
        AttributeError,
        RecursionError,
    ) as exc:
        raise TemplateProblem(name, _line_of(exc), f"{exc.__class__.__name__}: {exc}") from None


def _line_of(exc: BaseException) -> int:
    """The template line of a render-time error, from the traceback Jinja rewrote."""
    tb = exc.__traceback__
    line = 0
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def build_expression_environment() -> ImmutableSandboxedEnvironment:
    """The same sandbox for one-line expressions of the site config (custom monitor mappings):
    no loader, and a missing key is ``None`` rather than an error (webhook bodies vary)."""
    return _Sandbox(autoescape=False)
