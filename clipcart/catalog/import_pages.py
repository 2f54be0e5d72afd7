"""Seller Center bulk import: upload a CSV, JSON or ZIP (with images) and read the report."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Router, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Template

from clipcart.catalog.import_formats import FormatError
from clipcart.catalog.importer import ImportReport, import_drafts, read_upload
from clipcart.catalog.lifecycle import STATUS_LABELS, STATUS_TONES
from clipcart.catalog.seller_pages import ident
from clipcart.db import transaction
from clipcart.errors import DomainError, ValidationFailed
from clipcart.inventory import service as inventory
from clipcart.shops.models import Shop
from clipcart.shops.seller_center import layout_context, open_shop
from clipcart.shops.service import MANAGERS
from clipcart.web.auth import CurrentUser, requires_user

Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
SellerRequest = Request[CurrentUser, Any, Any]


def _render(user: CurrentUser, shop: Shop, report: ImportReport | None = None,
            error: str | None = None, status_code: int = 200) -> Template:
    with transaction() as session:
        context = layout_context(session, user, shop, "import")
        warehouses = inventory.warehouses_of(session, shop.id)
    return Template("catalog/import.html", status_code=status_code, context={
        **context, "report": report, "error": error, "warehouses": warehouses,
        "labels": STATUS_LABELS, "tones": STATUS_TONES})


@get("/import", sync_to_thread=True)
def import_page(shop_id: FromPath[str], request: SellerRequest) -> Template:
    with transaction() as session:
        shop = open_shop(session, request.user, ident(shop_id), MANAGERS)
    return _render(request.user, shop)


@post("/import", sync_to_thread=True)
def import_submit(shop_id: FromPath[str], data: Upload, request: SellerRequest) -> Template:
    """Import what was uploaded; good products are listed, bad ones reported, none halfway."""
    user = request.user
    with transaction() as session:
        shop = open_shop(session, user, ident(shop_id), MANAGERS)
    upload = data.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed("Choose a .csv, .json or .zip file to upload.", field="file")
        drafts, load = read_upload(upload.filename, upload.file.read())
        with transaction() as session:
            report = import_drafts(session, open_shop(session, user, shop.id, MANAGERS),
                                   drafts, load_image=load, actor_user_id=user.id)
    except FormatError as exc:
        return _render(user, shop, error=str(exc), status_code=400)
    except DomainError as exc:
        return _render(user, shop, error=exc.detail, status_code=exc.status)
    return _render(user, shop, report)


router = Router(path="/seller/{shop_id:str}", guards=[requires_user], include_in_schema=False,
                route_handlers=[import_page, import_submit])
