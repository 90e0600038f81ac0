"""Jinja set-up: filters (money, dates), permission predicates and per-role navigation."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from flask import Flask, g, request, url_for
from flask_login import current_user

from portal.models import ROLES
from portal.money import Money
from portal.permissions import TEMPLATE_PREDICATES


def _money(value: Money | None) -> str:
    return "" if value is None else value.format()


def _dt(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(timezone.utc).strftime(fmt) + (" UTC" if "%H" in fmt else "")


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


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
    label: str
    endpoint: str
    icon: str
    roles: tuple[str, ...]
    order: int = 50
    badge: NavBadge | None = None


NAV_ITEMS: list[NavItem] = [
    NavItem("Dashboard", "dashboard.index", "speedometer2", ROLES, 0),
    NavItem("Partners", "admin.partners", "building", ("admin", "partner_manager", "sales_ops"), 80),
    NavItem("Users", "admin.users", "people", ("admin",), 90),
    NavItem("Audit log", "admin.audit_log", "journal-text", ("admin",), 95),
    NavItem("Team", "team.users", "people", ("partner_admin",), 90),
]


def register_nav(label: str, endpoint: str, icon: str, roles: tuple[str, ...], order: int = 50,
                 badge: NavBadge | None = None) -> None:
    """Feature packages add their pages to the navigation bar (only built pages appear), with an
    optional live count."""
    if all(item.endpoint != endpoint for item in NAV_ITEMS):
        NAV_ITEMS.append(NavItem(label, endpoint, icon, roles, order, badge))


# Menus that gather related pages, so the bar stays one line on a laptop: (label, icon, order).
NAV_GROUPS: dict[str, tuple[str, int]] = {
    "Sales": ("bag-check", 40), "Deals": ("shield-check", 45), "Marketing": ("megaphone", 50),
    "Products": ("box-seam", 60), "Pipeline": ("funnel", 35), "Administration": ("gear", 90),
}
# endpoint -> menu, per audience (staff and partner users see different menus).
STAFF_MENUS = {
    "admin.orders": "Sales", "admin.quote_queue": "Sales",
    "admin.reports": "Sales",  # reports: pipeline, orders, conversion, products, campaigns
    "admin.registrations": "Deals", "admin.house_accounts": "Deals", "admin.leads": "Deals",
    "admin.customers": "Deals",
    "admin.campaigns": "Marketing", "admin.mdf_queue": "Marketing",
    "admin.products": "Products", "admin.price_books": "Products",
    "admin.imports": "Products",
    "admin.partners": "Administration", "admin.applications": "Administration",
    "admin.users": "Administration", "admin.audit_log": "Administration",
}
PARTNER_MENUS = {"opportunities.index": "Pipeline", "leads.mine": "Pipeline", "campaigns.index": "Pipeline"}


@dataclass
class NavEntry:
    label: str
    icon: str
    endpoint: str | None = None  # None for a menu
    children: list[NavEntry] | None = None
    badge: NavBadge | None = None

    def is_active(self) -> bool:
        if self.endpoint:
            return nav_active(self.endpoint)
        return any(child.is_active() for child in self.children or ())

    def badge_count(self) -> int:
        """The entry's live count; a menu shows the sum of its pages' counts."""
        if self.badge is not None:
            return self.badge.value()
        return sum(child.badge_count() for child in self.children or ())

    def badge_title(self) -> str:
        n = self.badge_count()
        return self.badge.title.format(n=n) if self.badge is not None else f"{n} waiting"


def navigation(user: Any) -> list[NavEntry]:
    """The user's navigation: pages, and menus of pages, for its role (only built pages)."""
    if not getattr(user, "is_authenticated", False):
        return []
    menus = STAFF_MENUS if user.is_staff else PARTNER_MENUS
    entries: list[tuple[int, str, NavEntry]] = []
    groups: dict[str, NavEntry] = {}
    for item in sorted((i for i in NAV_ITEMS if user.role in i.roles), key=lambda i: (i.order, i.label)):
        entry = NavEntry(item.label, item.icon, item.endpoint, badge=item.badge)
        group = menus.get(item.endpoint)
        if group is None:
            entries.append((item.order, item.label, entry))
            continue
        if group not in groups:
            icon, order = NAV_GROUPS[group]
            groups[group] = NavEntry(group, icon, children=[])
            entries.append((order, group, groups[group]))
        groups[group].children.append(entry)
    flat = []
    for _, _, entry in sorted(entries, key=lambda e: (e[0], e[1])):
        if entry.children is not None and len(entry.children) == 1:
            entry = entry.children[0]  # a menu of one page is just the page
        flat.append(entry)
    return flat


def nav_active(endpoint: str) -> bool:
    """A navigation entry is active on its page and on the pages below it."""
    target = url_for(endpoint).rstrip("/")
    return request.path.rstrip("/") == target or request.path.startswith(target + "/")


def _page_args(**changes: Any) -> dict[str, Any]:
    """The current query string with some arguments changed (sorting, paging links)."""
    args = request.args.to_dict()
    args.update({k: v for k, v in changes.items()})
    return {k: v for k, v in args.items() if v not in (None, "")}


def _unread_notifications() -> int:
    """The navbar badge: the logged-in user's unread notifications (one query, once a request)."""
    from portal.services.notifications import unread_count

    if not current_user.is_authenticated:
        return 0
    if "unread_notifications" not in g:
        g.unread_notifications = unread_count(current_user)
    return g.unread_notifications


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(money=_money, dt=_dt, date=_date)
    app.jinja_env.globals.update(TEMPLATE_PREDICATES)
    app.jinja_env.globals["page_args"] = _page_args
    app.jinja_env.globals["nav_active"] = nav_active
    app.jinja_env.globals["unread_notifications"] = _unread_notifications

    @app.context_processor
    def _inject() -> dict[str, Any]:
        return {
            "nav_items": navigation(current_user),
            "portal_name": app.config["PORTAL_NAME"],
            "url_for": url_for,
        }
