"""Files a customer attaches to a ticket from the portal (logs, screenshots, debug archives).

The files live under the data directory (`RMADESK_DATA_DIR/attachments`), never under a web
server's document root: they are served only through the portal's ticket pages, after the same
visibility check as the ticket itself (a file on another customer's ticket answers 404).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property


@deconstructible(path="rmadesk.portal.models.AttachmentStorage")
class AttachmentStorage(FileSystemStorage):
    """`<RMADESK_DATA_DIR>/attachments`, read from the settings when first used.

    Not `FileSystemStorage(location=...)`: that would freeze one machine's absolute path into the
    migration, and a test that points RMADESK_DATA_DIR elsewhere would still write here.
    """

    @cached_property
    def base_location(self) -> str:
        return str(Path(settings.RMADESK_DATA_DIR) / "attachments")

    def _clear_cached_properties(self, setting: Any, **kwargs: Any) -> None:
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "RMADESK_DATA_DIR":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


def attachment_path(instance: TicketAttachment, filename: str) -> str:
    """`tickets/<number>/<random>/<name>`: one folder per file, so names never collide."""
    return f"tickets/{instance.ticket.number}/{uuid.uuid4().hex}/{Path(filename).name}"


class TicketAttachment(models.Model):
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        "tickets.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
    )
    file = models.FileField(upload_to=attachment_path, storage=AttachmentStorage(), max_length=300)
    name = models.CharField(max_length=200)  # the file's name as the customer uploaded it
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("uploaded_at", "id")

    def __str__(self) -> str:
        return f"#{self.ticket.number} {self.name}"
