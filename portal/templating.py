"""Jinja set-up: filters (money, dates), permission predicates and per-role navigation."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from flask import Flask, current_app, g, request, url_for
from flask_login import current_user

from portal import static_assets
from portal.extension_points import NavBadge, NavItem, registry
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


# The core's own pages; features and admin add theirs in their `init_app` (`registry().nav`).
CORE_NAV = (NavItem("Dashboard", "dashboard.index", "speedometer2", ROLES, 0),
            NavItem("Team", "team.users", "people", ("partner_admin",), 90))

# Menus that gather related pages, so the bar stays one line on a laptop: (label, icon, order);
# a `NavItem` names its menu (staff and partner users see different pages, so different menus).
NAV_GROUPS: dict[str, tuple[str, int]] = {
    "Sales": ("bag-check", 40), "Deals": ("shield-check", 45), "Marketing": ("megaphone", 50),
    "Products": ("box-seam", 60), "Pipeline": ("funnel", 35), "Administration": ("gear", 90),
}


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
    """The user's navigation: pages, and menus of pages, for its role (only built pages). The
    tree depends only on the role and the registered items, so it is built once per role and
    process; the live parts (the active entry, the badge counts) are read at render time."""
    if not getattr(user, "is_authenticated", False):
        return []
    cache = current_app.extensions.setdefault("portal.nav_cache", {})
    if user.role not in cache:
        cache[user.role] = _navigation_of(user.role)
    return cache[user.role]


def _navigation_of(role: str) -> list[NavEntry]:
    entries: list[tuple[int, str, NavEntry]] = []
    groups: dict[str, NavEntry] = {}
    for item in sorted((i for i in registry().nav if role in i.roles), key=lambda i: (i.order, i.label)):
        entry = NavEntry(item.label, item.icon, item.endpoint, badge=item.badge)
        group = item.menu
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


def cached_url_for(endpoint: str, **values: Any) -> str:
    """`url_for` for templates, remembered per process: a page links to the same few dozen URLs
    on every request (navigation, menus, product links), and building one costs more than the rest
    of its line. Only a plain relative URL is remembered, and only while no `url_defaults`
    callback could change it; anything else (`_external`, `_anchor`, unhashable values) is built."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if endpoint == "static" and "filename" in values and "v" not in values:
        values["v"] = static_assets.asset_version(values["filename"])  # a year in browsers' caches (portal.static_assets)
    if app.url_default_functions or any(key.startswith("_") for key in values):
        return url_for(endpoint, **values)
    try:
        key = (request.script_root, endpoint, tuple(sorted(values.items())))
        hash(key)
    except TypeError:
        return url_for(endpoint, **values)
    cache = app.extensions.setdefault("portal.url_cache", {})
    url = cache.get(key)
    if url is None:
        if len(cache) >= URL_CACHE_SIZE:
            cache.clear()
        url = cache[key] = url_for(endpoint, **values)
    return url


URL_CACHE_SIZE = 20_000  # distinct URLs remembered per process (then forgotten at once)


def nav_active(endpoint: str) -> bool:
    """A navigation entry is active on its page and on the pages below it."""
    target = cached_url_for(endpoint).rstrip("/")
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
    static_assets.init_app(app)
    app.jinja_env.filters.update(money=_money, dt=_dt, date=_date)
    app.jinja_env.globals.update(TEMPLATE_PREDICATES)
    app.jinja_env.globals["page_args"] = _page_args
    app.jinja_env.globals["nav_active"] = nav_active
    app.jinja_env.globals["dashboard_panels"] = lambda audience: registry().panels_for(audience)
    app.jinja_env.globals["unread_notifications"] = _unread_notifications

    @app.context_processor
    def _inject() -> dict[str, Any]:
        return {
            "nav_items": navigation(current_user),
            "portal_name": app.config["PORTAL_NAME"],
            "url_for": cached_url_for,
        }
