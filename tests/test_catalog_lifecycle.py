"""The product status lifecycle: submission, audit, live edits, deactivation, deletion."""

import pytest
from sqlalchemy import select

from clipcart.catalog import audit, submission
from clipcart.catalog.buyer import product_for_buyer, sku_offer, sku_offers
from clipcart.catalog.models import ProductRevision, ProductStatusHistory
from clipcart.catalog.service import create_product, product_of_shop, skus_of, update_product
from clipcart.db import transaction
from clipcart.errors import Conflict, NotFound
from clipcart.events import OutboxEvent
from clipcart.identity.models import Notification
from clipcart.identity.service import create_operator
from tests.catalog_support import (
    dress_input,
    live_product,
    make_seller,
    png,
    shop_of,
    sync_categories,
)


@pytest.fixture(autouse=True)
def _categories():
    sync_categories()


def _history(product_id):
    with transaction() as session:
        rows = session.execute(select(ProductStatusHistory)
                               .where(ProductStatusHistory.product_id == product_id)
                               .order_by(ProductStatusHistory.id)).scalars()
        return [(r.from_status, r.to_status, r.actor.split(":")[0]) for r in rows]


def _operator():
    with transaction() as session:
        return create_operator(session, "ops@example.com", "operator password").id


def _status_events(product_id):
    with transaction() as session:
        rows = session.execute(select(OutboxEvent).where(
            OutboxEvent.type == "catalog.product_status_changed").order_by(OutboxEvent.id))
        return [(e.payload["old_status"], e.payload["new_status"]) for e in rows.scalars()
                if e.payload["product_id"] == str(product_id)]


def _buyer_view(product_id, country="GB"):
    with transaction() as session:
        return product_for_buyer(session, product_id, country)


def _edit(seller, product_id, data, submit=True):
    with transaction() as session:
        shop = shop_of(session, seller)
        update_product(session, shop, product_id, data, actor_user_id=seller.user_id)
        if submit:
            submission.submit_product(session, shop, product_id, actor_user_id=seller.user_id)
        return product_of_shop(session, shop.id, product_id).status


def _flagged_revision(product_id):
    with transaction() as session:
        return session.execute(select(ProductRevision.id).where(
            ProductRevision.product_id == product_id,
            ProductRevision.audit_status == "IN_REVIEW")).scalar_one()


def test_a_clean_listing_goes_live_with_a_history_row_per_transition(client):
    seller = make_seller(client)
    product_id = live_product(seller)
    assert _history(product_id) == [(None, "DRAFT", "seller"), ("DRAFT", "PENDING", "seller"),
                                    ("PENDING", "ACTIVATE", "system")]
    assert _status_events(product_id) == [("DRAFT", "PENDING"), ("PENDING", "ACTIVATE")]
    view = _buyer_view(product_id)
    assert view.title == "Linen summer dress"
    assert [s.attributes for s in view.skus] == [
        {"Colour": "Red", "Size": "S"}, {"Colour": "Red", "Size": "M"},
        {"Colour": "Blue", "Size": "S"}, {"Colour": "Blue", "Size": "M"}]
    assert {s.available_quantity for s in view.skus} == {5}
    with transaction() as session:
        notes = session.execute(select(Notification.title).where(
            Notification.user_id == seller.user_id, Notification.kind == "catalog.audit")).all()
    assert notes == [("“Linen summer dress” is live",)]


def test_a_live_edit_waits_in_review_while_buyers_keep_the_approved_version(client):
    seller = make_seller(client)
    product_id = live_product(seller)
    flagged = dress_input(title="Linen summer dress replica", price="19.90", list_price=None)

    status = _edit(seller, product_id, flagged)

    assert status == "PENDING"
    view = _buyer_view(product_id)
    assert view.title == "Linen summer dress"
    assert {s.price.minor for s in view.skus} == {2490}
    with transaction() as session:
        sku_id = skus_of(session, product_id)[0].id
        assert sku_offer(session, sku_id).price.minor == 2490
        assert sku_offer(session, sku_id).title == "Linen summer dress"

    revision, operator = _flagged_revision(product_id), _operator()
    with transaction() as session:
        audit.approve(session, revision, operator)

    view = _buyer_view(product_id)
    assert view.title == "Linen summer dress replica"
    assert {s.price.minor for s in view.skus} == {1990}
    assert _history(product_id)[-2:] == [("ACTIVATE", "PENDING", "seller"),
                                         ("PENDING", "ACTIVATE", "operator")]


def test_a_rejected_live_edit_fails_and_the_old_version_stays_on_sale(client):
    seller = make_seller(client)
    product_id = live_product(seller)
    _edit(seller, product_id, dress_input(title="Designer dress first copy"))
    operator = _operator()
    revision = _flagged_revision(product_id)
    with transaction() as session:
        audit.reject(session, revision, operator, "Copies of designer goods are not allowed.")

    with transaction() as session:
        product = product_of_shop(session, seller.shop_id, product_id)
        assert (product.status, product.visible) == ("FAILED", True)
        rejected = session.get(ProductRevision, revision)
        assert rejected.audit_status == "REJECTED"
        assert rejected.reasons[-1] == {"code": "operator", "action": "reject",
                                        "message": "Copies of designer goods are not allowed."}
    assert _buyer_view(product_id).title == "Linen summer dress"
    with transaction() as session:
        bodies = session.execute(select(Notification.title, Notification.body).where(
            Notification.user_id == seller.user_id, Notification.kind == "catalog.audit")
            .order_by(Notification.id)).all()
    assert bodies[-1] == ("“Designer dress first copy” failed review",
                          "Copies of designer goods are not allowed.")


def test_an_edit_outside_title_images_category_and_price_goes_live_without_a_review(client):
    seller = make_seller(client)
    product_id = live_product(seller)
    status = _edit(seller, product_id, dress_input(description="Now with pockets."))
    assert status == "ACTIVATE"
    assert _buyer_view(product_id).description == "Now with pockets."
    assert _history(product_id)[-1] == ("PENDING", "ACTIVATE", "system")  # no new transition
    with transaction() as session:
        numbers = session.execute(select(ProductRevision.number, ProductRevision.audit_status)
                                  .where(ProductRevision.product_id == product_id)
                                  .order_by(ProductRevision.number)).all()
    assert numbers == [(1, "APPROVED"), (2, "APPROVED")]


def test_a_clean_price_change_passes_through_audit_and_swaps_at_once(client):
    seller = make_seller(client)
    product_id = live_product(seller)
    assert _edit(seller, product_id, dress_input(price="22.00")) == "ACTIVATE"
    assert {s.price.minor for s in _buyer_view(product_id).skus} == {2200}
    assert _history(product_id)[-2:] == [("ACTIVATE", "PENDING", "seller"),
                                         ("PENDING", "ACTIVATE", "system")]


def test_saving_without_submitting_changes_nothing_buyers_see(client):
    seller = make_seller(client)
    product_id = live_product(seller)
    assert _edit(seller, product_id, dress_input(title="New title"), submit=False) == "ACTIVATE"
    assert _buyer_view(product_id).title == "Linen summer dress"
    with transaction() as session:
        assert product_of_shop(session, seller.shop_id, product_id).unsubmitted_changes is True


def test_a_sku_added_by_an_unapproved_edit_cannot_be_bought_yet(client):
    seller = make_seller(client)
    product_id = live_product(seller)
    _edit(seller, product_id, dress_input(title="Linen dress replica", sizes=("S", "M", "L")))
    with transaction() as session:
        skus = skus_of(session, product_id)
        offers = sku_offers(session, [s.id for s in skus])
    assert len(skus) == 6
    assert sorted(o.attributes["Size"] for o in offers.values()) == ["M", "M", "S", "S"]


def test_deactivating_hides_the_product_and_activating_shows_it_again(client):
    seller = make_seller(client)
    product_id = live_product(seller)
    with transaction() as session:
        submission.deactivate_product(session, shop_of(session, seller), product_id)
    with pytest.raises(NotFound):
        _buyer_view(product_id)
    with transaction() as session:
        submission.activate_product(session, shop_of(session, seller), product_id)
    assert _buyer_view(product_id).title == "Linen summer dress"
    assert [h[:2] for h in _history(product_id)[-2:]] == [("ACTIVATE", "SELLER_DEACTIVATED"),
                                                          ("SELLER_DEACTIVATED", "ACTIVATE")]


def test_activating_with_unsubmitted_changes_sends_them_through_audit(client):
    seller = make_seller(client)
    product_id = live_product(seller)
    with transaction() as session:
        submission.deactivate_product(session, shop_of(session, seller), product_id)
    _edit(seller, product_id, dress_input(title="Linen dress, new season"), submit=False)
    with transaction() as session:
        product = submission.activate_product(session, shop_of(session, seller), product_id)
        assert product.status == "ACTIVATE"
    assert _buyer_view(product_id).title == "Linen dress, new season"
    assert [h[:2] for h in _history(product_id)[-2:]] == [("SELLER_DEACTIVATED", "PENDING"),
                                                          ("PENDING", "ACTIVATE")]


@pytest.mark.parametrize(("action", "status"), [
    (submission.deactivate_product, "DRAFT"),
    (submission.activate_product, "DRAFT"),
])
def test_moves_the_table_does_not_allow_are_refused_and_change_nothing(client, action, status):
    seller = make_seller(client)
    data = dress_input()
    with transaction() as session:
        product_id = create_product(session, shop_of(session, seller), data).id
    with pytest.raises(Conflict) as info, transaction() as session:
        action(session, shop_of(session, seller), product_id)
    assert info.value.code == "INVALID_STATUS_TRANSITION"
    assert _history(product_id) == [(None, status, "seller")]


def test_a_deleted_product_is_gone_and_its_seller_sku_codes_are_free_again(client):
    seller = make_seller(client)
    product_id = live_product(seller)
    with transaction() as session:
        submission.delete_product(session, shop_of(session, seller), product_id)
    with pytest.raises(NotFound):
        _buyer_view(product_id)
    with pytest.raises(NotFound), transaction() as session:
        product_of_shop(session, seller.shop_id, product_id)
    again = live_product(seller)  # the same seller SKU codes
    assert again != product_id


def test_the_platform_takes_a_product_down_and_a_resubmission_waits_for_a_person(client):
    seller = make_seller(client)
    product_id = live_product(seller)
    operator = _operator()
    with transaction() as session:
        audit.platform_deactivate(session, product_id, operator, "Reported as counterfeit.")
    with pytest.raises(NotFound):
        _buyer_view(product_id)
    assert _history(product_id)[-1] == ("ACTIVATE", "PLATFORM_DEACTIVATED", "operator")

    assert _edit(seller, product_id, dress_input(description="Genuine, with receipt.")) \
        == "PENDING"
    with transaction() as session:
        reasons = session.get(ProductRevision, _flagged_revision(product_id)).reasons
    assert [r["code"] for r in reasons] == ["platform_deactivated"]
    with pytest.raises(NotFound):
        _buyer_view(product_id)


def test_an_operator_reinstates_a_taken_down_product(client):
    seller = make_seller(client)
    product_id = live_product(seller)
    operator = _operator()
    with transaction() as session:
        audit.platform_deactivate(session, product_id, operator, "Mistaken report.")
    with transaction() as session:
        audit.reinstate(session, product_id, operator)
    assert _buyer_view(product_id).title == "Linen summer dress"


def test_a_decision_on_a_replaced_submission_is_refused(client):
    seller = make_seller(client)
    product_id = live_product(seller)
    _edit(seller, product_id, dress_input(title="Dress replica one"))
    first = _flagged_revision(product_id)
    _edit(seller, product_id, dress_input(title="Dress replica two"))
    operator = _operator()
    with pytest.raises(Conflict) as info, transaction() as session:
        audit.approve(session, first, operator)
    assert info.value.code == "ALREADY_DECIDED"
    with transaction() as session:
        assert session.get(ProductRevision, first).audit_status == "WITHDRAWN"


def test_a_rule_set_to_reject_fails_the_listing_at_once_with_the_reasons(client):
    seller = make_seller(client)
    data = dress_input()
    with transaction() as session:
        product = submission.create_and_submit(session, shop_of(session, seller), data,
                                               images=[])
        assert product.status == "FAILED"
        assert product.visible is False
    history = _history(product.id)
    assert history[-1] == ("PENDING", "FAILED", "system")
    with transaction() as session:
        row = session.execute(select(ProductStatusHistory).where(
            ProductStatusHistory.product_id == product.id)
            .order_by(ProductStatusHistory.id.desc()).limit(1)).scalar_one()
    assert row.reasons == ["Add at least one image of the product."]


def test_images_of_a_product_are_ordered_and_limited_to_nine(client):
    from clipcart.catalog.images import add_image, images_of, move_image

    seller = make_seller(client)
    data = dress_input()
    with transaction() as session:
        shop = shop_of(session, seller)
        product_id = create_product(session, shop, data).id
        ids = [add_image(session, shop, product_id, png(colour=(i * 20, 0, 0))).id
               for i in range(9)]
        with pytest.raises(Conflict) as info:
            add_image(session, shop, product_id, png())
        assert info.value.code == "TOO_MANY_IMAGES"
        move_image(session, shop, product_id, ids[2], -5)
        assert [i.id for i in images_of(session, product_id)][:3] == [ids[2], ids[0], ids[1]]


def test_status_events_carry_ids_statuses_and_reasons(client):
    seller = make_seller(client)
    data = dress_input("Replica dress", code="REP")
    with transaction() as session:
        product = submission.create_and_submit(session, shop_of(session, seller), data,
                                               images=[png()], actor_user_id=seller.user_id)
        product_id = product.id
    with transaction() as session:
        [event] = session.execute(select(OutboxEvent).where(
            OutboxEvent.type == "catalog.product_status_changed")).scalars().all()
    revision = _flagged_revision(product_id)
    assert event.payload == {
        "product_id": str(product_id), "shop_id": str(seller.shop_id), "title": "Replica dress",
        "old_status": "DRAFT", "new_status": "PENDING",
        "reasons": ["“replica” is on the prohibited words list (in the title)."],
        "revision_id": str(revision), "actor": f"seller:{seller.user_id}"}


def test_two_uploads_racing_for_the_ninth_image_slot_cannot_both_win(client):
    import threading

    from clipcart.catalog.images import add_image, images_of

    seller = make_seller(client)
    data = dress_input()
    with transaction() as session:
        shop = shop_of(session, seller)
        product_id = create_product(session, shop, data).id
        for _ in range(8):
            add_image(session, shop, product_id, png())
    barrier, results = threading.Barrier(2), []

    def upload():
        barrier.wait()
        try:
            with transaction() as session:
                add_image(session, shop_of(session, seller), product_id, png())
            results.append("ok")
        except Conflict as exc:
            results.append(exc.code)

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["TOO_MANY_IMAGES", "ok"]
    with transaction() as session:
        assert len(images_of(session, product_id)) == 9
