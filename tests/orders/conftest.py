"""Order test set-up: a small catalog, saved addresses, and localstripe as a real Stripe stand-in
(started once per session, bound to 127.0.0.1 on a free port, state file off)."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from orders.services import addresses
from tests.catalog import builders

ROOT = Path(__file__).resolve().parents[2]
WEBHOOK_SECRET = "whsec_orders_tests"
IS_PG = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_localstripe(log_path: Path) -> tuple[subprocess.Popen, str]:
    """localstripe in its own process; returns (process, base URL) once it answers."""
    port = free_port()
    log = open(log_path, "w")
    proc = subprocess.Popen([sys.executable, "-m", "tests.orders.localstripe_server", str(port)],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("localstripe did not start: " + log_path.read_text()[-2000:])


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    proc, url = start_localstripe(tmp_path_factory.mktemp("localstripe") / "localstripe.log")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def stripe_on(app: Flask, localstripe: str) -> Iterator[str]:
    """Card payments switched on, talking to localstripe."""
    saved = {k: app.config.get(k) for k in ("STRIPE_SECRET_KEY", "STRIPE_API_BASE", "STRIPE_WEBHOOK_SECRET",
                                              "STRIPE_MAX_NETWORK_RETRIES")}
    app.config.update(STRIPE_SECRET_KEY="sk_test_orders", STRIPE_API_BASE=localstripe,
                      STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_MAX_NETWORK_RETRIES=0)
    try:
        yield localstripe
    finally:
        app.config.update(saved)


def signature(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A Stripe-Signature header built as Stripe builds it: t=<unix time>,v1=HMAC-SHA256."""
    ts = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


def event_payload(event_id: str, kind: str, obj: dict[str, Any]) -> bytes:
    return json.dumps({"id": event_id, "object": "event", "type": kind, "created": int(time.time()),
                       "data": {"object": obj}}).encode()


@pytest.fixture
def catalog(two_partners):
    """Products SRV (configurable) and LIC, an EUR book, tier discounts; a default ship-to
    address for partner A (silver, EUR, credit limit 10,000.00)."""
    built = builders.build()
    addresses.add_address(two_partners.a, {"label": "Main", "recipient": "Alpha GmbH", "street": "Hauptstr. 1",
                                           "postal_code": "10115", "city": "Berlin", "country": "DE"})
    return built


SERVER_LINE = {"sku": "SRV", "quantity": 2, "options": ["CPU-8", "RAM-32"]}
LIC_LINE = {"sku": "LIC", "quantity": 3}


def order_body(**changes: Any) -> dict[str, Any]:
    body = {"lines": [SERVER_LINE, LIC_LINE], "po_number": "PO-1", "payment_method": "on_account"}
    body.update(changes)
    return body
