"""Template helpers that remember per process: URLs and the navigation tree (portal/templating.py)."""
from __future__ import annotations

from flask import url_for

from portal.extension_points import NavItem, registry
from portal.templating import cached_url_for, navigation


class _User:
    is_authenticated = True

    def __init__(self, role: str) -> None:
        self.role = role


def test_cached_urls_are_the_urls_url_for_builds(app):
    with app.test_request_context("/"):
        for endpoint, values in (("catalog.index", {}), ("catalog.product_detail", {"sku": "A/B 1"}),
                                 ("static", {"filename": "portal.css"}), ("admin.partner_detail", {"partner_id": 7})):
            assert cached_url_for(endpoint, **values) == url_for(endpoint, **values)
            assert cached_url_for(endpoint, **values) == url_for(endpoint, **values)  # from the cache


def test_what_depends_on_the_request_is_never_cached(app):
    with app.test_request_context("/", base_url="http://portal.test/prefix"):
        assert cached_url_for("catalog.index") == "/prefix/catalog"
        assert cached_url_for("catalog.index", _external=True) == "http://portal.test/prefix/catalog"
        assert cached_url_for("catalog.index", _anchor="x") == "/prefix/catalog#x"
    with app.test_request_context("/"):
        assert cached_url_for("catalog.index") == "/catalog"  # another script root, another URL


def test_a_url_defaults_callback_turns_the_cache_off(app, monkeypatch):
    monkeypatch.setitem(app.url_default_functions, None, [lambda endpoint, values: values.setdefault("v", "2")])
    with app.test_request_context("/"):
        assert cached_url_for("catalog.index") == "/catalog?v=2"


def test_the_navigation_tree_is_built_once_per_role(app, monkeypatch):
    with app.test_request_context("/"):
        first = navigation(_User("partner_user"))
        assert navigation(_User("partner_user")) is first
        assert navigation(_User("admin")) is not first
        monkeypatch.setattr(registry(), "nav", [*registry().nav, NavItem("Extra", "catalog.cart", "x", ("sales_ops",))])
        monkeypatch.setitem(app.extensions, "portal.nav_cache", {})  # items change only at start-up
        assert "Extra" in [e.label for e in navigation(_User("sales_ops"))]
