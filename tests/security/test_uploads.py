"""Finding 9d: a file starting with `%PDF` or a PNG header and followed by HTML was stored
under the client's name (`.html`, `.svg`) and could be served as a page. Every upload is
checked by its bytes in one place (core/uploads.py), stored under a generated name with
the extension of what it really is, and served as a download of that type."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from reportlab.pdfgen import canvas

from maillage.core import uploads
from maillage.families import services as family_services
from maillage.families.models import Consent, ConsentMethod
from maillage.referrals import services as referral_services
from maillage.referrals.models import Attachment
from tests.families.conftest import care, practitioner  # noqa: F401 - shared fixtures

HTML = b"<html><body><script>fetch('/api/v1/families/').then(r=>r.text())</script></body></html>"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "white").save(out, format="JPEG")
    return out.getvalue()


def progressive_jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((64, 64), 40).convert("RGB").save(
        out, format="JPEG", progressive=True, quality=80
    )
    return out.getvalue()


def pdf_bytes() -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Formulaire de consentement signé")
    page.save()
    return out.getvalue()


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_text(text: bytes) -> bytes:
    png = png_bytes()
    # Insert a text chunk right after IHDR (8-byte signature + 25-byte IHDR chunk).
    return png[:33] + chunk(b"tEXt", b"Comment\x00" + text) + png[33:]


MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\nstartxref\n0\n%%EOF\n"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (png_bytes(), uploads.PNG),
        (jpeg_bytes(), uploads.JPEG),
        (progressive_jpeg_bytes(), uploads.JPEG),
        (pdf_bytes(), uploads.PDF),
        (MINIMAL_PDF, uploads.PDF),
        (MINIMAL_PDF.replace(b"%%EOF\n", b"%%EOF\r\n\r\n"), uploads.PDF),
    ],
    ids=["png", "jpeg", "progressive-jpeg", "pdf", "minimal-pdf", "pdf-crlf"],
)
def test_real_files_are_recognized_by_their_bytes(data, kind):
    assert uploads.detect(data) == kind


POLYGLOTS = {
    "pdf-magic-then-html": b"%PDF-1.4\n" + HTML,
    "pdf-magic-then-html-with-eof": b"%PDF-1.4\n" + HTML + b"\nstartxref\n0\n%%EOF\n",
    "real-pdf-with-script-inside": pdf_bytes().replace(
        b"%%EOF", b"<script>alert(1)</script>\n%%EOF"
    ),
    "real-pdf-then-html": pdf_bytes() + HTML,
    "pdf-with-javascript-action": MINIMAL_PDF.replace(
        b"1 0 obj<<>>", b"1 0 obj<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>"
    ),
    "pdf-with-hex-escaped-javascript": MINIMAL_PDF.replace(
        b"1 0 obj<<>>", b"1 0 obj<</OpenAction<</S/J#61vaScript>>>>"
    ),
    "pdf-with-launch-action": MINIMAL_PDF.replace(b"1 0 obj<<>>", b"1 0 obj<</S/Launch>>"),
    "png-magic-then-html": b"\x89PNG\r\n\x1a\n" + HTML,
    "real-png-then-html": png_bytes() + HTML,
    "png-with-script-in-a-text-chunk": png_with_text(b"<ScRiPt>alert(1)</script>"),
    "png-with-svg-in-a-text-chunk": png_with_text(b"<svg onload=alert(1)>"),
    "png-with-a-bad-checksum": png_bytes()[:-5] + b"\x00" + png_bytes()[-4:],
    "truncated-png": png_bytes()[:40],
    "jpeg-magic-then-html": b"\xff\xd8\xff\xe0" + HTML,
    "real-jpeg-then-html": jpeg_bytes() + HTML,
    "truncated-jpeg": jpeg_bytes()[:-2],
    "svg": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>',
    "html": HTML,
    "html-with-bom": b"\xef\xbb\xbf" + HTML,
    "gif": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    "empty": b"",
    "windows-program": b"MZ\x90\x00 not a pdf",
}


@pytest.mark.parametrize("data", POLYGLOTS.values(), ids=POLYGLOTS.keys())
def test_anything_else_is_refused_with_a_clear_message(data):
    assert uploads.detect(data) is None
    upload = SimpleUploadedFile("formulaire.pdf", data, "application/pdf")
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(upload, field="scan", max_bytes=5 * 1024 * 1024)
    assert "formulaire.pdf" in error.value.message_dict["scan"][0]


def test_a_file_too_large_is_refused_before_it_is_read():
    upload = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * 2048)
    with pytest.raises(ValidationError) as error:
        uploads.check_upload(upload, field="attachments", max_bytes=1024)
    assert "big.pdf" in error.value.message_dict["attachments"][0]


def consent_with(care, scan):  # noqa: F811
    return family_services.record_consent(
        by=care["users"]["owner"],
        family=care["family"],
        given_by=care["mother"],
        organizations=[care["orgs"]["crd"]],
        categories=["identity"],
        purpose="Suivi conjoint",
        method=ConsentMethod.SIGNED_FORM,
        scan=scan,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("data", list(POLYGLOTS.values())[:4], ids=list(POLYGLOTS)[:4])
def test_consent_scan_that_is_a_web_page_is_refused(care, data):  # noqa: F811
    before = Consent.objects.count()
    with pytest.raises(ValidationError) as error:
        consent_with(care, SimpleUploadedFile("scan.html", data, "text/html"))
    assert "scan" in error.value.message_dict
    assert Consent.objects.count() == before


@pytest.mark.django_db
def test_consent_scan_is_stored_and_served_as_what_it_really_is(care, client):  # noqa: F811
    consent = consent_with(care, SimpleUploadedFile("signed.html", png_bytes(), "text/html"))

    stored = consent.scan.name.rsplit("/", 1)[-1]
    assert stored.endswith(".png")
    assert "signed" not in stored and "html" not in stored
    client.force_login(care["users"]["owner"])
    response = client.get(reverse("families:consent_scan", args=[care["family"].id, consent.id]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Disposition"].endswith('.png"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == png_bytes()


@pytest.mark.django_db
def test_a_file_stored_before_the_check_is_served_as_an_opaque_download(care, client):  # noqa: F811
    consent = care["consent"]
    consent.scan.save("legacy.html", ContentFile(HTML), save=False)
    Consent.objects.filter(pk=consent.pk).update(scan=consent.scan.name)
    client.force_login(care["users"]["owner"])
    response = client.get(reverse("families:consent_scan", args=[care["family"].id, consent.id]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert ".html" not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_referral_attachment_is_checked_stored_and_served_the_same_way(care, client):  # noqa: F811
    with pytest.raises(ValidationError) as error:
        refer(care, [SimpleUploadedFile("note.svg", b"\x89PNG\r\n\x1a\n" + HTML)])
    assert "attachments" in error.value.message_dict

    referral = refer(care, [SimpleUploadedFile("photo.svg", jpeg_bytes(), "image/svg+xml")])
    item = Attachment.objects.get(referral=referral)
    assert item.file.name.endswith(".jpg")
    assert "photo" not in item.file.name.rsplit("/", 1)[-1]
    client.force_login(care["users"]["owner"])
    response = client.get(reverse("referrals:attachment", args=[referral.id, item.id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'attachment; filename="photo.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"


def refer(care, attachments):  # noqa: F811
    return referral_services.refer_family(
        by=care["users"]["owner"],
        family=care["family"],
        from_team=care["teams"]["perinatal"],
        to_team=care["teams"]["mother_child"],
        reason="Suivi en dépendance",
        attachments=attachments,
        send=False,
    )
