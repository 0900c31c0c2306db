"""The load driver: wrk against each target in interleaved rounds.

wrk (Debian's package) runs a Lua script that POSTs the scenario's GraphQL
bodies in turn, each with the bearer token, and prints its summary as one
JSON line from ``done()``: requests, duration, non-2xx responses and socket
errors, and the latency percentiles. Targets take turns round after round
(A B C A B C ...) so that the machine's drift falls on all of them, and the
median of the rounds is kept.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

_SCRIPT = """
local bodies = {%(bodies)s}
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer %(token)s"}
local counter = 0
local threads = {}

function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end

function init(args)
  counter = offset or 0
end

function request()
  counter = counter + 1
  return wrk.format("POST", "/graphql", headers, bodies[(counter %% #bodies) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %%d, "duration_us": %%d, "non_2xx": %%d, "socket_errors": %%d,' ..
    ' "p50_us": %%d, "p95_us": %%d, "p99_us": %%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class Measure:
    """One wrk run's figures."""

    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua one for ASCII and escaped Unicode


def script(bodies: Sequence[bytes], token: str) -> str:
    """The Lua script rotating through ``bodies``."""
    literals = ", ".join(_lua_string(body.decode()) for body in bodies)
    return _SCRIPT % {"bodies": literals, "token": token}


def run_wrk(url: str, bodies: Sequence[bytes], token: str, *, concurrency: int, seconds: float) -> Measure:
    """One wrk run of ``seconds`` at ``concurrency`` connections against ``url``."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script(bodies, token))
        path = Path(file.name)
    try:
        command = [shutil.which("wrk") or "wrk", "-t", str(min(2, concurrency)), "-c", str(concurrency),
                   "-d", f"{max(1, round(seconds))}s", "--timeout", "10s", "-s", str(path), url]  # fmt: skip
        completed = subprocess.run(  # noqa: S603
            command,
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        )
    finally:
        path.unlink()
    line = next(line for line in completed.stdout.splitlines() if line.startswith("WRK "))
    found: dict[str, Any] = json.loads(line[4:])
    seconds_run = found["duration_us"] / 1e6
    return Measure(
        requests_per_second=found["requests"] / seconds_run if seconds_run else 0.0,
        p50_ms=found["p50_us"] / 1000,
        p95_ms=found["p95_us"] / 1000,
        p99_ms=found["p99_us"] / 1000,
        requests=found["requests"],
        non_2xx=found["non_2xx"],
        socket_errors=found["socket_errors"],
    )


def median(measures: Sequence[Measure]) -> Measure:
    """The median of each figure over rounds; errors are summed, never hidden."""
    return Measure(
        requests_per_second=statistics.median(m.requests_per_second for m in measures),
        p50_ms=statistics.median(m.p50_ms for m in measures),
        p95_ms=statistics.median(m.p95_ms for m in measures),
        p99_ms=statistics.median(m.p99_ms for m in measures),
        requests=sum(m.requests for m in measures),
        non_2xx=sum(m.non_2xx for m in measures),
        socket_errors=sum(m.socket_errors for m in measures),
    )


def as_json(measure: Measure) -> dict[str, Any]:
    """A measure as a JSON object, figures rounded for the report."""
    return {key: round(value, 3) if isinstance(value, float) else value for key, value in asdict(measure).items()}
