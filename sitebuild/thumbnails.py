"""Small static pictures of every instrument, for the front page's instrument gallery.

Each thumbnail is the instrument's default frame (the one its panel opens
on), read from the baked data and drawn as a standalone SVG file by
``svg_chart.figure_to_thumbnail``: no Plotly, no browser, a few milliseconds
per engine. Written by the prepare step to ``thumbnails/<engine>.svg`` in
docs/assets/generated/; the ```instrument-gallery fence links them.
"""

from __future__ import annotations

from pathlib import Path

from .bake import engine_exists, engine_names, load_baked
from .svg_chart import figure_to_thumbnail

FOLDER = "thumbnails"


def relative_path(engine: str) -> str:
    """Where the thumbnail of ``engine`` sits inside docs/assets/generated/."""
    return f"{FOLDER}/{engine}.svg"


def default_frame(engine: str) -> tuple[dict, dict]:
    """(SPEC, default frame) of a baked engine."""
    from instruments import load_engine
    from instruments._checks import frame_key

    spec = load_engine(engine).SPEC
    baked = load_baked(engine)
    if baked is None:
        raise FileNotFoundError(f"{engine} is not baked yet: the prepare step bakes before drawing thumbnails")
    return spec, baked["frames"][frame_key(spec)]


def thumbnail_svg(engine: str) -> str:
    from .instrument_panel import static_figure

    spec, frame = default_frame(engine)
    chart = spec["chart"]
    hlines = tuple(line["y"] for line in chart.get("hlines", []))
    return figure_to_thumbnail(static_figure(spec, frame), chart["y"].get("range"), hlines)


def write_thumbnails(out: Path, write) -> list[Path]:
    """Write every existing engine's thumbnail under ``out`` with ``write(path, bytes)``; return the paths."""
    written = []
    for engine in engine_names():
        if not engine_exists(engine):
            continue
        path = out / relative_path(engine)
        write(path, thumbnail_svg(engine).encode())
        written.append(path)
    return written
