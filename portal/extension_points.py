"""The extension points: what a feature offers the core and the other features, typed, in one place.

Each feature package has an `init_app(app)` (called by `create_app`, in `FEATURES` order) that
registers its blueprints, CLI, tasks and fills this registry: navigation entries, dashboard
panels, demo loaders, upload endpoints, and the providers other features call through a
Protocol instead of an import (catalog pricing asks `deal_discounts` for a registration's deal
discount without knowing the registrations feature). The registry lives on
`app.extensions["portal"]`; `registry()` returns the current app's.

Nothing is registered when a module is imported: a reader finds every registration of a feature in
its `init_app`. A provider that is absent (a feature switched off) is `None` or an empty list, and
each caller says what happens then.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from flask import Flask, current_app, g

if TYPE_CHECKING:  # types only: the core imports no feature
    from sqlalchemy import Table

    from portal.models import Partner

EXTENSION = "portal"


# --- navigation, dashboards, demo data ---------------------------------------------------------

@dataclass(frozen=True)
class NavBadge:
    """A live count shown on a navigation entry ("Approvals 6"); hidden when zero.

    `count` runs at most once a request whatever the number of entries or renders (the value is
    kept on `g`), so it must load the number in one query, never one per item."""

    name: str  # data-testid="<name>-count" on the badge
    count: Callable[[], int]
    title: str = "{n} waiting"  # the tooltip, with {n}
    colour: str = "warning"  # Bootstrap's text-bg-<colour>

    def value(self) -> int:
        cache = g.setdefault("nav_badges", {})
        if self.name not in cache:
            cache[self.name] = self.count()
        return cache[self.name]


@dataclass(frozen=True)
class NavItem:
    """A page in the navigation bar for some roles; `menu` gathers it under a menu
    (`portal.templating.NAV_GROUPS`: "Sales", "Deals", ...)."""

    label: str
    endpoint: str
    icon: str
    roles: tuple[str, ...]
    order: int = 50
    badge: NavBadge | None = None
    menu: str | None = None


@dataclass(frozen=True)
class DashboardPanel:
    """A card on a dashboard: `template` is included for the `audience` ("partner", "manager"
    or "staff"), in `order`."""

    template: str
    audience: str
    order: int = 50


@dataclass(frozen=True)
class DemoLoader:
    """Adds a feature's demo data; loaders run in `order` (a later one may use an earlier one's
    rows) with the dict of demo objects (staff, partners, users, and what loaders add)."""

    name: str
    order: int
    load: Callable[[dict[str, Any]], None]


class NotificationKind(str):
    """A kind of notification (the string stored on each row) with its label for the
    preferences page; a feature declares its kinds as constants and registers them in `init_app`
    (`registry(app).add_kinds(*NOTIFICATION_KINDS)`)."""

    label: str

    def __new__(cls, kind: str, label: str) -> NotificationKind:
        value = super().__new__(cls, kind)
        value.label = label
        return value


# --- providers: one feature's answer to another's question ----------------------------------------

class DealDiscounts(Protocol):
    """Registrations -> catalog pricing: the deal discount of a partner's approved, protected
    registration (a `catalog.pricing.DealDiscount`); raises a DomainError naming
    `opportunity_id` when there is none."""

    def __call__(self, partner: Partner, opportunity_id: int) -> Any: ...


class CampaignDiscounts(Protocol):
    """Campaigns -> catalog pricing: {sku: (percent off, campaign name)} for the promoted SKUs of
    the campaigns active for the partner on the date; `cached=True` (the catalog list) may answer
    from a copy at most a minute old."""

    def __call__(self, partner: Partner, on: date, skus: Collection[str], *,
                 cached: bool = False) -> Mapping[str, tuple[Decimal, str]]: ...


class OrderDirectory(Protocol):
    """Orders -> quotes and registrations: what they may know of an order."""

    def order_state(self, partner: Partner, order_id: Any) -> str | None:
        """The status of the partner's order, None when it is not the partner's (or no order)."""

    def orders_table(self) -> Table:
        """The orders table, for reports that join it (read only)."""


class QuoteOrdering(Protocol):
    """Orders -> quotes: where a partner orders an accepted quote (None: not offered)."""

    def order_form_url(self, quote: Any) -> str | None: ...


@dataclass
class Registry:
    """Everything the features registered; one per app (`app.extensions["portal"]`)."""

    nav: list[NavItem] = field(default_factory=list)
    panels: list[DashboardPanel] = field(default_factory=list)
    demo_loaders: list[DemoLoader] = field(default_factory=list)
    # endpoints whose body may reach UPLOAD_MAX_CONTENT_LENGTH (portal/request_guards.py)
    upload_endpoints: set[str] = field(default_factory=set)
    # blueprints made by `portal.staff.staff_blueprint` (staff only, guarded once)
    staff_blueprints: set[str] = field(default_factory=set)
    # partner fields another feature checks ({"price_book_id": check}); check raises ValueError
    partner_fields: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    deal_discounts: DealDiscounts | None = None
    campaign_discounts: list[CampaignDiscounts] = field(default_factory=list)
    campaign_results: list[Any] = field(default_factory=list)  # campaigns' ResultSource, in order
    order_directory: OrderDirectory | None = None
    quote_ordering: QuoteOrdering | None = None
    # notification kind -> its label (the preferences page lists them; `notify` refuses others)
    notification_kinds: dict[str, str] = field(default_factory=dict)

    def add_kinds(self, *kinds: NotificationKind) -> None:
        self.notification_kinds.update({str(kind): kind.label for kind in kinds})

    def add_nav(self, *items: NavItem) -> None:
        known = {item.endpoint for item in self.nav}
        self.nav.extend(item for item in items if item.endpoint not in known)

    def panels_for(self, audience: str) -> list[DashboardPanel]:
        return sorted((p for p in self.panels if p.audience == audience), key=lambda p: (p.order, p.template))

    def loaders(self) -> list[DemoLoader]:
        return sorted(self.demo_loaders, key=lambda loader: (loader.order, loader.name))


def init_app(app: Flask) -> Registry:
    return app.extensions.setdefault(EXTENSION, Registry())


def registry(app: Flask | None = None) -> Registry:
    """The registry of `app` (default: the current app)."""
    return (app or current_app).extensions[EXTENSION]
