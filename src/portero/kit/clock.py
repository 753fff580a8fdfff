from datetime import UTC, datetime


def iso_utc(value: datetime) -> str:
    """ISO 8601 with a `Z`, the form every answer and page message uses."""
    return value.isoformat().replace("+00:00", "Z")


def utcnow() -> datetime:
    """Timezone-aware now; every stored timestamp is UTC."""
    return datetime.now(UTC)
