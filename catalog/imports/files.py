"""Job files: uploads stored under the instance folder by a random name, sniffed before use."""
from __future__ import annotations

import codecs
import uuid
import zipfile
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from catalog.imports import EXTENSIONS, MAX_BYTES, ImportFileError

SNIFF_BYTES = 64 * 1024
UNPACKED_FACTOR = 20  # an .xlsx may unpack to at most 20 times the upload limit (zip bombs)
_BINARY_MAGIC = {
    b"PK\x03\x04": "an Excel (.xlsx) or other ZIP file",
    b"\xd0\xcf\x11\xe0": "an old Excel 97-2003 (.xls) or other Office file",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
}


def upload_dir() -> Path:
    """Where import files live: IMPORT_UPLOAD_DIR, else <instance>/uploads/imports."""
    configured = current_app.config.get("IMPORT_UPLOAD_DIR")
    path = Path(configured) if configured else Path(current_app.instance_path) / "uploads" / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def max_bytes() -> int:
    """The upload size limit (IMPORT_MAX_BYTES, default 25 MB)."""
    return int(current_app.config.get("IMPORT_MAX_BYTES") or MAX_BYTES)


def extension_of(filename: str) -> str:
    """The accepted extension of a client file name ('csv' or 'xlsx'), else a clear error."""
    ext = Path(filename or "").suffix.lower().lstrip(".")
    if ext == "xls":
        raise ImportFileError("Old Excel 97-2003 (.xls) files are not supported: in Excel, "
                              "use File > Save As > Excel Workbook (.xlsx) or CSV UTF-8.")
    if ext not in EXTENSIONS:
        raise ImportFileError("Upload a .csv or .xlsx file.")
    return ext


def store_upload(stream: BinaryIO, ext: str) -> str:
    """Copy an upload to a new random file name; returns that name (never the client's)."""
    name = f"{uuid.uuid4().hex}.{ext}"
    path = upload_dir() / name
    limit, size = max_bytes(), 0
    try:
        with path.open("wb") as out:
            while chunk := stream.read(1024 * 1024):
                size += len(chunk)
                if size > limit:
                    raise ImportFileError(too_big_message(), status=413)
                out.write(chunk)
        if size == 0:
            raise ImportFileError("The file is empty.")
        sniff(path, ext)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return name


def too_big_message() -> str:
    """The message for a file over the size limit."""
    limit = max_bytes()
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit:,} bytes"
    return f"The file is larger than the {size} limit: split it into several files."


def resolve(name: str) -> Path:
    """The path of a stored job file; refuses anything outside the upload folder."""
    base = upload_dir().resolve()
    path = (base / name).resolve()
    if path.parent != base:
        raise ImportFileError("The stored file of this import is missing.")
    return path


def staging_name(name: str) -> str:
    """The file next to an upload that holds its validated rows (JSON lines)."""
    return f"{Path(name).stem}.rows.jsonl"


def remove(name: str) -> None:
    """Delete an upload and its validated rows, if present."""
    if not name:
        return
    for candidate in (name, staging_name(name)):
        try:
            resolve(candidate).unlink(missing_ok=True)
        except ImportFileError:
            pass


def sniff(path: Path, ext: str) -> None:
    """Refuse files whose content does not match their extension, before any parsing."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if ext == "xlsx":
        _check_xlsx(path, head)
    else:
        _check_csv(head, complete=path.stat().st_size <= SNIFF_BYTES)


def _check_xlsx(path: Path, head: bytes) -> None:
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError("This is an old Excel 97-2003 (.xls) file renamed .xlsx: in Excel, "
                              "use File > Save As > Excel Workbook (.xlsx).")
    if not head.startswith(b"PK\x03\x04") or not zipfile.is_zipfile(path):
        raise ImportFileError("This is not an Excel workbook (.xlsx): if it is a CSV file, "
                              "rename it to .csv.")
    try:
        with zipfile.ZipFile(path) as archive:
            sizes = {info.filename: info.file_size for info in archive.infolist()}
    except zipfile.BadZipFile as exc:
        raise ImportFileError("The Excel file is damaged and cannot be opened.") from exc
    if sum(sizes.values()) > UNPACKED_FACTOR * max_bytes():
        raise ImportFileError("The Excel file unpacks to far more data than its size suggests: "
                              "save it again from Excel, or export it as CSV UTF-8.")
    if "xl/workbook.xml" not in sizes:
        raise ImportFileError("This ZIP file is not an Excel workbook (.xlsx): save it from Excel "
                              "as Excel Workbook (.xlsx) or CSV UTF-8.")


def _check_csv(head: bytes, complete: bool) -> None:
    for magic, what in _BINARY_MAGIC.items():
        if head.startswith(magic):
            hint = " Upload it with the .xlsx extension." if magic == b"PK\x03\x04" else ""
            raise ImportFileError(f"This is not a CSV file: it looks like {what}.{hint}")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16(head[:512]):
        raise ImportFileError("The file is encoded as UTF-16: save it as 'CSV UTF-8 (Comma delimited)'.")
    if b"\x00" in head:
        raise ImportFileError("This is not a CSV file: it contains binary data.")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=complete)
    except UnicodeDecodeError as exc:
        raise ImportFileError(not_utf8_message(head[exc.start:exc.start + 1], _line_of(head, exc.start))) from exc


def _looks_utf16(sample: bytes) -> bool:
    """UTF-16 text without a BOM: every other byte of plain Latin text is zero."""
    even, odd, half = sample[0::2].count(0), sample[1::2].count(0), len(sample) // 2
    return half > 1 and ((odd > 0.4 * half and even == 0) or (even > 0.4 * half and odd == 0))


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def not_utf8_message(byte: bytes, line: int | None) -> str:
    """The message for a CSV file that is not UTF-8."""
    where = f" (byte 0x{byte.hex().upper()} on line {line})" if byte and line else ""
    return (f"The file is not UTF-8 encoded{where}. In Excel choose 'CSV UTF-8 (Comma delimited)'; "
            "in other programs save with the UTF-8 encoding.")
