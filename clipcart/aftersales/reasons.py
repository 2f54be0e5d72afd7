"""Reason lists: the buyer's reasons to ask, the seller's reasons to refuse.

Seller reject codes are TikTok Shop's ``reverse_reject_request_reason_*`` names, so the seller
API can pass them through; buyer codes are ours (TikTok's differ per market and state).
"""

from __future__ import annotations

from clipcart.errors import ValidationFailed

BUYER_REASONS: dict[str, str] = {
    "damaged": "Item arrived damaged",
    "wrong_item": "Received the wrong item",
    "not_as_described": "Item not as described",
    "missing_parts": "Missing parts or accessories",
    "defective": "Item does not work",
    "size_fit": "Size or fit is wrong",
    "no_longer_needed": "No longer needed",
}
# Reasons the buyer may give only for a return with the item sent back.
RETURN_ONLY_REASONS = frozenset({"size_fit", "no_longer_needed"})

SELLER_REJECT_REASONS: dict[str, str] = {
    "reverse_reject_request_reason_1": "The buyer's reason is not valid",
    "reverse_reject_request_reason_3": "Product already used, damaged or removed from its "
                                       "original packaging",
    "reverse_reject_request_reason_4": "Product delivery is on schedule",
    "reverse_reject_request_reason_5": "Reached an agreement with the buyer",
}
PACKAGE_REJECT_REASONS: dict[str, str] = {
    "package_not_received": "The returned package never arrived",
    "package_wrong_item": "The package held a different item",
    "package_used_or_damaged": "The item came back used or damaged",
}


def buyer_reason(code: str, return_type: str) -> str:
    if code not in BUYER_REASONS:
        raise ValidationFailed("reason is one of " + ", ".join(BUYER_REASONS) + ".",
                               field="reason")
    if return_type == "REFUND" and code in RETURN_ONLY_REASONS:
        raise ValidationFailed("For this reason, send the item back: choose "
                               "RETURN_AND_REFUND.", field="type")
    return code


def seller_reason(code: str, choices: dict[str, str]) -> str:
    if code not in choices:
        raise ValidationFailed("reason is one of " + ", ".join(choices) + ".", field="reason")
    return code
