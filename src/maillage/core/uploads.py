"""Uploaded files (consent scans, referral attachments): the one place that decides what a
file is, how it is stored and how it is served.

A file is what its bytes are, never what its name or the browser says: a PDF, PNG or JPEG
whose whole structure checks out (not just its first bytes), with nothing a browser could
run or render as a page. It is stored under a generated name whose extension comes from
what was detected, and served as a download of that type that no browser may sniff,
render inline or script."""

import io
import re
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str


PDF = FileKind("application/pdf", ".pdf")
PNG = FileKind("image/png", ".png")
JPEG = FileKind("image/jpeg", ".jpg")
# What a stored file that fails the check today (kept from before it) is served as.
OPAQUE = FileKind("application/octet-stream", ".bin")

# Markup a browser would render or run if it ever took the file for a page. Only markers
# long enough not to turn up by chance in compressed image or PDF data (a bare "<a " would
# appear a few times in any 5 MB photo) are looked for; the way files are served (below)
# is what keeps a page from being rendered, this only refuses obvious polyglots.
ACTIVE_MARKUP = re.compile(
    rb"<(?:script|html|head|body|svg|img|iframe|frame|object|embed|meta|link|style|form|base"
    rb"|video|audio|math|template|!doctype|\?xml-stylesheet)(?=[\s/>])"
    rb"|<!doctype|javascript:|vbscript:|onerror\s*=|onload\s*=",
    re.IGNORECASE,
)
# PDF features that run code, open other files or carry other files.
PDF_ACTIVE_NAMES = {
    b"JavaScript",
    b"JS",
    b"Launch",
    b"EmbeddedFile",
    b"EmbeddedFiles",
    b"RichMedia",
    b"XFA",
    b"ImportData",
    b"SubmitForm",
}
PDF_NAME = re.compile(rb"/([^\s/<>\[\]()%{}\x00]+)")
PDF_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
# Inflating a PDF's streams to look inside them stops there (a zip bomb stays a bomb).
PDF_INFLATE_BUDGET = 50 * 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TRAILING_PADDING = b" \t\r\n\x0c\x00"

# Why a file was refused.
NOT_ACCEPTED, DAMAGED, ACTIVE = "type", "damaged", "active"


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    kind: FileKind
    name: str  # the client's name, for messages and a download name only


def _png_is_whole(data: bytes) -> bool:
    """Chunks from IHDR to IEND, each with a valid checksum, and nothing after IEND."""
    i, first = len(PNG_SIGNATURE), True
    while i + 12 <= len(data):
        length = int.from_bytes(data[i : i + 4], "big")
        kind = data[i + 4 : i + 8]
        end = i + 12 + length
        if not kind.isalpha() or end > len(data):
            return False
        if zlib.crc32(data[i + 4 : end - 4]) != int.from_bytes(data[end - 4 : end], "big"):
            return False
        if first and (kind != b"IHDR" or length != 13):
            return False
        first, i = False, end
        if kind == b"IEND":
            return i == len(data)
    return False


def _jpeg_is_whole(data: bytes) -> bool:
    """Marker segments with coherent lengths, at least one scan, and the end-of-image
    marker as the last thing in the file."""
    i, n, scanned = 2, len(data), False
    while i < n:
        if data[i] != 0xFF:
            return False
        while i < n and data[i] == 0xFF:  # fill bytes before a marker
            i += 1
        if i >= n:
            return False
        marker = data[i]
        i += 1
        if marker == 0xD9:  # end of image
            return scanned and not data[i:].strip(TRAILING_PADDING)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            continue
        if i + 2 > n:
            return False
        length = int.from_bytes(data[i : i + 2], "big")
        if length < 2 or i + length > n:
            return False
        i += length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            scanned = True
            while True:
                j = data.find(b"\xff", i)
                if j < 0 or j + 1 >= n:
                    return False
                following = data[j + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:  # stuffed byte, restart
                    i = j + 2
                    continue
                i = j
                break
    return False


def _pdf_names(chunk: bytes) -> set[bytes]:
    return {
        PDF_HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        for match in PDF_NAME.finditer(chunk)
    }


def _pdf_has_active_content(data: bytes) -> bool:
    """Looks at the PDF's dictionaries, and inside its compressed streams (object streams
    hide dictionaries there), for features that run code or carry other files."""
    outside_streams = PDF_STREAM.sub(b"stream\nendstream", data)
    if _pdf_names(outside_streams) & PDF_ACTIVE_NAMES:
        return True
    budget = PDF_INFLATE_BUDGET
    for stream in PDF_STREAM.finditer(data):
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(stream.group(1), budget)
        except zlib.error:
            continue  # not a Flate stream (an image, say): no dictionaries inside
        budget -= len(inflated)
        if budget <= 0:
            return True  # more than any signed form needs: refuse rather than guess
        if _pdf_names(inflated) & PDF_ACTIVE_NAMES:
            return True
    return False


def _pdf_is_whole(data: bytes) -> bool:
    """A version header at the start, a cross-reference pointer and the end-of-file marker
    at the end, nothing but padding after it."""
    if not re.match(rb"%PDF-[12]\.\d", data):
        return False
    tail = data[-2048:]
    end = tail.rfind(b"%%EOF")
    return end >= 0 and b"startxref" in tail[:end] and not tail[end + 5 :].strip(TRAILING_PADDING)


def inspect(data: bytes) -> tuple[FileKind | None, str]:
    """What the bytes are, or why they are refused (NOT_ACCEPTED, DAMAGED, ACTIVE)."""
    if data.startswith(b"%PDF-"):
        kind, whole = PDF, _pdf_is_whole(data)
    elif data.startswith(PNG_SIGNATURE):
        kind, whole = PNG, _png_is_whole(data)
    elif data.startswith(b"\xff\xd8\xff"):
        kind, whole = JPEG, _jpeg_is_whole(data)
    else:
        return None, NOT_ACCEPTED
    if not whole:
        return None, DAMAGED
    if ACTIVE_MARKUP.search(data) or (kind is PDF and _pdf_has_active_content(data)):
        return None, ACTIVE
    return kind, ""


def detect(data: bytes) -> FileKind | None:
    return inspect(data)[0]


def check_upload(upload, *, field: str, max_bytes: int) -> CheckedFile:
    """The upload's bytes and what they are, or a ValidationError on `field` saying why
    it is refused."""
    name = Path(upload.name or "").name[-80:]
    if upload.size > max_bytes:
        raise ValidationError(
            {
                field: _("“%(name)s” is too large (at most %(size)s).")
                % {"name": name, "size": filesizeformat(max_bytes)}
            }
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    kind, reason = inspect(data)
    if kind is not None:
        return CheckedFile(data=data, kind=kind, name=name)
    messages = {
        NOT_ACCEPTED: _("“%(name)s” must be a PDF, PNG or JPEG file."),
        DAMAGED: _(
            "“%(name)s” is damaged or incomplete. Save it again as a PDF, PNG or JPEG file "
            "and upload the new copy."
        ),
        ACTIVE: _(
            "“%(name)s” contains web page content or scripts, which are not accepted. "
            "Save it again as a plain PDF, PNG or JPEG file (for example by printing it "
            "to PDF)."
        ),
    }
    raise ValidationError({field: messages[reason] % {"name": name}})


def store(field_file: FieldFile, checked: CheckedFile) -> None:
    """Saves the file under a generated name with the extension of what it is (the model
    is saved by the caller)."""
    field_file.save(
        f"{uuid.uuid4().hex}{checked.kind.extension}", ContentFile(checked.data), save=False
    )


def download_name(stem: str, kind: FileKind) -> str:
    safe = re.sub(r"[^\w\- ]", "_", Path(stem).name).strip(" ._") or "file"
    return f"{safe[:80]}{kind.extension}"


def download_response(field_file: FieldFile, *, filename_stem: str) -> FileResponse:
    """The stored file as a download, typed by what its bytes are today (a file stored
    before these checks and failing them goes out as opaque bytes)."""
    with field_file.open("rb") as stored:
        data = stored.read()
    kind = detect(data) or OPAQUE
    response = FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=download_name(filename_stem, kind),
        content_type=kind.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    # Even opened in the browser's own tab, it may run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
