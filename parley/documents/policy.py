"""Which files a room accepts (R3.5 applies to documents through their entry).

Pure: no ORM, no HTTP. A file is accepted when its name's extension is on the list, its first
bytes match what that type must start with, and it is not larger than the limit. The stored
content type comes from this table, never from what the browser claimed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from parley.errors import BadInput

ZIP_MAGIC = (b"PK\x03\x04",)


@dataclass(frozen=True)
class FileType:
    content_type: str
    label: str
    magic: tuple[bytes, ...]  # the file starts with one of these; empty: checked as text


ALLOWED: dict[str, FileType] = {
    "pdf": FileType("application/pdf", "PDF", (b"%PDF-",)),
    "png": FileType("image/png", "PNG image", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": FileType("image/jpeg", "JPEG image", (b"\xff\xd8\xff",)),
    "jpeg": FileType("image/jpeg", "JPEG image", (b"\xff\xd8\xff",)),
    "txt": FileType("text/plain; charset=utf-8", "text file", ()),
    "docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word document",
        ZIP_MAGIC,
    ),
    "xlsx": FileType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel workbook",
        ZIP_MAGIC,
    ),
    "odt": FileType("application/vnd.oasis.opendocument.text", "OpenDocument text", ZIP_MAGIC),
}

HEAD_BYTES = 4096
MAX_NAME_CHARS = 200


def accepted_list() -> str:
    return ", ".join(sorted({f".{ext}" for ext in ALLOWED}))


def clean_name(name: str) -> str:
    """The name shown to readers: no directories, no control characters, bounded length."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if not name or name in (".", ".."):
        raise BadInput("bad_file_name", _("The file needs a name."))
    if len(name) > MAX_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME_CHARS - len(ext) - 1] + dot + ext) if dot else name[:MAX_NAME_CHARS]
    return name


def check_upload(name: str, size: int, head: bytes, *, max_bytes: int) -> FileType:
    """The accepted type of a file, or a refusal a person understands.

    `head` is the file's first bytes (up to HEAD_BYTES)."""
    if size <= 0:
        raise BadInput("empty_file", _("The file is empty."))
    if size > max_bytes:
        limit_mb = max_bytes / (1024 * 1024)
        raise BadInput(
            "file_too_large",
            _("Files can be at most %(limit)s MB.") % {"limit": f"{limit_mb:g}"},
        )
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    kind = ALLOWED.get(ext)
    if kind is None:
        raise BadInput(
            "file_type_not_allowed",
            _("This type of file is not accepted. Use %(types)s.") % {"types": accepted_list()},
        )
    if kind.magic:
        if not any(head.startswith(m) for m in kind.magic):
            raise BadInput(
                "file_type_mismatch",
                _("The file is named .%(ext)s but its content is not a %(label)s.")
                % {"ext": ext, "label": kind.label},
            )
    elif not _is_text(head):
        raise BadInput("file_type_mismatch", _("A .txt file must hold plain text (UTF-8)."))
    return kind


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The head may cut a multi-byte character in half at its very end.
        return exc.start >= len(head) - 3
    return True
