"""File storage and upload checks: types, sizes, sniffed content, path tricks, rollback."""
from __future__ import annotations

import io
import zipfile

import pytest

from portal import storage
from portal.extensions import db
from tests.opportunities.campaigns.builders import GIF, JPEG, PDF, PNG, office
from tests.opportunities.campaigns.conftest import stored_files

ALL = ("pdf", "png", "jpg", "jpeg", "gif", "webp", "docx", "xlsx", "pptx")


def check(name: str, data: bytes, max_bytes: int = 10_000, allowed: tuple[str, ...] = ALL) -> storage.CheckedUpload:
    return storage.check_upload(name, io.BytesIO(data), allowed=allowed, max_bytes=max_bytes)


@pytest.mark.parametrize("name,data,content_type", [
    ("flyer.pdf", PDF, "application/pdf"), ("logo.PNG", PNG, "image/png"), ("photo.jpg", JPEG, "image/jpeg"),
    ("photo.jpeg", JPEG, "image/jpeg"), ("anim.gif", GIF, "image/gif"),
    ("tile.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 16, "image/webp"),
    ("brief.docx", office("word/"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("figures.xlsx", office("xl/"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("deck.pptx", office("ppt/"), "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("Präsentation Frühjahr.pdf", PDF, "application/pdf"),
])
def test_accepted_files(name, data, content_type):
    upload = check(name, data)
    assert upload.content_type == content_type and upload.size == len(data) and upload.filename == name
    assert upload.data.read() == data


@pytest.mark.parametrize("name,data,message", [
    ("tool.exe", b"MZ\x90\x00", "Files of type .exe are not accepted (tool.exe): upload .pdf, .png"),
    ("page.html", b"<html></html>", "Files of type .html are not accepted"),
    ("image.svg", b"<svg/>", "Files of type .svg are not accepted"),
    ("README", b"hello", "Files without an extension are not accepted"),
    ("old.doc", b"\xd0\xcf\x11\xe0" + b"\x00" * 8, "Files of type .doc are not accepted"),
    ("fake.pdf", PNG, "fake.pdf is not a real PDF document: its content looks like a PNG image."),
    ("fake.png", PDF, "fake.png is not a real PNG image: its content looks like a PDF document."),
    ("fake.jpg", b"MZ\x90\x00" + b"\x00" * 20, "is not a real JPEG image: its content looks like a Windows program"),
    ("fake.gif", b"plain words", "is not a real GIF image: its content looks like plain text"),
    ("report.pdf", b"<script>alert(1)</script>", "looks like HTML or XML text"),
    ("fake.docx", PDF, "fake.docx is not a real Word document"),
    ("sheet.docx", office("xl/"), "sheet.docx is not a real Word document: its content looks like a ZIP archive"),
    ("broken.xlsx", b"PK\x03\x04garbage", "broken.xlsx is not a real Excel workbook"),
    ("empty.pdf", b"", "empty.pdf is empty."),
])
def test_refused_files(name, data, message):
    with pytest.raises(storage.UploadRejected) as exc:
        check(name, data)
    assert message in exc.value.message and exc.value.status == 422
    assert exc.value.fields["file"] == exc.value.message


def test_over_the_size_limit():
    with pytest.raises(storage.UploadRejected) as exc:
        check("big.pdf", PDF + b"x" * 2000, max_bytes=1024)
    assert exc.value.message == "big.pdf is larger than the 1,024 bytes limit."
    assert check("ok.pdf", PDF, max_bytes=len(PDF)).size == len(PDF)
    assert storage.size_text(20 * 1024 * 1024) == "20 MB"


def test_zip_bomb_office_files_are_refused():
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "0" * 5_000_000)
    with pytest.raises(storage.UploadRejected, match="unpacks to far more data"):
        check("bomb.docx", data.getvalue(), max_bytes=100_000)


@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "..\\..\\boot.pdf", "folder/flyer.pdf",
                                  "C:\\Users\\me\\flyer.pdf", "/etc/flyer.pdf", "..pdf", "flyer..pdf"])
def test_path_tricks_are_refused(name):
    with pytest.raises(storage.UploadRejected) as exc:
        check(name, PDF)
    assert "folder path" in exc.value.message


@pytest.mark.parametrize("name,message", [("bad\x00name.pdf", "control characters"), ("new\nline.pdf", "control"),
                                          (".hidden.pdf", "must not start with a dot"),
                                          ("x" * 300 + ".pdf", "longer than 200"), ("   ", "no name")])
def test_bad_names_are_refused(name, message):
    with pytest.raises(storage.UploadRejected, match=message):
        check(name, PDF)


def test_only_the_allowed_types_of_the_purpose():
    with pytest.raises(storage.UploadRejected, match="upload .pdf or .png"):
        check("photo.gif", GIF, allowed=("pdf", "png"))


@pytest.mark.parametrize("key", ["../x/0a.pdf", "a/../../0a.pdf", "a/0a.pdf/../b", "/abs/0a.pdf", "a//0a.pdf",
                                 "A/0a.pdf", "a/zz.pdf", "a/0a", "a/0a.p/f", "0a.pdf", "a/0a.pdf\x00"])
def test_storage_keys_cannot_leave_the_root(key, storage_root):
    local = storage.LocalStorage(storage_root)
    with pytest.raises(ValueError):
        local.open(key)


def test_local_storage_round_trip(storage_root):
    local = storage.LocalStorage(storage_root)
    local.put("campaigns/assets/0abc.pdf", io.BytesIO(PDF))
    assert local.exists("campaigns/assets/0abc.pdf")
    with local.open("campaigns/assets/0abc.pdf") as handle:
        assert handle.read() == PDF
    local.delete("campaigns/assets/0abc.pdf")
    assert not local.exists("campaigns/assets/0abc.pdf") and stored_files(storage_root) == []


def test_saved_files_get_a_random_key_and_vanish_on_rollback(app, storage_root):
    key = storage.save(check("../flyer.pdf".lstrip("./"), PDF), "campaigns/assets")
    assert key.startswith("campaigns/assets/") and key.endswith(".pdf") and "flyer" not in key
    assert len(stored_files(storage_root)) == 1
    db.session.rollback()
    assert stored_files(storage_root) == []
    kept = storage.save(check("flyer.pdf", PDF), "campaigns/assets")
    db.session.commit()
    assert storage.storage().exists(kept)
    storage.delete_after_commit(kept)
    assert storage.storage().exists(kept)  # not before the commit
    db.session.commit()
    assert not storage.storage().exists(kept)


def test_another_storage_can_be_configured(app):
    class Memory:
        def __init__(self) -> None:
            self.files: dict[str, bytes] = {}

        def put(self, key, data):
            self.files[key] = data.read()

        def open(self, key):
            return io.BytesIO(self.files[key])

        def delete(self, key):
            self.files.pop(key, None)

        def exists(self, key):
            return key in self.files

    memory = Memory()
    app.config["STORAGE"] = memory
    try:
        key = storage.save(check("deck.pptx", office("ppt/")), "campaigns/assets")
        assert storage.storage() is memory and memory.files[key] == office("ppt/")
        db.session.rollback()
        assert memory.files == {}
    finally:
        app.config.pop("STORAGE")
