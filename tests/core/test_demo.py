"""Demo data, loaded in-process: runs on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from rmadesk.core.demo import ADMIN_PASSWORD, ADMIN_USERNAME, load_demo_data

pytestmark = pytest.mark.django_db


def test_load_demo_data_creates_the_admin_superuser():
    data = load_demo_data()
    admin = get_user_model().objects.get(username=ADMIN_USERNAME)
    assert admin.is_superuser and admin.is_staff and admin.is_active
    assert admin.check_password(ADMIN_PASSWORD)
    assert data.created == ["superuser 'admin'"]
    [login] = data.logins
    assert (login.username, login.password, login.is_new) == ("admin", "admin", True)


def test_load_demo_data_is_idempotent():
    load_demo_data()
    again = load_demo_data()
    assert again.created == []
    assert again.logins[0].is_new is False
    assert get_user_model().objects.filter(username=ADMIN_USERNAME).count() == 1


def test_a_changed_admin_password_is_kept_and_not_printed():
    load_demo_data()
    admin = get_user_model().objects.get(username=ADMIN_USERNAME)
    admin.set_password("something-else-entirely")
    admin.save()
    again = load_demo_data()
    assert again.logins[0].password is None
    admin.refresh_from_db()
    assert admin.check_password("something-else-entirely")
