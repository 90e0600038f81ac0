"""Campaign descriptions: Markdown rendered to HTML, then sanitised to a small safe subset."""
from __future__ import annotations

import re

import markdown
import nh3
from markupsafe import Markup

TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "h3", "h4", "h5", "blockquote", "code", "hr"}
ATTRIBUTES = {"a": {"href", "title"}}
_ITEM_BREAK = re.compile(r"</li>\s*<li")


def render(text: str | None) -> Markup:
    """Safe HTML for a description (scripts, styles, images and unknown tags are removed)."""
    html = markdown.markdown(text or "", extensions=["sane_lists"], output_format="html")
    return Markup(nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                            link_rel="noopener noreferrer nofollow"))


def summary(text: str | None, length: int = 180) -> str:
    """Plain text of the description, cut at a word boundary, for cards and lists."""
    html = _ITEM_BREAK.sub("</li> · <li", markdown.markdown(text or ""))  # list items stay apart in one line
    plain = " ".join(nh3.clean(html, tags=set()).split())
    if len(plain) <= length:
        return plain
    return plain[:length].rsplit(" ", 1)[0] + "…"
