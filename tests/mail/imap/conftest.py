"""A real IMAP server (Dovecot) for the fetch tests: one per session, emptied before each test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.mail.imap.dovecot import Dovecot, dovecot_binary, remove, start_dovecot


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[Dovecot]:
    if dovecot_binary() is None:
        if os.environ.get("RMADESK_TEST_REQUIRE_DOVECOT"):
            pytest.fail("dovecot is not installed: .ci/run installs dovecot-imapd")
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd)")
    server = start_dovecot()
    yield server
    remove(server)


@pytest.fixture
def mailbox(dovecot_server: Dovecot) -> Dovecot:
    """The Dovecot server with an empty INBOX and no other folder."""
    dovecot_server.empty()
    return dovecot_server
