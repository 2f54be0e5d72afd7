"""The social context's operations, in one place for callers (routes, jobs, other
contexts, tests). The functions live in the modules named below; this is the only way
to change social's state."""

from clipcart.social.comments import (
    CommentView,
    add_comment,
    list_comments,
    moderation_queue,
    set_comment_status,
)
from clipcart.social.products import ProductCard, live_cards, shop_live_products
from clipcart.social.profiles import (
    block,
    blocked_user_ids,
    follow,
    followers,
    follows,
    get_profile,
    open_reports,
    profile_by_handle,
    report,
    resolve_report,
    shop_profile,
    unblock,
    unfollow,
    update_profile,
    user_profile,
)
from clipcart.social.reads import (
    product_url,
    profile_json,
    profile_videos,
    video_cards,
    video_json,
    video_summary,
)
from clipcart.social.showcase import (
    CollectionView,
    add_product,
    collection_max,
    collections,
    create_collection,
    delete_collection,
    remove_product,
)
from clipcart.social.videos import (
    Viewer,
    anchors_of,
    get_video,
    history,
    like,
    liked,
    manages,
    parse_product_ids,
    record_view,
    set_anchors,
    set_status,
    set_visibility,
    share,
    unlike,
    upload_video,
)

__all__ = [
    "CollectionView", "CommentView", "ProductCard", "Viewer", "add_comment", "add_product",
    "anchors_of", "block", "blocked_user_ids", "collection_max", "collections",
    "create_collection", "delete_collection", "follow", "followers", "follows", "get_profile",
    "get_video", "history", "like", "liked", "list_comments", "live_cards", "manages",
    "moderation_queue", "open_reports", "parse_product_ids", "product_url",
    "profile_by_handle", "profile_json", "profile_videos", "record_view", "remove_product",
    "report", "resolve_report", "set_anchors", "set_comment_status", "set_status",
    "set_visibility", "share", "shop_live_products", "shop_profile", "unblock", "unfollow",
    "unlike", "update_profile", "upload_video", "user_profile", "video_cards", "video_json",
    "video_summary",
]
