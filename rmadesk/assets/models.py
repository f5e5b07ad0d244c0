"""Product models and serial-numbered assets: what a customer owns and its entitlements (W1, W3)."""

from __future__ import annotations

from django.db import models


class ProductLine(models.TextChoices):
    TRUENAS = "truenas", "TrueNAS appliances"
    TRUECOMMAND = "truecommand", "TrueCommand"


class OnsiteOption(models.TextChoices):
    """On-site service bought as a warranty upgrade (W3)."""

    NONE = "none", "no on-site service"
    NBD = "nbd", "next business day on-site"
    FOUR_HOURS = "4h", "4-hour on-site, 24x7"


class ProductModel(models.Model):
    name = models.CharField(max_length=100, unique=True)
    product_line = models.CharField(max_length=20, choices=ProductLine.choices)
    advance_exchange = models.BooleanField(
        default=True, help_text="advance exchange offered for this model (rule R5)"
    )

    def __str__(self) -> str:
        return self.name


class Asset(models.Model):
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="assets"
    )
    serial = models.CharField(max_length=64, unique=True)
    model = models.ForeignKey(ProductModel, on_delete=models.PROTECT, related_name="assets")
    shipped_on = models.DateField()
    warranty_years = models.PositiveSmallIntegerField()
    extended_to_years = models.PositiveSmallIntegerField(null=True, blank=True)
    onsite = models.CharField(max_length=4, choices=OnsiteOption.choices, default=OnsiteOption.NONE)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    drives = models.PositiveIntegerField(null=True, blank=True, help_text="TrueCommand (rule L8)")
    # L8: the TrueCommand contract (licence) a TrueCommand asset is registered under, set at
    # registration: a free licence's drive limit is summed over the assets that name it.
    licence = models.ForeignKey(
        "customers.Contract",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="licensed_assets",
        help_text="the TrueCommand licence (contract) the asset is registered under (rule L8)",
    )
    software_version = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ("serial",)

    def __str__(self) -> str:
        return self.serial
