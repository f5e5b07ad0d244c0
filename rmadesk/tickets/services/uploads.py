"""Files uploaded on their own (the API's upload): onto a message, a new internal note, or the
ticket itself; every file is checked by the one rule of every door before anything is written."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from rmadesk.core.errors import InvalidInput, PermissionDenied
from rmadesk.core.filenames import safe_filename
from rmadesk.core.permissions import Actor
from rmadesk.tickets.attachments import attach_files, check_uploads
from rmadesk.tickets.choices import MessageKind
from rmadesk.tickets.models import Attachment, Message, Ticket
from rmadesk.tickets.permissions import require_ticket_actor
from rmadesk.tickets.services.conversation import reply


@transaction.atomic
def add_attachments(
    *,
    actor: Actor,
    ticket: Ticket,
    files: Sequence[UploadedFile],
    message_id: int | None = None,
    internal: bool = False,
    via: str = "api",
    field: str = "file",
) -> list[Attachment]:
    """Files uploaded on their own (the API): onto a message, a new internal note, or the ticket.

    - `message_id`: a message of this ticket the actor can read; a customer's contact adds
      files only to the customer's own messages.
    - `internal` (staff only): the files are for staff; with no message, a new internal note
      ("Files attached: …") carries them, so they never reach the customer.
    - neither: the files go on the ticket itself, where its customer sees them.
    Every file is checked (`check_uploads`) before anything is written.
    """
    staff = require_ticket_actor(actor, "attaching files", ticket)
    if internal and not staff:
        raise PermissionDenied(
            "only the vendor's staff attach files for staff only (internal)", field="internal"
        )
    if not files:
        raise InvalidInput("attach at least one file", field=field)
    check_uploads(files, field=field)
    message = None if message_id is None else _message_of(actor, ticket, message_id, staff=staff)
    if message is not None and internal and message.is_public:
        raise InvalidInput(
            f"message {message.pk} is public: files for staff only go on an internal note "
            "(leave out the message to start one)",
            field="internal",
        )
    if message is None and internal:
        names = ", ".join(safe_filename(upload.name) for upload in files)
        message = reply(actor=actor, ticket=ticket, body=f"Files attached: {names}", public=False)
    return attach_files(
        actor=actor, ticket=ticket, message=message, files=files, via=via, field=field
    )


def _message_of(actor: Actor, ticket: Ticket, message_id: int, *, staff: bool) -> Message:
    found = Message.objects.filter(ticket=ticket, pk=message_id).first()
    if found is None or not (staff or found.is_public):  # an internal note: as if missing
        raise InvalidInput(f"ticket {ticket.number} has no message {message_id}", field="message")
    if not staff and found.kind != MessageKind.CUSTOMER:
        raise InvalidInput(
            f"message {message_id} is the vendor's: add files to your own messages, or to the "
            "ticket (leave out the message)",
            field="message",
        )
    return found
