"""A ticket's satisfaction survey: the one ask after it closed, and the customer's one answer.

One row per ticket (unique), created when the ticket first closes (`ask_for_rating`) or when the
customer rates a closed ticket on the portal that was never asked (closed before ratings
existed). The plan, severity and agent are a snapshot taken at the close, so a later change of
assignee or plan does not move a rating from one row of the reports to another. `rating` stays
empty until the customer answers; once given it never changes (`rate_*` refuse a second one).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from rmadesk.customers.models import Contact
from rmadesk.satisfaction.choices import RatingChannel
from rmadesk.tickets.models import Ticket

MIN_RATING = 1
MAX_RATING = 5
MAX_COMMENT = 2000  # a rating's comment; anything longer belongs in a reply on the ticket


class Survey(models.Model):
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="survey")
    # None: never mailed (the customer rated on the portal a ticket closed before the asking).
    asked_at = models.DateTimeField(null=True, blank=True)
    plan = models.CharField(max_length=20)  # the ticket's plan at the close
    severity = models.CharField(max_length=2)  # the ticket's severity at the close
    agent = models.ForeignKey(  # the assignee at the close
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.CharField(max_length=MAX_COMMENT, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True, db_index=True)
    channel = models.CharField(max_length=10, choices=RatingChannel.choices, blank=True)
    contact = models.ForeignKey(  # who rated, when known
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True)
                | models.Q(rating__gte=MIN_RATING, rating__lte=MAX_RATING),
                name="satisfaction_rating_one_to_five",
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True, rated_at__isnull=True)
                | models.Q(rating__isnull=False, rated_at__isnull=False),
                name="satisfaction_rated_with_instant",
            ),
        ]

    def __str__(self) -> str:
        answer = f"{self.rating}/{MAX_RATING}" if self.rating is not None else "not rated"
        return f"ticket {self.ticket_id}: {answer}"

    @property
    def is_rated(self) -> bool:
        return self.rating is not None
