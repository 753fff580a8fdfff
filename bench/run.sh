#!/usr/bin/env bash
# Regenerates bench/SLOTS.md, then bench/README.md: `bash bench/run.sh [options]` (`--help` lists them).
# exec, so that Ctrl-C and SIGTERM reach the benchmark (bench/portero_bench) directly: it stops
# the server, wrk and py-spy it started and drops its scratch database on the way out.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
case " $* " in
  *" -h "* | *" --help "*) ;;  # only the options: nothing is measured or rewritten
  *) "$python" "$root/bench/slots.py" ;;  # bench/SLOTS.md: slot engine and enumeration, one core
esac
# The package is found through PYTHONPATH rather than by changing directory, so that relative
# paths given as options (--readme) still mean the caller's directory.
PYTHONPATH="$root/bench${PYTHONPATH:+:$PYTHONPATH}" exec "$python" -m portero_bench "$@"
