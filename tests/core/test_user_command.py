"""`rmadesk user add EMAIL (--staff ROLE | --customer ID) [--token]`: users and API tokens.

The printed token is tried against the API the way an integrator would (docs/api.md). A refused
command exits 2 with one line saying why and creates nothing: no user, account, token or event.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, ManagementUtility, call_command
from django.db import connections
from django.test import Client

from rmadesk.core.models import Account, ApiToken, AuditEvent
from rmadesk.core.services import add_user
from tests.factories import AssetFactory, CustomerFactory
from tests.signin import signed_in

pytestmark = pytest.mark.django_db


def add(*arguments: str) -> list[str]:
    """Run `rmadesk user add ARGUMENTS` in-process; the lines it printed."""
    out = StringIO()
    call_command("user", "add", *arguments, stdout=out)
    return out.getvalue().splitlines()


def entitlement(serial: str, token: str) -> tuple[int, dict[str, object]]:
    answer = Client().get(
        f"/api/v1/entitlements/{serial}", headers={"Authorization": f"Bearer {token}"}
    )
    return answer.status_code, answer.json()


def counts() -> tuple[int, int, int, int]:
    return (
        get_user_model().objects.count(),
        Account.objects.count(),
        ApiToken.objects.count(),
        AuditEvent.objects.count(),
    )


def test_staff_user_with_token_reads_an_entitlement():
    asset = AssetFactory(serial="M50-000777")
    lines = add("agent@vendor.example", "--staff", "agent", "--token")
    assert lines[0] == "added agent@vendor.example (agent)"
    token = lines[-1]
    # Between them, the second factor's enrolment (tests/web/test_signin.py).
    assert token.startswith("rmd_") and lines[2].startswith("otpauth://totp/")
    status, body = entitlement("M50-000777", token)
    assert status == 200, body
    assert (body["serial"], body["customer"]) == ("M50-000777", asset.customer_id)
    account = Account.objects.get(user__username="agent@vendor.example")
    assert (account.role, account.customer_id) == ("agent", None)
    # Only the digest is kept (the token is shown once).
    assert ApiToken.objects.get(user=account.user).digest == ApiToken.digest_of(token)
    assert Client().get("/api/v1/entitlements/M50-000777").status_code == 401


def test_without_token_no_token_is_made_or_printed():
    lines = add("clerk@vendor.example", "--staff", "clerk")
    assert lines[0] == "added clerk@vendor.example (clerk)"
    assert not any(line.startswith("rmd_") for line in lines)
    assert not ApiToken.objects.exists()


def test_customer_contact_is_tied_to_its_customer_and_sees_only_its_serials():
    mine = AssetFactory(serial="MINE-1")
    AssetFactory(serial="THEIRS-1")
    lines = add("ops@acme.example", "--customer", str(mine.customer_id), "--token")
    assert lines[0] == "added ops@acme.example (customer)"
    account = Account.objects.get(user__username="ops@acme.example")
    assert (account.role, account.customer_id) == ("customer", mine.customer_id)
    assert not account.user.is_staff
    token = lines[-1]
    assert entitlement("MINE-1", token)[0] == 200
    # Another customer's serial answers like a missing one.
    assert entitlement("THEIRS-1", token) == entitlement("NO-SUCH-SERIAL", token)
    assert entitlement("THEIRS-1", token)[0] == 404


def test_admin_role_may_open_the_django_admin():
    add("boss@vendor.example", "--staff", "admin", "--password", "correct horse battery")
    client = Client()
    assert signed_in(client, "boss@vendor.example", "correct horse battery")
    assert client.get("/admin/").status_code == 200


def run_cli(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    """Run `rmadesk ARGV` in-process as the console script does; (exit status, stdout, stderr)."""
    # A command closes every connection when it ends; the test's transaction must outlive it.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["rmadesk", *argv]).execute()
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out, captured.err


def refusals() -> dict[str, list[str]]:
    """Each refused command line, by name; the customer id is a real one where it matters."""
    customer = CustomerFactory()
    add_user(email="taken@vendor.example", role="agent")
    return {
        "unknown role": ["--staff", "boss"],
        "customer role as staff": ["--staff", "customer"],
        "missing customer": ["--customer", "999999"],
        "duplicate email": ["--staff", "agent", "--token"],
        "both staff and customer": ["--staff", "agent", "--customer", str(customer.pk)],
        "neither staff nor customer": ["--token"],
    }


REFUSALS = [
    "unknown role",
    "customer role as staff",
    "missing customer",
    "duplicate email",
    "both staff and customer",
    "neither staff nor customer",
]


def email_for(case: str) -> str:
    return "taken@vendor.example" if case == "duplicate email" else "new@vendor.example"


@pytest.mark.parametrize("case", REFUSALS)
def test_a_refused_command_exits_2_and_creates_nothing(case, capsys, monkeypatch):
    arguments = refusals()[case]
    before = counts()
    status, out, err = run_cli(["user", "add", email_for(case), *arguments], capsys, monkeypatch)
    assert status == 2, err
    assert err.strip()
    assert "rmd_" not in out + err  # no token printed
    assert counts() == before


@pytest.mark.parametrize(
    "case",
    [*REFUSALS],
)
def test_a_refused_command_says_why_in_one_line(case, capsys, monkeypatch):
    arguments = refusals()[case]
    _, out, err = run_cli(["user", "add", email_for(case), *arguments], capsys, monkeypatch)
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert "Role." not in err  # roles by their names: agent, clerk, ...


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["new@vendor.example", "--customer", "999999"], "no customer with id 999999"),
        (
            ["taken@vendor.example", "--staff", "agent"],
            "a user taken@vendor.example already exists",
        ),
    ],
)
def test_call_command_raises_with_exit_status_2(arguments, message):
    add_user(email="taken@vendor.example", role="agent")
    before = counts()
    with pytest.raises(CommandError) as refused:
        add(*arguments)
    assert (refused.value.returncode, str(refused.value)) == (2, message)
    assert counts() == before
