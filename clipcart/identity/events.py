"""What identity does when its own events are handled."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clipcart.events import Event, handles
from clipcart.identity.service import notify


@handles("identity.user_signed_up", name="identity.welcome_notification")
def send_welcome(session: Session, event: Event) -> None:
    notify(session, int(event.payload["user_id"]), "welcome", "Welcome to clipcart",
           "Discover products in videos and LIVE, and buy them in a tap.",
           source_event_id=event.id)
