"""Product rows: validated with `clean_product`, matched by SKU (case-insensitive), applied."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from catalog.imports import PREVIEW_ROWS, ImportStateError
from catalog.imports.columns import ColumnMap
from catalog.imports.problems import Problems
from catalog.models import Product
from catalog.services import CatalogError
from catalog.services import products as product_service
from portal.extensions import db

FIELDS = ("name", "family", "description", "unit", "active")
TRUE = {"yes", "y", "true", "1", "active", "x"}
FALSE = {"no", "n", "false", "0", "inactive"}
DEFAULTS = {"description": "", "unit": "each", "active": True}


def load_products() -> dict[str, dict[str, Any]]:
    """Every product's importable fields by lower-case SKU, in one query."""
    cols = [Product.id, Product.sku, *(getattr(Product, f) for f in FIELDS)]
    return {row.sku.lower(): dict(row._mapping) for row in db.session.execute(select(*cols))}


def fingerprint(products: dict[str, dict[str, Any]]) -> str:
    """A hash of the catalog's importable fields, to notice a change before apply."""
    digest = hashlib.sha256()
    for key in sorted(products):
        digest.update(f"{key}\x1f{sorted(products[key].items())!r}\n".encode())
    return digest.hexdigest()


def parse_active(text: str) -> bool | None:
    """yes/no style text as a flag (blank is yes); None when it is not understood."""
    value = text.strip().lower()
    if not value or value in TRUE:
        return True
    return False if value in FALSE else None


class ProductCheck:
    """Validates product rows and diffs them against the catalog (products are never removed)."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.existing = load_products()
        self.fingerprint = fingerprint(self.existing)
        self.seen: dict[str, int] = {}
        self.cmap: ColumnMap | None = None
        self.counts = {"rows": 0, "added": 0, "changed": 0, "unchanged": 0, "removed": 0}
        self.added: list[dict[str, Any]] = []
        self.changed: list[dict[str, Any]] = []
        self.blank = Product()  # clean_product checks only the given keys when a product is passed

    def start(self, cmap: ColumnMap) -> None:
        """Remember where the columns are."""
        self.cmap = cmap

    def check(self, chunk: list[tuple[int, list[str]]]) -> list[Any]:
        """Validate a chunk; returns the rows to write (new or changed products)."""
        assert self.cmap is not None
        out = []
        for number, cells in chunk:
            self.problems.check_width(number, cells, self.cmap.width)
            values = self._row(number, cells)
            if values is not None and not self.problems:
                staged = self._diff(values)
                if staged is not None:
                    out.append(staged)
        return out if not self.problems else []

    def _row(self, number: int, cells: list[str]) -> dict[str, Any] | None:
        assert self.cmap is not None
        cell = {name: (cells[i] if i < len(cells) else "") for name, i in self.cmap.index.items()}
        ok = True
        sku = cell["sku"]
        if not product_service.CODE.match(sku):
            self.problems.add(number, "sku", "A SKU of 1-64 letters, digits, '.', '_', '/' or '-', "
                                             "starting with a letter or digit, is required.")
            ok = False
        elif sku.lower() in self.seen:
            self.problems.add(number, "sku", f"SKU {sku} is already in row {self.seen[sku.lower()]}.")
            ok = False
        else:
            self.seen[sku.lower()] = number
        data = {k: v for k, v in cell.items() if k in ("name", "family", "description", "unit")}
        try:
            values = product_service.clean_product(data, self.blank)
        except CatalogError as exc:
            for field, message in exc.fields.items():
                self.problems.add(number, field, message)
            return None
        if "active" in cell:
            active = parse_active(cell["active"])
            if active is None:
                self.problems.add(number, "active", "active must be yes or no.")
                return None
            values["active"] = active
        return {"sku": sku, **values} if ok else None

    def _diff(self, values: dict[str, Any]) -> dict[str, Any] | None:
        sku = values.pop("sku")
        self.counts["rows"] += 1
        before = self.existing.get(sku.lower())
        if before is None:
            data = {**DEFAULTS, **values}
            self.counts["added"] += 1
            if len(self.added) < PREVIEW_ROWS:
                self.added.append({"sku": sku, "name": data["name"], "family": data["family"],
                                   "unit": data["unit"], "active": data["active"]})
            return {"sku": sku, "id": None, "data": data}
        changes = {k: v for k, v in values.items() if before[k] != v}
        if not changes:
            self.counts["unchanged"] += 1
            return None
        self.counts["changed"] += 1
        if len(self.changed) < PREVIEW_ROWS:
            self.changed.append({"sku": before["sku"], "changes": [
                {"field": k, "old": _shown(before[k]), "new": _shown(v)} for k, v in changes.items()]})
        return {"sku": before["sku"], "id": before["id"], "data": changes}

    def summary(self) -> dict[str, Any]:
        """Counts and previews of the diff (added, changed; nothing is removed)."""
        return {**self.counts, "fingerprint": self.fingerprint,
                "preview": {"added": self.added, "changed": self.changed, "removed": []}}


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "..."


def apply(actor: Any, summary: dict[str, Any], rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Create and update products through the product services, refusing a changed catalog."""
    if fingerprint(load_products()) != summary.get("fingerprint"):
        raise ImportStateError("Products changed after this file was checked, so the preview is out "
                               "of date: nothing was written. Upload the file again.")
    rows = list(rows)
    ids = [r["id"] for r in rows if r["id"] is not None]
    loaded: dict[int, Product] = {}
    for start in range(0, len(ids), 500):
        loaded.update((p.id, p) for p in db.session.scalars(
            select(Product).where(Product.id.in_(ids[start:start + 500]))))
    added = changed = 0
    for row in rows:
        if row["id"] is None:
            product_service.create_product(actor, {"sku": row["sku"], **row["data"]}, audited=False)
            added += 1
        else:
            product_service.update_product(actor, loaded[row["id"]], row["data"], audited=False)
            changed += 1
    return {"added": added, "changed": changed, "removed": 0,
            "unchanged": int(summary.get("unchanged", 0))}
