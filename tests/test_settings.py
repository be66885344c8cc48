"""``Settings``: defaults, SILKHUB_* variables, the TOML file, and the secret key.

``get_settings`` is cached for the process, so every test builds ``Settings()`` itself, with no
SILKHUB_* variable from the surrounding environment and in an empty working directory (so that
no ``silkhub.toml`` is found).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsError

from silkhub.settings import Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("SILKHUB_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def write_config(path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("SILKHUB_CONFIG", str(path))
    return path


def test_defaults(tmp_path: Path) -> None:
    settings = Settings()
    assert settings.data_dir == Path("silkhub-data")
    assert settings.database_url is None
    expected_db = (tmp_path / "silkhub-data" / "silkhub.db").resolve()
    assert settings.resolved_database_url == f"sqlite:///{expected_db}"
    assert settings.resolved_analytical_dir == Path("silkhub-data") / "analytical"
    assert settings.secret_key is None
    assert settings.default_language == "zh"
    assert settings.worker_plugins == []
    assert settings.max_body_bytes == 50 * 1024 * 1024
    # Reading settings creates nothing.
    assert list(tmp_path.iterdir()) == []


def test_database_url_is_an_absolute_sqlite_path_inside_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=Path("rel/data"))
    url = settings.resolved_database_url
    assert url.startswith("sqlite:///")
    path = Path(url.removeprefix("sqlite:///"))
    assert path.is_absolute()
    assert path == (tmp_path / "rel" / "data" / "silkhub.db").resolve()


def test_explicit_database_url_and_analytical_dir_win(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "d",
        database_url="postgresql+psycopg://u@db/hub",
        analytical_dir=tmp_path / "parquet",
    )
    assert settings.resolved_database_url == "postgresql+psycopg://u@db/hub"
    assert settings.resolved_analytical_dir == tmp_path / "parquet"


def test_environment_variables_override_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SILKHUB_DATA_DIR", str(tmp_path / "hub"))
    monkeypatch.setenv("SILKHUB_DATABASE_URL", "postgresql+psycopg://u@db/hub")
    monkeypatch.setenv("SILKHUB_DEFAULT_LANGUAGE", "en")
    monkeypatch.setenv("SILKHUB_SMTP_PORT", "2525")
    monkeypatch.setenv("SILKHUB_SMTP_STARTTLS", "true")
    monkeypatch.setenv("SILKHUB_WORKER_POLL_SECONDS", "0.25")
    monkeypatch.setenv("SILKHUB_SECRET_KEY", "from-the-environment")
    settings = Settings()
    assert settings.data_dir == tmp_path / "hub"
    assert settings.resolved_database_url == "postgresql+psycopg://u@db/hub"
    assert settings.resolved_analytical_dir == tmp_path / "hub" / "analytical"
    assert settings.default_language == "en"
    assert settings.smtp_port == 2525
    assert settings.smtp_starttls is True
    assert settings.worker_poll_seconds == 0.25
    assert settings.resolved_secret_key() == b"from-the-environment"
    # Keyword arguments win over the environment.
    assert Settings(default_language="zh").default_language == "zh"


def test_a_bad_environment_value_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SILKHUB_DEFAULT_LANGUAGE", "fr")
    with pytest.raises(ValidationError, match="default_language"):
        Settings()
    monkeypatch.setenv("SILKHUB_DEFAULT_LANGUAGE", "en")
    monkeypatch.setenv("SILKHUB_SMTP_PORT", "many")
    with pytest.raises(ValidationError, match="smtp_port"):
        Settings()


def test_smtp_ssl_and_starttls_exclude_each_other() -> None:
    assert Settings(smtp_ssl=True, smtp_port=465).smtp_ssl is True
    with pytest.raises(ValidationError, match="smtp_ssl and smtp_starttls"):
        Settings(smtp_ssl=True, smtp_starttls=True)


def test_worker_plugins_is_a_json_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SILKHUB_WORKER_PLUGINS", '["acme.jobs", "acme.more_jobs"]')
    assert Settings().worker_plugins == ["acme.jobs", "acme.more_jobs"]
    monkeypatch.setenv("SILKHUB_WORKER_PLUGINS", "acme.jobs")  # not JSON
    with pytest.raises(SettingsError, match="worker_plugins"):
        Settings()


def test_the_toml_file_named_by_silkhub_config_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(
        tmp_path / "hub.toml",
        f"""
data_dir = "{tmp_path / "from-toml"}"
default_language = "en"
session_hours = 3
worker_plugins = ["acme.jobs"]
""",
        monkeypatch,
    )
    settings = Settings()
    assert settings.data_dir == tmp_path / "from-toml"
    assert settings.default_language == "en"
    assert settings.session_hours == 3
    assert settings.worker_plugins == ["acme.jobs"]
    assert settings.smtp_port == 25  # not in the file: the default


def test_environment_overrides_the_toml_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path / "hub.toml", 'default_language = "en"\nsession_hours = 3\n', monkeypatch)
    monkeypatch.setenv("SILKHUB_SESSION_HOURS", "24")
    settings = Settings()
    assert settings.session_hours == 24
    assert settings.default_language == "en"
    assert Settings(session_hours=1).session_hours == 1


def test_silkhub_toml_in_the_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / "silkhub.toml").write_text("login_max_failures = 9\n", encoding="utf-8")
    assert Settings().login_max_failures == 9


def test_an_unknown_key_in_the_toml_file_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path / "hub.toml", 'default_language = "en"\ndatabse_url = "x"\n', monkeypatch)
    with pytest.raises(ValidationError, match="databse_url"):
        Settings()


def test_an_unknown_keyword_is_an_error() -> None:
    with pytest.raises(ValidationError, match="data_directory"):
        Settings(data_directory="x")  # type: ignore[call-arg]


def test_secret_key_is_made_once_and_kept(tmp_path: Path) -> None:
    data_dir = tmp_path / "not-yet"
    settings = Settings(data_dir=data_dir)
    key = settings.resolved_secret_key()
    path = data_dir / "secret_key"
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) >= 32
    assert path.read_bytes().strip() == key

    assert settings.resolved_secret_key() == key
    assert Settings(data_dir=data_dir).resolved_secret_key() == key
    # Another data directory, another key.
    assert Settings(data_dir=tmp_path / "other").resolved_secret_key() != key


def test_an_explicit_secret_key_wins(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    Settings(data_dir=data_dir).resolved_secret_key()  # a kept key exists
    settings = Settings(data_dir=data_dir, secret_key="configured-key")
    assert settings.resolved_secret_key() == b"configured-key"
    assert "configured-key" not in repr(settings)  # a SecretStr


def test_an_explicit_secret_key_creates_no_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert Settings(data_dir=data_dir, secret_key="k").resolved_secret_key() == b"k"
    assert not data_dir.exists()
