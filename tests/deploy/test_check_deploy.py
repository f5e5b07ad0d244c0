"""`rmadesk check --deploy` is clean for a production environment, and not for a development one."""

from __future__ import annotations

from pathlib import Path

from tests.deploy.installation import production_env, rmadesk


def test_check_deploy_is_clean_in_production(tmp_path: Path):
    checked = rmadesk(
        production_env(tmp_path / "data"), "check", "--deploy", "--fail-level", "WARNING"
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no issues" in checked.stdout


def test_check_deploy_is_clean_with_the_generated_secret_key(tmp_path: Path):
    """An admin who sets no SECRET_KEY gets a strong one in the data dir, not a warning."""
    env = production_env(tmp_path / "data")
    del env["SECRET_KEY"]
    checked = rmadesk(env, "check", "--deploy", "--fail-level", "WARNING")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert (tmp_path / "data" / "secret_key").exists()


def test_check_deploy_reports_a_development_setup(tmp_path: Path):
    """With RMADESK_DEBUG on the same check fails, naming what production turns on."""
    env = production_env(tmp_path / "data", RMADESK_DEBUG="1")
    checked = rmadesk(env, "check", "--deploy", "--fail-level", "WARNING")
    assert checked.returncode != 0
    for warning in ("W004", "W008", "W012", "W016", "W018"):
        assert f"security.{warning}" in checked.stderr, checked.stderr


def test_turning_the_https_redirect_off_is_reported(tmp_path: Path):
    """RMADESK_SSL_REDIRECT=0 is for a proxy that redirects itself: check --deploy says so."""
    env = production_env(tmp_path / "data", RMADESK_SSL_REDIRECT="0")
    checked = rmadesk(env, "check", "--deploy", "--fail-level", "WARNING")
    assert checked.returncode != 0
    assert "security.W008" in checked.stderr
