"""Which files a room accepts: a table of names, sizes and first bytes (no database)."""

from __future__ import annotations

import pytest

from parley.documents.policy import check_upload, clean_name
from parley.errors import BadInput

MB = 1024 * 1024


@pytest.mark.parametrize(
    ("name", "head", "content_type"),
    [
        ("offer.pdf", b"%PDF-1.7\n", "application/pdf"),
        ("photo.JPG", b"\xff\xd8\xff\xe0", "image/jpeg"),
        ("plan.png", b"\x89PNG\r\n\x1a\n....", "image/png"),
        ("notes.txt", "Café prices".encode(), "text/plain; charset=utf-8"),
        (
            "draft.docx",
            b"PK\x03\x04rest",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_an_allowed_file_gets_the_type_parley_decides(
    name: str, head: bytes, content_type: str
) -> None:
    assert check_upload(name, 10, head, max_bytes=MB).content_type == content_type


@pytest.mark.parametrize(
    ("name", "size", "head", "code"),
    [
        ("empty.pdf", 0, b"", "empty_file"),
        ("big.pdf", MB + 1, b"%PDF-", "file_too_large"),
        ("run.exe", 10, b"MZ", "file_type_not_allowed"),
        ("page.html", 10, b"<html>", "file_type_not_allowed"),
        ("noextension", 10, b"%PDF-", "file_type_not_allowed"),
        ("fake.pdf", 10, b"<script>", "file_type_mismatch"),
        ("fake.png", 10, b"%PDF-", "file_type_mismatch"),
        ("binary.txt", 10, b"\x00\x01\x02", "file_type_mismatch"),
    ],
)
def test_a_refused_file_says_why(name: str, size: int, head: bytes, code: str) -> None:
    with pytest.raises(BadInput) as refused:
        check_upload(name, size, head, max_bytes=MB)
    assert refused.value.code == code


def test_a_name_loses_its_directories_and_control_characters() -> None:
    assert clean_name("C:\\Users\\alice\\..\\offer.pdf") == "offer.pdf"
    assert clean_name("../../etc/passwd\x00.txt") == "passwd.txt"
    assert len(clean_name("a" * 300 + ".pdf")) == 200
    assert clean_name("a" * 300 + ".pdf").endswith(".pdf")
