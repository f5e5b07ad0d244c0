from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

StrOrPromise = str | Promise


class RatingChannel(models.TextChoices):
    """Where the customer gave their rating."""

    MAIL = "mail", "mail link"
    PORTAL = "portal", "portal"


class Period(models.TextChoices):
    """How the satisfaction results are grouped in time (weeks start Monday, vendor's zone)."""

    WEEK = "week", "week"
    MONTH = "month", "month"


# What each rating means, in the customer's words (the mail's links, the forms' choices).
RATING_WORDS: dict[int, StrOrPromise] = {
    1: gettext_lazy("Very dissatisfied"),
    2: gettext_lazy("Dissatisfied"),
    3: gettext_lazy("Neither satisfied nor dissatisfied"),
    4: gettext_lazy("Satisfied"),
    5: gettext_lazy("Very satisfied"),
}
