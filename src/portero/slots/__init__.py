"""Slot games: the catalogue (one data file per game), the engine, and the exact mathematics
of every game's return to player."""
