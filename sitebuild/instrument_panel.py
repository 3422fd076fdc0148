"""HTML shell of an instrument panel; the browser renderer fills it in."""

from __future__ import annotations

import html


def render_panel(engine: str, caption_html: str) -> str:
    return (
        f'<figure class="instrument" id="instrument-{html.escape(engine)}" data-engine="{html.escape(engine)}">'
        f'<figcaption class="instrument__caption">{caption_html}</figcaption></figure>'
    )
