"""Fixtures of the worker tests: a real installation with its own database, a real SMTP server."""

from tests.jobs.installation import installation  # noqa: F401 - fixtures, used by name
from tests.mail.outbound.conftest import smtp_server  # noqa: F401
