"""Carrier tables. ``carrier_*``: the platform's record of shipments and the tracking events
it accepted. ``carrier_sim_*``: the simulated logistics partner's own books (what a real
carrier keeps on its side), reached only through ``clipcart.carriers.simulator``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clipcart.db import Base, IdType, UtcDateTime

PURPOSES = ("package", "return")
TRACKING_STATUSES = ("COLLECTED", "IN_TRANSIT", "OUT_FOR_DELIVERY", "FAILED_DELIVERY",
                     "DELIVERED")
# How far along each status is; an event that does not move a shipment forward is stale.
RANK = {"BOOKED": 0, "COLLECTED": 1, "IN_TRANSIT": 2, "OUT_FOR_DELIVERY": 3,
        "FAILED_DELIVERY": 4, "DELIVERED": 5}


class Shipment(Base):
    """A parcel the platform knows a carrier is moving, for a package or a buyer's return."""

    __tablename__ = "carrier_shipments"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    carrier_code: Mapped[str] = mapped_column(String(20))
    tracking_number: Mapped[str] = mapped_column(String(40))
    purpose: Mapped[str] = mapped_column(String(10))
    reference: Mapped[str] = mapped_column(String(60))  # "package:{id}" or "return:{id}"
    market: Mapped[str] = mapped_column(String(2))
    booked_by_platform: Mapped[bool] = mapped_column()  # a label bought here, or seller-entered
    status: Mapped[str] = mapped_column(String(20))  # BOOKED or the latest tracking status
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        UniqueConstraint("carrier_code", "tracking_number"),
        CheckConstraint("purpose IN ('package', 'return')", name="known_purpose"),
        Index("ix_carrier_shipments_reference", "purpose", "reference"),
    )


class TrackingEvent(Base):
    """A verified tracking event; one per (shipment, status), so a repeat changes nothing."""

    __tablename__ = "carrier_tracking_events"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("carrier_shipments.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))
    carrier_event_id: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(String(120), default="")
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    applied: Mapped[bool] = mapped_column()  # False when it arrived after a later status

    __table_args__ = (UniqueConstraint("shipment_id", "status"),)


class SimShipment(Base):
    """The simulator's side: a parcel it accepted and the next scan it will report."""

    __tablename__ = "carrier_sim_shipments"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    carrier_code: Mapped[str] = mapped_column(String(20))
    tracking_number: Mapped[str] = mapped_column(String(40))
    reference: Mapped[str] = mapped_column(String(60))
    market: Mapped[str] = mapped_column(String(2))
    scenario: Mapped[str] = mapped_column(String(20))  # normal or failed_first_attempt
    step: Mapped[int] = mapped_column(Integer)  # scans reported so far
    next_scan_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        UniqueConstraint("carrier_code", "tracking_number"),
        CheckConstraint("step >= 0", name="step_not_negative"),
        Index("ix_carrier_sim_shipments_due", "next_scan_at"),
    )


class SimEvent(Base):
    """A scan the simulator reports to the platform by signed webhook, with retries."""

    __tablename__ = "carrier_sim_events"
    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("carrier_sim_shipments.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ix_carrier_sim_events_pending", "delivered_at", "next_attempt_at"),)
