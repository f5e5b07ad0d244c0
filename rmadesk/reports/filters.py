"""The filters every report takes besides its date range: plan, severity, clock."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from rmadesk.core.errors import InvalidInput
from rmadesk.core.policies import active_policy
from rmadesk.tickets.choices import ClockKind, Severity


@dataclass(frozen=True)
class Filters:
    plan: str = ""
    severity: str = ""
    clock: str = ""

    @classmethod
    def parse(cls, plan: str | None, severity: str | None, clock: str | None = None) -> Filters:
        plan, severity, clock = (
            (plan or "").strip(),
            (severity or "").strip(),
            (clock or "").strip(),
        )
        if plan and plan not in active_policy().document.plans:
            raise InvalidInput(_("unknown plan %(value)r") % {"value": plan[:40]}, field="plan")
        if severity and severity not in Severity.values:
            raise InvalidInput(
                _("severity must be one of S1, S2, S3, S4, not %(value)r")
                % {"value": severity[:10]},
                field="severity",
            )
        if clock and clock not in ClockKind.values:
            raise InvalidInput(
                _("clock must be first_response or next_update, not %(value)r")
                % {"value": clock[:20]},
                field="clock",
            )
        return cls(plan, severity, clock)

    def on(self, prefix: str = "") -> Q:
        """The filter on a table with plan, severity (and kind) columns, under `prefix`."""
        found = Q()
        if self.plan:
            found &= Q(**{f"{prefix}plan": self.plan})
        if self.severity:
            found &= Q(**{f"{prefix}severity": self.severity})
        if self.clock and not prefix:
            found &= Q(kind=self.clock)
        return found

    def query(self) -> dict[str, str]:
        return {
            k: v
            for k, v in (("plan", self.plan), ("severity", self.severity), ("clock", self.clock))
            if v
        }


def plan_names() -> list[str]:
    return list(active_policy().document.plans)
