"""Load benchmark of one Portero server process against PostgreSQL, with wrk.

Runs every scenario in one go (so the ratios compare against the baseline measured a minute
earlier on the same machine), keeps wrk's raw output under bench/results/ and rewrites
bench/README.md. Usage: `bash bench/run.sh [options]` (see `--help`).

Everything it starts (server, wrk, py-spy) is stopped and the scratch database dropped on the
way out, including on Ctrl-C or SIGTERM.

Modules: `common` (paths, settings, progress lines), `processes` (child processes, the server,
the `portero` CLI), `database` (the scratch database), `cpu` (CPU accounting), `wrk` (load
runs), `workload` (sessions and links created through the API), `profiling` (py-spy),
`report` and `readme` (the tables and bench/README.md), `main` (the steps in order) and
`__main__` (the command line).
"""
