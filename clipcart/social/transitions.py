"""The moderation state machines of videos and comments, and video visibility: one table
of allowed moves each, and who may make them."""

from __future__ import annotations

# Video moderation status. The owner can take their own video down (HIDDEN) and put it
# back; only moderators (operators) move videos into or out of review and removal.
VIDEO_STATUS: dict[str, frozenset[str]] = {
    "PUBLISHED": frozenset({"UNDER_REVIEW", "HIDDEN", "REMOVED"}),
    "UNDER_REVIEW": frozenset({"PUBLISHED", "REMOVED"}),
    "HIDDEN": frozenset({"PUBLISHED", "REMOVED"}),
    "REMOVED": frozenset({"PUBLISHED"}),  # reinstated on appeal, by a moderator
}
OWNER_VIDEO_MOVES = frozenset({("PUBLISHED", "HIDDEN"), ("HIDDEN", "PUBLISHED")})

# Visibility is the owner's choice; any value can follow any other.
VISIBILITY: dict[str, frozenset[str]] = {
    "PUBLIC": frozenset({"FOLLOWERS", "PRIVATE"}),
    "FOLLOWERS": frozenset({"PUBLIC", "PRIVATE"}),
    "PRIVATE": frozenset({"PUBLIC", "FOLLOWERS"}),
}

# Comment status: the video's owner or a moderator hides a comment (and can show it
# again); its author or the video's owner deletes it; a moderator can delete too.
COMMENT_STATUS: dict[str, frozenset[str]] = {
    "VISIBLE": frozenset({"HIDDEN", "DELETED"}),
    "HIDDEN": frozenset({"VISIBLE", "DELETED"}),
    "DELETED": frozenset(),
}


def can_move(table: dict[str, frozenset[str]], current: str, target: str) -> bool:
    return target in table.get(current, frozenset())
