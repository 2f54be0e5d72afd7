"""Product images: validated and stored through ``clipcart.media``, ordered, at most nine.

Files of an image that some revision used are kept when the image leaves the working copy:
buyers may still be looking at the approved version that shows it.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.aftercommit import after_commit
from clipcart.catalog.models import Product, ProductImage
from clipcart.catalog.service import product_of_shop
from clipcart.errors import Conflict, NotFound
from clipcart.ids import new_id
from clipcart.media import get_storage, store_image
from clipcart.shops.models import Shop

MAX_IMAGES = 9
_GARBAGE = "catalog_media_garbage"


def _delete_after_commit(session: Session, *keys: Any) -> None:
    storage = get_storage()
    for key in keys:
        after_commit(session, partial(storage.delete, key))


def images_of(session: Session, product_id: int) -> list[ProductImage]:
    return list(session.execute(
        select(ProductImage).where(ProductImage.product_id == product_id)
        .order_by(ProductImage.position, ProductImage.id)).scalars())


def _renumber(images: list[ProductImage]) -> None:
    for position, image in enumerate(images):
        image.position = position


def _touch(product: Product) -> None:
    product.unsubmitted_changes = True
    product.updated_at = clock.now()


def add_image(session: Session, shop: Shop, product_id: int, data: bytes) -> ProductImage:
    """Validate, store (with a thumbnail) and append an image to the product's gallery."""
    product = product_of_shop(session, shop.id, product_id, lock=True)
    count = session.execute(select(func.count()).select_from(ProductImage)
                            .where(ProductImage.product_id == product.id)).scalar_one()
    if count >= MAX_IMAGES:
        raise Conflict(f"A product has at most {MAX_IMAGES} images; remove one first.",
                       code="TOO_MANY_IMAGES", extra={"field": "image"})
    stored = store_image(data, f"products/{shop.id}/{product.id}")
    image = ProductImage(id=new_id(), product_id=product.id, shop_id=shop.id, key=stored.key,
                         thumb_key=stored.thumb_key, width=stored.width, height=stored.height,
                         content_type=stored.content_type, size_bytes=stored.size_bytes,
                         position=count, submitted=False, created_at=clock.now())
    session.add(image)
    _touch(product)
    session.flush()
    return image


def _image_of(session: Session, shop: Shop, product_id: int,
              image_id: int) -> tuple[Product, list[ProductImage], ProductImage]:
    product = product_of_shop(session, shop.id, product_id, lock=True)
    images = images_of(session, product.id)
    image = next((i for i in images if i.id == image_id), None)
    if image is None:
        raise NotFound("No such image of this product.")
    return product, images, image


def remove_image(session: Session, shop: Shop, product_id: int, image_id: int) -> None:
    product, images, image = _image_of(session, shop, product_id, image_id)
    images.remove(image)
    session.delete(image)
    _renumber(images)
    _touch(product)
    session.flush()
    if not image.submitted:  # no revision shows it: the files go once this commits
        _delete_after_commit(session, image.key, image.thumb_key)


def move_image(session: Session, shop: Shop, product_id: int, image_id: int,
               offset: int) -> None:
    """Move an image earlier (negative offset) or later in the gallery; 0 is the main image."""
    product, images, image = _image_of(session, shop, product_id, image_id)
    index = images.index(image)
    target = max(0, min(len(images) - 1, index + offset))
    if target == index:
        return
    images.insert(target, images.pop(index))
    _renumber(images)
    _touch(product)
    session.flush()
