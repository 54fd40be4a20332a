"""A file sent to the console (an announcement's attachment): the multipart body read as a
stream, the file written as it arrives (never held in memory, never past its limit), and
what kind of file it is, told from its first bytes.

Nothing the browser says about the file is trusted: its name is only shown back (cleaned of
folders and control characters), never part of a path; its declared type is ignored. A file
is written only after the form's CSRF token has come (the token field comes first in every
form), into a folder private to the viewer (``storage/files.py``: 0700, files 0600).
"""

from __future__ import annotations

import contextlib
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from aiohttp import BodyPartReader, web
from multidict import MultiDict, MultiDictProxy

from bot.web.session import same_secret
from storage.files import private_dir, private_file

__all__ = [
    "MAX_PHOTO_BYTES",
    "MAX_UPLOAD_BYTES",
    "Attachment",
    "Upload",
    "UploadRefused",
    "attachment_kind",
    "read_multipart",
    "shown_name",
]

# The chat's limit: a bot downloads at most 20 MB of a file sent to it (Telegram and WhatsApp).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# WhatsApp takes images of at most 5 MB (Telegram photos 10 MB); a photo from the chat is
# always smaller, as the apps shrink it before sending.
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_FIELD_BYTES = 64 * 1024  # one text field (the announcement's text is at most 3,000)
MAX_PARTS = 300
# Past its limit a file is still read (not kept) so that the page can say what is wrong;
# a body longer than this is cut off with a plain error.
MAX_DRAIN_BYTES = 80 * 1024 * 1024
HEAD_BYTES = 512
CHUNK = 64 * 1024

_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"
_PDF = b"%PDF-"
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old Office formats
_OOXML = frozenset({".docx", ".xlsx", ".pptx"})
_OFFICE = frozenset({".doc", ".xls", ".ppt"})


class UploadRefused(Exception):
    """The body cannot be read as the console's form: an error page (``key`` in the catalog)."""

    def __init__(self, status: int, key: str) -> None:
        super().__init__(key)
        self.status = status
        self.key = key


@dataclass(frozen=True, slots=True)
class Upload:
    """The file field of a form as received: ``path`` holds it (a temporary file, deleted
    after the request unless the page moved it) unless it was empty or too big."""

    name: str  # as the browser gave it, cleaned for showing (see :func:`shown_name`)
    size: int  # bytes received
    head: bytes  # the first bytes, to tell the kind
    path: Path | None
    too_big: bool = False

    def discard(self) -> None:
        if self.path is not None:
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)


@dataclass(frozen=True, slots=True)
class Attachment:
    """What a received file may be sent as: its kind and the extension it is stored with."""

    kind: str  # "photo" | "document"
    suffix: str


def attachment_kind(head: bytes, name: str) -> Attachment | None:
    """The kind of a file from its first bytes (the name only picks among Office formats,
    which share their first bytes); None for anything but a photo (JPEG, PNG) or a document
    every channel delivers (PDF, Word, Excel, PowerPoint, plain text)."""
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    picture = ".jpg" if head.startswith(_JPEG) else ".png" if head.startswith(_PNG) else ""
    if picture:
        return Attachment("photo", picture)
    if head.startswith(_PDF):
        return Attachment("document", ".pdf")
    if head.startswith(_ZIP) and suffix in _OOXML:
        return Attachment("document", suffix)
    if head.startswith(_OLE) and suffix in _OFFICE:
        return Attachment("document", suffix)
    if suffix == ".txt" and _plain_text(head):
        return Attachment("document", ".txt")
    return None


def _plain_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:  # a character cut at the end of the head is fine
        return error.start >= len(head) - 3 and error.reason == "unexpected end of data"
    return True


def shown_name(raw: str) -> str:
    """A file name the browser sent, fit to show: percent-escapes read (browsers escape
    quotes and line breaks so), no folders, no control characters, at most 80 characters."""
    name = PurePosixPath(unquote(raw).replace("\\", "/")).name
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return name[:80] or "-"


async def read_multipart(
    request: web.Request, csrf: str, folder: Path | None
) -> tuple[MultiDictProxy[str], Upload | None]:
    """The text fields of a multipart form and its one file field (written under ``folder``,
    only when the CSRF token came before it and matches; None: this page takes no file)."""
    fields: MultiDict[str] = MultiDict()
    upload: Upload | None = None
    reader = await request.multipart()
    try:
        for _ in range(MAX_PARTS):
            part = await reader.next()
            if part is None:
                return MultiDictProxy(fields), upload
            if not isinstance(part, BodyPartReader) or not part.name:
                raise UploadRefused(400, "error_bad_request")
            if part.filename is None:
                fields.add(part.name, await _text(part))
                continue
            if not part.filename:  # a file field left empty
                await _text(part)
                continue
            if folder is None or upload is not None:
                raise UploadRefused(400, "error_bad_request")
            if not same_secret(fields.get("csrf", ""), csrf):
                raise UploadRefused(403, "error_csrf")
            upload = await _store(part, folder)
        raise UploadRefused(400, "error_bad_request")
    except BaseException:
        if upload is not None:
            upload.discard()
        raise


async def _text(part: BodyPartReader) -> str:
    data = bytearray()
    while chunk := await part.read_chunk(CHUNK):
        data += chunk
        if len(data) > MAX_FIELD_BYTES:
            raise UploadRefused(413, "error_bad_request")
    return data.decode("utf-8", errors="replace")


async def _store(part: BodyPartReader, folder: Path) -> Upload:
    """Write the file part to a temporary file in ``folder``, at most :data:`MAX_UPLOAD_BYTES`
    of it (the rest is read and dropped)."""
    name = shown_name(part.filename or "")
    private_dir(folder)
    path = private_file(folder / f".upload-{secrets.token_hex(8)}.part")
    size = 0
    head = b""
    try:
        with path.open("wb") as out:
            while chunk := await part.read_chunk(CHUNK):
                size += len(chunk)
                if len(head) < HEAD_BYTES:
                    head = (head + chunk)[:HEAD_BYTES]
                if size > MAX_DRAIN_BYTES:
                    raise UploadRefused(413, "error_upload_too_big")
                if size <= MAX_UPLOAD_BYTES:
                    out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if size == 0 or size > MAX_UPLOAD_BYTES:
        path.unlink(missing_ok=True)
        return Upload(name, size, head, None, too_big=size > MAX_UPLOAD_BYTES)
    return Upload(name, size, head, path)
