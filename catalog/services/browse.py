"""The partner catalog: a page of active products at the partner's own prices, and one product.

Query budget (tests/catalog/test_catalog_pages.py counts them): a list page is one product query,
a count (left out when the first page holds everything; cheaper than a window count over 10,000
rows) and the 2 queries of `pricing.list_prices`; the family filter's choices are re-read once a
minute per process. A product page loads the product
with its option groups and options in one joined query, its rules only when it has options.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from catalog.models import OptionGroup, Product
from catalog.pricing import PricingError
from catalog.services import pricing
from catalog.services import products as product_service
from portal.extensions import db
from portal.listing import Page, apply_sort
from portal.models import Partner
from portal.money import Money

SORTS = {"name": Product.name, "sku": Product.sku, "family": Product.family}


@dataclass(frozen=True)
class CatalogRow:
    """A product of the list with the partner's net unit price (quantity 1, no options)."""

    product: Product
    configurable: bool
    price: Money | None


@dataclass(frozen=True)
class CatalogPage:
    """A page of the partner catalog, the family filter's choices and a notice about prices."""

    page: Page[CatalogRow]
    families: list[str]
    notice: str | None


FAMILIES_TTL = 60.0  # seconds a process reuses the family list of the filter
_families: tuple[float, list[str]] = (0.0, [])


def _active_families() -> list[str]:
    """The families of active products, for the filter; each process re-reads them once a
    minute (a new family shows up in the filter within a minute; the query scans every product)."""
    global _families
    now = time.monotonic()
    if now >= _families[0]:
        names = list(db.session.scalars(select(Product.family).where(Product.active.is_(True))
                                        .distinct().order_by(Product.family)))
        _families = (now + FAMILIES_TTL, names)
    return _families[1]


def forget_families() -> None:
    """Drop the cached family list (tests, or after a catalog change in this process)."""
    global _families
    _families = (0.0, [])


def catalog_page(partner: Partner, *, q: str | None, family: str | None, sort: str | None,
                 page: int, per_page: int, on: date | None = None) -> CatalogPage:
    """Active products matching a text (SKU or name) and a family, sorted, one page, priced."""
    configurable = select(OptionGroup.id).where(OptionGroup.product_id == Product.id).exists()
    matching = product_service.search(q, family, active_only=True)
    stmt = matching.add_columns(configurable.label("configurable"))
    stmt, key = apply_sort(stmt, sort, SORTS, "name", Product.id)
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    if rows and page == 1 and len(rows) < per_page:
        total = len(rows)  # the whole result is on this page
    else:  # a separate count is cheaper than a window count over every matching row
        total = db.session.scalar(select(func.count()).select_from(matching.subquery())) or 0
    family_names = _active_families()
    prices = pricing.list_prices(partner, [r.Product for r in rows], on) if rows else {}
    notice = None
    if rows and all(price is None for price in prices.values()):
        notice = price_notice(partner, on)
    items = [CatalogRow(r.Product, bool(r.configurable), prices.get(r.Product.sku)) for r in rows]
    return CatalogPage(Page(items, page, per_page, total, key), family_names, notice)


def price_notice(partner: Partner, on: date | None = None) -> str:
    """Why a partner sees no prices at all, in words."""
    try:
        pricing.book_for(partner, on or pricing.today())
    except PricingError:
        return (f"No price book in {partner.currency} applies to your company today, so prices "
                "cannot be shown and products cannot be priced. Please contact your partner manager.")
    return "None of these products has a price for your company yet."


def product_for_partner(sku: str) -> Product | None:
    """An active product with its option groups and options (one query); None if not orderable."""
    stmt = (select(Product).where(Product.sku == sku, Product.active.is_(True))
            .options(joinedload(Product.groups).joinedload(OptionGroup.options)))
    return db.session.execute(stmt).unique().scalar_one_or_none()
