"""Shared building blocks: storage, errors, identifiers, secrets, logging, metrics."""
