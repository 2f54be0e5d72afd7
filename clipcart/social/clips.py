"""Synthetic short clips: an H.264 MP4 (or VP8 WebM) made with PyAV from generated frames.

Used by the demo data, by LIVE for its stand-in streams, and by tests for valid uploads.
"""

from __future__ import annotations

import os
import tempfile
from fractions import Fraction

import av
from PIL import Image, ImageDraw, ImageFont

Colour = tuple[int, int, int] | str


def _rgb(colour: Colour) -> tuple[int, int, int]:
    if isinstance(colour, str):
        value = colour.lstrip("#")
        if len(value) != 6:
            raise ValueError(f"colour {colour!r} is not #rrggbb")
        return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
    return colour


def _frame(index: int, total: int, size: tuple[int, int], rgb: tuple[int, int, int],
           text: str, font: ImageFont.ImageFont | ImageFont.FreeTypeFont) -> Image.Image:
    width, height = size
    image = Image.new("RGB", size, rgb)
    draw = ImageDraw.Draw(image)
    # A band that sweeps down the frame, so each frame differs and seeking shows motion.
    band = height // 8
    top = (index * (height - band)) // max(total - 1, 1)
    shade = tuple(min(255, c + 60) for c in rgb)
    draw.rectangle([0, top, width, top + band], fill=shade)
    if text:
        box = draw.textbbox((0, 0), text, font=font)
        x = max(4, (width - (box[2] - box[0])) // 2)
        y = max(4, (height - (box[3] - box[1])) // 2)
        draw.text((x + 1, y + 1), text, fill=(0, 0, 0), font=font)
        draw.text((x, y), text, fill=(255, 255, 255), font=font)
    return image


def generate_clip(seconds: float = 2.0, size: tuple[int, int] = (180, 320),
                  colour: Colour = (32, 96, 192), text: str = "", *, fps: int = 12,
                  container: str = "mp4") -> bytes:
    """A ``seconds`` long clip of ``size`` (width, height; even numbers) with ``text``
    written on a ``colour`` background. ``container`` is ``mp4`` (H.264, moov first, so
    browsers start playing at once) or ``webm`` (VP8)."""
    if seconds <= 0 or fps <= 0:
        raise ValueError("seconds and fps must be positive")
    width, height = (size[0] // 2) * 2, (size[1] // 2) * 2
    rgb = _rgb(colour)
    total = max(1, round(seconds * fps))
    try:
        font: ImageFont.ImageFont | ImageFont.FreeTypeFont = ImageFont.load_default(
            size=max(12, width // 10))
    except TypeError:  # an older Pillow without sized default fonts
        font = ImageFont.load_default()
    fd, path = tempfile.mkstemp(suffix=f".{container}")
    os.close(fd)
    try:
        options = {"movflags": "+faststart"} if container == "mp4" else {}
        with av.open(path, "w", format=container, options=options) as out:
            codec = "libx264" if container == "mp4" else "libvpx"
            stream = out.add_stream(codec, rate=fps)
            assert isinstance(stream, av.VideoStream)
            stream.width, stream.height = width, height
            stream.pix_fmt = "yuv420p"
            stream.time_base = Fraction(1, fps)
            if container == "mp4":
                stream.options = {"preset": "veryfast", "crf": "30"}
            for i in range(total):
                frame = av.VideoFrame.from_image(_frame(i, total, (width, height), rgb, text,
                                                        font))
                frame.pts = i
                for packet in stream.encode(frame):
                    out.mux(packet)
            for packet in stream.encode(None):
                out.mux(packet)
        with open(path, "rb") as fh:
            return fh.read()
    finally:
        os.unlink(path)
