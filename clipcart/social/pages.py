"""Social pages: a profile at ``/@handle`` (Videos and Shop tabs), a video page with its
product anchors and threaded comments, and the creator's studio (upload, Shop tab
collections, comment moderation). Pages parse, call the service, render."""

from __future__ import annotations

import re
from typing import Annotated, Any

from litestar import Request, Router, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from clipcart.config import get_settings
from clipcart.db import transaction
from clipcart.errors import DomainError, NotFound, ValidationFailed
from clipcart.ids import parse_id
from clipcart.shops import service as shops
from clipcart.social import service
from clipcart.social.api import viewer_of
from clipcart.social.captions import caption_html
from clipcart.web.auth import CurrentUser, requires_user
from clipcart.web.navigation import NavItem, register

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
UserRequest = Request[CurrentUser, Any, Any]

register(NavItem("Studio", "/studio", None,
                 "M4 4h10a2 2 0 0 1 2 2v3.5l4-3v11l-4-3V18a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V6a2 "
                 "2 0 0 1 2-2Z"))


def _id(raw: str, what: str) -> int:
    value = parse_id(raw)
    if value is None:
        raise NotFound(f"No such {what}.")
    return value


def _handle(raw: str) -> str:
    """Profiles live at ``/@handle``; a path parameter is a whole segment, so the route
    takes any one-segment path that no other route claims and keeps those with ``@``."""
    if not raw.startswith("@") or len(raw) < 2:
        raise NotFound("No such page.")
    return raw[1:]


def _back(request: Request[Any, Any, Any], fallback: str) -> Redirect:
    target = request.headers.get("referer", "")
    base = str(request.base_url).rstrip("/")
    if target.startswith(base):
        target = target[len(base):] or "/"
    return Redirect(target if target.startswith("/") and not target.startswith("//")
                    else fallback)


@get("/{handle:str}", sync_to_thread=True, include_in_schema=False)
def profile_page(request: Request[Any, Any, Any], handle: FromPath[str],
                 tab: FromQuery[str] = "videos",
                 page_token: FromQuery[str | None] = None) -> Template:
    viewer = viewer_of(request)
    handle = _handle(handle)
    with transaction() as session:
        profile = service.profile_by_handle(session, handle)
        header = service.profile_json(session, profile, viewer)
        context: dict[str, Any] = {"profile": profile, "p": header,
                                   "tab": "shop" if tab == "shop" else "videos"}
        if context["tab"] == "videos":
            page = service.profile_videos(session, profile, viewer, page_token=page_token)
            context["videos"] = page.items
            context["next_page_token"] = page.next_page_token
        elif profile.shop_id is not None:
            page_p = service.shop_live_products(session, profile.shop_id, page_size=24,
                                                page_token=page_token)
            context["products"] = page_p.items
            context["next_page_token"] = page_p.next_page_token
        else:
            context["collections"] = service.collections(session, profile.id)
        context["blocked"] = profile.user_id in service.blocked_user_ids(session,
                                                                          viewer.user_id)
    return Template("social/profile.html", context=context)


@get("/videos/{video_id:str}", sync_to_thread=True, include_in_schema=False)
def video_page(request: Request[Any, Any, Any], video_id: FromPath[str]) -> Template:
    viewer = viewer_of(request)
    vid = _id(video_id, "video")
    # A page shown again after an action on it (like, comment) is not another view.
    if not request.headers.get("referer", "").split("#")[0].endswith(f"/videos/{vid}"):
        with transaction() as session:
            service.record_view(session, vid, viewer)
    with transaction() as session:
        video, profile = service.get_video(session, vid, viewer)
        data = service.video_json(session, video, profile, viewer)
        owner = service.manages(session, viewer.user_id, profile)
        comments = service.list_comments(session, vid, viewer, page_size=50,
                                         include_hidden=owner or viewer.moderator)
    return Template("social/video.html", context={
        "v": data, "video": video, "owner": owner, "moderator": viewer.moderator,
        "comments": comments.items, "caption": caption_html(video.caption)})


@post("/{handle:str}/follow", sync_to_thread=True, include_in_schema=False,
      guards=[requires_user])
def follow_submit(request: UserRequest, handle: FromPath[str], data: Form) -> Redirect:
    handle = _handle(handle)
    with transaction() as session:
        pid = service.profile_by_handle(session, handle).id
        if data.get("action") == "unfollow":
            service.unfollow(session, request.user.id, pid)
        else:
            service.follow(session, request.user.id, pid)
    return _back(request, f"/@{handle}")


@post("/{handle:str}/block", sync_to_thread=True, include_in_schema=False,
      guards=[requires_user])
def block_submit(request: UserRequest, handle: FromPath[str], data: Form) -> Redirect:
    handle = _handle(handle)
    with transaction() as session:
        pid = service.profile_by_handle(session, handle).id
        if data.get("action") == "unblock":
            service.unblock(session, request.user.id, pid)
        else:
            service.block(session, request.user.id, pid)
    return Redirect(f"/@{handle}")


@post("/reports", sync_to_thread=True, include_in_schema=False, guards=[requires_user])
def report_submit(request: UserRequest, data: Form) -> Template:
    target_type = data.get("target_type", "")
    with transaction() as session:
        service.report(session, request.user.id, target_type,
                       _id(data.get("target_id", ""), target_type or "thing"),
                       data.get("reason", ""))
    return Template("social/reported.html", context={"back": data.get("back", "/")})


@post("/videos/{video_id:str}/like", sync_to_thread=True, include_in_schema=False,
      guards=[requires_user])
def like_submit(request: UserRequest, video_id: FromPath[str], data: Form) -> Redirect:
    vid = _id(video_id, "video")
    with transaction() as session:
        if data.get("action") == "unlike":
            service.unlike(session, request.user.id, vid)
        else:
            service.like(session, request.user.id, vid)
    return Redirect(f"/videos/{vid}")


@post("/videos/{video_id:str}/comments", sync_to_thread=True, include_in_schema=False,
      guards=[requires_user])
def comment_submit(request: UserRequest, video_id: FromPath[str], data: Form) -> Redirect:
    vid = _id(video_id, "video")
    parent = parse_id(data.get("parent_id", "")) if data.get("parent_id") else None
    with transaction() as session:
        comment = service.add_comment(session, request.user.id, vid, data.get("body", ""),
                                      parent)
    return Redirect(f"/videos/{vid}#c{comment.id}")


@post("/comments/{comment_id:str}/status", sync_to_thread=True, include_in_schema=False,
      guards=[requires_user])
def comment_status_submit(request: UserRequest, comment_id: FromPath[str],
                          data: Form) -> Redirect:
    with transaction() as session:
        comment = service.set_comment_status(session, viewer_of(request),
                                             _id(comment_id, "comment"),
                                             data.get("status", "").upper(),
                                             data.get("reason", ""))
    return _back(request, f"/videos/{comment.video_id}")


# --- the creator's studio ---

def _studio(request: UserRequest, *, error: str | None = None, status_code: int = 200,
            form: dict[str, Any] | None = None) -> Template:
    user = request.user
    viewer = viewer_of(request)
    with transaction() as session:
        profile = service.user_profile(session, user.id)
        videos = service.profile_videos(session, profile, viewer, page_size=60).items
        collections = service.collections(session, profile.id)
        queue = service.moderation_queue(session, [profile.id])
        linkable = [c for shop, _role in shops.shops_of(session, user.id)
                    if shop.status == "APPROVED"
                    for c in service.shop_live_products(session, shop.id, page_size=50).items]
    return Template("social/studio.html", status_code=status_code, context={
        "profile": profile, "videos": videos, "collections": collections, "queue": queue,
        "linkable": linkable,
        "error": error, "form": form or {}, "collection_max": service.collection_max()})


@get("/studio", sync_to_thread=True, include_in_schema=False, guards=[requires_user])
def studio_page(request: UserRequest) -> Template:
    return _studio(request)


@post("/studio/videos", sync_to_thread=True, include_in_schema=False, guards=[requires_user],
      request_max_body_size=get_settings().video_max_bytes + 1024 * 1024)
def studio_upload(request: UserRequest, data: Multipart) -> Template | Redirect:
    upload = data.get("file")
    caption = str(data.get("caption", ""))
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed("Choose a video file (MP4 or WebM).", field="file")
        raw_ids = data.get("product_ids")
        product_ids = service.parse_product_ids(raw_ids if isinstance(raw_ids, list)
                                                else str(raw_ids or ""))
        with transaction() as session:
            video = service.upload_video(session, request.user.id, upload.file.read(),
                                         caption=caption, product_ids=product_ids,
                                         visibility=str(data.get("visibility", "PUBLIC")))
    except DomainError as exc:
        return _studio(request, error=exc.detail, status_code=exc.status,
                       form={"caption": caption})
    return Redirect(f"/videos/{video.id}")


@post("/studio/profile", sync_to_thread=True, include_in_schema=False, guards=[requires_user])
def profile_submit(request: UserRequest, data: Multipart) -> Template | Redirect:
    avatar = data.get("avatar")
    blob = avatar.file.read() if isinstance(avatar, UploadFile) and avatar.filename else None
    try:
        with transaction() as session:
            profile = service.update_profile(session, request.user.id,
                                             display_name=str(data.get("display_name", "")),
                                             bio=str(data.get("bio", "")), avatar=blob)
            handle = profile.handle
    except DomainError as exc:
        return _studio(request, error=exc.detail, status_code=exc.status)
    return Redirect(f"/@{handle}")


@post("/studio/videos/{video_id:str}", sync_to_thread=True, include_in_schema=False,
      guards=[requires_user])
def studio_video_submit(request: UserRequest, video_id: FromPath[str], data: Form) -> Redirect:
    vid = _id(video_id, "video")
    with transaction() as session:
        if data.get("visibility"):
            service.set_visibility(session, request.user.id, vid, data["visibility"].upper())
        if data.get("status"):
            service.set_status(session, viewer_of(request), vid, data["status"].upper())
    return _back(request, "/studio")


@post("/studio/collections", sync_to_thread=True, include_in_schema=False,
      guards=[requires_user])
def collection_submit(request: UserRequest, data: Form) -> Template | Redirect:
    try:
        with transaction() as session:
            if data.get("collection_id"):
                cid = _id(data["collection_id"], "collection")
                if data.get("remove_product_id"):
                    service.remove_product(session, request.user.id, cid,
                                           _id(data["remove_product_id"], "product"))
                else:
                    found = re.search(r"(\d{3,20})", data.get("product_id", ""))
                    if found is None:
                        raise ValidationFailed("Paste a product link or ID.", field="product_id")
                    service.add_product(session, request.user.id, cid,
                                        _id(found.group(1), "product"))
            else:
                service.create_collection(session, request.user.id, data.get("name", ""))
    except DomainError as exc:
        return _studio(request, error=exc.detail, status_code=exc.status)
    return Redirect("/studio#shop-tab")


router = Router(path="/", include_in_schema=False, route_handlers=[
    profile_page, video_page, follow_submit, block_submit, report_submit, like_submit,
    comment_submit, comment_status_submit, studio_page, studio_upload, studio_video_submit,
    collection_submit, profile_submit])
