"""Captions as HTML: escaped text with #hashtags linked to search and @mentions to
profiles."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_TOKEN = re.compile(r"(?<![\w&@#])([#@])([\w.\-]{1,100})")


def caption_html(caption: str) -> Markup:
    out: list[str] = []
    last = 0
    for match in _TOKEN.finditer(caption):
        out.append(str(escape(caption[last:match.start()])))
        sign, word = match.group(1), match.group(2).rstrip(".")
        if sign == "#":
            out.append(f'<a class="tag" href="/search?q={escape(word)}">#{escape(word)}</a>')
        else:
            out.append(f'<a class="mention" href="/@{escape(word.lower())}">@{escape(word)}</a>')
        out.append(str(escape(match.group(2)[len(word):])))
        last = match.end()
    out.append(str(escape(caption[last:])))
    return Markup("".join(out))
