"""Portal forms: they parse and check the shape of input; the services decide the rules."""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from rmadesk.core.policies import active_policy
from rmadesk.portal.selectors import MAX_NUMBER, my_assets

# Attachments: what a support engineer can open safely, and not more than a mail server would take.
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
# Declared type -> the file name endings it may have. The stored type is the one the name says.
ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    "text/plain": (".txt", ".log", ".conf", ".cfg"),
    "text/csv": (".csv",),
    "application/json": (".json",),
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "application/zip": (".zip",),
    "application/gzip": (".gz", ".tgz"),
    "application/x-tar": (".tar",),
}
_ENDINGS = {ending: kind for kind, endings in ALLOWED_TYPES.items() for ending in endings}
# Browsers label files they do not know (a .log, a .tgz) with these: the name decides then.
_GENERIC_TYPES = {"", "application/octet-stream", "application/x-gzip", "application/x-compressed"}
# The first bytes each binary type starts with; text must not contain NUL bytes.
_MAGIC: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "application/zip": (b"PK\x03\x04", b"PK\x05\x06"),
    "application/gzip": (b"\x1f\x8b",),
}
_TEXT_TYPES = {"text/plain", "text/csv", "application/json"}


def allowed_endings() -> str:
    return ", ".join(sorted(_ENDINGS))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def attachment_type(upload: UploadedFile) -> str:
    """The checked content type of an upload, or a ValidationError saying what is accepted.

    Three checks: the name's ending is on the allow-list, the type the browser declared agrees
    with it (or is a generic one), and the first bytes look like that type.
    """
    name = upload.name or "attachment"
    ending = "".join(Path(name).suffixes[-1:]).lower()
    kind = _ENDINGS.get(ending)
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    if kind is None:
        shown = declared or mimetypes.guess_type(name)[0] or "unknown"
        raise forms.ValidationError(
            f"{name}: files of type {shown} are not accepted; attach one of {allowed_endings()}.",
            code="type",
        )
    if declared not in _GENERIC_TYPES and declared != kind:
        raise forms.ValidationError(
            f"{name}: the file says it is {declared} but its name says {kind}; attach one of "
            f"{allowed_endings()}.",
            code="type",
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    magic = _MAGIC.get(kind)
    looks_right = (
        any(head.startswith(m) for m in magic)
        if magic is not None
        else (b"\x00" not in head if kind in _TEXT_TYPES else True)
    )
    if not looks_right:
        raise forms.ValidationError(
            f"{name}: the content is not {kind} as its name says.", code="type"
        )
    return kind


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to five files, each at most 10 MB and of an allowed type, checked before any is saved."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            f"Up to {MAX_ATTACHMENTS} files of at most {_megabytes(MAX_ATTACHMENT_BYTES)} each: "
            f"{allowed_endings()}.",
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        uploads = [d for d in (data if isinstance(data, (list, tuple)) else [data]) if d]
        if len(uploads) > MAX_ATTACHMENTS:
            raise forms.ValidationError(
                f"attach at most {MAX_ATTACHMENTS} files at once ({len(uploads)} given).",
                code="count",
            )
        errors: list[forms.ValidationError] = []
        cleaned: list[UploadedFile] = []
        for data_item in uploads:
            upload = super().clean(data_item, initial)
            if upload.size is not None and upload.size > MAX_ATTACHMENT_BYTES:
                errors.append(
                    forms.ValidationError(
                        f"{upload.name} is {_megabytes(upload.size)}: attachments are at most "
                        f"{_megabytes(MAX_ATTACHMENT_BYTES)} each.",
                        code="size",
                    )
                )
                continue
            try:
                upload.content_type = attachment_type(upload)
            except forms.ValidationError as refused:
                errors.append(refused)
                continue
            cleaned.append(upload)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


def _serial_choices(user: Any) -> list[tuple[str, str]]:
    return [("", "— choose a system —")] + [
        (asset.serial, f"{asset.serial} · {asset.model.name}") for asset in my_assets(user)
    ]


def severity_choices() -> list[tuple[str, str]]:
    return [(key, doc.title) for key, doc in active_policy().document.severities.items()]


def severity_definitions() -> list[dict[str, str]]:
    """S1-S4 with their definitions from the policy file (L2), shown beside the choice."""
    return [
        {"key": key, "title": doc.title, "description": doc.description}
        for key, doc in active_policy().document.severities.items()
    ]


class SerialMixin:
    """A system picked from the customer's own serials, or typed (the typed one wins)."""

    user: Any
    cleaned_data: dict[str, Any]

    def _chosen_serial(self) -> str:
        typed = (self.cleaned_data.get("serial_typed") or "").strip()
        return typed or (self.cleaned_data.get("serial") or "").strip()


class TicketForm(SerialMixin, forms.Form):
    serial = forms.ChoiceField(label="System", required=False)
    serial_typed = forms.CharField(
        label="or type its serial number", required=False, max_length=64, strip=True
    )
    severity = forms.ChoiceField(label="Severity", widget=forms.RadioSelect)
    subject = forms.CharField(label="Subject", max_length=300)
    body = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 6}))
    attachments = AttachmentsField(label="Attachments")

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
            self.add_error("serial", "Choose a system, or type its serial number.")
        elif not my_assets(self.user).filter(serial=serial).exists():
            self.add_error("serial_typed", f"No system with serial {serial} among yours.")
        else:
            cleaned["serial"] = serial
        return cleaned


class ReplyForm(forms.Form):
    body = forms.CharField(label="Your reply", widget=forms.Textarea(attrs={"rows": 5}))
    attachments = AttachmentsField(label="Attachments")


class ConfirmForm(forms.Form):
    """The customer's R6 confirmations before a return label is issued."""

    data_backed_up = forms.BooleanField(label="I have backed up my data", required=False)
    original_packaging = forms.BooleanField(
        label="The system is packed in its original or equivalent packaging", required=False
    )
    insured = forms.BooleanField(label="The shipment is insured", required=False)


# The R6 confirmations in the customer's words, for messages naming what is still missing.
CONFIRMATION_WORDS = {
    "data_backed_up": "your data backup",
    "original_packaging": "original or equivalent packaging",
    "insured": "insurance",
}


def confirmation_words(names: Sequence[str]) -> str:
    return ", ".join(CONFIRMATION_WORDS.get(name, name) for name in names)


class MoneyBackForm(forms.Form):
    serial = forms.ChoiceField(label="System")
    reason = forms.CharField(
        label="Why are you returning it? (optional)",
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
    ticket = forms.IntegerField(label="Ticket number", min_value=1, max_value=MAX_NUMBER)
    starts_at = forms.DateTimeField(
        label="Start",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="In your time zone; the page shows it with its offset after booking.",
    )


def files_of(form: forms.Form) -> Sequence[UploadedFile]:
    return list(form.cleaned_data.get("attachments") or [])
