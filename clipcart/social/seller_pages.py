"""Seller Center: the shop's videos on its official profile — upload with product links,
visibility, hide/publish, and moderation of the comments on them."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect, Template

from clipcart.catalog.seller_pages import ident
from clipcart.config import get_settings
from clipcart.db import transaction
from clipcart.errors import DomainError, ValidationFailed
from clipcart.shops.seller_center import open_shop, render
from clipcart.social import service
from clipcart.social.pages import Multipart
from clipcart.social.service import Viewer
from clipcart.web.auth import CurrentUser, requires_user

SellerRequest = Request[CurrentUser, Any, Any]


def _page(request: SellerRequest, shop_id: int, *, error: str | None = None,
          status_code: int = 200, caption: str = "") -> Template:
    user = request.user
    with transaction() as session:
        shop = open_shop(session, user, shop_id)
        profile = service.shop_profile(session, shop.id)
        videos = service.profile_videos(session, profile, Viewer(user.id), page_size=60).items
        products = service.shop_live_products(session, shop.id, page_size=100).items
        queue = service.moderation_queue(session, [profile.id])
        anchors = service.anchors_of(session, [v.id for v in videos])
        return render(session, user, shop, "videos", "social/seller_videos.html", {
            "profile": profile, "videos": videos, "products": products, "queue": queue,
            "anchors": anchors,
            "error": error, "caption": caption,
            "action_base": f"/seller/{shop.id}/videos"}, status_code=status_code)


@get("/videos", sync_to_thread=True)
def videos_page(shop_id: FromPath[str], request: SellerRequest) -> Template:
    return _page(request, ident(shop_id))


@post("/videos", sync_to_thread=True,
      request_max_body_size=get_settings().video_max_bytes + 1024 * 1024)
def upload_submit(shop_id: FromPath[str], data: Multipart,
                  request: SellerRequest) -> Template | Redirect:
    sid = ident(shop_id)
    upload = data.get("file")
    caption = str(data.get("caption", ""))
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed("Choose a video file (MP4 or WebM).", field="file")
        raw = data.get("product_ids")
        ids = service.parse_product_ids(raw if isinstance(raw, list) else str(raw or ""))
        with transaction() as session:
            open_shop(session, request.user, sid)
            video = service.upload_video(session, request.user.id, upload.file.read(),
                                         caption=caption, product_ids=ids, shop_id=sid,
                                         visibility=str(data.get("visibility", "PUBLIC")))
    except DomainError as exc:
        return _page(request, sid, error=exc.detail, status_code=exc.status, caption=caption)
    return Redirect(f"/videos/{video.id}")


@post("/videos/{video_id:str}", sync_to_thread=True)
def video_submit(shop_id: FromPath[str], video_id: FromPath[str], data: Multipart,
                 request: SellerRequest) -> Redirect:
    sid = ident(shop_id)
    vid = ident(video_id)
    with transaction() as session:
        open_shop(session, request.user, sid)
        if data.get("visibility"):
            service.set_visibility(session, request.user.id, vid, data["visibility"].upper())
        if data.get("status"):
            service.set_status(session, Viewer(request.user.id), vid, data["status"].upper())
        if data.get("anchors"):
            raw = data.get("product_ids")
            ids = service.parse_product_ids(raw if isinstance(raw, list) else str(raw or ""))
            service.set_anchors(session, request.user.id, vid, ids)
    return Redirect(f"/seller/{sid}/videos")


router = Router(path="/seller/{shop_id:str}", guards=[requires_user], include_in_schema=False,
                route_handlers=[videos_page, upload_submit, video_submit])
