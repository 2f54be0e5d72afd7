"""Video files are validated by their content, never by their name: PyAV (FFmpeg's
libraries, shipped in its wheel) opens the container, which must be MP4 or WebM with a
video stream a browser plays, within the configured size and duration, complete (every
indexed packet is present) and decodable. The poster frame is decoded from it and
re-encoded as JPEG with Pillow."""

from __future__ import annotations

import io
from dataclasses import dataclass

import av
from PIL import Image

from clipcart.config import get_settings
from clipcart.errors import ValidationFailed

# Codecs browsers play, by container.
PLAYABLE = {"mp4": frozenset({"h264", "hevc", "av1"}), "webm": frozenset({"vp8", "vp9", "av1"})}
CONTENT_TYPES = {"mp4": "video/mp4", "webm": "video/webm"}
POSTER_SIDE = 720
MIN_SECONDS = 0.5


@dataclass(frozen=True)
class ProbedVideo:
    container: str  # "mp4" or "webm"
    content_type: str
    codec: str
    width: int
    height: int
    duration_ms: int
    size_bytes: int
    poster_jpeg: bytes


def _not_video(detail: str = "That file is not a video we can play: upload an MP4 or WebM "
                             "file.") -> ValidationFailed:
    return ValidationFailed(detail, field="file", code="VIDEO_TYPE")


def _sniff(data: bytes) -> str:
    """The container from its first bytes: an ISO-BMFF ``ftyp`` box, or an EBML header
    whose DocType is ``webm``."""
    if len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] != b"qt  ":
        return "mp4"
    if data[:4] == b"\x1a\x45\xdf\xa3" and b"webm" in data[:64]:
        return "webm"
    raise _not_video()


def _poster(frame: av.VideoFrame) -> bytes:
    image = frame.to_image()
    image.thumbnail((POSTER_SIDE, POSTER_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def probe_video(data: bytes, *, max_bytes: int | None = None,
                max_seconds: int | None = None) -> ProbedVideo:
    """Check an uploaded video and take its poster frame, or raise ``ValidationFailed``."""
    settings = get_settings()
    max_bytes = max_bytes or settings.video_max_bytes
    max_seconds = max_seconds or settings.video_max_seconds
    if not data:
        raise ValidationFailed("The video file is empty.", field="file", code="VIDEO_TYPE")
    if len(data) > max_bytes:
        raise ValidationFailed(f"Videos may be at most {max_bytes // (1024 * 1024)} MB.",
                               field="file", code="VIDEO_TOO_LARGE")
    kind = _sniff(data)
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            names = set(container.format.name.split(","))
            if kind not in names:
                raise _not_video()
            if not container.streams.video:
                raise _not_video("That file has no video track.")
            stream = container.streams.video[0]
            codec = stream.codec_context.name
            if codec not in PLAYABLE[kind]:
                raise _not_video(f"{kind.upper()} videos must be encoded as "
                                 f"{' or '.join(sorted(PLAYABLE[kind])).upper()}, not "
                                 f"{codec.upper()}.")
            declared = (container.duration or 0) / 1_000_000
            if declared > max_seconds:
                raise ValidationFailed(f"Videos may be at most {max_seconds} seconds long.",
                                       field="file", code="VIDEO_TOO_LONG")
            indexed = stream.frames
            packets, reached = 0, 0.0
            for packet in container.demux(stream):
                if packet.size == 0 or packet.pts is None or packet.time_base is None:
                    continue
                packets += 1
                reached = max(reached, float((packet.pts + (packet.duration or 0))
                                             * packet.time_base))
            complete = packets > 0 and (packets >= indexed if indexed else True) and \
                (declared == 0 or reached >= declared * 0.9 - 0.1)
            if not complete:
                raise _not_video("The video file is incomplete (cut off before its end): "
                                 "upload it again.")
            seconds = declared or reached
            if seconds > max_seconds:
                raise ValidationFailed(f"Videos may be at most {max_seconds} seconds long.",
                                       field="file", code="VIDEO_TOO_LONG")
            if seconds < MIN_SECONDS:
                raise ValidationFailed(f"Videos must be at least {MIN_SECONDS} seconds long.",
                                       field="file", code="VIDEO_TOO_SHORT")
            container.seek(0)
            frame = next(iter(container.decode(stream)), None)
            if frame is None:
                raise _not_video("No frame of that video could be decoded.")
            return ProbedVideo(kind, CONTENT_TYPES[kind], codec, frame.width, frame.height,
                               round(seconds * 1000), len(data), _poster(frame))
    except ValidationFailed:
        raise
    except (av.error.FFmpegError, StopIteration, ValueError, OSError, IndexError) as exc:
        raise _not_video() from exc
