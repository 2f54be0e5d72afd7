"""Outgoing e-mail behind one small interface.

``CLIPCART_SMTP_URL`` chooses the transport: ``smtp://user:password@host:587`` (STARTTLS
when the server offers it), ``smtps://...:465`` (TLS from the start), or empty, in which case
every message is written as an ``.eml`` file under ``<data dir>/mail`` so a self-hoster (and
a test) can read it. ``CLIPCART_MAIL_FROM`` is the sender address.

Messages that belong to a database change are sent after that change commits
(``send_after_commit``): a rolled-back invitation never reaches anyone's inbox.
"""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import lru_cache
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse

from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.aftercommit import after_commit
from clipcart.config import get_settings

log = logging.getLogger(__name__)
DEFAULT_SENDER = "clipcart <no-reply@clipcart.invalid>"


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    text: str


class Mailer(Protocol):
    def send(self, message: Message) -> object: ...


def _build(message: Message, sender: str, cte: str | None = None) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.to
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(clock.now())
    mail["Message-ID"] = make_msgid(domain="clipcart")
    if cte:
        mail.set_content(message.text, cte=cte)
    else:
        mail.set_content(message.text)
    return mail


class FileMailer:
    """Writes each message as ``<folder>/<time>-<random>.eml`` (readable with any mail app)."""

    def __init__(self, folder: Path, sender: str = DEFAULT_SENDER) -> None:
        self.folder = folder
        self.sender = sender

    def send(self, message: Message) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
        path = self.folder / f"{stamp}-{secrets.token_hex(4)}.eml"
        tmp = path.with_name(f".{path.name}.tmp")
        # 8bit keeps links whole for someone reading the file in an editor
        tmp.write_bytes(bytes(_build(message, self.sender, cte="8bit")))
        os.replace(tmp, path)  # a reader never sees half a message
        return path


class SmtpMailer:
    """Sends through an SMTP server given as ``smtp://`` or ``smtps://`` URL."""

    def __init__(self, url: str, sender: str = DEFAULT_SENDER, timeout: float = 20) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in {"smtp", "smtps"} or not parsed.hostname:
            raise SystemExit("CLIPCART_SMTP_URL must look like smtp://user:pass@host:587 "
                             "or smtps://user:pass@host:465")
        self.tls = parsed.scheme == "smtps"
        self.host = parsed.hostname
        self.port = parsed.port or (465 if self.tls else 587)
        self.username = unquote(parsed.username) if parsed.username else None
        self.password = unquote(parsed.password) if parsed.password else None
        self.sender = sender
        self.timeout = timeout

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.tls:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        client.ehlo()
        if client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        return client

    def send(self, message: Message) -> None:
        with self._connect() as client:
            if self.username:
                client.login(self.username, self.password or "")
            client.send_message(_build(message, self.sender))


def mailer_from_env() -> Mailer:
    sender = os.environ.get("CLIPCART_MAIL_FROM") or DEFAULT_SENDER
    url = os.environ.get("CLIPCART_SMTP_URL", "")
    if url:
        return SmtpMailer(url, sender)
    return FileMailer(get_settings().data_dir / "mail", sender)


@lru_cache(maxsize=1)
def get_mailer() -> Mailer:
    return mailer_from_env()


def send(message: Message) -> bool:
    """Send now; a failure is logged and reported as False, never raised at the caller."""
    try:
        get_mailer().send(message)
    except Exception:
        log.exception("could not send mail %r to %s", message.subject, message.to)
        return False
    return True


def send_after_commit(session: Session, message: Message) -> None:
    """Send a message only if the session's transaction commits."""
    after_commit(session, lambda: send(message))
