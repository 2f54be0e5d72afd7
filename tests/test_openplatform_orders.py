"""Orders through the Seller API: search filters, page tokens, detail by ids in both forms."""

from __future__ import annotations

from typing import Any

import pytest

from tests.checkout_support import buy, buyer, listing
from tests.openplatform_support import make_grant, signed_call
from tests.payments_helpers import psp  # noqa: F401

pytestmark = pytest.mark.usefixtures("psp")
ORDERS = "/order/202309"


def _orders(client: Any, count: int) -> tuple[Any, list[str]]:
    item = listing(client, stock=10, price="9.99")
    grant = make_grant(item.seller.shop_id)
    who = buyer(client)
    ids = []
    for _ in range(count):
        answer = buy(client, who, item.sku_ids[0])
        assert answer.status_code == 200, answer.text
        ids.extend(answer.json()["order_ids"])
    return grant, ids


def test_search_pages_newest_first_with_tokens_and_filters(client: Any) -> None:
    grant, ids = _orders(client, 3)
    first = signed_call(client, grant, "POST", f"{ORDERS}/orders/search",
                        params=[("page_size", "2")], body={})["data"]
    second = signed_call(client, grant, "POST", f"{ORDERS}/orders/search",
                         params=[("page_size", "2"), ("page_token", first["next_page_token"])],
                         body={})["data"]
    assert [o["id"] for o in first["orders"] + second["orders"]] == ids[::-1]
    assert (first["total_count"], second["next_page_token"]) == (3, "")
    on_hold = signed_call(client, grant, "POST", f"{ORDERS}/orders/search",
                          params=[("page_size", "10")], body={"order_status": "ON_HOLD"})
    assert len(on_hold["data"]["orders"]) == 3
    unpaid = signed_call(client, grant, "POST", f"{ORDERS}/orders/search",
                         params=[("page_size", "10")], body={"order_status": "UNPAID"})
    assert unpaid["data"]["orders"] == []
    created = first["orders"][0]["create_time"]
    later = signed_call(client, grant, "POST", f"{ORDERS}/orders/search", params=[
        ("page_size", "10")], body={"create_time_ge": created + 1})["data"]["orders"]
    assert later == []
    bad = signed_call(client, grant, "POST", f"{ORDERS}/orders/search",
                      params=[("page_size", "10")], body={"order_status": "SHIPPED"})
    assert bad["code"] == 36009004


def test_detail_takes_repeated_and_comma_separated_ids(client: Any) -> None:
    grant, ids = _orders(client, 2)
    repeated = signed_call(client, grant, "GET", "/order/202507/orders",
                           params=[("ids", ids[0]), ("ids", ids[1])])["data"]["orders"]
    commas = signed_call(client, grant, "GET", "/order/202309/orders",
                         params=[("ids", f"{ids[1]},{ids[0]}")])["data"]["orders"]
    assert [o["id"] for o in repeated] == ids and [o["id"] for o in commas] == ids[::-1]
    order = repeated[0]
    assert (order["status"], order["payment"]["currency"], order["payment"]["sub_total"],
            order["line_items"][0]["sale_price"], order["line_items"][0]["original_price"],
            order["recipient_address"]["name"]) == (
        "ON_HOLD", "GBP", "9.99", "9.99", "12.99", "Ada Lovelace")


def test_orders_of_another_shop_stay_invisible(client: Any) -> None:
    _grant, ids = _orders(client, 1)
    other = listing(client, shop_name="Other Shop")
    foreign = make_grant(other.seller.shop_id)
    answer = signed_call(client, foreign, "GET", f"{ORDERS}/orders", params=[("ids", ids[0])])
    assert (answer["code"], answer["data"]["orders"]) == (0, [])
    assert signed_call(client, foreign, "GET", f"{ORDERS}/orders", params=[])["code"] == 36009004
