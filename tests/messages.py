"""The messages the app under test sent, as its log shows them (the demo's
senders log each SMS and email instead of sending it)."""

from __future__ import annotations

import re
from typing import Any

import pytest

CODE = re.compile(r"\b(\d{6})\b")


def sent(caplog: pytest.LogCaptureFixture, event: str) -> list[dict[str, Any]]:
    """The messages logged as ``event`` (``sms.sent``, ``mail.sent``), oldest first."""
    return [record.msg for record in caplog.records if isinstance(record.msg, dict) and record.msg["event"] == event]


def last_code(caplog: pytest.LogCaptureFixture, phone: str) -> str:
    """The sign-in code of the last SMS sent to ``phone``."""
    text = next(message["text"] for message in reversed(sent(caplog, "sms.sent")) if message["phone"] == phone)
    found = CODE.search(text)
    assert found, text
    return found.group(1)
