"""The production-web rules of rmadesk.config.env: pure functions over a mapping."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from rmadesk.config import env


@pytest.mark.parametrize(
    ("raw", "expected"), [(None, 7), ("", 7), ("  ", 7), ("0", 0), (" 12 ", 12)]
)
def test_env_int_reads_a_whole_number_or_the_default(raw: str | None, expected: int):
    variables = {} if raw is None else {"N": raw}
    assert env.env_int(variables, "N", default=7) == expected


@pytest.mark.parametrize("raw", ["two", "1.5", "1e3", "0x10"])
def test_env_int_refuses_what_is_not_a_whole_number_naming_the_variable(raw: str):
    with pytest.raises(ImproperlyConfigured, match=r"^N="):
        env.env_int({"N": raw}, "N", default=1)


def test_env_int_refuses_a_number_below_the_minimum():
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env.env_int({"N": "0"}, "N", default=1, minimum=1)
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env.env_int({"N": "-5"}, "N", default=1)


@pytest.mark.parametrize(("cpus", "workers"), [(1, 3), (2, 5), (3, 7), (4, 8), (64, 8)])
def test_default_web_workers_is_two_per_cpu_plus_one_capped(cpus: int, workers: int):
    assert env.default_web_workers(cpus) == workers


@given(st.integers(min_value=-4, max_value=10_000))
def test_default_web_workers_is_always_between_one_and_the_cap(cpus: int):
    assert 1 <= env.default_web_workers(cpus) <= env.MAX_DEFAULT_WEB_WORKERS


def test_web_workers_from_the_environment_wins_over_the_cap():
    assert env.web_workers({}, 2) == 5
    assert env.web_workers({"RMADESK_WEB_WORKERS": "24"}, 2) == 24
    with pytest.raises(ImproperlyConfigured, match="RMADESK_WEB_WORKERS"):
        env.web_workers({"RMADESK_WEB_WORKERS": "0"}, 2)


def test_available_cpus_is_at_least_one():
    assert env.available_cpus() >= 1


def test_threads_and_timeout_defaults_and_overrides():
    assert env.web_threads({}) == 1
    assert env.web_threads({"RMADESK_WEB_THREADS": "4"}) == 4
    assert env.web_timeout({}) == 30
    assert env.web_timeout({"RMADESK_WEB_TIMEOUT": "120"}) == 120
    with pytest.raises(ImproperlyConfigured, match="RMADESK_WEB_TIMEOUT"):
        env.web_timeout({"RMADESK_WEB_TIMEOUT": "0"})


def test_bind_defaults_to_loopback_and_takes_a_list():
    assert env.bind({}) == ["127.0.0.1:8000"]
    assert env.bind({"RMADESK_BIND": "0.0.0.0:8000, unix:/run/rmadesk/web.sock"}) == [
        "0.0.0.0:8000",
        "unix:/run/rmadesk/web.sock",
    ]


@pytest.mark.parametrize(
    ("variables", "debug", "expected"),
    [
        ({}, False, True),
        ({}, True, False),
        ({"RMADESK_SSL_REDIRECT": "0"}, False, False),
        ({"RMADESK_SSL_REDIRECT": "yes"}, True, True),
    ],
)
def test_ssl_redirect_is_on_in_production_unless_turned_off(
    variables: dict[str, str], debug: bool, expected: bool
):
    assert env.ssl_redirect(variables, debug=debug) is expected


def test_an_unrecognised_ssl_redirect_value_is_an_error():
    with pytest.raises(ImproperlyConfigured, match="RMADESK_SSL_REDIRECT"):
        env.ssl_redirect({"RMADESK_SSL_REDIRECT": "sometimes"}, debug=False)


def test_hsts_is_a_year_in_production_and_off_in_development():
    assert env.hsts_seconds({}, debug=False) == 31_536_000
    assert env.hsts_seconds({}, debug=True) == 0
    assert env.hsts_seconds({"RMADESK_HSTS_SECONDS": "3600"}, debug=False) == 3600
    assert env.hsts_seconds({"RMADESK_HSTS_SECONDS": "0"}, debug=False) == 0
    with pytest.raises(ImproperlyConfigured, match="RMADESK_HSTS_SECONDS"):
        env.hsts_seconds({"RMADESK_HSTS_SECONDS": "-1"}, debug=False)
