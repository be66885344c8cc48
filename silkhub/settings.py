"""One typed settings object, read from ``SILKHUB_*`` variables and an optional TOML file.

Precedence, highest first: keyword arguments, environment variables, the TOML file named by
``SILKHUB_CONFIG`` (or ``silkhub.toml`` in the working directory, if present), defaults.
Every field is documented in ``docs/configuration.md``; a test checks that it stays so.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from silkhub.core.errors import InvalidInput, Location, Message, Problem

Language = Literal["zh", "en"]


def _config_file() -> Path | None:
    named = os.environ.get("SILKHUB_CONFIG")
    if named:
        return Path(named)
    local = Path("silkhub.toml")
    return local if local.is_file() else None


class Settings(BaseSettings):
    """Everything silkhub can be told from outside its code."""

    model_config = SettingsConfigDict(env_prefix="SILKHUB_", extra="forbid")

    data_dir: Path = Field(
        default=Path("silkhub-data"),
        description="Directory holding the embedded stores, uploads and generated files.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the operational store, e.g. "
            "postgresql+psycopg://user@host/db. Default: SQLite file silkhub.db in data_dir."
        ),
    )
    analytical_dir: Path | None = Field(
        default=None,
        description=(
            "Directory of the analytical store's Parquet files. Default: data_dir/analytical."
        ),
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description=(
            "Key for signing CSRF tokens and webhook secrets. Default: a random key kept in "
            "data_dir/secret_key, created on first use."
        ),
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public address of the portal, used in e-mails, feeds and links.",
    )
    forwarded_allow_ips: str | None = Field(
        default=None,
        description=(
            "Addresses of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto headers "
            "are believed (comma-separated, '*' for any). Default: none, so client addresses "
            "(for sign-in throttling) and https (for secure cookies) come from the connection."
        ),
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Least severe log level written to standard error."
    )
    default_language: Language = Field(
        default="zh", description="Language when neither the URL nor the browser names one."
    )
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server for e-mail delivery.")
    smtp_port: int = Field(
        default=25,
        ge=1,
        le=65535,
        description="SMTP server port (25 for a local relay, 587 with STARTTLS, 465 with SSL).",
    )
    smtp_username: str | None = Field(
        default=None, description="SMTP login, if the server needs one."
    )
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    smtp_starttls: bool = Field(
        default=False, description="Upgrade the SMTP connection with STARTTLS (usually port 587)."
    )
    smtp_ssl: bool = Field(
        default=False,
        description="Open the SMTP connection over TLS from the start (usually port 465); "
        "not together with smtp_starttls.",
    )
    smtp_timeout_seconds: float = Field(
        default=30.0, gt=0, description="Longest wait for the SMTP server at each step."
    )
    smtp_sender: str = Field(
        default="silkhub <noreply@silkhub.invalid>", description="From address of e-mails."
    )
    webhook_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        description="Longest wait for a webhook receiver to connect and to answer; "
        "longer counts as a temporary failure.",
    )
    max_body_bytes: int = Field(
        default=50 * 1024 * 1024,
        description="Largest request body the API and portal accept, in bytes (413 above it).",
    )
    import_max_bytes: int = Field(
        default=1024 * 1024 * 1024,
        description="Largest statistics file an import reads, in bytes (uploads through the "
        "API are also held to max_body_bytes).",
    )
    import_revision_factor: float = Field(
        default=1.5,
        gt=1,
        description="An import that moves a published month's total by more than this factor "
        "(either way) is accepted with a warning.",
    )
    session_hours: int = Field(default=12, description="Lifetime of a portal session, in hours.")
    login_max_failures: int = Field(
        default=5, description="Failed logins for one account or address before logins slow down."
    )
    worker_poll_seconds: float = Field(
        default=1.0, description="How often an idle worker looks for new jobs."
    )
    worker_lease_seconds: float = Field(
        default=300.0,
        description=(
            "How long a claimed job stays claimed; a job whose worker died is taken again "
            "after this."
        ),
    )
    worker_max_attempts: int = Field(
        default=8, description="Attempts at a job before it is dead-lettered."
    )
    worker_backoff_seconds: float = Field(
        default=10.0,
        description="First retry delay; each further retry waits twice as long (with jitter).",
    )
    worker_backoff_max_seconds: float = Field(
        default=3600.0, description="Longest wait between two attempts at a job."
    )
    worker_plugins: list[str] = Field(
        default_factory=list,
        description="Extra Python modules the worker imports to register job handlers.",
    )

    @model_validator(mode="after")
    def _one_smtp_security(self) -> Settings:
        # Both at once has no meaning: SSL is TLS from the first byte, STARTTLS upgrades later.
        if self.smtp_ssl and self.smtp_starttls:
            raise ValueError("smtp_ssl and smtp_starttls cannot both be true: choose one")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config = _config_file()
        if config is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config))
        return tuple(sources)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'silkhub.db').resolve()}"

    @property
    def resolved_analytical_dir(self) -> Path:
        return self.analytical_dir or self.data_dir / "analytical"

    def resolved_secret_key(self) -> bytes:
        """The secret key; made and kept in the data directory when none is configured."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            # O_EXCL: two processes starting together must not each write their own key.
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w") as f:
                    f.write(secrets.token_urlsafe(48))
        return path.read_text().strip().encode()


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and config file, with ``overrides`` on top.

    A bad value is reported like any other bad input: one problem per setting, named as the
    operator wrote it (``SILKHUB_SMTP_PORT``), not as a traceback.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = ".".join(str(part) for part in err.get("loc", ())) or "?"
            variable = f"SILKHUB_{name.upper()}"
            problems.append(
                Problem(
                    "bad_setting",
                    Message(
                        f"配置项 {variable} 不正确：{err.get('msg', '')}",
                        f"Setting {variable} is not valid: {err.get('msg', '')}",
                    ),
                    Location(field=variable),
                    err.get("input") if isinstance(err.get("input"), str | int | float) else None,
                )
            )
        raise InvalidInput(
            Message("配置有误，silkhub 无法启动。", "The configuration is not valid."),
            problems=problems,
            code="bad_settings",
        ) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
