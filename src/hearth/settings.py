"""The one settings object: environment (``HEARTH_*``), then ``.env``, then defaults."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hearth.errors import ConfigError
from hearth.i18n import _

PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "placeholder"}


class Settings(BaseSettings):
    """Hearth's configuration. Pass it explicitly; nothing reads the environment at import."""

    model_config = SettingsConfigDict(
        env_prefix="HEARTH_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./hearth.db"
    playbook: str = "phoenix"
    secret_key: SecretStr = Field(default=SecretStr("change-me"))
    host: str = "127.0.0.1"
    port: int = 8000
    # activities per ingest transaction: hearth.actions.ingest.BATCH_SIZE (a test keeps them equal)
    ingest_batch_size: int = Field(default=10_000, ge=1, le=50_000)
    # a large import on SQLite reads its input in a second process (hearth.actions.ingest_pipeline)
    ingest_parallel: bool = True
    github_token: SecretStr | None = None
    github_api_url: str = "https://api.github.com"
    github_webhook_secret: SecretStr | None = None
    discourse_webhook_secret: SecretStr | None = None
    # The Discord bot (docs/bot.md): its token, the guild it serves, and its limits.
    discord_token: SecretStr | None = None
    discord_guild_id: int | None = None
    discord_sync_commands: bool = True
    discord_catchup_days: int = Field(default=1, ge=0, le=365)
    discord_cooldown_seconds: int = Field(default=300, ge=0)
    # Points in chat: how often the bot derives after storing activities (at most once per this
    # many seconds), and how often it checks tiers that change with time alone (roles, news).
    discord_derive_seconds: float = Field(default=5.0, ge=0)
    discord_standing_minutes: float = Field(default=10.0, gt=0)
    # Web sign-in with GitHub and Discord (docs/web.md); a provider is offered once its client id
    # and secret are set. The addresses can point elsewhere (GitHub Enterprise, a test provider).
    github_client_id: str | None = None
    github_client_secret: SecretStr | None = None
    github_oauth_url: str = "https://github.com/login/oauth"
    discord_client_id: str | None = None
    discord_client_secret: SecretStr | None = None
    discord_oauth_url: str = "https://discord.com/api/oauth2"
    discord_api_url: str = "https://discord.com/api"
    # The address Hearth is reached at, for the OAuth callback (default: taken from the request).
    public_url: str | None = None

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment == "production":
            secret = self.secret_key.get_secret_value().strip().lower()
            if secret in PLACEHOLDER_SECRETS or len(secret) < 16:
                raise ValueError(
                    "HEARTH_SECRET_KEY is missing or a placeholder; production needs a random "
                    "secret of at least 16 characters"
                )
        return self


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning validation problems into a ConfigError a user can act on."""
    from pydantic import ValidationError

    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**clean)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(_("invalid settings: {problems}").format(problems=problems)) from None
