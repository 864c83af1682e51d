"""The animated map as a GIF or an MP4, drawn without a browser, for slides.

Frames are drawn with Pillow: the landscape (the same bands and iso-lines as the map's image,
viz.raster), known minima, the start points, every run's whole path, thin, and then per frame
each run's trail and current point, a "step k" counter and, beside the map, the legend (with
"diverged at step k") and the colour scale. imageio writes the MP4 through the ffmpeg binary that
the imageio-ffmpeg wheel ships, and Pillow's GIF encoder (the one imageio uses) the GIF, frame by
frame: no Chromium, no system ffmpeg, so it works in the Docker image and on Streamlit Community
Cloud.

Why paletted frames: everything is drawn in a fixed palette of at most 256 colours (the
landscape's bands, the run colours, a few greys), so the GIF needs no per-frame quantization
(which flickers and costs ~50 ms a frame), and Pillow's GIF writer stores each frame as the
small rectangle that changed (see _write_gif). The still part (landscape, paths, legend) is drawn once; a frame
copies it and draws only the moving parts.

    frames = map_frames(result, surface, minima=..., log_scale=...)   # an iterator of PIL images
    data = video_bytes(result, surface, format="mp4", progress=lambda done, total: ...)

Sizes for 4 runs × 500 steps, 1280×720, 10 s: GIF (10 fps) ≈ 1–2 MB, drawn in ≈ 0.3 s; MP4
(30 fps) < 1 MB, ≈ 5 s (measured here).
"""

from __future__ import annotations

import io
import math
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from viz._types import Surface, as_surface, global_minimum_value, plain_minima
from viz.colour import ColourScale, format_value, landscape_scale, rgb
from viz.raster import BANDS, LINE_SHADE, landscape_pixels
from viz.style import run_colours, status_text, visible_runs

if TYPE_CHECKING:
    from viz._types import MinimumLike, ResultLike

FORMATS = ("gif", "mp4")
SIZES = ((1280, 720), (1920, 1080))
DEFAULT_FPS = {"gif": 10, "mp4": 30}
DEFAULT_DURATION = 10.0  # seconds
MAX_FRAMES = 3600  # a minute at 60 fps; bounds render time and the GIF's memory
# Frames shown on the last step (a pause before a slide's GIF loops), as a fraction of all.
HOLD_FRACTION = 0.1

Progress = Callable[[int, int], None]

_WHITE, _BLACK = (255, 255, 255), (0, 0, 0)
_TEXT, _MUTED, _FRAME = (34, 34, 34), (110, 110, 110), (150, 150, 150)


def _hex(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


@dataclass(frozen=True)
class Geometry:
    """Where the map sits in a frame: pixel box (left, top, right, bottom) and the domain."""

    width: int
    height: int
    box: tuple[int, int, int, int]
    domain: tuple[float, float, float, float]  # x0, x1, y0, y1

    def to_pixel(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Pixel coordinates (column, row) of data points; y grows upwards on the map."""
        left, top, right, bottom = self.box
        x0, x1, y0, y1 = self.domain
        px = left + (np.asarray(x, np.float64) - x0) / (x1 - x0) * (right - left)
        py = bottom - (np.asarray(y, np.float64) - y0) / (y1 - y0) * (bottom - top)
        return px, py


def geometry(surface: Sequence[np.ndarray], width: int = 1280, height: int = 720) -> Geometry:
    """The map's box in a width × height frame: as tall as the frame allows (axis labels below
    and left), x and y at the same scale where the domain is not too elongated (like the map),
    and the right part of the frame left for the legend and the colour scale."""
    grid = as_surface(surface)
    x0, x1, y0, y1 = float(grid.xs[0]), float(grid.xs[-1]), float(grid.ys[0]), float(grid.ys[-1])
    unit = height / 720
    left, top, bottom = round(70 * unit), round(20 * unit), height - round(50 * unit)
    legend_width = round(330 * unit)
    room_w, room_h = width - left - legend_width, bottom - top
    aspect = (x1 - x0) / (y1 - y0)
    if 1 / 2.5 <= aspect <= 2.5:
        w = min(room_w, round(room_h * aspect))
        h = round(w / aspect)
    else:
        w, h = room_w, room_h
    return Geometry(width, height, (left, top, left + w, top + h), (x0, x1, y0, y1))


class _Palette:
    """A fixed palette of at most 256 colours; `index(rgb)` adds a colour or finds it."""

    def __init__(self) -> None:
        self.colours: list[tuple[int, int, int]] = []
        self._where: dict[tuple[int, int, int], int] = {}

    def index(self, colour: tuple[int, int, int]) -> int:
        colour = tuple(int(c) for c in colour)  # type: ignore[assignment]
        if colour not in self._where:
            if len(self.colours) >= 256:
                raise ValueError("more than 256 colours in a video palette")
            self._where[colour] = len(self.colours)
            self.colours.append(colour)
        return self._where[colour]

    def image(self) -> Image.Image:
        flat = [c for colour in self.colours for c in colour]
        flat += flat[-3:] * (256 - len(self.colours))
        holder = Image.new("P", (1, 1))
        holder.putpalette(flat)
        return holder


# DejaVu Sans where the system has it (it has Greek: "β=0.9" in run labels); otherwise Pillow's
# own bundled font (the Docker image and Community Cloud have no system fonts), which has no
# Greek, so labels then spell the letters out.
FONT_FILES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf")
_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "ε": "eps", "η": "eta", "κ": "kappa", "λ": "lambda",
          "ρ": "rho", "σ": "sigma", "θ": "theta", "μ": "mu", "ξ": "xi", "∇": "grad ", "√": "sqrt"}  # fmt: skip


def _font_file() -> str | None:
    return next((f for f in FONT_FILES if os.path.isfile(f)), None)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _font_file()
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size=size)


def _text(text: str) -> str:
    """Text the font can draw: Greek letters spelled out when the bundled font is in use."""
    if _font_file():
        return text
    return "".join(_GREEK.get(c, c) for c in text)


def frame_steps(lengths: Sequence[int], count: int) -> np.ndarray:
    """The step each of `count` frames shows: evenly from 0 to the longest run's last step,
    the last HOLD_FRACTION of the frames holding the last step (a pause before a loop)."""
    last = max(lengths, default=1) - 1
    moving = max(1, count - int(count * HOLD_FRACTION))
    steps = np.rint(np.linspace(0, max(last, 0), moving)).astype(int)
    return np.concatenate([steps, np.full(count - moving, steps[-1], int)])


def map_frames(
    result: ResultLike,
    surface: Sequence[np.ndarray],
    *,
    minima: Sequence[MinimumLike | Mapping[str, Any]] | None = (),
    log_scale: bool = False,
    colours: Sequence[str] | None = None,
    visible: Sequence[bool] | None = None,
    width: int = 1280,
    height: int = 720,
    frames: int = 100,
    title: str | None = None,
) -> Iterator[Image.Image]:
    """`frames` paletted ("P") PIL images of the animated map, all runs moving together.

    The inputs are `viz.trajectory_map`'s (result, surface, minima, log_scale, colours,
    visible); `title` is written above the legend.
    """
    if (width, height) not in SIZES:
        raise ValueError(f"size must be one of {', '.join(f'{w}x{h}' for w, h in SIZES)}, got {width}x{height}")
    if not 1 <= frames <= MAX_FRAMES:
        raise ValueError(f"frames must be in [1, {MAX_FRAMES}], got {frames}")
    grid = as_surface(surface)
    known = plain_minima(minima)
    scale = landscape_scale(grid.z, log_scale=log_scale, minimum_value=global_minimum_value(known))
    runs = visible_runs(result, visible)
    colour_of = [_hex(c) for c in run_colours(result, colours)]
    geo = geometry(grid, width, height)
    painter = _Painter(geo, _Palette(), height / 720)
    still = painter.still(grid, scale, known, runs, colour_of, title)
    steps = frame_steps([len(run.path) for _, run in runs], frames)
    trail = max(8, math.ceil(2 * (steps[-1] - steps[0]) / max(len(steps) - 1, 1)) + 1)
    for step in steps:
        yield painter.moving(still, runs, colour_of, int(step), trail)


class _Painter:
    """Draws the still part once and the moving parts per frame, in one palette."""

    def __init__(self, geo: Geometry, palette: _Palette, unit: float) -> None:
        self.geo, self.palette, self.unit = geo, palette, unit
        self.font = _font(round(16 * unit))
        self.small = _font(round(13 * unit))
        self.big = _font(round(22 * unit))

    def px(self, v: float) -> int:
        return max(1, round(v * self.unit))

    def still(self, grid: Surface, scale: ColourScale, minima, runs, colour_of, title) -> Image.Image:
        geo, pal = self.geo, self.palette
        # The palette: landscape bands (and their shaded iso-line colours) first, so the
        # landscape image maps onto it exactly; then the run colours and the greys of the text.
        band_colours = rgb((np.arange(BANDS) + 0.5) / BANDS).astype(np.float64)
        for c in band_colours:
            pal.index(tuple(c.astype(np.uint8)))
            pal.index(tuple((c * LINE_SHADE).astype(np.uint8)))
        for c in (_WHITE, _BLACK, _TEXT, _MUTED, _FRAME, *colour_of):
            pal.index(c)
        for level in range(0, 256, 17):  # greys for anti-aliased text on white
            pal.index((level, level, level))

        canvas = Image.new("RGB", (geo.width, geo.height), _WHITE)
        left, top, right, bottom = geo.box
        canvas.paste(Image.fromarray(landscape_pixels(grid, scale, right - left, bottom - top, line_width=self.px(1))), (left, top))
        draw = ImageDraw.Draw(canvas)
        draw.rectangle((left - 1, top - 1, right, bottom), outline=_FRAME, width=1)
        self._axes(draw)
        for index, run in runs:
            if len(run.path) > 1:
                self._polyline(draw, run.path, colour_of[index], self.px(1.5))
        for m in minima:
            self._minimum(draw, m.x, m.y, m.is_global)
        for _, run in runs:
            if len(run.path):
                self._dot(draw, run.path[0], self.px(6), _WHITE, _BLACK, self.px(2.5))
        for index, run in runs:
            if run.status == "diverged" and len(run.path):
                self._cross(draw, run.path[-1], colour_of[index])
        self._legend(draw, runs, colour_of, minima, scale, title)
        # Anti-aliased text and the landscape's exact colours map onto the palette once.
        return canvas.quantize(palette=pal.image(), dither=Image.Dither.NONE)

    def moving(self, still: Image.Image, runs, colour_of, step: int, trail: int) -> Image.Image:
        frame = still.copy()
        draw = ImageDraw.Draw(frame)
        white, black = self.palette.index(_WHITE), self.palette.index(_BLACK)
        for index, run in runs:
            n = len(run.path)
            if n == 0:
                continue
            shown = min(step, n - 1)
            colour = self.palette.index(colour_of[index])
            segment = run.path[max(0, shown - trail + 1) : shown + 1]
            if len(segment) > 1:
                self._polyline(draw, segment, colour, self.px(4))
        for index, run in runs:  # heads above every trail
            if len(run.path):
                shown = min(step, len(run.path) - 1)
                self._dot(draw, run.path[shown], self.px(8), self.palette.index(colour_of[index]), white, self.px(2))
        left, top, _, _ = self.geo.box
        text = f"step {step}"
        x, y = left + self.px(10), top + self.px(8)
        box = draw.textbbox((x, y), text, font=self.big)
        draw.rectangle((box[0] - self.px(5), box[1] - self.px(4), box[2] + self.px(5), box[3] + self.px(4)), fill=white)
        draw.text((x, y), text, font=self.big, fill=black)
        return frame

    # -- pieces -----------------------------------------------------------------------------

    def _points(self, path) -> list[tuple[float, float]]:
        """Pixel positions of data points (markers: kept on the map by their callers)."""
        path = np.asarray(path, np.float64).reshape(-1, 2)
        px, py = self.geo.to_pixel(path[:, 0], path[:, 1])
        return list(zip(px.tolist(), py.tolist()))

    def _polyline(self, draw, path, fill, width) -> None:
        """A path as lines, cut at the map's edge: a run that leaves the map (one that diverges
        heads for 1e6) is drawn up to where it leaves and from where it comes back."""
        path = np.asarray(path, np.float64).reshape(-1, 2)
        px, py = self.geo.to_pixel(path[:, 0], path[:, 1])
        for piece in clip_polyline(np.stack([px, py], axis=1), self.geo.box, margin=width):
            if len(piece) > 1:
                draw.line([tuple(p) for p in piece.tolist()], fill=fill, width=width, joint="curve")

    def _dot(self, draw, point, radius, fill, outline, outline_width) -> None:
        (x, y), = self._points(point)
        left, top, right, bottom = self.geo.box
        if not (left - radius <= x <= right + radius and top - radius <= y <= bottom + radius):
            return  # off the map (a diverged run's last point: its cross marks the edge)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill, outline=outline, width=outline_width)

    def _cross(self, draw, point, colour) -> None:
        x0, x1, y0, y1 = self.geo.domain
        (x, y), = self._points((np.clip(point[0], x0, x1), np.clip(point[1], y0, y1)))
        r = self.px(8)
        for a, b in (((x - r, y - r), (x + r, y + r)), ((x - r, y + r), (x + r, y - r))):
            draw.line((a, b), fill=_BLACK, width=self.px(5))
            draw.line((a, b), fill=colour, width=self.px(3))

    def _minimum(self, draw, x, y, is_global) -> None:
        (cx, cy), = self._points((x, y))
        r = self.px(11 if is_global else 7)
        if is_global:  # a white five-pointed star with a black outline
            star = [(cx + (r if k % 2 == 0 else r * 0.45) * math.sin(k * math.pi / 5),
                     cy - (r if k % 2 == 0 else r * 0.45) * math.cos(k * math.pi / 5)) for k in range(10)]  # fmt: skip
            draw.polygon(star, fill=_WHITE, outline=_BLACK, width=self.px(1.5))
        else:  # an open diamond
            draw.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], outline=_BLACK, width=self.px(2))

    def _axes(self, draw) -> None:
        left, top, right, bottom = self.geo.box
        x0, x1, y0, y1 = self.geo.domain
        for value in _ticks(x0, x1):
            (px, _), = self._points((value, y0))
            draw.line((px, bottom, px, bottom + self.px(5)), fill=_MUTED, width=1)
            draw.text((px, bottom + self.px(7)), format_value(value), font=self.small, fill=_TEXT, anchor="mt")
        for value in _ticks(y0, y1):
            (_, py), = self._points((x0, value))
            draw.line((left - self.px(5), py, left, py), fill=_MUTED, width=1)
            draw.text((left - self.px(8), py), format_value(value), font=self.small, fill=_TEXT, anchor="rm")
        draw.text(((left + right) / 2, bottom + self.px(26)), "x", font=self.font, fill=_TEXT, anchor="mt")
        draw.text((left - self.px(48), (top + bottom) / 2), "y", font=self.font, fill=_TEXT, anchor="mm")

    def _legend(self, draw, runs, colour_of, minima, scale: ColourScale, title) -> None:
        _, top, right, bottom = self.geo.box
        x = right + self.px(30)
        y = top + self.px(4)
        line_height = self.px(28)
        if title:
            draw.text((x, y), _shorten(_text(title), 24), font=self.big, fill=_TEXT)
            y += self.px(38)
        for index, run in runs:
            draw.line((x, y + self.px(10), x + self.px(30), y + self.px(10)), fill=colour_of[index], width=self.px(4))
            self._dot_at(draw, x + self.px(15), y + self.px(10), self.px(6), colour_of[index])
            draw.text((x + self.px(40), y), _shorten(_text(run.label), 30), font=self.font, fill=_TEXT)
            if run.status == "diverged":
                y += self.px(20)
                draw.text((x + self.px(40), y), status_text(run), font=self.small, fill=_MUTED)
            y += line_height
        y += self.px(6)
        self._dot_at(draw, x + self.px(15), y + self.px(10), self.px(6), _WHITE, _BLACK)
        draw.text((x + self.px(40), y), "start", font=self.font, fill=_TEXT)
        y += line_height
        for is_global, name in ((True, "global minimum"), (False, "local minimum")):
            if any(m.is_global == is_global for m in minima):
                cx, cy = x + self.px(15), y + self.px(10)
                r = self.px(9 if is_global else 7)
                if is_global:
                    star = [(cx + (r if k % 2 == 0 else r * 0.45) * math.sin(k * math.pi / 5),
                             cy - (r if k % 2 == 0 else r * 0.45) * math.cos(k * math.pi / 5)) for k in range(10)]  # fmt: skip
                    draw.polygon(star, fill=_WHITE, outline=_BLACK, width=self.px(1.5))
                else:
                    draw.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], outline=_BLACK, width=self.px(2))
                draw.text((x + self.px(40), y), name, font=self.font, fill=_TEXT)
                y += line_height
        self._colour_bar(draw, x, max(y + self.px(16), bottom - self.px(220)), bottom, scale)

    def _dot_at(self, draw, x, y, r, fill, outline=_WHITE) -> None:
        draw.ellipse((x - r, y - r, x + r, y + r), fill=fill, outline=outline, width=self.px(2))

    def _colour_bar(self, draw, x, top, bottom, scale: ColourScale) -> None:
        """The landscape's colour scale, low at the bottom, labelled in f."""
        if bottom - top < self.px(60):
            return
        label = "f (log scale)" if scale.log else "f"
        draw.text((x, top), label, font=self.font, fill=_TEXT)
        top += self.px(26)
        width = self.px(16)
        for row in range(top, bottom):
            fraction = (bottom - row) / max(bottom - top, 1)
            band = min(int(fraction * BANDS), BANDS - 1)
            draw.line((x, row, x + width, row), fill=tuple(rgb(np.array([(band + 0.5) / BANDS]))[0].tolist()))
        draw.rectangle((x, top, x + width, bottom), outline=_FRAME, width=1)
        ticks = scale.ticks()
        if ticks is None:
            positions = np.linspace(scale.low, scale.high, 5)
            ticks = (list(positions), [format_value(float(f"{v:.3g}")) for v in positions])
        span = scale.high - scale.low or 1.0
        for t, text in zip(*ticks):
            row = bottom - (t - scale.low) / span * (bottom - top)
            draw.line((x + width, row, x + width + self.px(4), row), fill=_MUTED, width=1)
            draw.text((x + width + self.px(7), row), text, font=self.small, fill=_TEXT, anchor="lm")


def clip_polyline(points: np.ndarray, box: tuple[int, int, int, int], margin: float = 0.0) -> list[np.ndarray]:
    """The parts of a polyline (n, 2) inside `box` (left, top, right, bottom) grown by `margin`:
    each segment clipped by Liang–Barsky, consecutive visible segments joined into one piece."""
    left, top, right, bottom = box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin
    finite = np.all(np.isfinite(points), axis=1)
    inside = finite & (points[:, 0] >= left) & (points[:, 0] <= right) & (points[:, 1] >= top) & (points[:, 1] <= bottom)
    if inside.all():
        return [points]
    pieces: list[np.ndarray] = []
    current: list[np.ndarray] = []
    for a, b, ok in zip(points[:-1], points[1:], finite[:-1] & finite[1:]):
        clipped = _clip_segment(a, b, left, top, right, bottom) if ok else None
        if clipped is None:
            if len(current) > 1:
                pieces.append(np.array(current))
            current = []
            continue
        start, end = clipped
        if current and np.array_equal(current[-1], start):
            current.append(end)
        else:
            if len(current) > 1:
                pieces.append(np.array(current))
            current = [start, end]
    if len(current) > 1:
        pieces.append(np.array(current))
    return pieces


def _clip_segment(a, b, left, top, right, bottom):
    """Liang–Barsky: the part of segment a→b inside the rectangle, or None."""
    d = b - a
    t0, t1 = 0.0, 1.0
    for p, q in ((-d[0], a[0] - left), (d[0], right - a[0]), (-d[1], a[1] - top), (d[1], bottom - a[1])):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None
    return (a if t0 == 0 else a + t0 * d), (b if t1 == 1 else a + t1 * d)


def _ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round tick values (1, 2 or 5 × 10^k apart) within [low, high]."""
    span = high - low
    if not span > 0:
        return [low]
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    return [round(first + k * step, 12) for k in range(int((high - first) / step + 1e-9) + 1)]


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def write_video(
    result: ResultLike,
    surface: Sequence[np.ndarray],
    file: str | os.PathLike,
    *,
    format: str = "gif",
    fps: int | None = None,
    duration: float = DEFAULT_DURATION,
    width: int = 1280,
    height: int = 720,
    progress: Progress | None = None,
    **map_options,
) -> None:
    """Write the animated map to `file` as a GIF or an MP4 of `duration` seconds at `fps`
    frames per second (default 10 for a GIF, 30 for an MP4). `progress(done, total)` is called
    after each frame. `map_options` are `map_frames`'s (minima, log_scale, colours, visible,
    title)."""
    fps, total = check_options(format, fps, duration)
    frames = map_frames(result, surface, width=width, height=height, frames=total, **map_options)
    write_frames(frames, file, format=format, fps=fps, total=total, progress=progress)


def check_options(format: str, fps: int | None, duration: float) -> tuple[int, int]:
    """(fps, number of frames) for a video of `duration` seconds; ValueError naming the option."""
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    fps = DEFAULT_FPS[format] if fps is None else int(fps)
    if not 1 <= fps <= 60:
        raise ValueError(f"fps must be in [1, 60], got {fps}")
    if not 0.5 <= duration <= 60:
        raise ValueError(f"duration must be in [0.5, 60] seconds, got {duration}")
    return fps, max(1, round(fps * duration))


def write_frames(frames: Iterator[Image.Image], file, *, format: str, fps: int, total: int, progress: Progress | None = None) -> None:
    """Write paletted frames as a GIF or an MP4, calling `progress(done, total)` after each."""

    def counted() -> Iterator[Image.Image]:
        for done, frame in enumerate(frames, start=1):
            yield frame
            if progress is not None:
                progress(done, total)

    if format == "gif":
        _write_gif(counted(), file, fps)
    else:
        _write_mp4(counted(), file, fps)


def file_bytes(write: Callable[[Any], None], format: str) -> bytes:
    """What `write(file)` writes, in memory: a GIF straight into a buffer, an MP4 through a
    temporary file (ffmpeg writes an MP4's index at the end, after seeking back)."""
    if format == "gif":
        out = io.BytesIO()
        write(out)
        return out.getvalue()
    with tempfile.TemporaryDirectory(prefix="descent-video-") as folder:
        path = os.path.join(folder, f"video.{format}")
        write(path)
        with open(path, "rb") as f:
            return f.read()


def video_bytes(result: ResultLike, surface: Sequence[np.ndarray], *, format: str = "gif", **options) -> bytes:
    """`write_video` into memory: the GIF or MP4 file's bytes."""
    return file_bytes(lambda file: write_video(result, surface, file, format=format, **options), format)


def _write_gif(frames: Iterator[Image.Image], file, fps: int) -> None:
    """Write the GIF as the frames come: each frame after the first is stored as the rectangle
    that changed (drawn over the previous frame), its unchanged pixels transparent where the
    palette has an index to spare (long runs of one index, which LZW packs into a few bytes),
    and identical frames as one longer frame.

    Why not `Image.save(save_all=True)`: Pillow's writer holds every frame until the end
    (~90 MB for 100 frames at 720p, 2 GB for a minute at 1080p); this holds two. It writes
    through Pillow's documented frame helpers (GifImagePlugin.getheader / getdata)."""
    from PIL import GifImagePlugin, ImageChops

    delay = round(1000 / fps)  # ms; a GIF stores hundredths of a second
    own = isinstance(file, (str, os.PathLike))
    out = open(file, "wb") if own else file
    try:
        first = next(frames)
        header, _ = GifImagePlugin.getheader(first, info={"loop": 0, "optimize": False})
        for block in header:
            out.write(block)
        previous, pending = first, [first, (0, 0), delay, None]  # image, offset, duration, transparent index
        for frame in frames:
            changed = ImageChops.difference(frame, previous).getbbox()
            if changed is None:
                pending[2] += delay
                continue
            _gif_frame(out, *pending)
            part, offset, transparency = _changed_part(frame, previous, changed)
            pending = [part, offset, delay, transparency]
            previous = frame
        _gif_frame(out, *pending)
        out.write(b";")  # the GIF trailer
    finally:
        if own:
            out.close()


def _changed_part(frame: Image.Image, previous: Image.Image, box) -> tuple[Image.Image, tuple[int, int], int | None]:
    """The rectangle `box` of `frame`, with the pixels equal to `previous`'s made transparent
    (an index that no pixel of the rectangle uses), or as it is when every index is in use."""
    part = frame.crop(box)
    now, before = np.asarray(part), np.asarray(previous.crop(box))
    unused = np.flatnonzero(np.bincount(now.ravel(), minlength=256) == 0)
    if unused.size == 0:
        return part, box[:2], None
    index = int(unused[-1])
    delta = Image.fromarray(np.where(now == before, np.uint8(index), now), "P")
    delta.putpalette(frame.getpalette())
    return delta, box[:2], index


def _gif_frame(out, image: Image.Image, offset: tuple[int, int], duration: int, transparency: int | None = None) -> None:
    from PIL import GifImagePlugin

    # disposal 1: the next frame is drawn over this one (it holds only what changed).
    extra = {} if transparency is None else {"transparency": transparency}
    for block in GifImagePlugin.getdata(image, offset, duration=duration, disposal=1, **extra):
        out.write(block)


def _write_mp4(frames: Iterator[Image.Image], file, fps: int) -> None:
    import warnings

    import imageio.v2 as imageio  # the ffmpeg binary comes with the imageio-ffmpeg wheel

    # yuv420p plays everywhere (browsers, PowerPoint, Keynote); 1080 is a multiple of 8, not 16.
    with warnings.catch_warnings():
        # Python warns of fork() in a process with threads (JAX's); subprocess execs ffmpeg
        # straight after the fork, which is the safe case.
        warnings.filterwarnings("ignore", message="os.fork", category=RuntimeWarning)
        writer = imageio.get_writer(os.fspath(file), format="FFMPEG", mode="I", fps=fps, codec="libx264", quality=7,
                                    pixelformat="yuv420p", macro_block_size=8, ffmpeg_log_level="error")  # fmt: skip
        try:
            for frame in frames:  # ffmpeg starts with the first frame
                writer.append_data(np.asarray(frame.convert("RGB")))
        finally:
            writer.close()


__all__ = ["FORMATS", "Geometry", "check_options", "file_bytes", "frame_steps", "geometry", "map_frames", "video_bytes",
           "write_frames", "write_video"]
