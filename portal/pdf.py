"""PDF documents (quotes, order confirmations, invoices): the only module that imports WeasyPrint.

Templates live in `templates/pdf/` and extend `pdf/base.html`. Rendering never fetches anything
from the network: the only URLs a document may reference are files of the portal's own package
(`static/`), resolved through a URL fetcher that refuses everything else.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app, render_template


def render_pdf(template: str, **context: Any) -> bytes:
    """Render `templates/<template>` with `context` to PDF bytes."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    context.setdefault("portal_name", current_app.config["PORTAL_NAME"])
    html = render_template(template, **context)
    static = Path(current_app.static_folder or "").resolve()

    class LocalFiles(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file://"):
                path = Path(url.removeprefix("file://").split("?")[0]).resolve()
                if static in path.parents:
                    return super().fetch(url, headers)
            raise ValueError(f"PDF documents may not fetch {url!r}")

    fetcher = LocalFiles(allowed_protocols=("file",))
    return HTML(string=html, base_url=f"{static.as_uri()}/", url_fetcher=fetcher).write_pdf()
