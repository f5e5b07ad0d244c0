from django.db import models


class RatingChannel(models.TextChoices):
    """Where the customer gave their rating."""

    MAIL = "mail", "mail link"
    PORTAL = "portal", "portal"


class Period(models.TextChoices):
    """How the satisfaction results are grouped in time (weeks start Monday, vendor's zone)."""

    WEEK = "week", "week"
    MONTH = "month", "month"
