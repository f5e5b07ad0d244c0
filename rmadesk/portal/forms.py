"""Portal forms: they parse and check the shape of input; the services decide the rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from rmadesk.core import wording
from rmadesk.core.errors import InvalidInput
from rmadesk.core.policies import active_policy
from rmadesk.core.wording import CONFIRMATION_SENTENCES
from rmadesk.portal.selectors import MAX_NUMBER, my_assets
from rmadesk.satisfaction.choices import RATING_WORDS
from rmadesk.satisfaction.models import MAX_COMMENT
from rmadesk.tickets import file_types
from rmadesk.tickets.attachments import check_upload

# Attachments are judged by the tickets' one rule (`rmadesk.tickets.file_types`): the name's
# allowed ending and the content, never the type the browser declares.
MAX_ATTACHMENT_BYTES = file_types.MAX_ATTACHMENT_BYTES
MAX_ATTACHMENTS = file_types.MAX_ATTACHMENTS


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to five files, each at most 10 MB and of an accepted kind, checked before any is saved.

    The rule is the tickets' (`file_types`); the service checks again when it stores them.
    """

    def __init__(self, **kwargs: Any) -> None:
        # `accept` steers the browser's file picker to the allowed endings; the rule still decides.
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": file_types.accept_list()}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", file_types.limits_text_lazy())
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        uploads = [d for d in (data if isinstance(data, (list, tuple)) else [data]) if d]
        try:
            file_types.check_count(len(uploads))
        except InvalidInput as refused:
            raise forms.ValidationError(refused.message, code="count") from None
        errors: list[forms.ValidationError] = []
        cleaned: list[UploadedFile] = []
        for data_item in uploads:
            upload = super().clean(data_item, initial)
            try:
                upload.content_type = check_upload(upload)
            except InvalidInput as refused:
                errors.append(forms.ValidationError(refused.message, code="type"))
                continue
            cleaned.append(upload)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


def _serial_choices(user: Any) -> list[tuple[str, str]]:
    return [("", str(_("— choose a system —")))] + [
        (asset.serial, f"{asset.serial} · {asset.model.name}") for asset in my_assets(user)
    ]


def severity_choices() -> list[tuple[str, str]]:
    return [(key, doc.title) for key, doc in active_policy().document.severities.items()]


def severity_definitions() -> list[dict[str, str]]:
    """S1-S4 with their definitions from the policy file (L2), shown beside the choice."""
    shown = []
    for key, doc in active_policy().document.severities.items():
        title, description = wording.severity_words(key, doc.title, doc.description)
        shown.append({"key": key, "title": title, "description": description})
    return shown


class SerialMixin:
    """A system picked from the customer's own serials, or typed (the typed one wins)."""

    user: Any
    cleaned_data: dict[str, Any]

    def _chosen_serial(self) -> str:
        typed = (self.cleaned_data.get("serial_typed") or "").strip()
        return typed or (self.cleaned_data.get("serial") or "").strip()


class TicketForm(SerialMixin, forms.Form):
    serial = forms.ChoiceField(label=_("System"), required=False)
    serial_typed = forms.CharField(
        label=_("or type its serial number"), required=False, max_length=64, strip=True
    )
    severity = forms.ChoiceField(label=_("Severity"), widget=forms.RadioSelect)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 6}))
    about_jails_or_plugins = forms.BooleanField(
        label=_("This is about jails or plugins"), required=False
    )
    attachments = AttachmentsField(label=_("Attachments"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        serial_field = self.fields["serial"]
        assert isinstance(serial_field, forms.ChoiceField)
        serial_field.choices = _serial_choices(user)
        severity_field = self.fields["severity"]
        assert isinstance(severity_field, forms.ChoiceField)
        severity_field.choices = severity_choices()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        serial = self._chosen_serial()
        if not serial:
            self.add_error("serial", _("Choose a system, or type its serial number."))
        elif not my_assets(self.user).filter(serial=serial).exists():
            self.add_error(
                "serial_typed",
                _("No system with serial %(serial)s among yours.") % {"serial": serial},
            )
        else:
            cleaned["serial"] = serial
        return cleaned


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}))
    attachments = AttachmentsField(label=_("Attachments"))


class ConfirmForm(forms.Form):
    """The customer's R6 confirmations before a return label is issued (words: `wording`)."""

    data_backed_up = forms.BooleanField(
        label=CONFIRMATION_SENTENCES["data_backed_up"], required=False
    )
    removable_media_removed = forms.BooleanField(
        label=CONFIRMATION_SENTENCES["removable_media_removed"], required=False
    )
    original_packaging = forms.BooleanField(
        label=CONFIRMATION_SENTENCES["original_packaging"], required=False
    )
    insured = forms.BooleanField(label=CONFIRMATION_SENTENCES["insured"], required=False)


class MoneyBackForm(forms.Form):
    serial = forms.ChoiceField(label=_("System"))
    reason = forms.CharField(
        label=_("Why are you returning it? (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        serial_field = self.fields["serial"]
        assert isinstance(serial_field, forms.ChoiceField)
        serial_field.choices = _serial_choices(user)


class AppointmentForm(forms.Form):
    ticket = forms.IntegerField(label=_("Ticket number"), min_value=1, max_value=MAX_NUMBER)
    starts_at = forms.DateTimeField(
        label=_("Start"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In your time zone; the page shows it with its offset after booking."),
    )


def files_of(form: forms.Form) -> Sequence[UploadedFile]:
    return list(form.cleaned_data.get("attachments") or [])


class RatingForm(forms.Form):
    """A rating of a closed ticket (1-5) and an optional comment; the service decides the rest."""

    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=[(n, f"{n} – {words}") for n, words in RATING_WORDS.items()],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a rating from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
