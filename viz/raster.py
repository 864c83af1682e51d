"""The landscape as a PNG image (filled contour bands with darker iso-lines), for the map's
background.

Why an image and not a contour trace: the map animates its markers with `redraw=False`, and
plotly.js then removes contour and heatmap traces from the plot (plotly.js issue 1221, plotly.py
issue 2151; checked here with plotly 7.1 in Chromium 156: the contour's paths are gone after
Play). `redraw=True` keeps them but redraws everything each frame: 110–180 ms a frame on this
machine with a 120×120 contour and the click grid, so playback crawled and the speed buttons
meant nothing. A layout image is not a trace, so no frame and no transition can touch it; the
frames then stay cheap scatter updates (≈ 20–30 ms a frame here).
"""

from __future__ import annotations

import base64
import hashlib
import struct
import threading
import zlib
from collections import OrderedDict

import numpy as np

from viz._types import Surface
from viz.colour import ColourScale, rgb

# Number of colour bands across the scale, like a filled contour's levels.
BANDS = 22
# Iso-lines are the band colour darkened by this factor.
LINE_SHADE = 0.82
# Pixels along the longer side: iso-lines stay crisp when the map is a few hundred px wide.
IMAGE_SIZE = 600


def landscape_image(surface: Surface, scale: ColourScale, *, line_width: int = 1, size: int = IMAGE_SIZE) -> dict:
    """A plotly layout image (dict) covering exactly the surface's domain, drawn below the traces.

    Drawing and compressing the image is most of the cost of a map (~50 ms), and the landscape
    rarely changes while runs do: images are remembered by the grid's content.
    """
    digest = hashlib.blake2b(digest_size=16)
    for array in (surface.xs, surface.ys, surface.z):
        digest.update(np.ascontiguousarray(array, np.float64).tobytes())
    key = (digest.digest(), scale, line_width, size)
    with _LOCK:
        image = _IMAGES.get(key)
        if image is not None:
            _IMAGES.move_to_end(key)
            return dict(image)
    image = _draw(surface, scale, line_width, size)
    with _LOCK:
        _IMAGES[key] = image
        while len(_IMAGES) > _CACHED_IMAGES:
            _IMAGES.popitem(last=False)
    return dict(image)


_CACHED_IMAGES = 32
_IMAGES: OrderedDict[tuple, dict] = OrderedDict()
_LOCK = threading.Lock()  # app sessions draw maps from several threads


def _draw(surface: Surface, scale: ColourScale, line_width: int, size: int) -> dict:
    (x0, x1), (y0, y1) = (surface.xs[0], surface.xs[-1]), (surface.ys[0], surface.ys[-1])
    width, height = _pixel_shape(x1 - x0, y1 - y0, size)
    pixels = landscape_pixels(surface, scale, width, height, line_width=line_width)
    return {
        "source": "data:image/png;base64," + base64.b64encode(png_bytes(pixels)).decode("ascii"),
        "xref": "x",
        "yref": "y",
        "x": float(x0),
        "y": float(y1),
        "sizex": float(x1 - x0),
        "sizey": float(y1 - y0),
        "sizing": "stretch",
        "xanchor": "left",
        "yanchor": "top",
        "layer": "below",
        "name": "landscape",
    }


def landscape_pixels(surface: Surface, scale: ColourScale, width: int, height: int, *, line_width: int = 1) -> np.ndarray:
    """The landscape over the surface's domain as an (height, width, 3) uint8 RGB array, row 0
    at the top (largest y): colour bands with darker iso-lines. The map's image and the video
    frames (viz.video) both draw it."""
    (x0, x1), (y0, y1) = (surface.xs[0], surface.xs[-1]), (surface.ys[0], surface.ys[-1])
    # f at the centre of every pixel, interpolated bilinearly from the grid; row 0 is the top.
    px = x0 + (np.arange(width) + 0.5) * (x1 - x0) / width
    py = y1 - (np.arange(height) + 0.5) * (y1 - y0) / height
    t = _bilinear(surface, scale.transform(surface.z), px, py)
    span = scale.high - scale.low or 1.0
    band = np.clip(np.floor((t - scale.low) / span * BANDS), 0, BANDS - 1)
    band = np.where(np.isfinite(t), band, BANDS - 1)  # NaN / inf (off the scale): the top band
    pixels = rgb((band + 0.5) / BANDS).astype(np.float64)
    pixels[_band_edges(band, line_width) & ~_crowded(band)] *= LINE_SHADE
    return pixels.astype(np.uint8)


def png_bytes(pixels: np.ndarray) -> bytes:
    """A minimal PNG (8-bit RGB, no filtering) of an (h, w, 3) uint8 array."""
    height, width, _ = pixels.shape
    rows = np.concatenate([np.zeros((height, 1), np.uint8), pixels.reshape(height, width * 3)], axis=1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows.tobytes(), 9)) + chunk(b"IEND", b"")


def _pixel_shape(width: float, height: float, size: int) -> tuple[int, int]:
    """(w, h) in pixels with the domain's aspect ratio and `size` along the longer side."""
    if width >= height:
        return size, max(2, round(size * height / width))
    return max(2, round(size * width / height)), size


def _bilinear(surface: Surface, t: np.ndarray, px: np.ndarray, py: np.ndarray) -> np.ndarray:
    """t (on the surface grid) at the points px × py; rows follow py, columns px."""
    # Fractional grid indices of each pixel (np.interp also handles a non-uniform grid).
    fi = np.interp(py, surface.ys, np.arange(len(surface.ys)))
    fj = np.interp(px, surface.xs, np.arange(len(surface.xs)))
    i0 = np.clip(np.floor(fi).astype(int), 0, len(surface.ys) - 2)
    j0 = np.clip(np.floor(fj).astype(int), 0, len(surface.xs) - 2)
    wi = (fi - i0)[:, None]
    wj = (fj - j0)[None, :]
    rows0, rows1 = t[i0], t[i0 + 1]
    top = rows0[:, j0] * (1 - wj) + rows0[:, j0 + 1] * wj
    bottom = rows1[:, j0] * (1 - wj) + rows1[:, j0 + 1] * wj
    return top * (1 - wi) + bottom * wi


def _crowded(band: np.ndarray) -> np.ndarray:
    """Pixels where bands are under 2 px wide (a steep, narrow valley on a log scale): iso-lines
    there would merge into a noisy smear, so the bands' colours alone show the slope."""
    steep = np.zeros(band.shape, dtype=bool)
    steep[2:, :] |= np.abs(band[2:, :] - band[:-2, :]) >= 2
    steep[:, 2:] |= np.abs(band[:, 2:] - band[:, :-2]) >= 2
    steep[:-2, :] |= steep[2:, :]
    steep[:, :-2] |= steep[:, 2:]
    return steep


def _band_edges(band: np.ndarray, line_width: int) -> np.ndarray:
    """Pixels next to a change of band (the iso-lines), `line_width` px thick."""
    edge = np.zeros(band.shape, dtype=bool)
    vertical = band[1:, :] != band[:-1, :]
    horizontal = band[:, 1:] != band[:, :-1]
    edge[1:, :] |= vertical
    edge[:, 1:] |= horizontal
    for _ in range(max(0, line_width - 1)):
        grown = edge.copy()
        grown[1:, :] |= edge[:-1, :]
        grown[:, 1:] |= edge[:, :-1]
        edge = grown
    return edge
