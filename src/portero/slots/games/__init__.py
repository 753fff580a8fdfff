"""The slot games as a library: one JSON file per game, the spec it is validated against, the
catalogue that loads them, the rules of how a window pays, the engine that plays a spin, and the
exact mathematics of the return to player. No database and no HTTP: the product around them
(`portero.slots`) and the tools (`portero slots report`, the benchmark) build on it."""
