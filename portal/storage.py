"""Uploaded files: checked on the way in, kept behind a small storage interface.

`check_upload` refuses a file before anything is stored: a name with a path in it, a type that
is not allowed, a file over the size limit, or content that does not match the extension (PDF
magic, PNG / JPEG / GIF / WebP signatures, Office Open XML zip containers). `save` writes a
checked file under a fresh random key; the client's file name is only ever displayed.

`Storage` is the interface (put / open / delete / exists); `LocalStorage` keeps files on disk
under the instance folder (`STORAGE_ROOT`, default `<instance>/uploads`). An object store
implements the same four methods. Keys are generated here and re-checked on every access, so no
key can leave the storage root. A file saved in a transaction that rolls back is deleted again.
"""
from __future__ import annotations

import shutil
import tempfile
import unicodedata
import uuid
import zipfile
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO, Protocol

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.errors import ValidationFailed
from portal.extensions import db

SNIFF_BYTES = 64
SPOOL_BYTES = 1024 * 1024
UNPACKED_FACTOR = 20  # an Office file may unpack to at most 20 times the size limit (zip bombs)
MAX_NAME = 200
KEY_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_")


class UploadRejected(ValidationFailed):
    """A file was refused; nothing was stored."""

    code = "upload_rejected"


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str
    label: str
    kind: str  # "document" | "image"
    matches: Callable[[bytes, IO[bytes]], bool]


def _office(folder: str) -> Callable[[bytes, IO[bytes]], bool]:
    def check(head: bytes, data: IO[bytes]) -> bool:
        if not head.startswith(b"PK\x03\x04"):
            return False
        data.seek(0)
        try:
            with zipfile.ZipFile(data) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)

    return check


FILE_TYPES: dict[str, FileType] = {t.extension: t for t in (
    FileType("pdf", "application/pdf", "PDF document", "document", lambda h, _: h.startswith(b"%PDF-")),
    FileType("png", "image/png", "PNG image", "image", lambda h, _: h.startswith(b"\x89PNG\r\n\x1a\n")),
    FileType("jpg", "image/jpeg", "JPEG image", "image", lambda h, _: h.startswith(b"\xff\xd8\xff")),
    FileType("jpeg", "image/jpeg", "JPEG image", "image", lambda h, _: h.startswith(b"\xff\xd8\xff")),
    FileType("gif", "image/gif", "GIF image", "image", lambda h, _: h.startswith((b"GIF87a", b"GIF89a"))),
    FileType("webp", "image/webp", "WebP image", "image", lambda h, _: h[:4] == b"RIFF" and h[8:12] == b"WEBP"),
    FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "Word document", "document", _office("word/")),
    FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "Excel workbook", "document", _office("xl/")),
    FileType("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
             "PowerPoint presentation", "document", _office("ppt/")),
)}
# What a refused file's content actually is, for the error message.
_SIGNATURES = (
    (b"%PDF-", "a PDF document"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"), (b"PK\x03\x04", "a ZIP archive"), (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"), (b"\xd0\xcf\x11\xe0", "an old Office 97-2003 file"),
    (b"#!", "a script"), (b"<", "HTML or XML text"),
)


def describe(head: bytes) -> str:
    """What the first bytes of a file say it is, in words."""
    for magic, what in _SIGNATURES:
        if head.startswith(magic) or (magic == b"<" and head.lstrip().startswith(magic)):
            return what
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
            return "plain text"
        except UnicodeDecodeError:
            pass
    return "something else"


def types_text(allowed: Collection[str]) -> str:
    """'.pdf, .png or .docx' for messages and help texts."""
    names = [f".{ext}" for ext in allowed]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def size_text(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0 else f"{limit:,} bytes"


def safe_filename(name: str | None) -> str:
    """The client's file name, checked: no folders, no '..', no control characters, not hidden."""
    text = unicodedata.normalize("NFC", (name or "").strip())
    if not text:
        raise UploadRejected("The file has no name.", fields={"file": "The file has no name."})
    problem = None
    if "/" in text or "\\" in text or ".." in text:
        problem = "The file name must not contain a folder path ('/', '\\' or '..')."
    elif any(unicodedata.category(ch).startswith("C") for ch in text):
        problem = "The file name contains control characters."
    elif text.startswith("."):
        problem = "The file name must not start with a dot."
    elif len(text) > MAX_NAME:
        problem = f"The file name is longer than {MAX_NAME} characters."
    if problem:
        raise UploadRejected(problem, fields={"file": problem})
    return text


@dataclass
class CheckedUpload:
    """A file that passed the checks, spooled in memory or a temporary file until saved."""

    filename: str
    type: FileType
    size: int
    data: IO[bytes]

    @property
    def content_type(self) -> str:
        return self.type.content_type


def check_upload(filename: str | None, stream: BinaryIO, *, allowed: Collection[str], max_bytes: int,
                 field: str = "file") -> CheckedUpload:
    """Check one upload completely (name, type, size, content) before anything is stored."""
    def refuse(message: str) -> UploadRejected:
        return UploadRejected(message, fields={field: message})

    try:
        name = safe_filename(filename)
    except UploadRejected as exc:
        raise refuse(exc.message) from None
    ext = Path(name).suffix.lower().lstrip(".")
    if ext not in allowed or ext not in FILE_TYPES:
        what = f"Files of type .{ext}" if ext else "Files without an extension"
        raise refuse(f"{what} are not accepted ({name}): upload {types_text(allowed)}.")
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    size = 0
    try:
        while chunk := stream.read(256 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise refuse(f"{name} is larger than the {size_text(max_bytes)} limit.")
            spool.write(chunk)
        if size == 0:
            raise refuse(f"{name} is empty.")
        spool.seek(0)
        head = spool.read(SNIFF_BYTES)
        kind = FILE_TYPES[ext]
        if not kind.matches(head, spool):
            raise refuse(f"{name} is not a real {kind.label}: its content looks like {describe(head)}.")
        if ext in ("docx", "xlsx", "pptx"):
            spool.seek(0)
            with zipfile.ZipFile(spool) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > UNPACKED_FACTOR * max_bytes:
                raise refuse(f"{name} unpacks to far more data than its size suggests.")
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return CheckedUpload(filename=name, type=FILE_TYPES[ext], size=size, data=spool)


class Storage(Protocol):
    """Where files live. Keys are 'folder/sub/<hex>.<ext>', made by `save`."""

    def put(self, key: str, data: IO[bytes]) -> None: ...

    def open(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...


def check_key(key: str) -> str:
    """Keys are lower-case words separated by '/', the last one '<hex>.<ext>': no path tricks."""
    parts = key.split("/") if isinstance(key, str) else []
    if len(parts) < 2 or any(not p or not set(p) <= KEY_CHARS for p in parts[:-1]):
        raise ValueError(f"bad storage key {key!r}")
    stem, dot, ext = parts[-1].partition(".")
    if not dot or not stem or not set(stem) <= set("0123456789abcdef") or not ext.isalnum():
        raise ValueError(f"bad storage key {key!r}")
    return key


class LocalStorage:
    """Files on the local disk under `root`."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        if self.root not in path.parents:
            raise ValueError(f"bad storage key {key!r}")
        return path

    def put(self, key: str, data: IO[bytes]) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(path.suffix + ".part")
        with partial.open("wb") as out:
            shutil.copyfileobj(data, out)
        partial.replace(path)

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


def storage() -> Storage:
    """The app's storage: `STORAGE` if configured (an object), else local disk at STORAGE_ROOT."""
    configured = current_app.config.get("STORAGE")
    if configured is not None:
        return configured
    root = current_app.config.get("STORAGE_ROOT") or str(Path(current_app.instance_path) / "uploads")
    cache: dict[str, LocalStorage] = current_app.extensions.setdefault("local_storage", {})
    if root not in cache:
        cache[root] = LocalStorage(Path(root))
    return cache[root]


def save(upload: CheckedUpload, folder: str) -> str:
    """Store a checked upload under a new random key in `folder`; returns the key. If the
    current transaction rolls back, the file is deleted again."""
    key = check_key(f"{folder}/{uuid.uuid4().hex}.{upload.type.extension}")
    target = storage()
    db.session.connection()  # begin the transaction now, so that its rollback is seen
    upload.data.seek(0)
    target.put(key, upload.data)
    db.session().info.setdefault("storage_new", []).append((target, key))
    return key


def delete_after_commit(key: str) -> None:
    """Delete a stored file once the transaction that forgets it has committed."""
    db.session().info.setdefault("storage_doomed", []).append((storage(), key))


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    session.info.pop("storage_new", None)
    for target, key in session.info.pop("storage_doomed", []):
        target.delete(key)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous_transaction: Any) -> None:
    if session.in_transaction():
        return
    session.info.pop("storage_doomed", None)
    for target, key in session.info.pop("storage_new", []):
        target.delete(key)
