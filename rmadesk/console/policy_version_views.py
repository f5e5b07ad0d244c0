"""Agent console: every policy version this installation ran, and what changed between two (L6).

Versions are activated with `rmadesk policy activate` (it shows the impact and asks); here
staff see who activated each and when, how many tickets still run on it, and the difference
between two versions: the first-response targets that changed, then every effective setting as
`rmadesk policy show` prints it, compared line by line.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from rmadesk.core.models import PolicyVersion
from rmadesk.core.policies import active_policy, configured_policy, policy_of
from rmadesk.policy.loader import Policy
from rmadesk.policy.versions import settings_diff, target_changes
from rmadesk.tickets.policy_impact import tickets_per_version
from rmadesk.web.decorators import staff_page


@staff_page
def policy_versions(request: HttpRequest) -> HttpResponse:
    rows = list(PolicyVersion.objects.select_related("activated_by"))
    counts = tickets_per_version()
    active = active_policy().version
    versions = []
    for index, row in enumerate(rows):
        previous = rows[index + 1] if index + 1 < len(rows) else None
        open_count, total = counts.get(row.version, (0, 0))
        versions.append(
            {
                "row": row,
                "is_active": row.version == active,
                "by": row.activated_by.email if row.activated_by else "rmadesk (start-up)",
                "open": open_count,
                "total": total,
                "previous": previous.version if previous else None,
            }
        )
    stored = {row.version for row in rows}
    unstored = sorted(
        (version, *counts[version]) for version in counts.keys() - stored
    )  # tickets older than the versions table: they run on the active policy
    return render(
        request,
        "console/policy_versions.html",
        {
            "versions": versions,
            "active": active,
            "configured": configured_policy(),
            "unstored": unstored,
        },
    )


def _version(value: str) -> Policy:
    found = policy_of(value) if value else None
    if found is None:
        raise Http404("no such policy version")
    return found


@staff_page
def policy_diff(request: HttpRequest) -> HttpResponse:
    """`?from=VERSION&to=VERSION`: the targets that changed, then the whole settings diff.

    Without both, the active version against the one activated before it.
    """
    wanted = (request.GET.get("from", ""), request.GET.get("to", ""))
    if not all(wanted):
        latest = list(PolicyVersion.objects.values_list("version", flat=True)[:2])
        if len(latest) < 2:
            return render(request, "console/policy_diff.html", {"old": None, "new": None})
        wanted = (latest[1], latest[0])
    old, new = _version(wanted[0]), _version(wanted[1])
    lines: list[dict[str, Any]] = []
    for line in settings_diff(old, new)[2:]:  # the ---/+++ header names the versions above
        kind = {"+": "added", "-": "removed", "@": "hunk"}.get(line[:1], "same")
        lines.append({"kind": kind, "text": line})
    return render(
        request,
        "console/policy_diff.html",
        {"old": old, "new": new, "changes": target_changes(old, new), "lines": lines},
    )
