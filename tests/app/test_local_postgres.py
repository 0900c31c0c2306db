"""The embedded PostgreSQL stops when the last process using it stops, even
when an earlier user was killed or the last one is ended by SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Starts the server in argv[1], says so, then exits or waits to be stopped.
USER = """
import sys, time
from pathlib import Path
from app import local_postgres
local_postgres.start(Path(sys.argv[1]))
print("ready", flush=True)
if sys.argv[2] == "wait":
    time.sleep(120)
"""


def _user(pgdata: Path, then: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", USER, str(pgdata), then], stdout=subprocess.PIPE, text=True, env=os.environ
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "ready\n"
    return process


def _postmaster(pgdata: Path) -> int | None:
    """The running server's process id, if one runs in ``pgdata``."""
    path = pgdata / "postmaster.pid"
    if not path.exists():
        return None
    pid = int(path.read_text().split("\n", 1)[0])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


@pytest.fixture(scope="module")
def pgdata(tmp_root: Path) -> Iterator[Path]:
    path = tmp_root / "pgdata-lifecycle"
    yield path
    pid = _postmaster(path)
    if pid is not None:
        os.kill(pid, signal.SIGINT)  # fast shutdown of a server a failed test left running


def test_stops_when_its_last_user_is_terminated(pgdata: Path) -> None:
    user = _user(pgdata, "wait")
    assert _postmaster(pgdata) is not None
    user.send_signal(signal.SIGTERM)
    assert (user.wait(timeout=60), _postmaster(pgdata)) == (128 + signal.SIGTERM, None)


def test_a_killed_user_does_not_keep_it_running(pgdata: Path) -> None:
    killed = _user(pgdata, "wait")
    killed.kill()
    killed.wait(timeout=60)
    assert _postmaster(pgdata) is not None
    last = _user(pgdata, "exit")
    assert (last.wait(timeout=60), _postmaster(pgdata)) == (0, None)
