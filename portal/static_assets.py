"""Long-lived static assets: every URL of a file in `static/` carries a hash of its content
(`?v=3f2a…`), and a request with the current hash may be kept by browsers for a year; when the
file changes, its URL changes. Without the hash (or with an old one) the answer is revalidated as
before, so nothing stale is ever kept."""
from __future__ import annotations

import hashlib
import types
from pathlib import Path

from flask import Flask, current_app, request

YEAR = 365 * 24 * 3600
_versions: dict[tuple[str, str], str] = {}


def asset_version(filename: str) -> str:
    """The first 12 hex digits of the file's SHA-256 (read once per process, or on every call in
    debug mode, where files change under a running server); "" when there is no such file."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    key = (str(app.static_folder), filename)
    if app.debug or key not in _versions:
        path = Path(str(app.static_folder), filename)
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        except OSError:
            digest = ""
        _versions[key] = digest
    return _versions[key]


def _max_age(app: Flask, filename: str | None) -> int | None:
    version = request.args.get("v")
    if filename and version and version == asset_version(filename):
        return YEAR
    return Flask.get_send_file_max_age(app, filename)


def init_app(app: Flask) -> None:
    app.get_send_file_max_age = types.MethodType(_max_age, app)  # type: ignore[method-assign]
