"""Seed 002: the agent-call session link (`generate-session`), wire-exact."""
