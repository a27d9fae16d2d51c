"""A message's text for the page (COM-1): plain text, escaped first; then http(s) addresses
become links that open apart from the journal and pass no credit (rel="noopener nofollow").
Nothing else of the text is ever markup."""
from __future__ import annotations

import re

from markupsafe import Markup, escape

# On the escaped text: an address ends at a space or at an escaped quote or angle bracket.
_URL = re.compile(r"https?://(?:(?!&lt;|&gt;|&#34;|&#39;|&quot;|&amp;#)[^\s<>\"'])+", re.IGNORECASE)
_TRAILING = ".,;:!?)»"


def _link(match: re.Match) -> str:
    url = match.group(0)
    tail = ""
    while url and url[-1] in _TRAILING:
        url, tail = url[:-1], url[-1] + tail
    if len(url) <= len("https://"):
        return match.group(0)
    return f'<a href="{url}" rel="noopener nofollow" target="_blank">{url}</a>{tail}'


def linkify(text: str) -> Markup:
    escaped = str(escape(text or ""))
    return Markup(_URL.sub(_link, escaped).replace("\n", "<br>\n"))
