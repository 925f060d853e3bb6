"""Fault injection: make upcoming Web API calls fail the way Slack fails."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Error codes Slack puts in the body of infrastructure failures.
_DEFAULT_ERRORS = {429: "ratelimited", 503: "service_unavailable"}


@dataclass
class Fault:
    """One armed failure: either ``remaining`` calls or every call until ``until``."""

    status: int
    error: str
    retry_after: int | None
    method: str | None
    remaining: int = 0
    until: float | None = None
    skip: int = 0  # matching calls to let through before failing

    def matches(self, method: str) -> bool:
        """True if this fault applies to a call of ``method``."""
        return self.method is None or self.method == method

    def response(self) -> tuple[int, dict[str, str], dict[str, Any]]:
        """Return the HTTP status, extra headers and JSON body to answer with."""
        headers = {}
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        return self.status, headers, {"ok": False, "error": self.error}


def build_fault(
    *, method: str | None, status: int, retry_after: int | None, error: str | None
) -> Fault:
    """Validate the arguments of ``fail_next``/``fail_for`` and build the fault."""
    if status == 200 and not error:
        raise ValueError("status 200 faults need error= (they answer ok: false)")
    if status != 200 and not (400 <= status <= 599):
        raise ValueError(f"unsupported fault status {status}")
    if status == 429 and retry_after is None:
        retry_after = 1  # Slack always tells rate-limited clients when to come back
    fallback = "internal_error" if status >= 500 else "invalid_request"
    chosen = error or _DEFAULT_ERRORS.get(status, fallback)
    return Fault(status=status, error=chosen, retry_after=retry_after, method=method)


class FaultInjector:
    """Armed faults; not thread-safe on its own (the workspace lock guards it)."""

    def __init__(self) -> None:
        self._counted: list[Fault] = []
        self._timed: list[Fault] = []

    def add_counted(self, fault: Fault, count: int) -> None:
        """Fail the next ``count`` matching calls; earlier arming is consumed first."""
        if count < 1:
            raise ValueError("count must be >= 1")
        fault.remaining = count
        self._counted.append(fault)

    def add_timed(self, fault: Fault, *, start: float, seconds: float) -> None:
        """Fail every matching call in ``[start, start + seconds)``."""
        if seconds <= 0:
            raise ValueError("seconds must be > 0")
        fault.until = start + seconds
        self._timed.append(fault)

    def clear(self) -> None:
        """Disarm every fault."""
        self._counted.clear()
        self._timed.clear()

    def take(self, method: str, now: float) -> Fault | None:
        """Return the fault to apply to this call of ``method``, consuming one use."""
        for fault in self._counted:
            if fault.matches(method):
                if fault.skip > 0:
                    fault.skip -= 1
                    return None
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._counted.remove(fault)
                return fault
        self._timed = [f for f in self._timed if f.until is not None and now < f.until]
        return next((f for f in self._timed if f.matches(method)), None)
