"""Settings read as an operator writes them: secrets from files (MAILSLOT_<NAME>_FILE)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailslot.config import SECRET_SETTINGS, Settings


@pytest.mark.parametrize("name", SECRET_SETTINGS)
def test_a_secret_setting_reads_its_file(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / name
    secret.write_text(f"value-of-{name}\n")  # as `echo ... > file` writes it
    monkeypatch.delenv(f"MAILSLOT_{name.upper()}", raising=False)
    monkeypatch.setenv(f"MAILSLOT_{name.upper()}_FILE", str(secret))
    value = getattr(Settings(_env_file=None), name)
    text = value.get_secret_value() if hasattr(value, "get_secret_value") else value
    assert text == f"value-of-{name}"


def test_a_variable_and_its_file_together_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "key"
    secret.write_text("from-the-file")
    monkeypatch.setenv("MAILSLOT_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("MAILSLOT_SECRET_KEY_FILE", str(secret))
    with pytest.raises(ValueError, match="MAILSLOT_SECRET_KEY or MAILSLOT_SECRET_KEY_FILE"):
        Settings(_env_file=None)


def test_a_missing_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAILSLOT_REDIS_URL", raising=False)
    monkeypatch.setenv("MAILSLOT_REDIS_URL_FILE", str(tmp_path / "absent"))
    with pytest.raises(ValueError, match=r"MAILSLOT_REDIS_URL_FILE: cannot read .*absent"):
        Settings(_env_file=None)


def test_metrics_allow_is_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILSLOT_METRICS_ALLOW", "10.0.0.0/8, 192.168.1.0/24")
    settings = Settings(_env_file=None)
    assert settings.metrics_allow == ["10.0.0.0/8", "192.168.1.0/24"]


def test_a_drain_must_leave_time_to_stop() -> None:
    with pytest.raises(ValueError, match="MAILSLOT_SHUTDOWN_DRAIN must be less than"):
        Settings(_env_file=None, shutdown_drain=10, shutdown_timeout=10)
    assert Settings(_env_file=None, shutdown_drain=9.5, shutdown_timeout=10).shutdown_drain == 9.5


@pytest.mark.parametrize(("value", "accepted"), [("5", False), ("6", True), ("12", True)])
def test_a_password_minimum_below_6_is_refused_at_start(
    value: str, accepted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAILSLOT_PASSWORD_MIN_LENGTH", value)
    if accepted:
        assert Settings(_env_file=None).password_min_length == int(value)
    else:
        with pytest.raises(ValueError, match="password_min_length"):
            Settings(_env_file=None)


def test_the_seed_b_profile_is_off_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAILSLOT_COMPAT", raising=False)
    assert Settings(_env_file=None).compat == "none"
    monkeypatch.setenv("MAILSLOT_COMPAT", "seed-b")
    assert Settings(_env_file=None).compat == "seed-b"
    monkeypatch.setenv("MAILSLOT_COMPAT", "seed-c")
    with pytest.raises(ValueError, match="compat"):
        Settings(_env_file=None)
