"""A human-readable page of the API, rendered from the same OpenAPI description."""
from __future__ import annotations

from flask import Blueprint, render_template

from portal.api.openapi import build_spec

bp = Blueprint("docs", __name__)


@bp.get("/docs/api")
def api_docs():
    spec = build_spec()
    return render_template("docs/api.html", spec=spec, schemas=spec["components"]["schemas"])
