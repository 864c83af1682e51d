"""The Network page's decision boundary over the epochs as a GIF or an MP4, for slides.

One panel per run (or only the runs asked for), side by side: the network's P(class 1) over the
data's box as an image (blue below 0.5, white at 0.5, orange above, in 20 bands, the Network
page's colours), the decision boundary P = 0.5 drawn black, and the data on top (training
points filled, validation points open, coloured by class). Beside the panels: an "epoch k"
counter, the legend and the probability scale. A run that diverged is grey from the epoch its
weights stopped being finite, and its panel's title says "diverged at epoch k".

The probabilities come computed (viz never imports JAX): `descent.boundary_movie(result)` gives
them on a grid at the kept epochs, and each panel's pixels are bilinearly interpolated from that
grid at the pixel centres. Frames are paletted like the map's (viz.video), the still part drawn
once, and written by the same GIF and MP4 writers.

    movie = descent.boundary_movie(result)               # a BoundaryMovie of NumPy arrays
    data = video_bytes(movie, format="gif", progress=lambda done, total: ...)
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from viz import video
from viz.network import CLASS_COLOURS
from viz.palette import palette

BANDS = 20
# P(class 1) = 0 → 0.5 → 1: the Network page's PROBABILITY_SCALE.
_LOW, _MIDDLE, _HIGH = (158, 202, 225), (255, 255, 255), (253, 208, 162)
_NO_WEIGHTS = (200, 200, 200)  # a diverged run's panel
_WHITE, _BLACK, _TEXT, _MUTED, _FRAME = (255, 255, 255), (0, 0, 0), (34, 34, 34), (110, 110, 110), (150, 150, 150)
MAX_PANELS = 8


@dataclass(frozen=True)
class BoundaryMovie:
    """What the frames are drawn from, as plain NumPy data (picklable without the engine).

    prob[p, k, i, j] is panel p's P(class 1) at (xs[j], ys[i]) at epochs[k] (NaN where the run's
    weights are not finite); labels and diverged_at are per panel; points and classes are the
    training and validation sets."""

    xs: np.ndarray  # (R,)
    ys: np.ndarray  # (R,)
    prob: np.ndarray  # (P, K, R, R) float32
    epochs: np.ndarray  # (K,) int
    labels: tuple[str, ...]
    diverged_at: tuple[int | None, ...]
    colours: tuple[str, ...]  # each panel's run colour (its title's swatch)
    x_train: np.ndarray  # (n, 2)
    y_train: np.ndarray  # (n,)
    x_val: np.ndarray
    y_val: np.ndarray
    title: str = ""


def band_colours() -> list[tuple[int, int, int]]:
    """The colour of each probability band, low to high."""
    out = []
    for b in range(BANDS):
        p = (b + 0.5) / BANDS
        a, c, t = (_LOW, _MIDDLE, p / 0.5) if p < 0.5 else (_MIDDLE, _HIGH, (p - 0.5) / 0.5)
        out.append(tuple(round(x + (y - x) * t) for x, y in zip(a, c)))
    return out


def panel_boxes(count: int, width: int, height: int, domain: tuple[float, float, float, float]) -> list[video.Geometry]:
    """Where each of `count` panels sits: a grid (1, 2, 2×2, 3×2 or 4×2) left of the legend,
    each panel as large as its cell allows with x and y at the same scale."""
    if not 1 <= count <= MAX_PANELS:
        raise ValueError(f"panels must be 1 to {MAX_PANELS}, got {count}")
    unit = height / 720
    columns = {1: 1, 2: 2, 3: 2, 4: 2}.get(count, 4 if count > 6 else 3)
    rows = math.ceil(count / columns)
    left, top, right, bottom = round(20 * unit), round(20 * unit), width - round(330 * unit), height - round(20 * unit)
    title_room = round(30 * unit)
    cell_w, cell_h = (right - left) / columns, (bottom - top) / rows
    x0, x1, y0, y1 = domain
    aspect = (x1 - x0) / (y1 - y0)
    room_w, room_h = cell_w - round(16 * unit), cell_h - title_room - round(12 * unit)
    w = min(room_w, room_h * aspect)
    h = w / aspect
    boxes = []
    for p in range(count):
        r, c = divmod(p, columns)
        cx = left + (c + 0.5) * cell_w
        cy = top + r * cell_h + title_room + (cell_h - title_room) / 2
        box = (round(cx - w / 2), round(cy - h / 2), round(cx - w / 2) + round(w), round(cy - h / 2) + round(h))
        boxes.append(video.Geometry(width, height, box, domain))
    return boxes


def _bilinear_weights(grid: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower index and fraction of each centre on an even grid (clamped to the grid's ends)."""
    u = (centres - grid[0]) / (grid[-1] - grid[0]) * (len(grid) - 1)
    u = np.clip(u, 0, len(grid) - 1)
    i0 = np.minimum(np.floor(u).astype(int), len(grid) - 2)
    return i0, u - i0


class _Panel:
    """One run's panel: its pixels' interpolation weights and its data layer, computed once."""

    def __init__(self, geo: video.Geometry, xs: np.ndarray, ys: np.ndarray) -> None:
        self.geo = geo
        left, top, right, bottom = geo.box
        x0, x1, y0, y1 = geo.domain
        w, h = right - left, bottom - top
        # Pixel centres in data coordinates (rows from the top: y decreasing).
        self.j0, self.tx = _bilinear_weights(xs, x0 + (np.arange(w) + 0.5) / w * (x1 - x0))
        self.i0, self.ty = _bilinear_weights(ys, y1 - (np.arange(h) + 0.5) / h * (y1 - y0))

    def probabilities(self, grid: np.ndarray) -> np.ndarray:
        """P(class 1) at each pixel centre, (h, w), bilinear between the grid's points."""
        g = np.asarray(grid, np.float64)
        along_x = g[:, self.j0] * (1 - self.tx) + g[:, self.j0 + 1] * self.tx  # (R, w)
        return along_x[self.i0] * (1 - self.ty)[:, None] + along_x[self.i0 + 1] * self.ty[:, None]

    def indices(self, grid: np.ndarray, band_index: np.ndarray, boundary: int, no_weights: int) -> np.ndarray:
        """Palette indices of the panel's pixels: the band of P, black where P crosses 0.5
        between neighbouring pixels (a line two pixels wide), grey where P is not finite."""
        p = self.probabilities(grid)
        finite = np.isfinite(p)
        bands = np.clip((np.where(finite, p, 0.5) * BANDS).astype(int), 0, BANDS - 1)
        out = band_index[bands].astype(np.uint8)
        above = p >= 0.5
        edge = np.zeros_like(above)
        edge[:, 1:] |= above[:, 1:] != above[:, :-1]
        edge[1:, :] |= above[1:, :] != above[:-1, :]
        edge &= finite
        edge[:, :-1] |= edge[:, 1:]  # thicken towards the lower-left neighbour as well
        edge[:-1, :] |= edge[1:, :]
        out[edge] = boundary
        out[~finite] = no_weights
        return out


def _to_palette(canvas: Image.Image, pal) -> Image.Image:
    """The RGB canvas in the palette: pixels of a palette colour get exactly its index (Pillow's
    quantizer looks colours up in a coarse cube, which put white on the band next to it), the
    anti-aliased rest the nearest colour."""
    image = canvas.quantize(palette=pal.image(), dither=Image.Dither.NONE)
    rgb = np.asarray(canvas, np.int64)
    keys = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    colours = np.asarray(pal.colours, np.int64)
    known = (colours[:, 0] << 16) | (colours[:, 1] << 8) | colours[:, 2]
    order = np.argsort(known)
    at = np.clip(np.searchsorted(known[order], keys), 0, len(known) - 1)
    exact = known[order][at] == keys
    indices = np.asarray(image).copy()
    indices[exact] = order[at][exact]
    out = Image.fromarray(indices, "P")
    out.putpalette(image.getpalette())
    return out


def boundary_frames(movie: BoundaryMovie, *, width: int = 1280, height: int = 720, frames: int = 100) -> Iterator[Image.Image]:
    """`frames` paletted ("P") images: every panel at the same epoch, from the first kept
    epoch to the last, the last tenth of the frames holding the last epoch."""
    if (width, height) not in video.SIZES:
        raise ValueError(f"size must be one of {', '.join(f'{w}x{h}' for w, h in video.SIZES)}, got {width}x{height}")
    if not 1 <= frames <= video.MAX_FRAMES:
        raise ValueError(f"frames must be in [1, {video.MAX_FRAMES}], got {frames}")
    prob = np.asarray(movie.prob)
    xs, ys = np.asarray(movie.xs, np.float64), np.asarray(movie.ys, np.float64)
    domain = (float(xs[0]), float(xs[-1]), float(ys[0]), float(ys[-1]))
    unit = height / 720
    boxes = panel_boxes(prob.shape[0], width, height, domain)
    painter = _Painter(movie, boxes, unit)
    still = painter.still()
    panels = [_Panel(geo, xs, ys) for geo in boxes]
    layers = [painter.points_layer(geo) for geo in boxes]
    shown = -1
    images: list[Image.Image] = []
    for k in video.frame_steps([prob.shape[1]], frames):
        if k != shown:  # the held last frames reuse the panels drawn once
            images = [Image.fromarray(panel.indices(prob[p, k], painter.band_index, painter.boundary, painter.no_weights), "P")
                      for p, panel in enumerate(panels)]  # fmt: skip
            shown = int(k)
        frame = still.copy()
        for geo, image, (layer, mask) in zip(boxes, images, layers):
            frame.paste(image, geo.box[:2])
            frame.paste(layer, geo.box[:2], mask)
        painter.counter(frame, int(movie.epochs[k]))
        yield frame


class _Painter:
    def __init__(self, movie: BoundaryMovie, boxes: list[video.Geometry], unit: float) -> None:
        self.movie, self.boxes, self.unit = movie, boxes, unit
        self.font = video._font(round(16 * unit))
        self.small = video._font(round(13 * unit))
        self.big = video._font(round(24 * unit))
        pal = self.palette = video._Palette()
        self.band_index = np.array([pal.index(c) for c in band_colours()], np.uint8)
        self.boundary, self.no_weights = pal.index(_BLACK), pal.index(_NO_WEIGHTS)
        self.class_colours = [video._hex(c) for c in CLASS_COLOURS]
        run_colours = [video._hex(c) for c in (movie.colours or palette(len(boxes)))]
        for c in (_WHITE, _TEXT, _MUTED, _FRAME, *self.class_colours, *run_colours):
            pal.index(c)
        for level in range(0, 256, 17):  # greys for anti-aliased text on white
            pal.index((level, level, level))
        self.run_colours = run_colours

    def px(self, v: float) -> int:
        return max(1, round(v * self.unit))

    def still(self) -> Image.Image:
        movie = self.movie
        canvas = Image.new("RGB", (self.boxes[0].width, self.boxes[0].height), _WHITE)
        draw = ImageDraw.Draw(canvas)
        for p, geo in enumerate(self.boxes):
            left, top, right, bottom = geo.box
            draw.rectangle((left - 1, top - 1, right, bottom), outline=_FRAME, width=1)
            y = top - self.px(26)
            draw.rectangle((left, y + self.px(4), left + self.px(14), y + self.px(18)), fill=self.run_colours[p % len(self.run_colours)])
            label = video._shorten(video._text(movie.labels[p]), 34 if len(self.boxes) <= 4 else 22)
            draw.text((left + self.px(22), y), label, font=self.font, fill=_TEXT)
            if movie.diverged_at[p] is not None:
                draw.text((right, y + self.px(2)), f"diverged at epoch {movie.diverged_at[p]}", font=self.small, fill=_MUTED, anchor="ra")
        self._legend(draw)
        return _to_palette(canvas, self.palette)

    def points_layer(self, geo: video.Geometry) -> tuple[Image.Image, Image.Image]:
        """The data drawn once per panel: a paletted layer and the mask of its pixels."""
        left, top, right, bottom = geo.box
        size = (right - left, bottom - top)
        layer = Image.new("P", size, 0)
        layer.putpalette(self.palette.image().getpalette())
        mask = Image.new("L", size, 0)
        draw, masked = ImageDraw.Draw(layer), ImageDraw.Draw(mask)
        white = self.palette.index(_WHITE)
        r = self.px(4)
        movie = self.movie
        for x, y, filled in ((movie.x_val, movie.y_val, False), (movie.x_train, movie.y_train, True)):
            x = np.asarray(x, np.float64).reshape(-1, 2)
            px, py = geo.to_pixel(x[:, 0], x[:, 1])
            for cx, cy, cls in zip(px - left, py - top, np.asarray(y)):
                colour = self.palette.index(self.class_colours[int(cls > 0.5)])
                box = (cx - r, cy - r, cx + r, cy + r)
                if filled:
                    draw.ellipse(box, fill=colour, outline=white, width=1)
                else:
                    draw.ellipse(box, outline=colour, width=self.px(2))
                masked.ellipse(box, outline=255, fill=255 if filled else None, width=1 if filled else self.px(2))
        return layer, mask

    def _legend_x(self) -> int:
        return max(geo.box[2] for geo in self.boxes) + self.px(30)

    def counter(self, frame: Image.Image, epoch: int) -> None:
        draw = ImageDraw.Draw(frame)
        x, y = self._legend_x(), self.px(24)
        draw.rectangle((x, y, frame.width - 1, y + self.px(34)), fill=self.palette.index(_WHITE))
        draw.text((x, y), f"epoch {epoch}", font=self.big, fill=self.palette.index(_BLACK))

    def _legend(self, draw) -> None:
        movie = self.movie
        x, y = self._legend_x(), self.px(24) + self.px(50)
        if movie.title:
            draw.text((x, y), video._shorten(video._text(movie.title), 28), font=self.font, fill=_TEXT)
            y += self.px(34)
        line = self.px(28)
        r = self.px(6)
        for cls in (0, 1):
            cx, cy = x + self.px(15), y + self.px(10)
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=self.class_colours[cls], outline=_WHITE)
            draw.text((x + self.px(40), y), f"class {cls}, training", font=self.font, fill=_TEXT)
            y += line
        for cls in (0, 1):
            cx, cy = x + self.px(15), y + self.px(10)
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=self.class_colours[cls], width=self.px(2))
            draw.text((x + self.px(40), y), f"class {cls}, validation", font=self.font, fill=_TEXT)
            y += line
        draw.line((x, y + self.px(10), x + self.px(30), y + self.px(10)), fill=_BLACK, width=self.px(3))
        draw.text((x + self.px(40), y), "boundary, P = 0.5", font=self.font, fill=_TEXT)
        y += line + self.px(16)
        bottom = self.boxes[0].height - self.px(40)
        if bottom - y < self.px(80):
            return
        draw.text((x, y), "P(class 1)", font=self.font, fill=_TEXT)
        top = y + self.px(26)
        width = self.px(16)
        colours = band_colours()
        for row in range(top, bottom):
            fraction = (bottom - row) / max(bottom - top, 1)
            draw.line((x, row, x + width, row), fill=colours[min(int(fraction * BANDS), BANDS - 1)])
        draw.rectangle((x, top, x + width, bottom), outline=_FRAME, width=1)
        for value in (0.0, 0.25, 0.5, 0.75, 1.0):
            row = bottom - value * (bottom - top)
            draw.line((x + width, row, x + width + self.px(4), row), fill=_MUTED, width=1)
            draw.text((x + width + self.px(7), row), f"{value:g}", font=self.small, fill=_TEXT, anchor="lm")


def write_video(movie: BoundaryMovie, file, *, format: str = "gif", fps: int | None = None, duration: float = video.DEFAULT_DURATION,
                width: int = 1280, height: int = 720, progress: video.Progress | None = None) -> None:
    """Write the boundary animation to `file` as a GIF or an MP4 (options as viz.video's)."""
    fps, total = video.check_options(format, fps, duration)
    frames = boundary_frames(movie, width=width, height=height, frames=total)
    video.write_frames(frames, file, format=format, fps=fps, total=total, progress=progress)


def video_bytes(movie: BoundaryMovie, *, format: str = "gif", **options) -> bytes:
    """`write_video` into memory: the GIF or MP4 file's bytes."""
    return video.file_bytes(lambda file: write_video(movie, file, format=format, **options), format)


def panels(movie: BoundaryMovie, width: int = 1280, height: int = 720) -> Sequence[video.Geometry]:
    """Each panel's box and domain in a frame (where a data point is drawn: geo.to_pixel)."""
    xs, ys = np.asarray(movie.xs, np.float64), np.asarray(movie.ys, np.float64)
    return panel_boxes(np.asarray(movie.prob).shape[0], width, height, (float(xs[0]), float(xs[-1]), float(ys[0]), float(ys[-1])))





MOVIE_RESOLUTION = 64  # the probability grid per panel (interpolated to the panel's pixels)
MOVIE_EPOCHS = 100  # kept epochs drawn at most (a 10 s GIF at 10 fps shows 90 moving frames)


def movie(result, boundary, runs: Sequence[int] | None = None, *, resolution: int = MOVIE_RESOLUTION,
          title: str = "") -> BoundaryMovie:
    """The BoundaryMovie of a `descent.TrainResult` (duck-typed: runs, snapshot_epochs,
    scenario.epochs, data), for the runs `runs` (default: all, one panel each).

    `boundary(result, run_index, epochs, resolution) -> (xs, ys, prob)` computes the
    probabilities: pass `descent.boundary` (viz does not import the engine)."""
    runs = list(range(len(result.runs))) if runs is None else [int(i) for i in runs]
    if not runs or len(runs) > MAX_PANELS or not all(0 <= i < len(result.runs) for i in runs):
        raise ValueError(f"runs must be 1 to {MAX_PANELS} indices in [0, {len(result.runs) - 1}], got {runs}")
    from viz.network import frame_epochs

    epochs = frame_epochs(result.snapshot_epochs, MOVIE_EPOCHS)
    last = int(result.scenario.epochs)
    if epochs[-1] != last:  # the final weights, which the kept epochs may not include
        epochs = [*epochs[: MOVIE_EPOCHS - 1], last]
    grids = [boundary(result, i, epochs, resolution) for i in runs]
    colours = palette(len(result.runs))
    data = result.data
    return BoundaryMovie(
        xs=np.asarray(grids[0][0], np.float32), ys=np.asarray(grids[0][1], np.float32),
        prob=np.stack([np.asarray(g[2], np.float32) for g in grids]), epochs=np.asarray(epochs, int),
        labels=tuple(result.runs[i].label for i in runs), diverged_at=tuple(result.runs[i].diverged_at for i in runs),
        colours=tuple(colours[i] for i in runs),
        x_train=np.asarray(data.x_train, np.float32), y_train=np.asarray(data.y_train, np.float32),
        x_val=np.asarray(data.x_val, np.float32), y_val=np.asarray(data.y_val, np.float32), title=title,
    )  # fmt: skip

__all__ = ["BANDS", "BoundaryMovie", "band_colours", "boundary_frames", "movie", "panel_boxes", "panels", "video_bytes", "write_video"]
