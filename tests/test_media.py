import io

import pytest
from PIL import Image

from clipcart.errors import ValidationFailed
from clipcart.media import LocalStorage, store_image


def _image_bytes(fmt: str, size: tuple[int, int] = (640, 480)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 90)).save(out, fmt)
    return out.getvalue()


def test_images_are_validated_by_content_and_get_thumbnails(tmp_path):
    storage = LocalStorage(tmp_path)
    stored = store_image(_image_bytes("PNG"), "products/1", storage=storage)
    assert stored.content_type == "image/png"
    assert (stored.width, stored.height) == (640, 480)
    thumb = Image.open(io.BytesIO(storage.get(stored.thumb_key)))
    assert thumb.size == (320, 240)
    assert storage.url(stored.key) == f"/media/{stored.key}"


@pytest.mark.parametrize("data", [b"", b"GIF89a not really", b"%PDF-1.4 fake", b"\x89PNG\r\n\x1a\n"
                                  + b"\x00" * 40])
def test_files_that_are_not_images_are_refused(tmp_path, data):
    with pytest.raises(ValidationFailed) as info:
        store_image(data, "products/1", storage=LocalStorage(tmp_path))
    assert info.value.field == "image"
    assert list(tmp_path.iterdir()) == []


def test_too_large_too_small_and_gif_images_are_refused(tmp_path):
    storage = LocalStorage(tmp_path)
    with pytest.raises(ValidationFailed) as big:
        store_image(_image_bytes("PNG"), "p", max_bytes=100, storage=storage)
    assert big.value.code == "IMAGE_TOO_LARGE"
    with pytest.raises(ValidationFailed) as small:
        store_image(_image_bytes("PNG", (50, 50)), "p", storage=storage)
    assert small.value.code == "IMAGE_TOO_SMALL"
    with pytest.raises(ValidationFailed) as gif:
        store_image(_image_bytes("GIF"), "p", storage=storage)
    assert gif.value.code == "IMAGE_TYPE"


def test_keys_cannot_escape_the_media_folder(tmp_path):
    with pytest.raises(ValueError):
        LocalStorage(tmp_path).put("../outside.png", b"x", "image/png")
