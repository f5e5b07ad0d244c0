"""The portal keeps no records: its attachments moved to tickets.Attachment (tickets 0007)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_ticket_attachments"),
        ("tickets", "0007_move_portal_attachments"),
    ]

    operations = [
        migrations.DeleteModel(
            name="TicketAttachment",
        ),
    ]
