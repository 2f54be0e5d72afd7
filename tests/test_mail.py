"""The mailer: .eml files by default, SMTP when configured, and only after a commit."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default as default_policy
from typing import Any

import pytest

from clipcart import mail
from clipcart.mail import FileMailer, Message, SmtpMailer, mailer_from_env

MESSAGE = Message(to="sam@example.com", subject="Join Olivia Finds",
                  text="Open https://shop.example/invitations/" + "x" * 60 + "\nThanks\n")


def test_without_smtp_messages_are_eml_files_under_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("CLIPCART_SMTP_URL", raising=False)
    monkeypatch.setenv("CLIPCART_MAIL_FROM", "Shop bot <bot@shop.example>")
    mailer = mailer_from_env()
    assert isinstance(mailer, FileMailer)
    assert mailer.folder.name == "mail"
    mailer.folder = tmp_path
    path = mailer.send(MESSAGE)
    parsed = message_from_bytes(path.read_bytes(), policy=default_policy)
    assert path.suffix == ".eml"
    assert (parsed["From"], parsed["To"], parsed["Subject"]) == (
        "Shop bot <bot@shop.example>", "sam@example.com", "Join Olivia Finds")
    assert parsed.get_content() == MESSAGE.text  # type: ignore[attr-defined]
    assert ("invitations/" + "x" * 60).encode() in path.read_bytes()  # readable as text
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


class FakeSMTP:
    sent: list[Any] = []

    def __init__(self, host: str, port: int, timeout: float = 0, **kwargs: Any) -> None:
        self.calls: list[Any] = [("connect", host, port)]
        FakeSMTP.sent.append(self.calls)

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: object) -> None:
        self.calls.append(("quit",))

    def ehlo(self) -> None:
        self.calls.append(("ehlo",))

    def has_extn(self, name: str) -> bool:
        return name == "starttls"

    def starttls(self, context: Any = None) -> None:
        self.calls.append(("starttls",))

    def login(self, user: str, password: str) -> None:
        self.calls.append(("login", user, password))

    def send_message(self, message: Any) -> None:
        self.calls.append(("send", message["To"], message["Subject"]))


def test_with_smtp_url_messages_go_through_the_server_with_starttls(monkeypatch):
    FakeSMTP.sent = []
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    monkeypatch.setenv("CLIPCART_SMTP_URL", "smtp://mailer%40shop.example:p%40ss@mx.example:2525")
    mailer = mailer_from_env()
    assert isinstance(mailer, SmtpMailer)
    mailer.send(MESSAGE)
    assert FakeSMTP.sent == [[("connect", "mx.example", 2525), ("ehlo",), ("starttls",),
                              ("ehlo",), ("login", "mailer@shop.example", "p@ss"),
                              ("send", "sam@example.com", "Join Olivia Finds"), ("quit",)]]


def test_smtps_urls_use_tls_from_the_start_on_port_465(monkeypatch):
    FakeSMTP.sent = []
    monkeypatch.setattr(mail.smtplib, "SMTP_SSL", FakeSMTP)
    SmtpMailer("smtps://mx.example").send(MESSAGE)
    assert FakeSMTP.sent == [[("connect", "mx.example", 465),
                              ("send", "sam@example.com", "Join Olivia Finds"), ("quit",)]]


@pytest.mark.parametrize("url", ["http://mx.example", "smtp://", "mx.example:25"])
def test_malformed_smtp_urls_stop_the_process_with_a_message(url):
    with pytest.raises(SystemExit) as info:
        SmtpMailer(url)
    assert "CLIPCART_SMTP_URL must look like" in str(info.value)


def test_messages_queued_in_a_transaction_leave_only_if_it_commits(db, monkeypatch):
    outbox: list[Message] = []

    class Recorder:
        def send(self, message: Message) -> None:
            outbox.append(message)

    monkeypatch.setattr(mail, "get_mailer", lambda: Recorder())
    with pytest.raises(RuntimeError), db.transaction() as session:
        mail.send_after_commit(session, MESSAGE)
        raise RuntimeError("the change failed")
    assert outbox == []
    with db.transaction() as session:
        mail.send_after_commit(session, MESSAGE)
        assert outbox == []  # not before the commit
    assert outbox == [MESSAGE]


def test_a_failing_transport_is_logged_not_raised(monkeypatch, caplog):
    class Broken:
        def send(self, message: Message) -> None:
            raise OSError("connection refused")

    monkeypatch.setattr(mail, "get_mailer", lambda: Broken())
    assert mail.send(MESSAGE) is False
    assert "could not send mail 'Join Olivia Finds' to sam@example.com" in caplog.text
