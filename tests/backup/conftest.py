"""Fixtures of the backup tests: databases of their own (tests.jobs.installation)."""

from tests.jobs.installation import database_templates  # noqa: F401 - a fixture, used by name
