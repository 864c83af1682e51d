"""A Plotly chart that stays in the page and is updated in place, instead of drawn anew.

`st.plotly_chart` mounts a new chart for every new figure: plotly.js builds it from nothing
(the landscape image, the slider, the buttons, every trace), and then draws it once more when
Streamlit applies its theme. For the 3D view it also creates a new WebGL context each time,
which took over a second per edit in Chromium without a GPU. This component keeps one plot
`<div>` per chart for the life of the page and hands each new figure to `Plotly.react`, which
redraws only what changed: an edit that moves the runs redraws the runs.

It is a Streamlit custom component (st.components.v2) of a few lines of JavaScript. plotly.js
itself is the library plotly.py ships (`plotly/package_data/plotly.min.js`), served by
Streamlit's static file serving (`server.enableStaticServing`, the `static/` folder beside
app.py); `install_assets()` copies it there (at start-up, or in the Docker image's build).

A click on the plot area (not a drag) is reported in data coordinates, which is how a click on
the map sets the start: no grid of invisible points is needed to catch it.
"""

from __future__ import annotations

import filecmp
import functools
import hashlib
import json
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

import orjson
import plotly
import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "static"
ASSET = "plotly.min.js"
ASSET_URL = f"/app/static/{ASSET}"
NAME = "descent_plotly"
# In lecture mode a chart fills the window's height below the page's header row.
FILL = "fill"

log = logging.getLogger("descent.ui")


def plotly_source() -> Path:
    """plotly.js as the installed plotly package ships it."""
    return Path(plotly.__file__).parent / "package_data" / ASSET


def install_assets(static: Path = STATIC) -> Path | None:
    """Copy plotly.js into the folder Streamlit serves (if it is missing or differs); the
    copy's path, or None when the folder is not writable (a read-only deployment must copy it
    when it is built, as the Dockerfile does: `python -m ui.live_chart`)."""
    target = static / ASSET
    try:
        if not (target.exists() and filecmp.cmp(plotly_source(), target, shallow=True)):
            static.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".partial")
            shutil.copyfile(plotly_source(), partial)
            partial.replace(target)  # atomic: a second server starting at once never reads half a file
        return target
    except OSError as error:
        if target.exists():
            return target
        log.error("cannot install %s into %s: %s", ASSET, static, error)
        return None


# plotly.js, loaded once per page (a classic script from Streamlit's static files). Before it
# loads, `plainSoftwareWebGL` wraps the making of WebGL canvases: at the first one (the 3D
# view's; the map has none, so a first page probes nothing) it looks at the browser's WebGL,
# and one without a GPU (SwiftShader, llvmpipe: a GPU blocklisted, a virtual machine) draws on
# the CPU, where plotly.js's antialiased 3D canvas cost a fifth of every 3D update (about 25 ms
# of 140 in Chromium on 2 cores). There WebGL canvases are made without antialiasing; with a
# GPU they keep it. (The comments are here: this text is sent to the browser with the first page.)
LOAD_PLOTLY = """
function loadPlotly() {
  if (window.Plotly) return Promise.resolve();
  if (!window.__descentPlotly) {
    plainSoftwareWebGL();
    window.__descentPlotly = new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = '%(url)s';
      script.onload = resolve;
      script.onerror = () => {  // a later call tries again
        window.__descentPlotly = null;
        script.remove();
        reject(new Error('plotly.js could not be loaded from %(url)s'));
      };
      document.head.appendChild(script);
    });
  }
  return window.__descentPlotly;
}

function plainSoftwareWebGL() {
  if (window.__descentWebGL !== undefined) return;
  window.__descentWebGL = null;
  const getContext = HTMLCanvasElement.prototype.getContext;
  const probe = () => {
    let renderer = '';
    try {
      const gl = getContext.call(document.createElement('canvas'), 'webgl');
      const info = gl && gl.getExtension('WEBGL_debug_renderer_info');
      renderer = gl ? String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : '';
      const lose = gl && gl.getExtension('WEBGL_lose_context');
      if (lose) lose.loseContext();
    } catch (error) { renderer = ''; }
    return {renderer: renderer, software: /swiftshader|llvmpipe|softpipe|software/i.test(renderer)};
  };
  HTMLCanvasElement.prototype.getContext = function(type, attributes) {
    if (typeof type === 'string' && type.startsWith('webgl')) {
      window.__descentWebGL = window.__descentWebGL || probe();
      if (window.__descentWebGL.software) attributes = Object.assign({}, attributes, {antialias: false});
    }
    return getContext.call(this, type, attributes);
  };
}
""" % {"url": ASSET_URL}

JS = """
export default function(component) {
  const { data, parentElement, setTriggerValue } = component;
  let gd = parentElement.querySelector(':scope > div.descent-plot');
  if (!gd) {
    gd = document.createElement('div');
    gd.className = 'descent-plot';
    parentElement.appendChild(gd);
  }
  performance.mark('descent:render');  // the benchmark's breakdown of an edit (python -m ui.bench)
  placeHeader(parentElement, gd, data.header || '');
  gd.__descentTrigger = setTriggerValue;  // the latest: a click reports through it
  gd.__descentClickable = data.clickable;
  const config = JSON.parse(data.config || '{}');
  const parsed = JSON.parse(data.figure);
  decodeCoordinates(parsed);
  parsed.frames = expandFrames(parsed);
  const signature = signatureOf(parsed);  // before plotly.js writes into any of it
  const figure = reuseUnchanged(gd, parsed);
  performance.mark('descent:parsed');
  const background = figure.background;  // an image under the plot area (see `chart`)
  delete figure.background;
  const height = data.height === '%(fill)s' ? Math.max(360, window.innerHeight - (data.fill_offset || 95)) : data.height;
  gd.style.height = height + 'px';
  gd.style.width = '100%%';
  figure.layout = Object.assign({}, figure.layout, {height: height});
  // The width is read when the figure is drawn (after plotly.js loaded and earlier updates ran),
  // not when it arrived: the column may have changed in between.
  const draw = () => { figure.layout.width = gd.clientWidth || undefined; return update(gd, figure, signature, config); };
  const drawn = () => draw()
    .catch(error => { console.error('descent chart: update failed, redrawing', error);
                      gd.__descentDrawn = null;
                      gd.dataset.path = 'react';
                      return window.Plotly.react(gd, {data: figure.data, layout: figure.layout, frames: figure.frames || [], config: config}); })
    .then(() => { placeBackground(gd, background); keepUnchanged3d(gd); if (gd.dataset.path !== 'move') shown(gd);
                  gd.dataset.drawn = String((Number(gd.dataset.drawn) || 0) + 1); listen(gd); });
  // One update at a time, in order: a figure that arrives while one is drawn waits for it.
  gd.__descentQueue = (gd.__descentQueue || loadPlotly().catch(() => loadPlotly())).then(drawn, drawn);
  return () => { if (window.Plotly) window.Plotly.purge(gd); };
}

// Draw `figure`. When only the traces' data changed (the runs moved: a new start, a new number of
// steps, another learning rate), the new data is applied as a zero-length animation, which
// moves the traces without redrawing the rest of the plot (legend, slider, buttons, axes):
// half the work of Plotly.react. Anything else goes through Plotly.react.
//
// What was drawn is remembered by its `signature`, text taken before plotly.js saw the figure:
// plotly.js writes its defaults back into the objects it is given.
function update(gd, figure, signature, config) {
  const previous = gd.__descentDrawn;
  const {width, height} = figure.layout;
  const drawn = signature;
  gd.__descentDrawn = drawn;
  const full = gd._fullLayout;
  const fast = previous && full && previous.layout === drawn.layout && full.height === height
    && figure.data.every(t => (t.type || 'scatter') === 'scatter')  // a zero-length animation redraws nothing else
    && previous.shapes.length === drawn.shapes.length && previous.shapes.every((s, i) => s === drawn.shapes[i]);
  gd.dataset.path = fast ? 'move' : 'react';  // for the tests
  if (!fast && previous && full) {  // why, for the tests and the benchmark's breakdown
    gd.dataset.why = previous.layout !== drawn.layout ? 'layout' : full.height !== height ? 'height'
      : !figure.data.every(t => (t.type || 'scatter') === 'scatter') ? 'type' : 'traces';
  }
  if (!fast) {
    return window.Plotly.react(gd, {data: figure.data, layout: figure.layout, frames: figure.frames || [], config: config});
  }
  // Every trace takes part, the unchanged ones with nothing to move: plotly.js re-sorts the SVG
  // groups of the traces in an animation, and would draw those left out on top of the others.
  const traces = drawn.uids.map((_, i) => i);
  const moves = traces.map(i => {
    const move = {};
    if (drawn.uids[i] !== previous.uids[i]) {
      for (const key of DATA_KEYS) if (key in figure.data[i]) move[key] = figure.data[i][key];
    }
    return move;
  });
  const frames = figure.frames || [];
  // The page around the plot may have changed its width (a scroll bar came or went): the traces
  // move first, then the plot takes the new width.
  const resized = width !== undefined && Math.abs(full.width - width) >= 1;
  return window.Plotly.animate(gd, {data: moves, traces: traces},
                               {frame: {duration: 0, redraw: false}, transition: {duration: 0}, mode: 'immediate'})
    .then(() => resized ? window.Plotly.relayout(gd, {width: width}) : null)
    .then(() => { shown(gd); return deleteAllFrames(gd); })
    .then(() => frames.length ? window.Plotly.addFrames(gd, frames) : null);
}

// Coordinates sent as typed arrays (viz.wire: {dtype, bdata}, the base64 of little-endian
// values) become typed arrays here, which plotly.js draws and the frames below read as they are.
const TYPED = {f4: Float32Array, f8: Float64Array, i1: Int8Array, u1: Uint8Array, i2: Int16Array, u2: Uint16Array,
               i4: Int32Array, u4: Uint32Array};
function decodeCoordinates(figure) {
  for (const trace of figure.data || []) {
    for (const axis of ['x', 'y']) {
      const value = trace[axis];
      if (value && value.bdata !== undefined && TYPED[value.dtype]) {
        const text = atob(value.bdata), bytes = new Uint8Array(text.length);
        for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
        trace[axis] = new TYPED[value.dtype](bytes.buffer);
      }
    }
  }
}

// The animation's frames, built here from the figure's path traces when the server sent a
// `frame_recipe` instead of them (viz.trajectory_map's `_recipe`: the same rule as its `_frame`):
// a quarter of the bytes to send and parse, and nothing the path traces do not already hold.
function expandFrames(figure) {
  const recipe = figure.frame_recipe;
  if (!recipe) return figure.frames || [];
  delete figure.frame_recipe;
  const paths = recipe.paths.map(i => [figure.data[i].x, figure.data[i].y]);
  return recipe.steps.map((step, f) => {
    const data = [];
    for (const [xs, ys] of paths) {
      const n = xs.length;
      if (n === 0) { data.push({x: [], y: []}, {x: [], y: [], text: []}); continue; }
      const shown = Math.min(step, n - 1);
      const kept = thinnedIndices(Math.max(0, shown - recipe.trail + 1), shown, recipe.max_points);
      data.push({x: kept.map(i => xs[i]), y: kept.map(i => ys[i])},
                {x: [xs[shown]], y: [ys[shown]], text: ['step ' + shown]});
    }
    if (recipe.counter) data.push({text: ['step ' + step]});
    if (recipe.extra) data.push(...recipe.extra[f]);
    return {name: String(f), data: data, traces: recipe.traces};
  });
}

// viz.trajectory_map.thinned_indices: start..stop with at most about `most` points, stop kept,
// an odd stride counted back from stop.
function thinnedIndices(start, stop, most) {
  const count = stop - start + 1, kept = [];
  if (count <= most) { for (let i = start; i <= stop; i++) kept.push(i); return kept; }
  let stride = Math.ceil(count / most);
  if (stride %% 2 === 0) stride += 1;
  for (let i = stop; i >= start; i -= stride) kept.push(i);
  return kept.reverse();
}

// Counts the updates the user can see (`drawn` counts them once the frames are rebuilt too): the
// benchmark times an edit up to the moment it is shown.
function shown(gd) { performance.mark('descent:shown'); gd.dataset.shown = String((Number(gd.dataset.shown) || 0) + 1); }

// Plotly.deleteFrames sorts the indices it is given as text ("10" before "9") and then deletes
// from the end, which goes wrong across a change in the number of digits: delete the frames
// in groups of equally long indices, the longest first.
function deleteAllFrames(gd) {
  const count = ((gd._transitionData && gd._transitionData._frames) || []).length;
  let chain = Promise.resolve();
  for (let digits = String(Math.max(count - 1, 0)).length; digits >= 1; digits--) {
    const low = digits === 1 ? 0 : 10 ** (digits - 1), high = Math.min(count, 10 ** digits);
    const group = [];
    for (let i = low; i < high; i++) group.push(i);
    if (group.length) chain = chain.then(() => window.Plotly.deleteFrames(gd, group));
  }
  return chain;
}

function signatureOf(figure) {
  const {width, height, ...rest} = figure.layout;
  const legend = rest.showlegend !== false;
  return {uids: figure.data.map(t => t.uid), shapes: figure.data.map(t => shape(t, legend)), layout: JSON.stringify(rest)};
}

// The parts of a trace that an update may move in place: its data, and the words that follow a
// run's label (a new learning rate renames the run), except a name plotly's own legend shows,
// which the move would leave as it was. Everything else (type, mode, colours) is its shape,
// which must match, with the whole layout, for the fast path.
const DATA_KEYS = ['x', 'y', 'z', 'text', 'customdata', 'name', 'meta', 'hovertemplate'];
function shape(trace, legend) {
  const named = legend && trace.showlegend !== false;  // its name is drawn in the legend
  return JSON.stringify(trace, (key, value) =>
    ((DATA_KEYS.includes(key) && !(named && key === 'name')) || key === 'uid') ? undefined : value);
}

// Plotly.react redraws what it sees change, and it compares arrays by identity: a trace or a
// layout part equal to the one already drawn is handed back as the very same object. Traces
// are matched by their content's digest, the uid figure_json sets.
//
// plotly.js itself knows a drawn trace by its uid, and builds a trace with a new uid from
// nothing (in 3D its WebGL programs are compiled anew: a third of a 3D edit). So each trace
// then takes the uid of its place, and a changed trace is updated where it is drawn.
const LAYOUT_PARTS = ['sliders', 'updatemenus', 'images', 'annotations', 'xaxis', 'yaxis', 'scene', 'legend'];
function reuseUnchanged(gd, figure) {
  const previous = gd.__descentFigure;
  const digests = figure.data.map(t => t.uid);
  const parts = {};
  for (const key of LAYOUT_PARTS) if (key in figure.layout) parts[key] = JSON.stringify(figure.layout[key]);
  if (previous) {
    const byDigest = new Map(previous.digests.map((d, i) => [d, previous.data[i]]));
    figure.data = figure.data.map((t, i) => (digests[i] && byDigest.has(digests[i])) ? byDigest.get(digests[i]) : t);
    for (const key of Object.keys(parts)) {
      if (parts[key] === previous.parts[key]) figure.layout[key] = previous.layout[key];
    }
  }
  figure.data.forEach((t, i) => { t.uid = 'trace' + i + '-' + (t.type || 'scatter'); });
  gd.__descentFigure = {data: figure.data, digests: digests, layout: figure.layout, parts: parts};
  return figure;
}

// plotly.js updates every trace of a 3D scene on every change, each from its data: the surface's
// 120×120 vertices, normals and colours were computed again when only the paths had moved
// (about 15 ms of a 3D edit). A trace handed back as the very object already drawn (see
// reuseUnchanged), in a scene whose scale is unchanged, keeps what it has on the GPU.
function keepUnchanged3d(gd) {
  const scene = gd._fullLayout && gd._fullLayout.scene && gd._fullLayout.scene._scene;
  if (!scene || !scene.traces) return;
  for (const trace of Object.values(scene.traces)) {
    if (trace.__descentKept) continue;
    trace.__descentKept = true;
    const updateFrom = trace.update;
    trace.update = function(data) {
      const scale = String(scene.dataScale);
      if (data && this.__descentInput === data._input && this.__descentScale === scale) {
        this.data = data;
        return;
      }
      this.__descentInput = data && data._input;
      this.__descentScale = scale;
      this.__descentUpdates = (this.__descentUpdates || 0) + 1;  // for the tests
      return updateFrom.call(this, data);
    };
    trace.__descentInput = trace.data && trace.data._input;
    trace.__descentScale = String(scene.dataScale);
  }
}

// Markup above the plot (the map's key), replaced only when it changed. Drawn here rather than
// by st.markdown, whose element parsed the whole key's HTML again on every edit.
function placeHeader(parent, gd, html) {
  let header = parent.querySelector(':scope > div.descent-header');
  if (!html) { if (header) header.remove(); return; }
  if (!header) {
    header = document.createElement('div');
    header.className = 'descent-header';
    parent.insertBefore(header, gd);
  }
  if (header.__descentHtml !== html) { header.innerHTML = html; header.__descentHtml = html; }
}

// The background image lives under plotly's SVG, not in it: plotly.js redraws its own layout
// images on every update that changes data, and waits for the browser to decode them anew.
// It is placed over the data rectangle it covers and follows zoom and pan.
function placeBackground(gd, background) {
  gd.__descentBackground = background;
  const container = gd.querySelector('.svg-container');
  if (!container) return;
  let box = container.querySelector(':scope > div.descent-background');
  if (!background) { if (box) box.remove(); return; }
  if (!box) {
    box = document.createElement('div');
    box.className = 'descent-background';
    box.style.cssText = 'position:absolute;overflow:hidden;pointer-events:none;';
    const image = document.createElement('img');
    image.alt = '';
    image.style.cssText = 'position:absolute;max-width:none;';
    box.appendChild(image);
    container.insertBefore(box, container.firstChild);
  }
  const image = box.firstChild;
  if (image.getAttribute('src') !== background.source) image.setAttribute('src', background.source);
  image.style.imageRendering = background.pixelated ? 'pixelated' : '';  // a map's cells stay sharp squares
  positionBackground(gd);
}

function positionBackground(gd) {
  const background = gd.__descentBackground, box = gd.querySelector('.descent-background');
  const xa = gd._fullLayout && gd._fullLayout.xaxis, ya = gd._fullLayout && gd._fullLayout.yaxis;
  if (!background || !box || !xa || !ya) return;
  Object.assign(box.style, {left: xa._offset + 'px', top: ya._offset + 'px', width: xa._length + 'px', height: ya._length + 'px'});
  const left = xa.l2p(background.x0), right = xa.l2p(background.x1);
  const top = ya.l2p(background.y1), bottom = ya.l2p(background.y0);
  Object.assign(box.firstChild.style, {left: left + 'px', top: top + 'px', width: (right - left) + 'px', height: (bottom - top) + 'px'});
}

%(load_plotly)s

// A click (a press and release within a few pixels) on the plot area, in data coordinates.
function listen(gd) {
  if (gd.__descentListening) return;
  gd.__descentListening = true;
  // The release is listened for on the window: while a button is down plotly.js lays a cover
  // over the page, which receives it.
  let down = null;
  gd.addEventListener('pointerdown', e => {
    down = e.target.closest && e.target.closest('.nsewdrag') ? [e.clientX, e.clientY] : null;
  }, true);
  window.addEventListener('pointerup', e => {
    if (!down || !gd.__descentClickable || !gd.isConnected) { down = null; return; }
    const moved = Math.hypot(e.clientX - down[0], e.clientY - down[1]);
    down = null;
    const area = gd.querySelector('.nsewdrag');
    const xa = gd._fullLayout && gd._fullLayout.xaxis, ya = gd._fullLayout && gd._fullLayout.yaxis;
    if (moved > 4 || !area || !xa || !ya) return;
    const box = area.getBoundingClientRect();
    const fx = (e.clientX - box.left) / box.width, fy = (box.bottom - e.clientY) / box.height;
    const x = xa.range[0] + fx * (xa.range[1] - xa.range[0]);
    const y = ya.range[0] + fy * (ya.range[1] - ya.range[0]);
    gd.__descentTrigger('click', {x: x, y: y, dx: (xa.range[1] - xa.range[0]) / box.width,
                                  dy: (ya.range[1] - ya.range[0]) / box.height});
  }, true);
  gd.on('plotly_relayout', () => positionBackground(gd));
  gd.on('plotly_relayouting', () => positionBackground(gd));
  window.addEventListener('resize', () => { if (gd.isConnected && window.Plotly) window.Plotly.Plots.resize(gd); });
  // The plot follows its column's width. A first script run that is slow (a big map in a new
  // session) draws the chart before the sidebar exists; the sidebar then narrows the column,
  // and a plot laid out for the wider one ran past its right edge (the legend cut off).
  new ResizeObserver(() => {
    const misfit = () => gd.isConnected && gd._fullLayout && gd.clientWidth > 0 && Math.abs(gd._fullLayout.width - gd.clientWidth) >= 1;
    if (!misfit()) return;
    // The figure's own axis ranges come back too: a square map (scaleanchor) widened its range to
    // fill the wider plot, and plotly.js wrote that range into the layout.
    const resize = () => {
      const update = {width: gd.clientWidth}, original = gd.__descentDrawn ? JSON.parse(gd.__descentDrawn.layout) : {};
      for (const axis of ['xaxis', 'yaxis']) if (original[axis] && original[axis].range) update[axis + '.range'] = original[axis].range;
      return window.Plotly.relayout(gd, update);
    };
    gd.__descentQueue = gd.__descentQueue.then(() => misfit() ? resize() : null)
      .catch(error => console.error('descent chart: resize failed', error));
  }).observe(gd);
}
""" % {"fill": FILL, "load_plotly": LOAD_PLOTLY}

# An element that shows nothing and has the browser load plotly.js (see `preload`): a component
# of its own, so that it does not carry the chart's code.
PRELOAD_JS = "export default function() { loadPlotly(); }\n" + LOAD_PLOTLY

PRELOAD_KEY = "descent-preload"
CSS = ".descent-plot { width: 100%; contain: layout paint style; }"

_component = None


def _renderer():
    global _component
    if _component is None:
        install_assets()
        _component = st.components.v2.component(NAME, js=JS, css=CSS, isolate_styles=False)
    return _component


def with_background(spec: dict, pixelated: bool = False) -> dict:
    """The figure with its (first) layout image taken out, to be drawn under the plot area by
    the page instead of inside plotly.js's SVG (see placeBackground). The plot's own background
    becomes transparent so the image shows through. `pixelated`: scaled up, each pixel stays a
    sharp square (a map's cells) instead of being blurred into its neighbours."""
    layout = dict(spec["layout"])
    images = list(layout.pop("images", []))
    if not images:
        return spec
    image = images[0]
    layout["images"] = images[1:]
    layout["plot_bgcolor"] = layout["paper_bgcolor"] = "rgba(0,0,0,0)"
    x0, y1 = float(image["x"]), float(image["y"])
    background = {"source": image["source"], "x0": x0, "x1": x0 + float(image["sizex"]), "y0": y1 - float(image["sizey"]), "y1": y1}
    if pixelated:
        background["pixelated"] = True
    return {**spec, "layout": layout, "background": background}


def figure_json(spec: dict) -> str:
    """A figure dict as the component sends it: orjson writes numpy arrays (float32 as the
    shortest decimal that reads back) and typed-array dicts alike, and fast. Each trace gets a
    `uid` that digests its content, so the page can keep the traces that did not change."""
    dump = functools.partial(orjson.dumps, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)
    traces = [dump(trace) for trace in spec.get("data", [])]
    uids = [hashlib.blake2b(text, digest_size=8).hexdigest() for text in traces]
    data = b"[" + b",".join(text[:-1] + (b"," if len(text) > 2 else b"") + b'"uid":"' + uid.encode() + b'"}'
                            for text, uid in zip(traces, uids)) + b"]"  # fmt: skip
    rest = dump({key: value for key, value in spec.items() if key != "data"})
    return (b'{"data":' + data + (b"," + rest[1:] if len(rest) > 2 else b"}")).decode()


def chart(figure: str, *, key: str, height: int | str, config: dict | None = None,
          on_click: Callable[[], None] | None = None, fill_offset: int = 95, header: str = ""):  # fmt: skip
    """Draw (or update in place) the chart `key` with `figure` (`figure_json`'s text).

    `header` is trusted HTML (our own markup, any user text in it escaped) drawn above the plot.

    `height` in px, or FILL (the window's height less `fill_offset` px). With `on_click`, a
    click on the plot area calls it; the click's {x, y, dx, dy} (data coordinates and the size
    of a pixel in them) is then `st.session_state[key].click`.
    """
    # Every value is text, a number or a flag: Streamlit looks at each other value of the dict for
    # a dataframe, and its first such look imports pandas (0.6 s of a new server's first page).
    data = {"figure": figure, "height": height, "config": json.dumps(config or {}), "clickable": on_click is not None,
            "fill_offset": fill_offset, "header": header}  # fmt: skip
    callbacks = {"on_click_change": on_click} if on_click is not None else {}
    return _renderer()(data=data, key=key, height="content", **callbacks)


def preload() -> None:
    """Have the browser fetch and compile plotly.js (3.5 MB) now, with an element it does not
    show. Called before the page imports JAX and computes its first runs (a second or more on a
    new server), so that both happen at once rather than one after the other."""
    global _preloader
    if _preloader is None:
        install_assets()  # a fresh clone has no copy of plotly.js yet, and this is its first request
        _preloader = st.components.v2.component(NAME + "_preload", js=PRELOAD_JS,
                                                css=".st-key-" + PRELOAD_KEY + " { display: none; }", isolate_styles=False)  # fmt: skip
    _preloader(key=PRELOAD_KEY, height="content")


_preloader = None


def sent_figures(elements) -> list[dict]:
    """The figures of the charts among Streamlit elements (AppTest's `at.get("bidi_component")`,
    or protos), as dicts: what a test reads of what the page was sent, a frame recipe expanded
    into frames as the page expands it."""
    from viz import wire
    from viz.trajectory_map import expand_frame_recipe

    figures = []
    for element in elements:
        proto = getattr(element, "proto", element)
        if getattr(proto, "component_name", "").endswith(NAME):
            figure = expand_frame_recipe(wire.expand(json.loads(json.loads(proto.json)["figure"])))
            figures.append(json.loads(orjson.dumps(figure, option=orjson.OPT_SERIALIZE_NUMPY)))  # as JSON reads it
    return figures


if __name__ == "__main__":  # `python -m ui.live_chart`: install plotly.js for static serving
    path = install_assets()
    print(path if path else "could not install plotly.js")
    raise SystemExit(0 if path else 1)
