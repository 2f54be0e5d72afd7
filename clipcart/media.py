"""Media storage behind one interface: local disk by default, S3-compatible at scale.

Images are validated by their content (Pillow decodes them; the file name proves nothing),
limited in bytes and pixels, re-encoded (which drops metadata such as GPS EXIF) and given
a thumbnail. ``CLIPCART_MEDIA_URL`` chooses the backend: empty for ``<data dir>/media``, or
``s3://bucket/prefix?endpoint=https://...`` (needs ``pip install clipcart[s3]``).
"""

from __future__ import annotations

import io
import mimetypes
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlparse

from litestar import Request, route
from litestar.params import FromPath
from litestar.response import Response, Stream
from PIL import Image, UnidentifiedImageError

from clipcart.config import get_settings
from clipcart.errors import ValidationFailed

IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
MIN_IMAGE_SIDE = 100
THUMB_SIDE = 320


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def url(self, key: str) -> str: ...


def _safe_key(key: str) -> str:
    parts = [p for p in key.split("/") if p]
    if not parts or any(p in {".", ".."} or p.startswith(".") for p in parts):
        raise ValueError(f"unsafe media key {key!r}")
    return "/".join(parts)


class LocalStorage:
    """Files under a folder, served by the app at ``/media/<key>``."""

    def __init__(self, root: Path, base_url: str = "/media") -> None:
        self.root = root
        self.base_url = base_url.rstrip("/")

    def _path(self, key: str) -> Path:
        return self.root / _safe_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        tmp.write_bytes(data)
        os.replace(tmp, path)  # readers never see a half-written file

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def url(self, key: str) -> str:
        return f"{self.base_url}/{_safe_key(key)}"


class S3Storage:
    """An S3-compatible bucket (AWS S3, MinIO, R2, ...) through boto3."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None,
                 public_base_url: str | None = None) -> None:
        import boto3  # optional dependency: clipcart[s3]

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client: Any = boto3.client("s3", endpoint_url=endpoint_url)
        base = public_base_url or f"{(endpoint_url or 'https://s3.amazonaws.com').rstrip('/')}/{bucket}"
        self.base_url = base.rstrip("/")

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{_safe_key(key)}" if self.prefix else _safe_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data,
                               ContentType=content_type)

    def get(self, key: str) -> bytes:
        return bytes(self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read())

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def url(self, key: str) -> str:
        return f"{self.base_url}/{self._key(key)}"


def storage_from_url(url: str, local_root: Path) -> Storage:
    if not url:
        return LocalStorage(local_root)
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return LocalStorage(Path(parsed.path))
    if parsed.scheme == "s3":
        query = parse_qs(parsed.query)
        return S3Storage(parsed.netloc, parsed.path, query.get("endpoint", [""])[0] or None,
                         query.get("public_url", [""])[0] or None)
    raise SystemExit(f"CLIPCART_MEDIA_URL: unsupported scheme {parsed.scheme!r}")


@lru_cache(maxsize=1)
def get_storage() -> Storage:
    settings = get_settings()
    return storage_from_url(os.environ.get("CLIPCART_MEDIA_URL", ""), settings.media_dir)


@dataclass(frozen=True)
class StoredImage:
    key: str
    thumb_key: str
    width: int
    height: int
    content_type: str
    size_bytes: int


def _decode(data: bytes, max_bytes: int) -> Image.Image:
    if not data:
        raise ValidationFailed("The image is empty.", field="image")
    if len(data) > max_bytes:
        raise ValidationFailed(f"Images may be at most {max_bytes // (1024 * 1024)} MB.",
                               field="image", code="IMAGE_TOO_LARGE")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format or ""
            width, height = probe.size
            probe.verify()
        if fmt not in IMAGE_FORMATS:
            raise ValidationFailed("Images must be PNG, JPEG or WebP.", field="image",
                                   code="IMAGE_TYPE")
        if width * height > MAX_IMAGE_PIXELS:
            raise ValidationFailed("The image has too many pixels.", field="image",
                                   code="IMAGE_TOO_LARGE")
        if min(width, height) < MIN_IMAGE_SIDE:
            raise ValidationFailed(f"Images must be at least {MIN_IMAGE_SIDE}px on each side.",
                                   field="image", code="IMAGE_TOO_SMALL")
        image = Image.open(io.BytesIO(data))
        image.load()
        return image
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as exc:
        raise ValidationFailed("That file is not a readable image.", field="image",
                               code="IMAGE_TYPE") from exc


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
    elif fmt == "WEBP":
        image.save(out, "WEBP", quality=88)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def store_image(data: bytes, prefix: str, max_bytes: int = MAX_IMAGE_BYTES,
                storage: Storage | None = None) -> StoredImage:
    """Validate, re-encode and store an image and its thumbnail under ``prefix``."""
    image = _decode(data, max_bytes)
    fmt = image.format or "PNG"
    if fmt == "PNG" and image.mode not in {"RGB", "RGBA", "L", "LA", "P"}:
        image = image.convert("RGBA")
    clean = _encode(image, fmt)
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    thumb_bytes = _encode(thumb.convert("RGB"), "JPEG")
    store = storage or get_storage()
    name = secrets.token_hex(12)
    ext = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}[fmt]
    key = f"{_safe_key(prefix)}/{name}.{ext}"
    thumb_key = f"{_safe_key(prefix)}/{name}.thumb.jpg"
    store.put(key, clean, IMAGE_FORMATS[fmt])
    store.put(thumb_key, thumb_bytes, "image/jpeg")
    return StoredImage(key, thumb_key, image.width, image.height, IMAGE_FORMATS[fmt], len(clean))


def media_url(key: str | None) -> str | None:
    return get_storage().url(key) if key else None


# --- Serving local media, with HTTP range requests (browsers seek videos with them) ---

_CHUNK = 256 * 1024


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The inclusive byte range asked by a single-range ``Range`` header, or None when it
    asks several ranges (the whole file is then sent). Raises ``ValueError`` when the
    range is malformed or cannot be satisfied."""
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or not spec.strip():
        raise ValueError("not a bytes range")
    if "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash or not (first.isdigit() or last.isdigit()):
        raise ValueError("malformed range")
    if not first:  # the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise ValueError("empty suffix range")
        return max(0, size - length), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if (last and not last.isdigit()) or start >= size or end < start:
        raise ValueError("unsatisfiable range")
    return start, min(end, size - 1)


def _read(path: Path, start: int, length: int) -> Any:
    with path.open("rb") as fh:
        fh.seek(start)
        while length > 0:
            chunk = fh.read(min(_CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


def media_router(root: Path) -> Any:
    """``GET|HEAD /media/<key>`` for local storage: whole files (200) or one byte range
    (206 with ``Content-Range``); a range past the end answers 416."""
    @route("/media/{key:path}", http_method=["GET", "HEAD"], include_in_schema=False,
           name="media", sync_to_thread=False)
    def serve_media(request: Request[Any, Any, Any], key: FromPath[str]) -> Response[Any]:
        try:
            path = root / _safe_key(key)
        except ValueError:
            return Response(b"Not found", status_code=404, media_type="text/plain")
        if not path.is_file():
            return Response(b"Not found", status_code=404, media_type="text/plain")
        stat = path.stat()
        size = stat.st_size
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        etag = f'"{stat.st_mtime_ns:x}-{size:x}"'
        headers = {"Accept-Ranges": "bytes", "ETag": etag,
                   "Cache-Control": "public, max-age=3600"}
        wanted = request.headers.get("range")
        if_range = request.headers.get("if-range")
        span = None
        if wanted and (if_range is None or if_range == etag):
            try:
                span = parse_range(wanted, size)
            except ValueError:
                return Response(b"", status_code=416, media_type=media_type,
                                headers={**headers, "Content-Range": f"bytes */{size}"})
        start, end, status = (span[0], span[1], 206) if span else (0, size - 1, 200)
        length = end - start + 1 if size else 0
        headers["Content-Length"] = str(length)
        if span:
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        if request.method == "HEAD":
            return Response(b"", status_code=status, media_type=media_type, headers=headers)
        return Stream(_read(path, start, length), status_code=status, media_type=media_type,
                      headers=headers)

    return serve_media
