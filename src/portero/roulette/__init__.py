"""European single-zero roulette: the engine, the provably fair draw, the table's play API."""
