"""Campaign tests store uploaded files in a temporary folder of their own."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask


@pytest.fixture(autouse=True)
def storage_root(app: Flask, tmp_path: Path) -> Iterator[Path]:
    """Every test gets an empty storage folder (the instance folder is never touched)."""
    root = tmp_path / "storage"
    saved = app.config.get("STORAGE_ROOT")
    app.config["STORAGE_ROOT"] = str(root)
    try:
        yield root
    finally:
        app.config["STORAGE_ROOT"] = saved


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
