"""Product pictures for the demo, drawn with Pillow: a gradient, shapes and the name.

Deterministic per name and variant, so a re-run draws the same picture.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import textwrap

from PIL import Image, ImageDraw, ImageFont

SIZE = 800


def _palette(seed: bytes) -> list[tuple[int, int, int]]:
    hue = seed[0] / 255
    colours = []
    for shift, light, sat in ((0.0, 0.55, 0.75), (0.12, 0.35, 0.8), (0.5, 0.7, 0.6),
                              (0.08, 0.92, 0.3)):
        r, g, b = colorsys.hls_to_rgb((hue + shift) % 1.0, light, sat)
        colours.append((int(r * 255), int(g * 255), int(b * 255)))
    return colours


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
                 "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"):
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def product_picture(name: str, variant: int = 0, caption: str = "") -> bytes:
    """A colourful square PNG: diagonal gradient, circles and a card with the name."""
    seed = hashlib.sha256(f"{name}:{variant}".encode()).digest()
    top, bottom, accent, paper = _palette(seed)
    middle = tuple((top[i] + bottom[i]) // 2 for i in range(3))
    corners = Image.new("RGB", (2, 2))
    corners.putdata([top, middle, middle, bottom])  # a diagonal gradient, stretched
    image = corners.resize((SIZE, SIZE), Image.Resampling.BILINEAR, reducing_gap=None)
    draw = ImageDraw.Draw(image, "RGBA")
    for i in range(6):
        cx, cy = seed[2 + i] * SIZE // 255, seed[10 + i] * SIZE // 255
        radius = 40 + seed[20 + i] % 160
        alpha = 60 + seed[26 + i] % 90
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius),
                     fill=(*accent, alpha) if i % 2 else (*paper, alpha))
    draw.rounded_rectangle((220, 170, 580, 470), radius=48, fill=(*paper, 235),
                           outline=(*accent, 255), width=8)
    initials = "".join(w[0] for w in name.split()[:2]).upper()
    mono = _font(150)
    box = draw.textbbox((0, 0), initials, font=mono)
    draw.text((400 - (box[2] - box[0]) / 2, 320 - (box[3] - box[1]) / 2 - box[1]), initials,
              font=mono, fill=bottom)
    draw.rectangle((0, 560, SIZE, SIZE), fill=(0, 0, 0, 110))
    title_font = _font(52)
    for n, line in enumerate(textwrap.wrap(name, 24)[:2]):
        draw.text((48, 590 + n * 64), line, font=title_font, fill=(255, 255, 255))
    if caption:
        draw.text((48, 730), caption, font=_font(34), fill=(*paper, 255))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)
    return out.getvalue()
