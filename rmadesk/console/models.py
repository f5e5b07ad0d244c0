"""What the agent console keeps of its own: queue views saved by its users.

A saved view is a name for a query string of the queue page (its filters and sort), nothing
the business runs on: no other part reads it, the API has no queue, and it means nothing
outside the console's page. So it lives with the page it saves, in the console app, as the
portal once kept its own records; the records of the business stay in their apps.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SavedView(models.Model):
    """A user's named queue (its filters and sort); a manager's may be shared with everyone."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000)  # the queue's canonical query string
    is_shared = models.BooleanField(default=False)  # listed for every staff user
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("name", "id")
        constraints = [
            models.UniqueConstraint(fields=("owner", "name"), name="one_saved_view_name_per_user")
        ]
        indexes = [
            models.Index(
                fields=("is_shared",), name="saved_view_shared", condition=models.Q(is_shared=True)
            )
        ]

    def __str__(self) -> str:
        return self.name
