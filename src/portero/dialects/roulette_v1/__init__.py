"""Seed 000: the roulette session API (`/1.0/request_session`), wire-exact.

Every documented answer travels with HTTP 200: the document's own client (Guzzle with default
options) throws on 4xx/5xx before it reads the body, so the codes live in the body.
"""
