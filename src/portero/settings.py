"""One validated settings object, read from `PORTERO_*` environment variables."""

from __future__ import annotations

import hashlib
import secrets
from functools import cached_property
from ipaddress import ip_network
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from portero.retry import RetrySchedule

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./var/portero.db"
MIN_METRICS_TOKEN_LENGTH = 16


class SettingsError(RuntimeError):
    """The configuration cannot be used as it is."""


def normalise_database_url(url: str) -> str:
    """Accept the URLs people paste (`postgresql://`, `sqlite:///`) and pick the async driver."""
    for plain, driver in (
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgresql+psycopg://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTERO_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    public_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8000")
    # Keys the launch-token derivation (see docs/security.md). Required outside the SQLite demo.
    secret_key: str | None = None
    secret_key_file: Path = Path("./var/secret.key")

    # Addresses (or networks) of reverse proxies whose X-Forwarded-For/-Proto are believed.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)

    max_body_bytes: int = 64 * 1024
    # How long a partner-token lookup is reused before the database is asked again: the upper
    # bound on how long a disabled partner or a revoked token keeps working on a process.
    auth_cache_seconds: float = 5.0
    idempotency_window_seconds: int = 24 * 3600
    # A play session ends after this long whatever its activity (the idle limit is per partner).
    session_max_lifetime_seconds: int = 12 * 3600
    # Interval of the sweep that marks unopened launches past their expiry; 0 turns it off.
    expiry_sweep_seconds: float = 60.0

    # The call product (see docs/products/calls.md).
    call_link_ttl_seconds: int = Field(default=24 * 3600, ge=60)
    call_offer_seconds: float = Field(default=20.0, gt=0)
    call_wait_seconds: float = Field(default=120.0, gt=0)
    call_presence_grace_seconds: float = Field(default=20.0, gt=0)
    # A live call socket checks its play session (revoked, ended, expired, partner disabled,
    # product withdrawn) at least this often, besides on every change of state it acts on.
    call_revalidate_seconds: float = Field(default=5.0, gt=0, le=5.0)
    # Interval of the clock that expires offers and presence (0 turns it off: tests).
    call_tick_seconds: float = Field(default=1.0, ge=0)
    # Files in a call's chat (images and PDFs): at most `call_file_max_bytes` each, kept in a
    # directory (the default) or in S3-compatible object storage (`files_store` "s3": the
    # bucket, an endpoint for a store other than AWS's, its region; credentials as boto3 finds
    # them, from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` or a role).
    call_file_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=100 * 1024 * 1024)
    files_store: Literal["directory", "s3"] = "directory"
    files_directory: Path = Path("./var/files")
    files_s3_bucket: str | None = None
    files_s3_endpoint_url: str | None = None
    files_s3_region: str | None = None
    files_s3_prefix: str = ""
    # Signalling between server processes; in-process only when unset.
    redis_url: str | None = None
    # ICE servers handed to the browsers. TURN credentials are minted per call from the shared
    # secret (the TURN REST scheme) and live `turn_ttl_seconds`.
    stun_urls: Annotated[list[str], NoDecode] = Field(default_factory=list)
    turn_urls: Annotated[list[str], NoDecode] = Field(default_factory=list)
    turn_secret: str | None = None
    turn_ttl_seconds: int = Field(default=3600, ge=60)

    # Guessing links and partner tokens (docs/security.md): failed attempts allowed per client
    # network (an IPv4 address, an IPv6 /64) and window before that network is refused (429)
    # until the window ends. Counted in Redis when `redis_url` is set; 0 turns a limit off.
    throttle_link_failures: int = Field(default=20, ge=0)
    throttle_link_window_seconds: int = Field(default=60, ge=1)
    throttle_auth_failures: int = Field(default=20, ge=0)
    throttle_auth_window_seconds: int = Field(default=60, ge=1)

    # Prometheus metrics (docs/operations.md). A token that readers of /metrics must send as
    # `Authorization: Bearer …`; and a port of their own (on `metrics_host`, loopback unless
    # told otherwise), served by `portero serve`, in which case the public port has no /metrics.
    metrics_token: SecretStr | None = None
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_host: str = "127.0.0.1"

    # Money (docs/wallets.md). Every call Portero must deliver to a partner (a seamless
    # wallet's credit, a cancel, a debit whose fate is unknown) is kept in the database and
    # retried on this schedule, each delay spread by ± `wallet_retry_jitter`; the default is
    # One Wallet's: 5 tries a minute apart, then 10 five minutes apart, then 24 ten minutes
    # apart (about 5 hours). A call waits `wallet_timeout_seconds` for its answer (a partner
    # may set its own), over at most `wallet_max_connections` kept-alive connections per
    # partner.
    wallet_retry_schedule: str = "5x60,10x300,24x600"
    wallet_retry_jitter: float = Field(default=0.1, ge=0, lt=1)
    wallet_timeout_seconds: float = Field(default=2.0, gt=0, le=60)
    wallet_max_connections: int = Field(default=32, ge=1, le=1000)
    # How often a process's delivery engine looks for calls that are due (0: this process runs
    # no engine; `portero worker` runs one alone), and how many it takes at once.
    delivery_poll_seconds: float = Field(default=1.0, ge=0)
    delivery_batch_size: int = Field(default=20, ge=1, le=500)
    # A claimed call is kept from others for its timeout and this margin (to record it): a
    # process that dies mid-call leaves it due again that long after.
    delivery_lease_margin_seconds: float = Field(default=10.0, gt=0)

    # Operators (docs/operators.md). Rounds, their wallet calls and webhook events are kept at
    # least this long (`portero rounds purge` refuses to remove younger ones); a replay link
    # lives as long. Rotating `replay_key` revokes every replay link at once.
    round_retention_days: int = Field(default=124, ge=1)
    replay_key: SecretStr | None = None
    # Webhooks: each delivery waits `webhook_timeout_seconds`; the schedule spans about three
    # days (Standard Webhooks' practice), and an endpoint failing that long is disabled. A
    # partner's URL that resolves to a private, loopback or link-local address is refused
    # unless `allow_private_webhook_urls` (a test or an internal deployment).
    webhook_retry_schedule: str = "1x5,1x300,1x1800,1x7200,1x18000,1x36000,1x50400,1x72000,2x86400"
    webhook_timeout_seconds: float = Field(default=15.0, gt=0, le=60)
    webhook_disable_after_hours: float = Field(default=72.0, gt=0)
    webhook_secret_overlap_hours: float = Field(default=24.0, ge=0)
    allow_private_webhook_urls: bool = False

    db_pool_size: int = 10
    db_pool_timeout_seconds: float = 5.0
    log_level: str = "INFO"
    log_json: bool = True

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("wallet_retry_schedule", "webhook_retry_schedule")
    @classmethod
    def _check_schedule(cls, value: str) -> str:
        RetrySchedule.parse(value)  # refuse a typo at start-up
        return value

    @cached_property
    def retry_schedule(self) -> RetrySchedule:
        return RetrySchedule.parse(self.wallet_retry_schedule)

    @cached_property
    def webhook_schedule(self) -> RetrySchedule:
        return RetrySchedule.parse(self.webhook_retry_schedule)

    @field_validator("stun_urls", "turn_urls", mode="before")
    @classmethod
    def _split_urls(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list):
            for item in value:
                if not str(item).startswith(("stun:", "stuns:", "turn:", "turns:")):
                    raise ValueError(f"not a STUN/TURN URL: {item!r}")
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list):
            for item in value:
                ip_network(str(item), strict=False)  # refuse typos at start-up
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def is_embedded_demo(self) -> bool:
        return self.database_url == DEFAULT_DATABASE_URL

    @property
    def base_url(self) -> str:
        return str(self.public_url).rstrip("/")

    @cached_property
    def metrics_token_digest(self) -> bytes | None:
        """SHA-256 of the metrics token, what a reader's token is compared with (two digests
        of one length, so the comparison's time says nothing of the token's length)."""
        if self.metrics_token is None:
            return None
        token = self.metrics_token.get_secret_value()
        # Checked here rather than by a field constraint, whose error would quote the token.
        if len(token) < MIN_METRICS_TOKEN_LENGTH:
            raise SettingsError(
                f"PORTERO_METRICS_TOKEN must be at least {MIN_METRICS_TOKEN_LENGTH} characters "
                "long (e.g. `openssl rand -hex 32`)"
            )
        return hashlib.sha256(token.encode()).digest()

    @cached_property
    def signing_key(self) -> bytes:
        """The launch-token key; generated and kept in a file only for the embedded demo."""
        if self.secret_key:
            if len(self.secret_key) < 32:
                raise SettingsError("PORTERO_SECRET_KEY must be at least 32 characters long")
            return self.secret_key.encode()
        if not self.is_embedded_demo:
            raise SettingsError(
                "PORTERO_SECRET_KEY is required when PORTERO_DATABASE_URL is set: every server "
                "process of one deployment must share it (e.g. `openssl rand -hex 32`)"
            )
        path = self.secret_key_file
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip().encode()


def load_settings() -> Settings:
    return Settings()
