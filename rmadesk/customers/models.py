"""Customers, their contacts and their support contracts (L1, F1, P2)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

# F1: net terms run from 0 (payment upfront) to a year. Beyond that a due date is no promise at
# all, and a few million days would overflow the date an invoice is due on.
MAX_PAYMENT_TERMS_DAYS = 365


class Plan(models.TextChoices):
    """Support plans (L1); the policy file holds what each one promises."""

    GOLD = "gold", "Gold"
    SILVER = "silver", "Silver"
    BRONZE = "bronze", "Bronze"
    TRUECOMMAND = "truecommand", "TrueCommand (licensed)"
    TRUECOMMAND_FREE = "truecommand-free", "TrueCommand (free licence)"


class Customer(models.Model):
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, help_text="ISO 3166 code, e.g. US, DE, JP")
    # The address systems are shipped to and labels are printed with (R8 reads region).
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(
        max_length=40,
        blank=True,
        help_text="state or region; for the US a two-letter code such as CA or DC (rule R8)",
    )
    postal_code = models.CharField(max_length=20, blank=True)
    # Issue 14: what invoices and credit notes are addressed to. Blank: the postal address.
    billing_address = models.TextField(
        max_length=500,
        blank=True,
        help_text="as printed on invoices, one line per line (at most 8); blank = the postal "
        "address",
    )
    vat_id = models.CharField(
        "VAT ID",
        max_length=32,
        blank=True,
        help_text="the customer's VAT or tax ID as printed on invoices, e.g. DE123456789",
    )
    zone = models.CharField(max_length=64, help_text="IANA time zone, e.g. Europe/Berlin")
    email = models.EmailField()
    payment_terms_days = models.PositiveIntegerField(
        default=0,
        validators=[MaxValueValidator(MAX_PAYMENT_TERMS_DAYS)],
        help_text=f"0 = payment upfront, at most {MAX_PAYMENT_TERMS_DAYS} days (rule F1)",
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("name", "id")
        constraints = [
            models.CheckConstraint(
                name="payment_terms_at_most_a_year",
                condition=models.Q(payment_terms_days__lte=MAX_PAYMENT_TERMS_DAYS),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def address_lines(self) -> list[str]:
        """The postal address as printed, line by line (empty when none is on record)."""
        place = " ".join(part for part in (self.city, self.region, self.postal_code) if part)
        lines = [self.address_line1, self.address_line2, place]
        if any(lines):
            lines.append(self.country)
        return [line for line in lines if line]

    @property
    def billing_lines(self) -> list[str]:
        """The billing address as printed on invoices: its own, else the postal address."""
        own = [line.strip() for line in self.billing_address.splitlines() if line.strip()]
        return own or self.address_lines


class Contact(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    # Issue 14: the language the contact reads the portal, mails and documents in; blank means
    # the browser's (Accept-Language) on pages and the site's language in mail.
    language = models.CharField(
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text="blank: the browser's language on pages, the site's in mail",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("customer", "email"), name="one_contact_per_email")
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class Contract(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contracts")
    plan = models.CharField(max_length=20, choices=Plan.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()
    jails_and_plugins = models.BooleanField(
        default=False, help_text="a prior arrangement covers jails and plugins (rule P2)"
    )
    extended_spare_parts = models.BooleanField(
        default=False,
        help_text="EU: the extended spare parts replacement option, next-business-day parts "
        "(rule N2)",
    )

    class Meta:
        ordering = ("-starts_on", "id")
        constraints = [
            models.CheckConstraint(
                name="contract_ends_after_it_starts",
                condition=models.Q(ends_on__gte=models.F("starts_on")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.plan} {self.starts_on}..{self.ends_on}"
