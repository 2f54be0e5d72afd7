"""Buyer API of social: videos (upload, read, product links, views, likes, shares, threaded
comments, moderation). Profiles, follows, blocks, reports and showcases: profile_api."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

import msgspec
from litestar import Request, Router, delete, get, patch, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody

from clipcart.config import get_settings
from clipcart.db import transaction
from clipcart.errors import ValidationFailed
from clipcart.social import profile_api, service
from clipcart.social.profile_api import _id, viewer_of
from clipcart.social.service import Viewer
from clipcart.web.auth import CurrentUser, requires_user


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


class AnchorsBody(msgspec.Struct, forbid_unknown_fields=True):
    product_ids: Annotated[list[Annotated[str, msgspec.Meta(max_length=24)]],
                           msgspec.Meta(max_length=20)]


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


@put("/videos/{video_id:str}/products", sync_to_thread=True, guards=[requires_user],
     tags=["videos"], summary="Replace a video's product links",
     description="Live products of the poster's own shop, at most six.")
def link_products(video_id: FromPath[str], data: JSONBody[AnchorsBody],
                  request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    vid = _id(video_id, "video")
    ids = service.parse_product_ids(data.product_ids)
    with transaction() as session:
        service.set_anchors(session, request.user.id, vid, ids)
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


router = Router(path="/", tags=["social"], route_handlers=[
    create_video, read_video, change_visibility, moderate_video, link_products, view_video,
    like_video, unlike_video, share_video, read_comments, write_comment, moderate_comment,
    profile_api.router])
