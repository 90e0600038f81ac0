"""Hostile requests refused at the edge, before any view reads them: body size, JSON nesting, bad text.

Two hooks. `bound_the_request` runs before every other hook (CSRF reads the form): it refuses a NUL
in the path and a body over the size limit of its endpoint, and sets that limit for the parsers.
`refuse_hostile_text` runs before the views: it refuses NUL characters and lone surrogates in the
query string, a form or a JSON body, JSON nested deeper than MAX_JSON_DEPTH and JSON that does not
parse. Limits and the reasons for them: docs/security.md "Hostile input: bounds at the edge".
"""
from __future__ import annotations

import re
from itertools import accumulate
from typing import Any

from flask import Flask, current_app, request

from portal.errors import DomainError, Malformed
from portal.extension_points import registry

# The endpoints that take file uploads are registered by their features (`registry().upload_endpoints`,
# each in its `init_app`): their body may reach UPLOAD_MAX_CONTENT_LENGTH (each view then applies its
# own, smaller file limit); every other request is bounded by MAX_CONTENT_LENGTH.

NUL_MESSAGE = "Text may not contain NUL characters (\\0)."
SURROGATE_MESSAGE = "Text must be valid Unicode: a lone surrogate (\\ud800-\\udfff) is not."
PATH_MESSAGE = "The address may not contain a NUL character (%00)."

_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_A_BRACKET = bytes(sorted(set(range(256)) - set(b"[]{}")))
_BRACKET_STEP = [0] * 256
for _open in b"[{":
    _BRACKET_STEP[_open] = 1
for _close in b"]}":
    _BRACKET_STEP[_close] = -1


def size_text(size: int) -> str:
    """A byte count for people: "1 MB", "512 KB", "800 bytes"."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size:,} bytes"


def body_limit() -> int | None:
    """The largest body the current request may send (None: no limit configured)."""
    config = current_app.config
    if request.endpoint in registry().upload_endpoints:
        return config.get("UPLOAD_MAX_CONTENT_LENGTH")
    limit = config.get("MAX_CONTENT_LENGTH")
    form_limit = config.get("MAX_FORM_MEMORY_SIZE")
    if request.mimetype == "application/x-www-form-urlencoded" and form_limit is not None:
        limit = form_limit if limit is None else min(limit, form_limit)
    return limit


def bound_the_request() -> None:
    """Refuse a NUL in the path and an oversized body (413, the limit said), and bound the body parsers."""
    if "\x00" in request.path:
        raise Malformed(PATH_MESSAGE, code="nul_character")
    limit = body_limit()
    if limit is None:
        return
    if request.content_length is not None and request.content_length > limit:
        raise DomainError(f"The request body is larger than the {size_text(limit)} limit of this address.",
                          code="payload_too_large", status=413)
    request.max_content_length = limit  # a body sent without a length stops at the limit (413)


def json_depth(data: bytes) -> int:
    """How deeply arrays and objects nest in a JSON text, counted without parsing it (no recursion)."""
    brackets = _JSON_STRING.sub(b"", data).translate(None, _NOT_A_BRACKET)
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0)


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return NUL_MESSAGE
    if not text.isascii() and _SURROGATE.search(text):
        return SURROGATE_MESSAGE
    return None


def _json_text_problem(value: Any) -> str | None:
    """The first NUL or lone surrogate in any key or string of a parsed JSON value (iteratively)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            problem = _text_problem(item)
            if problem:
                return problem
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _refuse(problem: str | None) -> None:
    if problem:
        raise Malformed(problem, code="nul_character" if problem == NUL_MESSAGE else "invalid_text")


def refuse_hostile_text() -> None:
    """No text with NUL reaches a service (PostgreSQL cannot store it), no JSON deeper than the limit is parsed."""
    for key, values in request.args.lists():
        _refuse(_text_problem(key) or next(filter(None, map(_text_problem, values)), None))
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    # multipart bodies (uploads) are left to their views, which read the files themselves
    if request.mimetype == "application/x-www-form-urlencoded":
        for key, values in request.form.lists():
            _refuse(_text_problem(key) or next(filter(None, map(_text_problem, values)), None))
    if request.is_json:
        data = request.get_data(cache=True)
        if not data.strip():
            return  # no body: the view says what it needs
        limit = int(current_app.config.get("MAX_JSON_DEPTH", 32))
        if json_depth(data) > limit:
            raise Malformed(f"The JSON body is nested more than {limit} levels deep.", code="json_too_deep")
        parsed = request.get_json(silent=True)  # parsed once: the views get the cached value
        if parsed is None and data.strip() != b"null":
            raise Malformed("The body is not valid JSON.", code="malformed_json")
        _refuse(_json_text_problem(parsed))


def init_app(app: Flask) -> None:
    """Install the hooks: the size bound before any other hook (CSRF reads the form), the text checks after."""
    app.before_request_funcs.setdefault(None, []).insert(0, bound_the_request)
    app.before_request(refuse_hostile_text)
