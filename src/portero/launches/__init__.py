"""Launches: one-time links taking one player into one product, and the sessions they open."""
