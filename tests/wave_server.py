"""A Wave-shaped checkout API on a real socket, for the tests: checkout
sessions with bearer keys and idempotency keys, their status, refunds, a
launch page to pay on, and events signed as Wave signs them."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

API_KEY = "wave_sn_prod_tests-3f9c2b7a4d1e"
WEBHOOK_SECRET = "wave_sn_WHS_tests-8e41c09d5b7f2a63"


def sign(body: bytes, secret: str = WEBHOOK_SECRET, at: float | None = None) -> str:
    """A ``Wave-Signature`` header for ``body``: the HMAC of the timestamp and the body run together."""
    timestamp = str(int(at if at is not None else time.time()))
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@dataclass
class WaveServer:
    """The fake's state: sessions by id, the idempotency keys seen, what it was asked."""

    url: str = ""
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_idempotency_key: dict[str, str] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    refunds: list[str] = field(default_factory=list)
    failures_to_come: int = 0
    """The next calls answered 503, as Wave does under load."""
    webhook_url: str | None = None
    """Where the launch page's payment sends its event, if anywhere."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def create(self, body: dict[str, Any], idempotency_key: str | None) -> dict[str, Any]:
        with self.lock:
            if idempotency_key and idempotency_key in self.by_idempotency_key:
                return self.sessions[self.by_idempotency_key[idempotency_key]]
            session_id = "cos-" + secrets.token_hex(8)
            now = datetime.now(UTC)
            session = {
                "id": session_id,
                "amount": body["amount"],
                "currency": body["currency"],
                "client_reference": body.get("client_reference"),
                "business_name": "Mutuelle des tests",
                "checkout_status": "open",
                "payment_status": "processing",
                "success_url": body["success_url"],
                "error_url": body["error_url"],
                "wave_launch_url": f"{self.url}/c/{session_id}",
                "when_created": now.isoformat().replace("+00:00", "Z"),
                "when_expires": (now + timedelta(minutes=30)).isoformat().replace("+00:00", "Z"),
                "when_completed": None,
                "transaction_id": None,
                "last_payment_error": None,
            }
            self.sessions[session_id] = session
            if idempotency_key:
                self.by_idempotency_key[idempotency_key] = session_id
            return session

    def complete(self, session_id: str) -> dict[str, Any]:
        """The payer paid: the session completes with a transaction id."""
        with self.lock:
            session = self.sessions[session_id]
            session.update(
                checkout_status="complete",
                payment_status="succeeded",
                transaction_id="TCN" + secrets.token_hex(6).upper(),
                when_completed=datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            )
            return dict(session)

    def fail(self, session_id: str, code: str = "insufficient-funds") -> dict[str, Any]:
        """The payer's payment failed; the session stays open for another try."""
        with self.lock:
            session = self.sessions[session_id]
            session.update(
                payment_status="cancelled", last_payment_error={"code": code, "message": "Solde insuffisant"}
            )
            return dict(session)

    def event(self, kind: str, session: dict[str, Any], secret: str = WEBHOOK_SECRET) -> tuple[bytes, dict[str, str]]:
        """An event about ``session``, signed: its body and headers."""
        body = json.dumps({"id": "AE_" + secrets.token_hex(6), "type": kind, "data": session}).encode()
        return body, {"Wave-Signature": sign(body, secret), "Content-Type": "application/json"}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: the tests read the state, not the access log."""

    def _answer(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(body).encode() if not isinstance(body, bytes) else body
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _authorized(self) -> bool:
        if self.headers.get("Authorization") != f"Bearer {API_KEY}":
            self._answer(401, {"code": "missing-auth-header", "message": "Invalid API key"})
            return False
        return True

    def _unavailable(self) -> bool:
        state = self.server.state
        with state.lock:
            if state.failures_to_come <= 0:
                return False
            state.failures_to_come -= 1
        self._answer(503, {"code": "service-unavailable"})
        return True

    def do_GET(self) -> None:
        state = self.server.state
        state.requests.append(("GET", self.path))
        if self.path.startswith("/c/"):
            session = state.sessions.get(self.path[3:])
            if session is None:
                self._answer(404, {"code": "not-found"})
                return
            page = (
                f"<!doctype html><html lang='fr'><title>Wave</title><h1>Payer {session['amount']} F</h1>"
                f"<p>{session['business_name']}</p><form method='post' action='/c/{session['id']}/pay'>"
                "<button>Confirmer le paiement</button></form></html>"
            ).encode()
            self._answer(200, page, {"Content-Type": "text/html; charset=utf-8"})
            return
        if self._unavailable() or not self._authorized():
            return
        session = state.sessions.get(self.path.removeprefix("/v1/checkout/sessions/"))
        if not self.path.startswith("/v1/checkout/sessions/") or session is None:
            self._answer(404, {"code": "not-found", "message": "No such checkout session"})
            return
        self._answer(200, session)

    def do_POST(self) -> None:
        state = self.server.state
        state.requests.append(("POST", self.path))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path.startswith("/c/") and self.path.endswith("/pay"):
            session = state.complete(self.path[3:-4])
            if state.webhook_url:
                body, headers = state.event("checkout.session.completed", session)
                httpx.post(state.webhook_url, content=body, headers=headers, timeout=10)
            self.send_response(303)
            self.send_header("Location", session["success_url"])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self._unavailable() or not self._authorized():
            return
        if self.path == "/v1/checkout/sessions":
            body = json.loads(raw)
            if not str(body.get("amount", "")).isdigit() or body.get("currency") not in {"XOF", "XAF"}:
                self._answer(400, {"code": "request-validation-error", "message": "Invalid amount or currency"})
                return
            self._answer(200, state.create(body, self.headers.get("Idempotency-Key")))
            return
        if self.path.startswith("/v1/checkout/sessions/") and self.path.endswith("/refund"):
            session_id = self.path.removeprefix("/v1/checkout/sessions/").removesuffix("/refund")
            session = state.sessions.get(session_id, {})
            if session.get("payment_status") != "succeeded" or session_id in state.refunds:
                self._answer(400, {"code": "checkout-refund-failed", "message": "Cannot refund this checkout"})
                return
            state.refunds.append(session_id)
            self._answer(200, {})
            return
        self._answer(404, {"code": "not-found"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: WaveServer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


@contextmanager
def wave_server() -> Iterator[WaveServer]:
    """A fake Wave API listening on a free loopback port."""
    state = WaveServer()
    server = _Server(state)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="wave-server", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
