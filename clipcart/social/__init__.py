"""Social: public profiles, follows, blocks and reports, videos with product anchors,
likes, threaded comments with moderation, shares, and creators' Shop tab showcases."""
