"""A real SMTP server for the outbound tests: aiosmtpd on 127.0.0.1, a free port, collecting mail.

`smtp` starts the server and points Django's SMTP backend at it (the `settings` fixture undoes
that after the test), so `deliver_outbox` talks SMTP over a socket like in production.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())

    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        assert part is not None
        return str(part.get_content())

    def attachments(self) -> list[tuple[str, bytes]]:
        return [
            (str(part.get_filename()), bytes(part.get_content()))
            for part in self.message.iter_attachments()
        ]


@dataclass
class Collector:
    """An aiosmtpd handler keeping every message; optionally slow or refusing, on purpose."""

    messages: list[Received] = field(default_factory=list)
    delay: float = 0.0  # seconds to wait after receiving, before answering 250
    refuse_with: str | None = None  # e.g. "451 try later": refuse DATA with this reply
    receiving: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_with is not None:
            return self.refuse_with
        message = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        assert isinstance(message, EmailMessage)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        self.receiving.set()
        if self.delay:
            # Blocking on purpose: the client waits for the 250 while the message is stored.
            time.sleep(self.delay)
        return "250 OK"

    def message_ids(self) -> list[str]:
        return [received.message_id for received in self.messages]


@dataclass
class SmtpServer:
    host: str
    port: int
    collector: Collector

    @property
    def messages(self) -> list[Received]:
        return self.collector.messages


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, collector)
    finally:
        controller.stop()


@pytest.fixture
def smtp(settings: Any, smtp_server: SmtpServer) -> SmtpServer:
    """The SMTP server, with Django's mail settings pointing at it."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    settings.DEFAULT_FROM_EMAIL = "support@vendor.example"
    settings.RMADESK_MAIL_DOMAIN = "mail.vendor.example"
    return smtp_server
