"""Where the server's time goes: py-spy sampling during an extra load run, and its summary."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .common import BIN, PROFILE_RATE, say
from .report import Run
from .wrk import Wrk, brief

_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")
# The Python frames the event-loop thread sits in while uvloop's C code runs (socket I/O, HTTP
# parsing, callbacks): below them py-spy sees only C.
_LOOP_FRAMES = ("Runner.run", "run_until_complete", "run_forever", "asyncio_run")
PROFILE_SECTIONS = ("package", "function", "inclusive", "calls")
_WRITE_CALLS = ("write", "writev", "send", "sendto", "sendmsg", "__libc_write", "__send")


def _frames(stack: str) -> list[tuple[str, str]]:
    frames = []
    for frame in stack.split(";"):
        match = _FRAME.match(frame)
        frames.append((match["function"], match["file"]) if match else (frame, ""))
    return frames


def _is_python(path: str) -> bool:
    return path.endswith(".py") or path.startswith("<")


def _package(path: str) -> str:
    """py-spy names files relative to their sys.path entry: the first part is the package."""
    return path.split("/", 1)[0].removesuffix(".py") or "?"


@dataclass
class _Tally:
    """Samples by where the thread holding the GIL was (see summarise_profile)."""

    by_package: Counter[str] = field(default_factory=Counter)
    by_function: Counter[str] = field(default_factory=Counter)
    inclusive: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)
    total: int = 0
    loop: int = 0
    gc: int = 0
    workers: int = 0
    writes: Counter[bool] = field(default_factory=Counter)

    def add(self, stack: str, count: int) -> None:
        self.total += count
        everything = _frames(stack)
        frames = [(f, p) for f, p in everything if _is_python(p)]
        last_python = max((i for i, (_, p) in enumerate(everything) if _is_python(p)), default=-1)
        native = [f for f, _ in everything[last_python + 1 :]]
        if any(f.startswith("gc_collect") for f in native):
            self.gc += count
            return
        if native and native[-1] in _WRITE_CALLS:
            to_postgres = any(p.startswith("asyncpg/") for _, p in frames)
            self.writes[to_postgres] += count
            return
        if not frames or frames[-1][0] in _LOOP_FRAMES:
            self.loop += count
            return
        if frames[0][0].startswith("Thread._bootstrap"):
            self.workers += count
            return
        self._add_python(frames, count)

    def _add_python(self, frames: list[tuple[str, str]], count: int) -> None:
        """A sample in Python code on the event loop: self time, inclusive, library calls."""
        function, path = frames[-1]
        self.by_package[_package(path)] += count
        self.by_function[f"{function} ({path})"] += count
        for name in {f"{f} ({p})" for f, p in frames if p.startswith("portero/")}:
            self.inclusive[name] += count
        ours = [i for i, (_, p) in enumerate(frames) if p.startswith("portero/")]
        if ours and ours[-1] + 1 < len(frames):
            caller, callee = frames[ours[-1]][0], frames[ours[-1] + 1]
            self.calls[f"{caller} -> {callee[0]} ({callee[1]})"] += count

    def render(self, seconds: float, top: int, sections: tuple[str, ...]) -> str:
        total = self.total

        def share(n: int) -> str:
            return f"{100 * n / total:5.1f}%"

        def table(title: str, counter: Counter[str]) -> list[str]:
            return [title, *(f"{share(n)}  {name}" for name, n in counter.most_common(top)), ""]

        loop, gc, workers, writes = self.loop, self.gc, self.workers, self.writes
        rest = total - loop - gc - writes.total() - workers
        lines = [
            f"{total} samples of the thread holding the GIL in {seconds:g} s "
            f"(the GIL was held {total / seconds / PROFILE_RATE:.0%} of the time).",
            f"{share(writes[True])}  in write() on a PostgreSQL socket (asyncpg)",
            f"{share(writes[False])}  in write() on an HTTP client socket (uvicorn)",
            "        (loopback delivery and waking the reader happen inside write(); this time",
            "        includes waiting for a CPU when the reader takes it)",
            f"{share(gc)}  cyclic garbage collector (gc_collect_*)",
            f"{share(loop)}  event loop's C code (uvloop: socket I/O, HTTP parsing, callbacks)",
            f"{share(workers)}  worker threads (anyio thread pool: sync dependencies)",
            f"{share(rest)}  Python code on the event loop, broken down below",
            "",
        ]
        titled = {
            "package": ("Self time by package:", self.by_package),
            "function": ("Self time by function:", self.by_function),
            "inclusive": ("Inclusive time of portero's functions:", self.inclusive),
            "calls": ("Deepest portero frame -> the library call it made, inclusive:", self.calls),
        }
        for section in sections:
            lines += table(*titled[section])
        return "\n".join(lines)


def summarise_profile(
    raw: Path, seconds: float, top: int = 15, sections: tuple[str, ...] = PROFILE_SECTIONS
) -> str:
    """Where the thread holding the GIL was, from `py-spy record --gil --native --format raw`.

    Time in C is charged to the Python frame that called it, except socket writes and the
    cyclic garbage collector (it runs inside whatever allocation triggered it): own lines."""
    tally = _Tally()
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        tally.add(stack, int(count_text))
    if not tally.total:
        return "py-spy recorded no samples.\n"
    return tally.render(seconds, top, sections)


def profile(
    run: Run, wrk: Wrk, server_pid: int, key: str, script: str, path: str, *args: str,
    expected: int,
) -> None:  # fmt: skip
    """Sample the server with py-spy in the middle of an extra load run of one scenario."""
    spy = shutil.which("py-spy", path=f"{BIN}:{os.environ.get('PATH', '')}")
    if spy is None:
        say("      py-spy is not installed (pip install py-spy): skipping the profile")
        return
    seconds = run.options.profile_seconds
    raw = wrk.results / f"profile-{key}.txt"
    command = [spy, "record", "--pid", str(server_pid), "--duration", f"{seconds:g}"]
    command += ["--rate", str(PROFILE_RATE), "--gil", "--native", "--format", "raw"]
    command += ["--output", str(raw)]
    with (
        ThreadPoolExecutor(1) as pool,
        (wrk.results / f"py-spy-{key}.log").open("w") as log,
    ):
        load = pool.submit(
            wrk.run, f"profile-{key}", script, path, seconds + 3, *args, expected=expected
        )
        time.sleep(1)
        subprocess.run(command, stdout=log, stderr=log, timeout=seconds + 60, check=False)
        result = load.result()
    say(f"      {brief(result)}")
    if not raw.exists():
        say(f"      py-spy wrote nothing (see {log.name})")
        return
    (wrk.results / f"profile-{key}-summary.txt").write_text(summarise_profile(raw, seconds))
    summary = summarise_profile(raw, seconds, top=10, sections=("package", "calls"))
    run.profiles[key] = (summary, result)
