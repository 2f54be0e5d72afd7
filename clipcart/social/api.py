"""Buyer API of social: videos (upload, read, views, likes, shares, comments, moderation),
profiles (follow, block, Shop tab), reports and the creator's showcase collections."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

import msgspec
from litestar import Request, Router, delete, get, patch, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody

from clipcart.config import get_settings
from clipcart.db import transaction
from clipcart.errors import NotFound, ValidationFailed
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


@dataclass
class VideoUpload:
    file: UploadFile
    caption: str = ""
    product_ids: list[str] = field(default_factory=list)
    shop_id: str = ""
    visibility: str = "PUBLIC"


class StatusBody(msgspec.Struct, forbid_unknown_fields=True):
    status: Annotated[str, msgspec.Meta(max_length=12)]
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class VisibilityBody(msgspec.Struct, forbid_unknown_fields=True):
    visibility: Annotated[str, msgspec.Meta(max_length=10)]


class ShareBody(msgspec.Struct, forbid_unknown_fields=True):
    channel: Annotated[str, msgspec.Meta(max_length=20)] = "link"


class CommentBody(msgspec.Struct, forbid_unknown_fields=True):
    body: Annotated[str, msgspec.Meta(max_length=2000)]
    parent_id: Annotated[str, msgspec.Meta(max_length=24)] | None = None


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


def _video(session: Any, video_id: int, viewer: Viewer) -> dict[str, Any]:
    video, profile = service.get_video(session, video_id, viewer)
    return service.video_json(session, video, profile, viewer)


@post("/videos", status_code=201, sync_to_thread=True, guards=[requires_user], tags=["videos"],
      summary="Upload a video",
      description="Multipart: `file` (MP4 with H.264/HEVC/AV1 or WebM with VP8/VP9/AV1, "
                  "checked by content; size and duration limits from configuration), "
                  "`caption` (hashtags and @mentions are picked out), `product_ids` (repeat "
                  "the field, or separate by commas: live products of your own shop), "
                  "optional `shop_id` (post on the shop's official profile) and `visibility` "
                  "(PUBLIC, FOLLOWERS, PRIVATE). 400 VIDEO_TYPE for a file that is not a "
                  "playable, complete video.",
      request_max_body_size=get_settings().video_max_bytes + 1024 * 1024)
def create_video(data: Annotated[VideoUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
                 request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    if not isinstance(data.file, UploadFile):
        raise ValidationFailed("Send the video as the multipart field `file`.", field="file")
    blob = data.file.file.read()
    product_ids = service.parse_product_ids(data.product_ids)
    shop_id = None
    if data.shop_id.strip():
        shop_id = _id(data.shop_id.strip(), "shop")
    with transaction() as session:
        video = service.upload_video(session, request.user.id, blob, caption=data.caption,
                                     product_ids=product_ids, shop_id=shop_id,
                                     visibility=data.visibility.strip().upper() or "PUBLIC")
        return _video(session, video.id, viewer_of(request))


@get("/videos/{video_id:str}", sync_to_thread=True, tags=["videos"], summary="A video",
     description="The video with its product links; each link's `url` opens the product "
                 "with `source` video, which carries into the cart and order lines.")
def read_video(video_id: FromPath[str], request: Request[Any, Any, Any]) -> dict[str, Any]:
    with transaction() as session:
        return _video(session, _id(video_id, "video"), viewer_of(request))


@patch("/videos/{video_id:str}", sync_to_thread=True, guards=[requires_user], tags=["videos"],
       summary="Change who can see a video")
def change_visibility(video_id: FromPath[str], data: JSONBody[VisibilityBody],
                      request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    with transaction() as session:
        vid = _id(video_id, "video")
        service.set_visibility(session, request.user.id, vid, data.visibility.upper())
        return _video(session, vid, viewer_of(request))


@post("/videos/{video_id:str}/status", status_code=200, sync_to_thread=True,
      guards=[requires_user], tags=["videos"], summary="Moderate a video",
      description="Owners hide and republish their videos; moderators also put them under "
                  "review, remove or reinstate them. Every move is kept in the history.")
def moderate_video(video_id: FromPath[str], data: JSONBody[StatusBody],
                   request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    with transaction() as session:
        vid = _id(video_id, "video")
        service.set_status(session, viewer_of(request), vid, data.status.upper(), data.reason)
        return _video(session, vid, viewer_of(request))


@post("/videos/{video_id:str}/views", status_code=200, sync_to_thread=True, tags=["videos"],
      summary="Count a view")
def view_video(video_id: FromPath[str], request: Request[Any, Any, Any]) -> dict[str, int]:
    with transaction() as session:
        return {"view_count": service.record_view(session, _id(video_id, "video"),
                                                  viewer_of(request))}


@post("/videos/{video_id:str}/like", status_code=200, sync_to_thread=True,
      guards=[requires_user], tags=["videos"], summary="Like a video (idempotent)")
def like_video(video_id: FromPath[str], request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    with transaction() as session:
        count = service.like(session, request.user.id, _id(video_id, "video"))
    return {"liked": True, "like_count": count}


@delete("/videos/{video_id:str}/like", status_code=200, sync_to_thread=True,
        guards=[requires_user], tags=["videos"], summary="Take a like back")
def unlike_video(video_id: FromPath[str],
                 request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    with transaction() as session:
        count = service.unlike(session, request.user.id, _id(video_id, "video"))
    return {"liked": False, "like_count": count}


@post("/videos/{video_id:str}/shares", status_code=200, sync_to_thread=True, tags=["videos"],
      summary="Count a share", description="`channel`: link, message or other.")
def share_video(video_id: FromPath[str], data: JSONBody[ShareBody],
                request: Request[Any, Any, Any]) -> dict[str, Any]:
    vid = _id(video_id, "video")
    with transaction() as session:
        count = service.share(session, viewer_of(request), vid, data.channel)
    return {"share_count": count, "url": f"{get_settings().base_url}/videos/{vid}"}


@get("/videos/{video_id:str}/comments", sync_to_thread=True, tags=["comments"],
     summary="A video's comments, threaded")
def read_comments(video_id: FromPath[str], request: Request[Any, Any, Any],
                  page_size: FromQuery[int] = 20,
                  page_token: FromQuery[str | None] = None) -> dict[str, Any]:
    with transaction() as session:
        page = service.list_comments(session, _id(video_id, "video"), viewer_of(request),
                                     page_size=page_size, page_token=page_token)
    return {"comments": [c.as_json() for c in page.items],
            "next_page_token": page.next_page_token}


@post("/videos/{video_id:str}/comments", status_code=201, sync_to_thread=True,
      guards=[requires_user], tags=["comments"], summary="Comment, or reply with parent_id")
def write_comment(video_id: FromPath[str], data: JSONBody[CommentBody],
                  request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    parent = _id(data.parent_id, "comment") if data.parent_id else None
    with transaction() as session:
        comment = service.add_comment(session, request.user.id, _id(video_id, "video"),
                                      data.body, parent)
        return {"id": str(comment.id), "video_id": str(comment.video_id),
                "parent_id": str(comment.parent_id) if comment.parent_id else None,
                "body": comment.body, "status": comment.status}


@patch("/comments/{comment_id:str}", sync_to_thread=True, guards=[requires_user],
       tags=["comments"], summary="Hide, show or delete a comment",
       description="The video's owner or a moderator hides (HIDDEN) and shows (VISIBLE); "
                   "the author, the owner or a moderator deletes (DELETED).")
def moderate_comment(comment_id: FromPath[str], data: JSONBody[StatusBody],
                     request: Request[CurrentUser, Any, Any]) -> dict[str, str]:
    with transaction() as session:
        comment = service.set_comment_status(session, viewer_of(request),
                                             _id(comment_id, "comment"), data.status.upper(),
                                             data.reason)
        return {"id": str(comment.id), "status": comment.status}


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


router = Router(path="/", tags=["social"], route_handlers=[
    create_video, read_video, change_visibility, moderate_video, view_video, like_video,
    unlike_video, share_video, read_comments, write_comment, moderate_comment, read_profile,
    read_profile_videos, read_shop_tab, follow_profile, unfollow_profile, block_profile,
    unblock_profile, edit_profile, file_report, my_showcase, new_collection, drop_collection,
    add_to_collection, remove_from_collection])
