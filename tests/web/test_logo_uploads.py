"""Uploads are decoded once and bounded (issue 10): a logo is opened with a pixel limit,
refused with a clear message when it is not an image, damaged or too large, and stored
as a downscaled copy without metadata; PDFs only ever read that copy, and an old logo
that cannot be decoded leaves the PDF without it instead of failing it."""
from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from cmr_app.extensions import db
from tests.conftest import sample_document


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int, height: int) -> bytes:
    """A real, complete PNG of width × height black-and-white pixels, all zero: it packs
    into a few kilobytes and would unpack to width × height pixels in memory."""
    packer = zlib.compressobj(9)
    row = b"\x00" + bytes((width + 7) // 8)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + _chunk(b"IDAT", data) + _chunk(b"IEND", b""))


def picture(size, fmt="PNG", mode="RGB", **save) -> bytes:
    image = Image.new(mode, size)
    # Stripes, so the picture is not one flat colour and the downscaling has work to do.
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 7):
        draw.line([(x, 0), (x, size[1] - 1)], fill=(200, 30, 30) if mode == "RGB" else (200, 30, 30, 120))
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def upload(client, content: bytes, name="logo.png"):
    return client.post("/settings/logo", data={"logo": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def stored_logo(app, user):
    from cmr_app.models import Company
    with app.app_context():
        company = db.session.get(Company, user.company_id)
        return company.logo, company.logo_mime


def field_error(client, response) -> str:
    """The logo field of the page the refused upload redirects to (post/redirect/get)."""
    assert response.headers["Location"].endswith("/settings#company")
    page = client.get("/settings").get_data(as_text=True)
    return re.search(r'name="logo".*?</div>', page, re.S).group(0)


def test_an_image_bomb_is_refused_before_it_is_decoded(app, client, owner):
    bomb = png_bomb(12000, 12000)
    assert len(bomb) < 200_000  # small on the wire: only the declared size gives it away
    response = upload(client, bomb)
    assert response.status_code == 303
    assert "The image is too large: at most 16 megapixels, e.g. 4000 × 4000." in field_error(client, response)
    assert stored_logo(app, owner) == (None, "")


def test_an_image_over_our_limit_but_under_pillows_is_refused_too(app, client, owner):
    response = upload(client, png_bomb(5000, 5000))  # 25 megapixels: Pillow itself would not object
    assert response.status_code == 303 and "The image is too large" in field_error(client, response)
    assert stored_logo(app, owner) == (None, "")


@pytest.mark.parametrize("content", [
    b"GIF89a\x01\x00\x01\x00",                       # another format
    b"%PDF-1.7 not a picture at all",
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,            # only starts like a PNG
    b"\xff\xd8\xff\xe0" + b"\x00" * 100,             # only starts like a JPEG
])
def test_a_file_that_is_not_an_image_is_refused(app, client, owner, content):
    response = upload(client, content)
    assert response.status_code == 303 and "Choose a PNG or JPEG file." in field_error(client, response)
    assert stored_logo(app, owner) == (None, "")


def test_a_truncated_png_is_refused_as_damaged(app, client, owner):
    whole = picture((300, 200))
    response = upload(client, whole[:len(whole) // 2])
    assert response.status_code == 303
    assert "The image cannot be read: the file is damaged or incomplete." in field_error(client, response)
    assert stored_logo(app, owner) == (None, "")


def test_a_file_over_one_megabyte_is_refused(app, client, owner):
    response = upload(client, picture((200, 100)) + b"0" * 1024 * 1024)
    assert response.status_code == 303 and "The file may be at most 1 MB." in field_error(client, response)


def test_a_large_valid_image_is_stored_downscaled_and_re_encoded(app, client, owner):
    sent = picture((3000, 1500))
    response = upload(client, sent)
    assert response.status_code == 303
    logo, mime = stored_logo(app, owner)
    assert logo != sent and mime == "image/png"
    stored = Image.open(io.BytesIO(logo))
    assert stored.format == "PNG" and stored.size == (1200, 600)
    assert client.get("/settings/logo").data == logo


def test_a_photo_keeps_jpeg_loses_its_metadata_and_stands_upright(app, client, owner):
    exif = Image.Exif()
    exif[0x0112] = 6            # Orientation: rotate 90° to display
    exif[0x010F] = "SpyCam"     # Make
    sent = picture((400, 200), "JPEG", exif=exif.tobytes(), icc_profile=b"\x00" * 128)
    assert upload(client, sent).status_code == 303
    logo, mime = stored_logo(app, owner)
    stored = Image.open(io.BytesIO(logo))
    assert mime == "image/jpeg" and stored.format == "JPEG"
    assert stored.size == (200, 400)
    assert not stored.getexif() and "icc_profile" not in stored.info and b"SpyCam" not in logo


def test_a_phone_photo_with_an_embedded_second_picture_is_stored_as_jpeg(app, client, owner):
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1200), (10, 90, 30)).save(buffer, "MPO", save_all=True,
                                                     append_images=[Image.new("RGB", (240, 120))])
    assert upload(client, buffer.getvalue(), "photo.jpg").status_code == 303
    logo, mime = stored_logo(app, owner)
    stored = Image.open(io.BytesIO(logo))
    assert mime == "image/jpeg" and stored.format == "JPEG" and stored.size == (1200, 600)


def test_transparency_is_kept(app, client, owner):
    assert upload(client, picture((500, 250), mode="RGBA")).status_code == 303
    logo, mime = stored_logo(app, owner)
    stored = Image.open(io.BytesIO(logo))
    assert mime == "image/png" and stored.mode == "RGBA" and stored.getextrema()[3][0] < 255


def _image_widths(pdf: bytes) -> list[int]:
    widths = []

    def walk(resources):
        for obj in ((resources or {}).get("/XObject") or {}).values():
            obj = obj.get_object()
            if obj.get("/Subtype") == "/Image":
                widths.append(int(obj["/Width"]))
            elif obj.get("/Subtype") == "/Form":
                walk(obj.get("/Resources"))
    walk(PdfReader(io.BytesIO(pdf)).pages[0].get("/Resources"))
    return widths


def test_the_pdf_prints_the_bounded_logo(app, client, owner, api_for, set_features):
    set_features(owner, "company_logo")
    assert upload(client, picture((4000, 2000))).status_code == 303
    api = api_for(owner)
    doc = api.post("/documents", json=sample_document()).get_json()
    response = api.get(f"/documents/{doc['id']}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 1200 in _image_widths(response.data)
    assert max(_image_widths(response.data)) <= 1200


def _store_raw_logo(app, user, content: bytes, mime="image/png"):
    from cmr_app.models import Company
    with app.app_context():
        company = db.session.get(Company, user.company_id)
        company.logo, company.logo_mime = content, mime
        db.session.commit()


def test_an_undecodable_logo_saved_before_this_change_does_not_break_pdfs(app, client, owner, api_for,
                                                                          set_features):
    set_features(owner, "company_logo")
    api = api_for(owner)
    doc = api.post("/documents", json=sample_document()).get_json()
    without = api.get(f"/documents/{doc['id']}/pdf")
    for broken in (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, picture((300, 200))[:400], png_bomb(12000, 12000)):
        _store_raw_logo(app, owner, broken)
        response = api.get(f"/documents/{doc['id']}/pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert len(_image_widths(response.data)) == len(_image_widths(without.data))


def test_the_migration_re_encodes_stored_logos_and_drops_undecodable_ones(app, make_account):
    """Revision 0007 run for real on this database: down to the revision before it, the
    logos as the old code stored them, and up again."""
    from flask_migrate import downgrade, upgrade
    large, broken, bomb, plain = make_account(), make_account(), make_account(), make_account()
    with app.app_context():
        db.session.remove()
        downgrade(revision="0007-1")
        try:
            from sqlalchemy import text
            with db.engine.begin() as conn:
                for user, content in ((large, picture((3000, 1500))),
                                      (broken, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
                                      (bomb, png_bomb(12000, 12000))):
                    conn.execute(text("UPDATE companies SET logo = :logo, logo_mime = 'image/png' WHERE id = :id"),
                                 {"logo": content, "id": user.company_id})
        finally:
            upgrade()
    logo, mime = stored_logo(app, large)
    assert mime == "image/png" and Image.open(io.BytesIO(logo)).size == (1200, 600)
    assert stored_logo(app, broken) == (None, "")
    assert stored_logo(app, bomb) == (None, "")
    assert stored_logo(app, plain) == (None, "")


def test_the_api_takes_a_logo_and_refuses_what_is_not_one(app, owner, api_for):
    api = api_for(owner)
    bomb = api.put("/account/logo", data=png_bomb(12000, 12000), headers={"Content-Type": "image/png"})
    assert bomb.status_code == 422
    assert bomb.get_json()["error"]["code"] == "validation_error"
    assert bomb.get_json()["error"]["details"]["logo"] == [
        "The image is too large: at most 16 megapixels, e.g. 4000 × 4000."]
    fake = api.put("/account/logo", data=b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, headers={"Content-Type": "image/png"})
    assert fake.status_code == 422 and fake.get_json()["error"]["details"]["logo"] == ["Choose a PNG or JPEG file."]
    assert stored_logo(app, owner) == (None, "")
    good = api.put("/account/logo", data=picture((2400, 600)), headers={"Content-Type": "image/png"})
    assert good.status_code == 200
    assert good.get_json() == {"logo": {"mime": "image/png", "width": 1200, "height": 300}}
    assert Image.open(io.BytesIO(stored_logo(app, owner)[0])).size == (1200, 300)
    assert api.delete("/account/logo").status_code == 204
    assert stored_logo(app, owner) == (None, "")


def test_the_logo_refusal_speaks_the_users_language(app, client, owner):
    client.post("/settings/account", data={"language": "pl"})
    response = upload(client, png_bomb(12000, 12000))
    assert "Obraz jest za duży: najwyżej 16 megapikseli" in field_error(client, response)
