"""Sign-in throttling: failures slow the address they come from, never lock the account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from starlette.testclient import TestClient

from accord import security
from accord.models import LoginFailure
from accord.testing import sign_in
from accord.throttle import Rules

WRONG = "wrong password!"
ATTACKER = ("203.0.113.66", 40000)
OWNER = ("198.51.100.7", 50000)


def from_address(app, address: tuple[str, int]) -> TestClient:
    """A browser whose requests come from ``address`` (as uvicorn reports the client)."""
    return TestClient(app, client=address)


def fail(client: TestClient, email: str, times: int) -> None:
    for _ in range(times):
        assert sign_in(client, email, WRONG).status_code == 422


def time_passes(minutes: float) -> None:
    """Move the clock: every recorded failure happened ``minutes`` earlier."""
    for failure in LoginFailure.select():
        failure.at -= timedelta(minutes=minutes)
        failure.save()


@pytest.fixture
def ana(org, make_user):
    return make_user("ana@acme.test", org, "agent")


def test_five_failures_make_that_address_wait_a_minute_for_that_account(app, ana):
    attacker = from_address(app, ATTACKER)
    fail(attacker, "ana@acme.test", 5)
    response = sign_in(attacker, "ana@acme.test")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "60"
    assert "Try again in 1 minute." in response.text
    assert 'value="ana@acme.test"' in response.text


def test_the_owner_signs_in_from_their_own_address_while_an_attacker_waits(app, ana):
    attacker, owner = from_address(app, ATTACKER), from_address(app, OWNER)
    fail(attacker, "ana@acme.test", 5)
    assert sign_in(attacker, "ana@acme.test").status_code == 429
    assert sign_in(owner, "ana@acme.test").status_code == 303


def test_the_right_password_signs_in_once_the_wait_is_over(app, ana):
    attacker = from_address(app, ATTACKER)
    fail(attacker, "ana@acme.test", 5)
    time_passes(1)
    assert sign_in(attacker, "ana@acme.test").status_code == 303


def test_each_further_failure_doubles_the_wait(app, ana):
    attacker = from_address(app, ATTACKER)
    fail(attacker, "ana@acme.test", 5)
    time_passes(1)
    fail(attacker, "ana@acme.test", 1)
    assert sign_in(attacker, "ana@acme.test").headers["retry-after"] == "120"
    time_passes(2)
    fail(attacker, "ana@acme.test", 1)
    assert sign_in(attacker, "ana@acme.test").headers["retry-after"] == "240"


def test_the_wait_grows_no_longer_than_fifteen_minutes():
    rules = Rules()
    waits = [rules.wait_after(failures, threshold=5) for failures in range(4, 12)]
    assert [w.total_seconds() / 60 for w in waits] == [0, 1, 2, 4, 8, 15, 15, 15]
    assert rules.wait_after(10_000, threshold=5) == timedelta(minutes=15)


def test_a_try_while_waiting_is_refused_without_checking_or_counting_it(app, ana):
    attacker = from_address(app, ATTACKER)
    fail(attacker, "ana@acme.test", 5)
    for _ in range(3):
        assert sign_in(attacker, "ana@acme.test", WRONG).status_code == 429
    assert LoginFailure.select().count() == 5


def test_the_page_says_how_long_the_remaining_wait_is(app, ana):
    attacker = from_address(app, ATTACKER)
    fail(attacker, "ana@acme.test", 5)
    time_passes(0.5)
    response = sign_in(attacker, "ana@acme.test")
    assert response.headers["retry-after"] == "30"
    assert "Try again in 30 seconds." in response.text


def test_failures_for_one_account_do_not_slow_that_address_for_another(app, org, make_user, ana):
    make_user("ben@acme.test", org, "agent")
    shared = from_address(app, ATTACKER)
    fail(shared, "ana@acme.test", 5)
    assert sign_in(shared, "ben@acme.test").status_code == 303


def test_an_address_trying_many_accounts_is_slowed_for_every_account(app, org, make_user):
    make_user("zoe@acme.test", org, "agent")
    sprayer = from_address(app, ATTACKER)
    for n in range(20):  # four tries each, under the per-account threshold
        fail(sprayer, f"guess{n // 4}@acme.test", 1)
    response = sign_in(sprayer, "zoe@acme.test")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "60"
    assert sign_in(from_address(app, OWNER), "zoe@acme.test").status_code == 303


def test_signing_in_forgets_that_addresss_failures_for_the_account(app, ana):
    owner = from_address(app, OWNER)
    fail(owner, "ana@acme.test", 4)
    assert sign_in(owner, "ana@acme.test").status_code == 303
    fail(from_address(app, OWNER), "ana@acme.test", 4)
    assert sign_in(from_address(app, OWNER), "ana@acme.test").status_code == 303


def test_failures_older_than_a_day_no_longer_count(app, ana):
    attacker = from_address(app, ATTACKER)
    fail(attacker, "ana@acme.test", 5)
    time_passes(24 * 60)
    fail(attacker, "ana@acme.test", 4)
    assert sign_in(attacker, "ana@acme.test").status_code == 303


def test_forgotten_failures_are_deleted_as_new_ones_come(app, ana):
    attacker = from_address(app, ATTACKER)
    fail(attacker, "ana@acme.test", 3)
    time_passes(24 * 60)
    fail(attacker, "ana@acme.test", 1)
    assert LoginFailure.select().count() == 1


def test_the_rules_come_from_the_login_settings(accord_settings):
    login = {
        "max_failures": 3,
        "source_max_failures": 10,
        "first_wait_minutes": 2,
        "max_wait_minutes": 30,
        "forget_after_hours": 6,
    }
    accord_settings.data["login"] = login
    assert Rules.from_settings(accord_settings) == Rules(
        max_failures=3,
        source_max_failures=10,
        first_wait=timedelta(minutes=2),
        max_wait=timedelta(minutes=30),
        forget_after=timedelta(hours=6),
    )


def test_an_overlong_email_is_refused_like_any_wrong_one(app, ana):
    response = sign_in(from_address(app, ATTACKER), "x" * 300 + "@acme.test", WRONG)
    assert response.status_code == 422
    assert LoginFailure.get().email == ("x" * 300)[:254]


class CountingHasher(PasswordHasher):
    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verified += 1
        return super().verify(hash, password)


def test_an_unknown_email_costs_a_password_check_like_a_known_one(app, ana, monkeypatch):
    hasher = CountingHasher()
    monkeypatch.setattr(security, "_hasher", hasher)
    client = from_address(app, OWNER)
    sign_in(client, "nobody@acme.test", WRONG)
    sign_in(client, "ana@acme.test", WRONG)
    assert hasher.verified == 2
