"""Sending stored files (assets, proofs) and reading uploads from a request, for views and API."""
from __future__ import annotations

from flask import Response, request, send_file
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from opportunities.campaigns.services.assets import open_file
from portal.storage import UploadRejected, size_text

FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the other fields


def send_stored(key: str, filename: str, content_type: str, *, inline: bool = False) -> Response:
    """The file as a download (images may be shown inline); never sniffed or run by the browser."""
    response = send_file(open_file(key), mimetype=content_type, as_attachment=not inline,
                         download_name=filename, max_age=0, conditional=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=0"
    return response


def uploaded_files(limit: int, field: str = "file") -> MultiDict[str, FileStorage]:
    """The request's files, refusing a body larger than `limit` (plus the form) with a clear 413."""
    request.max_content_length = limit + FORM_OVERHEAD
    try:
        return request.files
    except RequestEntityTooLarge:
        message = f"The upload is larger than the {size_text(limit)} limit."
        raise UploadRejected(message, fields={field: message}, status=413, code="file_too_large") from None
