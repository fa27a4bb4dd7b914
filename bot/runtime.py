"""What the CLI gets from the composition root: settings, services and the platform entry points."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import ValidationError

from bot.channels import Channel
from bot.daily import Summarize
from bot.fields import Taxonomy, default_taxonomy, load_taxonomy
from bot.redact import remember
from bot.services import Services
from bot.settings import Settings
from storage.db import Database
from storage.migrate import upgrade
from storage.readonly import NotReadable, open_read_only


class ConfigError(RuntimeError):
    """The settings cannot be loaded; the message is one line without secret values."""


class DatabaseNotReady(RuntimeError):
    """The database cannot serve this verb as it is; the message says what to do."""


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with pydantic's errors folded into one line."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from None
    remember(*settings.secret_values())
    return settings


def open_database(url: str, migrate: bool = True) -> Database:
    """Open a database and bring its schema up to date."""
    db = Database(url)
    if migrate:
        upgrade(db)
    return db


def taxonomy_for(settings: Settings) -> Taxonomy:
    """The bundled taxonomy, or the edited file named by PAPERBOT_FIELDS_FILE."""
    return load_taxonomy(settings.fields_file) if settings.fields_file else default_taxonomy()


@dataclass
class Runtime:
    """Factories the CLI calls; the composition root fills in the platform parts."""

    make_channels: Callable[[Services], dict[str, Channel]] = lambda _s: {}
    make_summarizer: Callable[[Services], Summarize | None] = lambda _s: None
    resolve_chat: Callable[[Services, str, str], str] = lambda _s, _platform, chat: chat
    console_chat: Callable[[Services], None] | None = None
    run_service: Callable[[Services, bool], int] | None = None
    settings_overrides: dict[str, object] = field(default_factory=dict)
    extra_admins: frozenset[tuple[str, str]] = frozenset()
    _services: Services | None = None

    def settings(self) -> Settings:
        """The settings of this run."""
        return load_settings(**self.settings_overrides)

    def services(self, database_url: str | None = None) -> Services:
        """Services over the configured (or given) database, migrated; built once per run."""
        if self._services is None:
            settings = self.settings()
            self._services = self._build(settings, open_database(database_url or settings.database_url))
        return self._services

    def reader(self) -> Services:
        """Services for a verb that only reads: the database opened read-only and never migrated."""
        if self._services is None:
            settings = self.settings()
            try:
                db = open_read_only(settings.database_url)
            except NotReadable as exc:
                raise DatabaseNotReady(str(exc)) from None
            self._services = self._build(settings, db)
        return self._services

    def _build(self, settings: Settings, db: Database) -> Services:
        services = Services(db=db, settings=settings, taxonomy=taxonomy_for(settings))
        services.admins = frozenset(settings.admin_ids()) | self.extra_admins
        return services

    def close(self) -> None:
        """Release the database connections."""
        if self._services is not None:
            self._services.db.dispose()
