"""Template helpers that remember per process: URLs and the navigation tree (portal/templating.py)."""
from __future__ import annotations

from flask import url_for

from portal.extension_points import NavItem, registry
from portal.static_assets import asset_version
from portal.templating import cached_url_for, navigation


class _User:
    is_authenticated = True

    def __init__(self, role: str) -> None:
        self.role = role


def test_cached_urls_are_the_urls_url_for_builds(app):
    with app.test_request_context("/"):
        for endpoint, values in (("catalog.index", {}), ("catalog.product_detail", {"sku": "A/B 1"}),
                                 ("admin.partner_detail", {"partner_id": 7})):
            assert cached_url_for(endpoint, **values) == url_for(endpoint, **values)
            assert cached_url_for(endpoint, **values) == url_for(endpoint, **values)  # from the cache
        version = asset_version("portal.css")
        assert cached_url_for("static", filename="portal.css") == url_for("static", filename="portal.css", v=version)


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


def test_static_urls_carry_the_hash_of_the_file_and_are_kept_a_year(client):
    import hashlib
    import re

    from portal.static_assets import YEAR

    page = client.get("/login").get_data(as_text=True)
    link = re.search(r'href="(/static/portal\.css\?v=([0-9a-f]{12}))"', page)
    assert link is not None
    with open("static/portal.css", "rb") as css:
        assert link.group(2) == hashlib.sha256(css.read()).hexdigest()[:12]
    assert client.get(link.group(1)).headers["Cache-Control"] == f"public, max-age={YEAR}"
    for stale in ("/static/portal.css", "/static/portal.css?v=0123456789ab"):
        assert client.get(stale).headers["Cache-Control"] == "no-cache"  # revalidated, never kept


def test_a_changed_file_gets_a_new_url(app, tmp_path, monkeypatch):
    from portal import static_assets

    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    monkeypatch.setattr(static_assets, "_versions", {})
    (tmp_path / "a.css").write_text("a { color: red }")
    with app.test_request_context("/"):
        first = cached_url_for("static", filename="a.css")
    monkeypatch.setattr(static_assets, "_versions", {})  # a new process (a deploy) reads it again
    app.extensions.pop("portal.url_cache", None)
    (tmp_path / "a.css").write_text("a { color: blue }")
    with app.test_request_context("/"):
        second = cached_url_for("static", filename="a.css")
        assert cached_url_for("static", filename="missing.css") == "/static/missing.css?v="
    assert first != second and first.startswith("/static/a.css?v=")
