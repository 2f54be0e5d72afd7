"""Buyer API of social: profiles, follows, blocks, reports, the Shop tab and the
creator's showcase collections."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Router, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from clipcart.db import transaction
from clipcart.errors import NotFound
from clipcart.ids import parse_id
from clipcart.social import service
from clipcart.social.service import Viewer
from clipcart.web.auth import CurrentUser, requires_user


def viewer_of(request: Request[Any, Any, Any]) -> Viewer:
    user: CurrentUser | None = request.scope.get("user")
    return Viewer(user.id if user else None, bool(user and user.has("operator")))


def _id(raw: str, what: str) -> int:
    value = parse_id(raw)
    if value is None:
        raise NotFound(f"No such {what}.")
    return value


class ProfileBody(msgspec.Struct, forbid_unknown_fields=True):
    display_name: Annotated[str, msgspec.Meta(max_length=200)]
    bio: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class ReportBody(msgspec.Struct, forbid_unknown_fields=True):
    target_type: Annotated[str, msgspec.Meta(max_length=10)]
    target_id: Annotated[str, msgspec.Meta(max_length=24)]
    reason: Annotated[str, msgspec.Meta(max_length=1000)]


class CollectionBody(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(max_length=200)]


class ProductBody(msgspec.Struct, forbid_unknown_fields=True):
    product_id: Annotated[str, msgspec.Meta(max_length=24)]


@get("/profiles/{handle:str}", sync_to_thread=True, tags=["profiles"], summary="A profile")
def read_profile(handle: FromPath[str], request: Request[Any, Any, Any]) -> dict[str, Any]:
    with transaction() as session:
        profile = service.profile_by_handle(session, handle)
        return service.profile_json(session, profile, viewer_of(request))


@get("/profiles/{handle:str}/videos", sync_to_thread=True, tags=["profiles"],
     summary="A profile's videos, newest first")
def read_profile_videos(handle: FromPath[str], request: Request[Any, Any, Any],
                        page_size: FromQuery[int] = 24,
                        page_token: FromQuery[str | None] = None) -> dict[str, Any]:
    with transaction() as session:
        profile = service.profile_by_handle(session, handle)
        page = service.profile_videos(session, profile, viewer_of(request),
                                      page_size=page_size, page_token=page_token)
        return {"videos": [service.video_summary(v) for v in page.items],
                "next_page_token": page.next_page_token}


@get("/profiles/{handle:str}/shop", sync_to_thread=True, tags=["profiles"],
     summary="A profile's Shop tab",
     description="A shop's profile: its live products (paged). A creator's: their "
                 "collections. Each product's `url` carries `source` showcase.")
def read_shop_tab(handle: FromPath[str], page_size: FromQuery[int] = 20,
                  page_token: FromQuery[str | None] = None) -> dict[str, Any]:
    with transaction() as session:
        profile = service.profile_by_handle(session, handle)

        def card(c: service.ProductCard) -> dict[str, Any]:
            return {**c.as_json(), "url": service.product_url(c.id, "showcase", profile.id),
                    "source": {"type": "showcase", "id": str(profile.id)}}

        if profile.shop_id is not None:
            page = service.shop_live_products(session, profile.shop_id, page_size=page_size,
                                              page_token=page_token)
            return {"kind": "shop", "products": [card(c) for c in page.items],
                    "next_page_token": page.next_page_token}
        return {"kind": "creator", "collections": [
            {"id": str(c.id), "name": c.name, "products": [card(p) for p in c.products]}
            for c in service.collections(session, profile.id)]}


def _profile_id(session: Any, handle: str) -> int:
    return int(service.profile_by_handle(session, handle).id)


@post("/profiles/{handle:str}/follow", status_code=200, sync_to_thread=True,
      guards=[requires_user], tags=["profiles"], summary="Follow (idempotent)")
def follow_profile(handle: FromPath[str],
                   request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    with transaction() as session:
        state = service.follow(session, request.user.id, _profile_id(session, handle))
    return {"following": state.following, "follower_count": state.follower_count}


@delete("/profiles/{handle:str}/follow", status_code=200, sync_to_thread=True,
        guards=[requires_user], tags=["profiles"], summary="Unfollow")
def unfollow_profile(handle: FromPath[str],
                     request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    with transaction() as session:
        state = service.unfollow(session, request.user.id, _profile_id(session, handle))
    return {"following": state.following, "follower_count": state.follower_count}


@post("/profiles/{handle:str}/block", status_code=200, sync_to_thread=True,
      guards=[requires_user], tags=["profiles"], summary="Block a user")
def block_profile(handle: FromPath[str],
                  request: Request[CurrentUser, Any, Any]) -> dict[str, bool]:
    with transaction() as session:
        service.block(session, request.user.id, _profile_id(session, handle))
    return {"blocked": True}


@delete("/profiles/{handle:str}/block", status_code=200, sync_to_thread=True,
        guards=[requires_user], tags=["profiles"], summary="Unblock a user")
def unblock_profile(handle: FromPath[str],
                    request: Request[CurrentUser, Any, Any]) -> dict[str, bool]:
    with transaction() as session:
        service.unblock(session, request.user.id, _profile_id(session, handle))
    return {"blocked": False}


@patch("/me/profile", sync_to_thread=True, guards=[requires_user], tags=["profiles"],
       summary="Edit my profile")
def edit_profile(data: JSONBody[ProfileBody],
                 request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    with transaction() as session:
        profile = service.update_profile(session, request.user.id,
                                         display_name=data.display_name, bio=data.bio)
        return service.profile_json(session, profile, viewer_of(request))


@post("/reports", status_code=201, sync_to_thread=True, guards=[requires_user],
      tags=["profiles"], summary="Report a profile, video or comment")
def file_report(data: JSONBody[ReportBody],
                request: Request[CurrentUser, Any, Any]) -> dict[str, str]:
    with transaction() as session:
        row = service.report(session, request.user.id, data.target_type,
                             _id(data.target_id, data.target_type), data.reason)
        return {"id": str(row.id), "status": row.status}


def _collections_json(session: Any, user_id: int) -> dict[str, Any]:
    profile = service.user_profile(session, user_id)
    return {"max_products": service.collection_max(), "collections": [
        {"id": str(c.id), "name": c.name,
         "products": [p.as_json() for p in c.products]}
        for c in service.collections(session, profile.id)]}


@get("/me/showcase", sync_to_thread=True, guards=[requires_user], tags=["showcase"],
     summary="My Shop tab collections")
def my_showcase(request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    with transaction() as session:
        return _collections_json(session, request.user.id)


@post("/me/showcase/collections", status_code=201, sync_to_thread=True,
      guards=[requires_user], tags=["showcase"], summary="Make a collection")
def new_collection(data: JSONBody[CollectionBody],
                   request: Request[CurrentUser, Any, Any]) -> dict[str, str]:
    with transaction() as session:
        row = service.create_collection(session, request.user.id, data.name)
        return {"id": str(row.id), "name": row.name}


@delete("/me/showcase/collections/{collection_id:str}", status_code=200, sync_to_thread=True,
        guards=[requires_user], tags=["showcase"], summary="Delete a collection")
def drop_collection(collection_id: FromPath[str],
                    request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    with transaction() as session:
        service.delete_collection(session, request.user.id, _id(collection_id, "collection"))
        return _collections_json(session, request.user.id)


@post("/me/showcase/collections/{collection_id:str}/products", status_code=200,
      sync_to_thread=True, guards=[requires_user], tags=["showcase"],
      summary="Add a product to a collection (idempotent)")
def add_to_collection(collection_id: FromPath[str], data: JSONBody[ProductBody],
                      request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    with transaction() as session:
        service.add_product(session, request.user.id, _id(collection_id, "collection"),
                            _id(data.product_id, "product"))
        return _collections_json(session, request.user.id)


@delete("/me/showcase/collections/{collection_id:str}/products/{product_id:str}",
        status_code=200, sync_to_thread=True, guards=[requires_user], tags=["showcase"],
        summary="Take a product out of a collection")
def remove_from_collection(collection_id: FromPath[str], product_id: FromPath[str],
                           request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    with transaction() as session:
        service.remove_product(session, request.user.id, _id(collection_id, "collection"),
                               _id(product_id, "product"))
        return _collections_json(session, request.user.id)


router = Router(path="/", route_handlers=[
    read_profile, read_profile_videos, read_shop_tab, follow_profile, unfollow_profile,
    block_profile, unblock_profile, edit_profile, file_report, my_showcase, new_collection,
    drop_collection, add_to_collection, remove_from_collection])
