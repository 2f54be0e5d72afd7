"""The operator's landing page: one tile per console that a context registers.

A context with an operator console calls ``register_console`` when its pages module is
imported; the tile shows how many items wait for an operator when the console says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from litestar import Router, get
from litestar.response import Template
from sqlalchemy.orm import Session

from clipcart.db import get_database
from clipcart.web.auth import requires_role
from clipcart.web.navigation import NavItem, register

OPERATOR_ICON = ("M12 2 4 5v6c0 5 3.4 9.7 8 11 4.6-1.3 8-6 8-11V5l-8-3Zm-1.2 14.2-3.5-3.5 "
                 "1.4-1.4 2.1 2.1 4.9-4.9 1.4 1.4-6.3 6.3Z")


@dataclass(frozen=True)
class Console:
    title: str
    href: str
    description: str
    waiting: Callable[[Session], int] | None = None  # items waiting for an operator
    waiting_label: str = "waiting"


CONSOLES: list[Console] = []


def register_console(console: Console) -> None:
    if all(c.href != console.href for c in CONSOLES):
        CONSOLES.append(console)


@get("/operator", sync_to_thread=True, guards=[requires_role("operator")],
     include_in_schema=False)
def operator_home() -> Template:
    with get_database().sessions() as session:
        tiles = [(c, c.waiting(session) if c.waiting else None) for c in CONSOLES]
    return Template("web/operator.html", context={"tiles": tiles})


register(NavItem("Operator", "/operator", "operator", OPERATOR_ICON))
router = Router(path="/", route_handlers=[operator_home])
