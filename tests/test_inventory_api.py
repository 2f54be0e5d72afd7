"""Seller inventory API: batch updates with per-item results and Idempotency-Key."""

from __future__ import annotations

from datetime import timedelta

from clipcart import clock
from clipcart.inventory import service as inventory
from clipcart.inventory.models import StockMovement
from tests.helpers import bearer, signup
from tests.inventory_support import api_shop, count, level, make_skus, stocked_sku


def _url(shop_id: int) -> str:
    return f"/api/v1/seller/shops/{shop_id}/inventory"


def test_staff_update_stock_in_bulk_and_get_a_result_per_item(client, db):
    shop, token = api_shop(client, db)
    red, blue = make_skus(db, shop.id, "TEE-RED", "TEE-BLUE")
    reserved = stocked_sku(db, shop, 5, code="HELD")
    with db.transaction() as session:
        depot = inventory.add_warehouse(session, shop.id, "Depot")
        inventory.reserve(session, reference="co-1", lines=[(reserved, 4)],
                          expires_at=clock.now() + timedelta(minutes=30))
    body = {"updates": [
        {"sku_id": str(red), "quantity": 12},
        {"seller_sku": "TEE-BLUE", "warehouse_id": str(depot.id), "quantity": 3,
         "low_stock_threshold": 2},
        {"seller_sku": "NO-SUCH", "quantity": 1},
        {"seller_sku": "HELD", "quantity": 1},
        {"sku_id": str(red), "seller_sku": "TEE-RED", "quantity": 1},
    ]}
    response = client.post(_url(shop.id), json=body, headers=bearer(token))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["applied"], answer["failed"]) == (2, 3)
    assert answer["results"][0] == {
        "index": 0, "status": "ok", "sku_id": str(red),
        "warehouse_id": str(shop.warehouse_id), "on_hand": 12, "reserved": 0, "available": 12,
        "low_stock_threshold": 0}
    assert answer["results"][1]["seller_sku"] == "TEE-BLUE"
    assert (answer["results"][1]["on_hand"], answer["results"][1]["low_stock_threshold"]) == (
        3, 2)
    assert [(r["status"], r.get("code")) for r in answer["results"][2:]] == [
        ("error", "NOT_FOUND"), ("error", "BELOW_RESERVED"), ("error", "VALIDATION_ERROR")]
    assert "4 units are reserved" in answer["results"][3]["message"]
    assert level(db, red, shop.warehouse_id) == (12, 0)
    assert level(db, blue, depot.id) == (3, 0)
    assert level(db, reserved, shop.warehouse_id) == (5, 4)
    with db.sessions() as session:
        reasons = session.query(StockMovement.reason, StockMovement.actor_user_id).filter(
            StockMovement.sku_id.in_([red, blue])).all()
    assert sorted(reasons) == [("api", shop.owner_id), ("api", shop.owner_id)]


def test_a_retry_with_the_same_idempotency_key_replays_the_first_answer(client, db):
    shop, token = api_shop(client, db)
    sku = make_skus(db, shop.id, "CAP")[0]
    body = {"updates": [{"sku_id": str(sku), "quantity": 10}]}
    headers = {**bearer(token), "Idempotency-Key": "sync-2026-11-26T07:00"}
    first = client.post(_url(shop.id), json=body, headers=headers)
    with db.transaction() as session:  # a sale happens between the two tries
        inventory.set_on_hand(session, shop_id=shop.id, sku_id=sku,
                              warehouse_id=shop.warehouse_id, quantity=9, actor_user_id=None)
    again = client.post(_url(shop.id), json=body, headers=headers)
    assert again.status_code == first.status_code == 200
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert level(db, sku, shop.warehouse_id) == (9, 0)
    assert count(db, StockMovement) == 2


def test_the_same_key_with_another_body_is_422_and_changes_nothing(client, db):
    shop, token = api_shop(client, db)
    sku = make_skus(db, shop.id, "CAP")[0]
    headers = {**bearer(token), "Idempotency-Key": "k1"}
    client.post(_url(shop.id), json={"updates": [{"sku_id": str(sku), "quantity": 1}]},
                headers=headers)
    other = client.post(_url(shop.id), json={"updates": [{"sku_id": str(sku), "quantity": 7}]},
                        headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "IDEMPOTENCY_MISMATCH"
    assert level(db, sku, shop.warehouse_id) == (1, 0)


def test_idempotency_keys_belong_to_one_shop(client, db):
    first, first_token = api_shop(client, db)
    second, second_token = api_shop(client, db, name="Second Shop")
    one, two = make_skus(db, first.id, "A")[0], make_skus(db, second.id, "A")[0]
    for shop, token, sku in ((first, first_token, one), (second, second_token, two)):
        response = client.post(_url(shop.id), json={"updates": [{"seller_sku": "A",
                                                                  "quantity": 4}]},
                               headers={**bearer(token), "Idempotency-Key": "same"})
        assert response.json()["applied"] == 1
        assert level(db, sku, shop.warehouse_id) == (4, 0)


def test_people_who_do_not_work_for_the_shop_get_404_and_nothing_changes(client, db):
    shop, _ = api_shop(client, db)
    sku = stocked_sku(db, shop, 2)
    stranger = signup(client)
    body = {"updates": [{"sku_id": str(sku), "quantity": 50}]}
    for shop_path in (str(shop.id), "999", "not-an-id", "99999999999999999999999"):
        response = client.post(f"/api/v1/seller/shops/{shop_path}/inventory", json=body,
                               headers=bearer(stranger["access_token"]))
        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"
    assert client.post(_url(shop.id), json=body).status_code == 401
    assert level(db, sku, shop.warehouse_id) == (2, 0)


def test_another_shops_sku_or_warehouse_in_an_item_is_refused(client, db):
    shop, token = api_shop(client, db)
    other, _ = api_shop(client, db, name="Rival")
    theirs = stocked_sku(db, other, 3, code="THEIRS")
    mine = make_skus(db, shop.id, "MINE")[0]
    response = client.post(_url(shop.id), headers=bearer(token), json={"updates": [
        {"sku_id": str(theirs), "quantity": 0},
        {"seller_sku": "THEIRS", "quantity": 0},
        {"sku_id": str(mine), "warehouse_id": str(other.warehouse_id), "quantity": 1},
    ]})
    assert [r["code"] for r in response.json()["results"]] == ["NOT_FOUND"] * 3
    assert level(db, theirs, other.warehouse_id) == (3, 0)
    assert count(db, StockMovement) == 1


def test_malformed_bodies_are_400_problems(client, db):
    shop, token = api_shop(client, db)
    for body in ({"updates": []}, {"updates": [{"sku_id": "1", "quantity": -1}]},
                 {"updates": [{"sku_id": "1", "quantity": 1, "colour": "red"}]},
                 {"items": []}, {"updates": [{"sku_id": "1", "quantity": "ten"}]}):
        response = client.post(_url(shop.id), json=body, headers=bearer(token))
        assert response.status_code == 400, body
        assert response.json()["code"] == "VALIDATION_ERROR"
    long_key = {**bearer(token), "Idempotency-Key": "k" * 256}
    response = client.post(_url(shop.id), headers=long_key,
                           json={"updates": [{"seller_sku": "X", "quantity": 1}]})
    assert response.status_code == 400
    assert response.json()["field"] == "Idempotency-Key"


def test_two_concurrent_requests_with_one_key_apply_once(client, db):
    import threading

    from clipcart.inventory import bulk, idempotency

    shop, _ = api_shop(client, db)
    sku = make_skus(db, shop.id, "CAP")[0]
    barrier = threading.Barrier(4)
    answers: list[object] = []

    def call() -> None:
        barrier.wait(timeout=30)
        try:
            with db.transaction() as session:
                def work() -> idempotency.Answer:
                    report = bulk.apply_updates(
                        session, shop.id, [bulk.StockUpdate(row=0, quantity=5, sku_id=sku)],
                        actor_user_id=None, reason="api")
                    return idempotency.Answer(200, {"applied": report.applied})

                answer = idempotency.once(session, shop.id, "race", {"q": 5}, work)
            answers.append((answer.body, answer.replayed))
        except Exception as exc:  # asserted below
            answers.append(exc)

    threads = [threading.Thread(target=call) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(answers, key=repr) == [({"applied": 1}, False)] + [({"applied": 1}, True)] * 3
    assert count(db, StockMovement) == 1


def test_garbage_bodies_get_a_4xx_problem_never_a_500(client, db):
    from tests.test_bad_input import MALFORMED_BODIES

    shop, token = api_shop(client, db)
    sku = stocked_sku(db, shop, 3)
    bodies = [*MALFORMED_BODIES, b'{"updates": "all"}', b'{"updates": [null]}',
              b'{"updates": [[1, 2]]}', b'{"updates": [{"sku_id": 5, "quantity": 1}]}']
    for body in bodies:
        response = client.post(_url(shop.id), content=body, headers={
            **bearer(token), "content-type": "application/json"})
        assert 400 <= response.status_code < 500, (body[:60], response.text)
        assert response.json()["code"].isupper()
    item_errors = client.post(_url(shop.id), headers=bearer(token), json={"updates": [
        {"sku_id": str(sku), "quantity": 2_000_000_000}, {"sku_id": str(sku), "quantity": 2**70},
        {"sku_id": "0", "quantity": 1}, {"sku_id": "-5", "quantity": 1},
        {"sku_id": str(sku), "warehouse_id": "abc", "quantity": 1},
        {"sku_id": str(sku), "low_stock_threshold": 2**40},
        {"sku_id": str(sku)}]})
    assert item_errors.status_code == 200
    assert [r["status"] for r in item_errors.json()["results"]] == ["error"] * 7
    assert level(db, sku, shop.warehouse_id) == (3, 0)
