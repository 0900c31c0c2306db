"""Running Socle's commands as an operator does: in another process, with the test database's settings."""

from __future__ import annotations

import os
import subprocess
import sys

from app.settings import Settings


def socle_script(settings: Settings, script: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a Python process configured as Socle's commands are; ``env`` adds settings."""
    assert settings.database_url
    environment = {
        **os.environ,
        "SOCLE_ENV": "test",
        "SOCLE_DATABASE_URL": settings.database_url,
        "SOCLE_SECRET_KEY": "t" * 40,
        "SOCLE_DATA_DIR": str(settings.data_dir),
        "SOCLE_LOG_LEVEL": "ERROR",
        **env,
    }
    command = [sys.executable, "-c", script, *args]
    return subprocess.run(command, env=environment, capture_output=True, text=True, check=False)


def socle(settings: Settings, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``socle <args>``."""
    return socle_script(settings, "from app.cli import main; main()", *args, **env)
