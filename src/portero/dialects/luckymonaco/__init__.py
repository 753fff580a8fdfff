"""Seed 001: the LuckyMonaco game-session API (`POST /api/session`), wire-exact."""
