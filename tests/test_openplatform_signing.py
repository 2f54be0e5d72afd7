"""Request signatures exactly as API.md §3, and every failed check answering its own code."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from sqlalchemy import func, select

from clipcart.catalog.models import Product
from clipcart.db import transaction
from clipcart.openplatform import grants
from clipcart.openplatform.signing import query_pairs, sign, string_to_sign
from tests.catalog_support import make_seller, sync_categories
from tests.openplatform_support import make_app, make_grant, signed_call

SHOPS = "/authorization/202309/shops"


def _mac(secret: str, text: bytes) -> str:
    return hmac.new(secret.encode(), text, hashlib.sha256).hexdigest()


def test_the_known_vector_of_the_partner_api_signs_to_its_published_value() -> None:
    query = query_pairs("app_key=29a39d&timestamp=1623812664")
    assert sign("e59af819cc", SHOPS, query) == \
        "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"


def test_sign_and_access_token_are_left_out_and_keys_are_sorted() -> None:
    query = [("timestamp", "1"), ("sign", "x"), ("access_token", "t"), ("app_key", "k")]
    assert string_to_sign("s", "/p", query, b"", None) == b"s/papp_keyktimestamp1s"


def test_repeated_keys_keep_their_order_after_the_stable_sort() -> None:
    query = query_pairs("ids=2&app_key=k&ids=1")
    assert string_to_sign("s", "/p", query, b"", None) == b"s/papp_keykids2ids1s"
    assert sign("s", "/p", query) == _mac("s", b"s/papp_keykids2ids1s")


def test_values_are_signed_decoded_including_unicode() -> None:
    query = query_pairs("keyword=Kleid%20%C3%A4%2B&app_key=k")
    assert string_to_sign("s", "/p", query, b"", None) == \
        "s/papp_keykkeywordKleid ä+s".encode()


def test_the_raw_body_bytes_are_signed_but_not_a_multipart_body() -> None:
    body = b'{"b": 1,  "a":"\xc3\xa4"}'
    assert string_to_sign("s", "/p", [], body, "application/json") == b"s/p" + body + b"s"
    assert string_to_sign("s", "/p", [], b"--x\r\nfile", "multipart/form-data; boundary=x") \
        == b"s/ps"


def _world(client: Any) -> Any:
    sync_categories()
    seller = make_seller(client)
    return seller, make_grant(seller.shop_id)


def test_a_signed_call_succeeds_and_names_the_shop(client: Any) -> None:
    seller, grant = _world(client)
    answer = signed_call(client, grant, "GET", SHOPS, shop=False)
    assert answer["code"] == 0 and answer["message"] == "Success"
    assert answer["data"]["shops"][0]["id"] == str(seller.shop_id)
    assert answer["data"]["shops"][0]["cipher"] == grant.cipher


def test_a_unicode_query_value_verifies(client: Any) -> None:
    _seller, grant = _world(client)
    answer = signed_call(client, grant, "GET", "/product/202309/brands",
                         params=[("brand_name", "Kleid ä & co")])
    assert (answer["code"], answer["data"]["brands"]) == (0, [])


def _count_products() -> int:
    with transaction() as session:
        return session.execute(select(func.count()).select_from(Product)).scalar_one()


def _draft_body(client: Any, grant: Any) -> dict[str, Any]:
    categories = signed_call(client, grant, "GET", "/product/202309/categories")["data"]
    dresses = next(c for c in categories["categories"] if c["local_name"] == "Dresses")
    return {"title": "Linen dress", "description": "Linen.", "category_id": dresses["id"],
            "save_mode": "AS_DRAFT", "skus": [{"seller_sku": "D-1",
                                               "price": {"amount": "10.00", "currency": "GBP"}}]}


def test_a_body_signed_as_sent_creates_and_a_reserialised_one_is_refused(client: Any) -> None:
    _seller, grant = _world(client)
    body = _draft_body(client, grant)
    made = signed_call(client, grant, "POST", "/product/202309/products", body=body)
    assert made["code"] == 0, made
    raw = json.dumps(body, indent=2).encode()  # what was sent
    signed_for = json.dumps(body).encode()  # what was signed
    query = [("shop_cipher", grant.cipher), ("app_key", grant.app_key),
             ("timestamp", str(int(__import__("time").time())))]
    query.append(("sign", sign(grant.secret, "/product/202309/products", query, signed_for)))
    url = "/product/202309/products?" + "&".join(f"{k}={v}" for k, v in query)
    answer = client.post(url, content=raw, headers={"x-tts-access-token": grant.access_token,
                                                    "content-type": "application/json"}).json()
    assert (answer["code"], _count_products()) == (106001, 1)


def test_a_wrong_sign_answers_106001_and_creates_nothing(client: Any) -> None:
    _seller, grant = _world(client)
    body = _draft_body(client, grant)
    answer = signed_call(client, grant, "POST", "/product/202309/products", body=body,
                         secret="not-the-secret")
    assert (answer["code"], answer["data"], _count_products()) == (106001, None, 0)


def test_timestamps_outside_five_minutes_back_or_thirty_seconds_ahead_are_refused(
        client: Any, frozen_clock: Any) -> None:
    _seller, grant = _world(client)
    now = int(frozen_clock().timestamp())
    codes = [signed_call(client, grant, "GET", SHOPS, shop=False, timestamp=t)["code"]
             for t in (now - 301, now - 300, now + 30, now + 31)]
    assert codes == [106004, 0, 0, 106004]


def test_a_cipher_of_another_shop_answers_106006_and_creates_nothing(client: Any) -> None:
    _seller, grant = _world(client)
    other = make_seller(client, name="Other Shop")
    body = _draft_body(client, grant)
    forged = grant.__class__(**{**vars(grant), "cipher": grants.shop_cipher(other.shop_id)})
    answer = signed_call(client, forged, "POST", "/product/202309/products", body=body)
    assert (answer["code"], _count_products()) == (106006, 0)


def test_a_revoked_token_answers_105005_and_creates_nothing(client: Any) -> None:
    _seller, grant = _world(client)
    body = _draft_body(client, grant)
    with transaction() as session:
        from clipcart.openplatform.models import OpenGrant

        row = session.execute(select(OpenGrant)).scalar_one()
        grants.revoke(session, row.id, grant.shop_id, None)
    answer = signed_call(client, grant, "POST", "/product/202309/products", body=body)
    assert (answer["code"], _count_products()) == (105005, 0)


def test_an_expired_token_answers_105002_after_seven_days(client: Any, frozen_clock: Any) -> None:
    _seller, grant = _world(client)
    frozen_clock.advance(days=7, seconds=1)
    assert signed_call(client, grant, "GET", SHOPS, shop=False)["code"] == 105002


def test_a_missing_or_unknown_token_and_app_answer_their_codes(client: Any) -> None:
    _seller, grant = _world(client)
    assert signed_call(client, grant, "GET", SHOPS, shop=False, token="")["code"] == 105000
    assert signed_call(client, grant, "GET", SHOPS, shop=False, token="TTP_nope")["code"] == \
        105001
    other_key, other_secret = make_app("Other")
    foreign = grant.__class__(**{**vars(grant), "app_key": other_key, "secret": other_secret})
    assert signed_call(client, foreign, "GET", SHOPS, shop=False)["code"] == 105001
    assert client.get(SHOPS).json()["code"] == 106002


def test_every_version_from_202309_routes_to_one_handler_and_others_answer_36009014(
        client: Any) -> None:
    _seller, grant = _world(client)
    codes = {v: signed_call(client, grant, "GET", f"/authorization/{v}/shops", shop=False)["code"]
             for v in ("202309", "202406", "202601", "202308", "202313", "2023-09", "v2")}
    assert codes == {"202309": 0, "202406": 0, "202601": 0, "202308": 36009014,
                     "202313": 36009014, "2023-09": 36009014, "v2": 36009014}
    assert client.post("/product/202309/no_such_thing").json()["code"] == 36009014


def test_an_app_over_its_rate_limit_answers_36009007(client: Any) -> None:
    _seller, grant = _world(client)
    with transaction() as session:
        from clipcart.openplatform import apps

        app = apps.by_key(session, grant.app_key)
        assert app is not None
        app.rate_limit_per_minute = 2
    codes = [signed_call(client, grant, "GET", SHOPS, shop=False)["code"] for _ in range(3)]
    assert codes == [0, 0, 36009007]


def test_a_scope_the_app_was_not_granted_answers_106005(client: Any) -> None:
    seller = make_seller(client)
    with transaction() as session:
        from clipcart.openplatform import apps

        app, secret = apps.create_app(session, "Reader", scopes=["seller.authorization.info"])
        key = app.app_key
    grant = make_grant(seller.shop_id, (key, secret))
    assert signed_call(client, grant, "GET", SHOPS, shop=False)["code"] == 0
    answer = signed_call(client, grant, "POST", "/product/202309/products/search", body={})
    assert (answer["code"], answer["data"]) == (106005, None)


def test_malformed_bodies_and_ids_answer_36009004_not_a_server_error(client: Any) -> None:
    _seller, grant = _world(client)
    for path, body in (("/product/202309/products/search", ["not", "an", "object"]),
                       ("/product/202309/products/abc/inventory/update", {"skus": []}),
                       ("/product/202309/inventory/search", {"sku_ids": [{"x": 1}]})):
        answer = signed_call(client, grant, "POST", path, body=body)
        assert answer["code"] == 36009004, (path, answer)
    broken = signed_call(client, grant, "GET", "/product/202309/products/search?x=1",
                         shop=False)
    assert broken["code"] == 36009014
