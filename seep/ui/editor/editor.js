// Seep mask editor: paints class ids into a label buffer, one byte per pixel.
// Colours exist only on screen; the buffer is exact (no anti-aliasing), so what the
// analyst paints is what Python decodes.
//
// Streamlit calls this function again on every rerun, including the reruns that this
// component's own events cause. The editor therefore lives on its parent element and
// its work (mask, undo/redo) in a window-level map keyed by mask id: a rerun with the
// same mask id only refreshes the picture and options; a new mask id loads a new mask.

const STORE = (window.__seepEditorStore ??= new Map()); // mask_id -> {mask, undo, redo, original}
const HISTORY = 200; // undo steps kept (the issue asks for at least 50)
const ZOOMS = [1, 2, 3, 4, 6, 8, 12, 16]; // thin slicks need 4-8x; 16x shows single pixels
const MINIMAP = 150; // px, the minimap's longer side

function b64ToBytes(b64) {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function bytesToB64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

async function inflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function deflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const TOOLS = [
  ["brush", "Brush", "B"],
  ["lasso", "Lasso fill", "L"],
  ["polygon", "Polygon: click the corners (drag one to move it); Enter, a double-click or a click on the first fills it; Backspace drops the last; Esc cancels", "V"],
  ["fill", "Flood fill", "F"],
  ["blob", "Blob: click a blob to give it the current class (with the eraser: delete it)", "O"],
  ["measure", "Measure: drag from one place to another for the distance on the ground; Shift+drag goes on from its end (along a bending slick); the mask is not touched; Esc clears", "M"],
];

function build(parent) {
  const root = document.createElement("div");
  root.className = "seep-editor";
  root.tabIndex = 0;
  root.innerHTML = `
    <div class="bar">
      <div class="group classes"></div>
      <button class="eraser" data-testid="seep-eraser" title="Eraser (E)">Eraser</button>
      <span class="sep"></span>
      <div class="group tools"></div>
      <span class="sep"></span>
      <label class="size" title="Brush size ([ and ])">Size <input type="range" min="1" max="40" value="6"><b>6</b></label>
      <label class="protect" title="Strokes leave other classes untouched"><input type="checkbox"> Protect other classes</label>
      <span class="sep"></span>
      <label class="under" title="How small a speck or a hole is to go: a part touching the tile's edge may go on beyond it and is left alone">Under <input type="number" min="2" max="65536" value="16" data-testid="seep-under"> px</label>
      <button class="specks" data-testid="seep-specks" title="Delete every slick smaller than that (with Protect: of the current class alone), undoable in one step">Clear specks</button>
      <button class="holes" data-testid="seep-holes" title="Fill every hole smaller than that with the class around it (with Protect: holes in the current class alone)">Fill holes</button>
      <span class="cleaned" data-testid="seep-cleaned"></span>
    </div>
    <div class="bar">
      <button class="undo" data-testid="seep-undo" title="Undo (Ctrl+Z)">Undo</button>
      <button class="redo" data-testid="seep-redo" title="Redo (Ctrl+Y)">Redo</button>
      <button class="reset" title="Back to the mask as loaded (undoable)">Reset</button>
      <span class="sep"></span>
      <button class="zoomout" data-testid="seep-zoom-out" title="Zoom out (- or the wheel)">-</button><span class="zoom" data-testid="seep-zoom">2x</span><button class="zoomin" data-testid="seep-zoom-in" title="Zoom in (+ or the wheel, at the cursor); pan: space+drag, middle-drag, arrow keys">+</button>
      <button class="hide" data-testid="seep-hide" title="Hide the overlay to see the radar under it (H)">Hide</button>
      <span class="sep"></span>
      <button class="save primary" data-testid="seep-save" title="Save a new version (S)">Save</button>
      <button class="accept" data-testid="seep-accept" title="Accept as it is (A)">Accept</button>
      <span class="status" data-testid="seep-status"></span>
    </div>
    <div class="viewport"><div class="scroller" data-testid="seep-viewport"><div class="frame">
      <img class="context" alt="neighbouring tiles" data-testid="seep-context" draggable="false">
      <div class="stage">
        <img class="base" alt="SAR tile" draggable="false">
        <canvas class="overlay" data-testid="seep-canvas"></canvas>
        <canvas class="lasso"></canvas>
        <div class="cursor"></div>
        <div class="pin" data-testid="seep-pin" hidden></div>
        <svg class="ruler" data-testid="seep-ruler" hidden><polyline></polyline></svg>
        <span class="ruler-label" data-testid="seep-ruler-label" hidden></span>
      </div>
    </div></div><canvas class="minimap" data-testid="seep-minimap" title="Click or drag to move the view"></canvas>
    <span class="readout" data-testid="seep-readout"></span></div>`;
  parent.appendChild(root);
  return root;
}

class Editor {
  constructor(parent) {
    this.root = build(parent);
    this.q = (sel) => this.root.querySelector(sel);
    this.img = this.q("img.base");
    this.canvas = this.q("canvas.overlay");
    this.ctx = this.canvas.getContext("2d");
    this.lassoCanvas = this.q("canvas.lasso");
    this.cursor = this.q(".cursor");
    this.scroller = this.q(".scroller");
    this.minimap = this.q("canvas.minimap");
    this.cls = 1;
    this.eraser = false;
    this.tool = "brush";
    this.size = 6;
    this.zoom = 2;
    this.sent = { mask_id: null, dirty: false }; // the dirty flag Python last heard
    this.work = null; // the STORE entry of the mask being edited
    this.bindUi();
  }

  // ---- data from Python ---------------------------------------------------------------
  async update(data, api) {
    this.api = api;
    this.data = data;
    if (this.img.dataset.src !== data.image) {
      this.img.src = "data:image/png;base64," + data.image;
      this.img.dataset.src = data.image;
    }
    // The neighbouring tiles' edges around the stage, read-only: a slick crossing the
    // border is drawn on where it goes on the other side.
    const context = this.q("img.context");
    this.margin = data.context ? data.margin : 0;
    this.root.classList.toggle("has-context", !!data.context);
    if (data.context && context.dataset.src !== data.context) {
      context.src = "data:image/png;base64," + data.context;
      context.dataset.src = data.context;
    }
    this.opacity = data.opacity;
    this.pin = data.pin || null; // [row, col]: a place looked for on the Scene page, marked
    this.q("button.accept").hidden = !data.can_accept; // accepting is a reviewer's call
    if (data.zoom && this.zoomFromPython !== data.zoom) {
      this.zoomFromPython = data.zoom;
      this.zoom = data.zoom;
    }
    const classKey = JSON.stringify([data.palette, data.names, data.descriptions]);
    if (this.classKey !== classKey) this.buildPalette(data);
    this.classKey = classKey;
    if (!this.work || this.work.id !== data.mask_id) await this.load(data);
    this.layout();
    this.render();
  }

  async load(data) {
    this.w = data.width;
    this.h = data.height;
    let entry = STORE.get(data.mask_id);
    if (!entry) {
      const mask = await inflate(b64ToBytes(data.mask));
      if (mask.length !== this.w * this.h) throw new Error(`mask has ${mask.length} bytes, expected ${this.w * this.h}`);
      entry = { id: data.mask_id, mask, original: mask.slice(), undo: [], redo: [] };
      STORE.set(data.mask_id, entry);
      if (STORE.size > 50) STORE.delete(STORE.keys().next().value); // oldest tiles first
    }
    this.work = entry;
    this.poly = null; // an unfinished polygon belongs to the tile it was drawn on
    this.locked = data.locked ? await inflate(b64ToBytes(data.locked)) : null; // no-data: never painted
    this.db = data.db ? { ...data.db, q: await inflate(b64ToBytes(data.db.data)) } : null;
    this.corners = data.corners || null;
    this.steps = data.metres || null; // [[east, north] of a column's step, of a row's], in metres on the ground
    this.clearRuler(); // a distance measured belongs to the tile it was measured on
    this.canvas.width = this.lassoCanvas.width = this.w;
    this.canvas.height = this.lassoCanvas.height = this.h;
    this.image = this.ctx.createImageData(this.w, this.h);
    this.root.dataset.maskId = data.mask_id;
    this.reportDirty();
    this.q(".cleaned").textContent = "";
    this.refreshBar(); // Undo and Redo start disabled: a fresh tile has nothing to undo
  }

  buildPalette(data) {
    this.palette = data.palette;
    this.names = data.names;
    const box = this.q(".classes");
    box.innerHTML = "";
    data.names.forEach((name, id) => {
      if (id === 0) return;
      const b = document.createElement("button");
      b.className = "cls";
      b.dataset.cls = id;
      b.dataset.testid = `seep-class-${id}`;
      b.setAttribute("data-testid", `seep-class-${id}`);
      const about = data.descriptions[id];
      b.title = `${name} (${id <= 9 ? id : ""})` + (about ? `: ${about}` : "");
      b.innerHTML = `<i style="background:rgb(${data.palette[id].join(",")})"></i>${id}`;
      if (name !== `seep ${id}`) {  // a named class shows its name, as text (it is user text)
        const label = document.createElement("span");
        label.className = "name";
        label.textContent = name;
        b.appendChild(label);
      }
      b.onclick = () => this.pickClass(id);
      box.appendChild(b);
    });
    this.refreshBar();
  }

  // ---- state helpers --------------------------------------------------------------------
  get dirty() {
    const { mask, original } = this.work;
    for (let i = 0; i < mask.length; i++) if (mask[i] !== original[i]) return true;
    return false;
  }

  // Python hears the flag with the mask id it belongs to, and takes a new mask id as clean:
  // opening a tile (or the version just saved) costs no extra rerun, only a change does.
  reportDirty() {
    const d = this.dirty;
    this.q(".status").textContent = d ? "unsaved strokes" : "";
    this.root.classList.toggle("is-dirty", d);
    const known = this.sent.mask_id === this.work.id ? this.sent.dirty : false;
    if (this.api && d !== known) {
      this.sent = { mask_id: this.work.id, dirty: d };
      this.api.setStateValue("dirty", this.sent);
    }
  }

  snapshot() {
    const w = this.work;
    w.undo.push(w.mask.slice());
    if (w.undo.length > HISTORY) w.undo.shift();
    w.redo.length = 0;
  }

  undo() {
    const w = this.work;
    if (!w.undo.length) return;
    w.redo.push(w.mask.slice());
    w.mask.set(w.undo.pop());
    this.changed();
  }

  redo() {
    const w = this.work;
    if (!w.redo.length) return;
    w.undo.push(w.mask.slice());
    w.mask.set(w.redo.pop());
    this.changed();
  }

  reset() {
    this.snapshot();
    this.work.mask.set(this.work.original);
    this.changed();
  }

  changed() {
    this.q(".cleaned").textContent = ""; // a clean-up's count is for the change it made, not the next
    this.render();
    this.reportDirty();
    this.refreshBar();
  }

  pickClass(id) {
    if (id >= 1 && id < this.names.length) {
      this.cls = id;
      this.eraser = false;
      this.refreshBar();
    }
  }

  refreshBar() {
    if (this.poly && this.tool !== "polygon") this.cancelPolygon(); // another tool drops an unfinished polygon
    if (this.ruler && this.tool !== "measure") this.clearRuler();
    this.root.querySelectorAll("button.cls").forEach((b) => b.classList.toggle("on", !this.eraser && +b.dataset.cls === this.cls));
    this.q("button.eraser").classList.toggle("on", this.eraser);
    this.root.querySelectorAll("button.tool").forEach((b) => b.classList.toggle("on", b.dataset.tool === this.tool));
    this.q(".size input").value = this.size;
    this.q(".size b").textContent = this.size;
    this.q(".zoom").textContent = `${this.zoom}x`;
    this.q("button.zoomin").disabled = this.zoom >= ZOOMS[ZOOMS.length - 1];
    this.q("button.zoomout").disabled = this.zoom <= ZOOMS[0];
    this.q("button.hide").classList.toggle("on", !!this.hidden);
    if (this.work) {
      this.q("button.undo").disabled = !this.work.undo.length;
      this.q("button.redo").disabled = !this.work.redo.length;
    }
  }

  // ---- drawing ----------------------------------------------------------------------------
  layout() {
    const W = this.w * this.zoom, H = this.h * this.zoom;
    const stage = this.q(".stage");
    stage.style.width = `${W}px`;
    stage.style.height = `${H}px`;
    const m = (this.margin || 0) * this.zoom;
    this.q(".frame").style.padding = `${m}px`;
    Object.assign(this.q("img.context").style, { width: `${W + 2 * m}px`, height: `${H + 2 * m}px` });
    // Wider than the column: scrolled so the tile sits in the middle, its neighbours' edges
    // equally in view on both sides.
    // Only when the tile or the zoom changes: a rerun must not undo the analyst's scrolling.
    // A new tile opens centred (a zoom keeps its own anchor, see setZoom).
    const scroller = this.scroller;
    const placed = `${this.work?.id}:${m}`;
    // A marked place is what the tile was opened for: it opens in the middle of the view.
    const [cx, cy] = this.pin ? [(this.pin[1] + 0.5) * this.zoom + m, (this.pin[0] + 0.5) * this.zoom + m] : [(W + 2 * m) / 2, (H + 2 * m) / 2];
    if (this.placed !== placed) {
      scroller.scrollLeft = Math.max(0, cx - scroller.clientWidth / 2);
      scroller.scrollTop = Math.max(0, cy - scroller.clientHeight / 2);
      this.placed = placed;
    }
    const pin = this.q(".pin");
    pin.hidden = !this.pin;
    if (this.pin) Object.assign(pin.style, { left: `${(this.pin[1] + 0.5) * this.zoom}px`, top: `${(this.pin[0] + 0.5) * this.zoom}px` });
    for (const el of [this.img, this.canvas, this.lassoCanvas]) {
      el.style.width = `${W}px`;
      el.style.height = `${H}px`;
    }
    if (this.ruler) this.drawRuler(this.ruler); // its label is placed in screen pixels: moved with a zoom
  }

  render() {
    const { mask } = this.work;
    const px = this.image.data;
    const a = Math.round(this.opacity * 255);
    for (let i = 0, j = 0; i < mask.length; i++, j += 4) {
      const c = mask[i];
      if (c === 0) {
        px[j + 3] = 0;
        continue;
      }
      const rgb = this.palette[c] || [255, 0, 255];
      px[j] = rgb[0];
      px[j + 1] = rgb[1];
      px[j + 2] = rgb[2];
      px[j + 3] = a;
    }
    this.ctx.putImageData(this.image, 0, 0);
    if (!this.stroke) this.drawMinimap(); // not per frame of a stroke: its end redraws it
  }

  // The whole tile small, with the part in view outlined; shown only when part is out of view.
  drawMinimap() {
    const sc = this.scroller, mm = this.minimap;
    const m = (this.margin || 0) * this.zoom;
    const fullW = this.w * this.zoom + 2 * m, fullH = this.h * this.zoom + 2 * m;
    const clipped = fullW > sc.clientWidth + 1 || fullH > sc.clientHeight + 1;
    mm.style.display = clipped ? "block" : "none";
    if (!clipped || !this.img.complete) return;
    const k = MINIMAP / Math.max(this.w, this.h);
    mm.width = Math.round(this.w * k);
    mm.height = Math.round(this.h * k);
    const c = mm.getContext("2d");
    c.drawImage(this.img, 0, 0, mm.width, mm.height);
    if (!this.hidden) c.drawImage(this.canvas, 0, 0, mm.width, mm.height);
    const s = k / this.zoom; // screen px of the stage -> minimap px
    c.strokeStyle = "#ffeb3b";
    c.lineWidth = 2;
    c.strokeRect((sc.scrollLeft - m) * s, (sc.scrollTop - m) * s, sc.clientWidth * s, sc.clientHeight * s);
  }

  // Centre the view on the tile pixel under a point of the minimap.
  minimapTo(e) {
    const r = this.minimap.getBoundingClientRect();
    const x = ((e.clientX - r.left) / r.width) * this.w, y = ((e.clientY - r.top) / r.height) * this.h;
    const m = (this.margin || 0) * this.zoom;
    this.scroller.scrollLeft = m + x * this.zoom - this.scroller.clientWidth / 2;
    this.scroller.scrollTop = m + y * this.zoom - this.scroller.clientHeight / 2;
  }

  get protect() {
    return this.q(".protect input").checked;
  }

  paintValue() {
    return this.eraser ? 0 : this.cls;
  }

  canPaint(old, i) {
    // No seep outside the radar swath (the workspace refuses it too); erasing there is fine.
    if (this.locked && this.locked[i] && !this.eraser) return false;
    // Protect: the brush never overwrites another seep class; the eraser only removes the current class.
    if (!this.protect) return true;
    return this.eraser ? old === this.cls : old === 0 || old === this.cls;
  }

  stamp(cx, cy) {
    const { mask } = this.work;
    const r = this.size / 2;
    const v = this.paintValue();
    const x0 = Math.max(0, Math.floor(cx - r)), x1 = Math.min(this.w - 1, Math.ceil(cx + r));
    const y0 = Math.max(0, Math.floor(cy - r)), y1 = Math.min(this.h - 1, Math.ceil(cy + r));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const dx = x + 0.5 - cx, dy = y + 0.5 - cy;
        if (dx * dx + dy * dy <= r * r || (this.size === 1 && x === Math.floor(cx) && y === Math.floor(cy))) {
          const i = y * this.w + x;
          if (this.canPaint(mask[i], i)) mask[i] = v;
        }
      }
    }
  }

  line(a, b) {
    const steps = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y)));
    for (let s = 0; s <= steps; s++) this.stamp(a.x + ((b.x - a.x) * s) / steps, a.y + ((b.y - a.y) * s) / steps);
  }

  floodFill(x, y) {
    const { mask } = this.work;
    const start = y * this.w + x;
    const from = mask[start], to = this.paintValue();
    const open = (i) => !(to && this.locked && this.locked[i]); // a fill stops at the swath's edge
    if (from === to || !open(start)) return false;
    const stack = [start];
    mask[start] = to;
    while (stack.length) {
      const i = stack.pop();
      const px = i % this.w, py = (i / this.w) | 0;
      for (const [nx, ny] of [[px + 1, py], [px - 1, py], [px, py + 1], [px, py - 1]]) {
        if (nx < 0 || ny < 0 || nx >= this.w || ny >= this.h) continue;
        const j = ny * this.w + nx;
        if (mask[j] === from && open(j)) {
          mask[j] = to;
          stack.push(j);
        }
      }
    }
    return true;
  }

  blob(x, y) {
    // A blob is an 8-connected region of one seep class: recolour it, or delete it with the eraser.
    const { mask } = this.work;
    const start = y * this.w + x;
    const from = mask[start];
    const to = this.paintValue();
    if (from === 0 || from === to) return false;
    const seen = new Uint8Array(mask.length);
    const stack = [start];
    seen[start] = 1;
    while (stack.length) {
      const i = stack.pop();
      mask[i] = to;
      const px = i % this.w, py = (i / this.w) | 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = px + dx, ny = py + dy;
          if (nx < 0 || ny < 0 || nx >= this.w || ny >= this.h) continue;
          const j = ny * this.w + nx;
          if (!seen[j] && mask[j] === from) {
            seen[j] = 1;
            stack.push(j);
          }
        }
      }
    }
    return true;
  }

  // ---- clean-up: a prediction's specks and pinholes, gone in one step each instead of a
  // blob click apiece. Slicks are 8-connected and holes 4-connected, so neither leaks
  // through the other's diagonal. A part touching the tile's edge may go on beyond it: left alone.
  clean(kind) {
    const under = Math.floor(+this.q(".under input").value);
    const note = this.q(".cleaned");
    if (!(under >= 2)) return (note.textContent = "Under how many pixels? A whole number from 2");
    const [n, px] = this.edit(() => (kind === "specks" ? this.clearSpecks(under) : this.fillHoles(under)));
    const [one, done] = kind === "specks" ? ["speck", "cleared"] : ["hole", "filled"];
    note.textContent = n ? `${n} ${one}${n > 1 ? "s" : ""} ${done} (${px} px)` : `no ${one} under ${under} px`;
  }

  clearSpecks(under) {
    const { mask } = this.work;
    const only = this.protect ? this.cls : 0; // Protect: specks wholly of the current class
    let n = 0, px = 0;
    for (const { pixels, edge } of this.parts((i) => mask[i] !== 0, true)) {
      if (edge || pixels.length >= under || (only && pixels.some((i) => mask[i] !== only))) continue;
      for (const i of pixels) mask[i] = 0;
      n++, (px += pixels.length);
    }
    return [n, px];
  }

  fillHoles(under) {
    const { mask } = this.work, w = this.w;
    const only = this.protect ? this.cls : 0; // Protect: holes in the current class alone
    let n = 0, px = 0;
    for (const { pixels, edge } of this.parts((i) => mask[i] === 0, false)) {
      if (edge || pixels.length >= under || (this.locked && pixels.some((i) => this.locked[i]))) continue;
      const rim = new Map(); // class -> rim pixels: the hole takes the class most of its rim has
      for (const i of pixels) for (const j of [i - 1, i + 1, i - w, i + w]) if (mask[j]) rim.set(mask[j], (rim.get(mask[j]) || 0) + 1);
      if (only && [...rim.keys()].some((c) => c !== only)) continue;
      const v = [...rim].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
      for (const i of pixels) mask[i] = v;
      n++, (px += pixels.length);
    }
    return [n, px];
  }

  // The connected parts of the tile where inside(i) holds, one at a time: their pixels, and
  // whether they touch the tile's edge.
  *parts(inside, eight) {
    const { w, h } = this;
    const steps = eight ? [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [1, -1], [-1, 1], [-1, -1]] : [[1, 0], [-1, 0], [0, 1], [0, -1]];
    const seen = new Uint8Array(w * h);
    for (let s = 0; s < seen.length; s++) {
      if (seen[s] || !inside(s)) continue;
      const pixels = [s];
      let edge = false;
      seen[s] = 1;
      for (let k = 0; k < pixels.length; k++) {
        const x = pixels[k] % w, y = (pixels[k] / w) | 0;
        edge ||= x === 0 || y === 0 || x === w - 1 || y === h - 1;
        for (const [dx, dy] of steps) {
          const nx = x + dx, ny = y + dy, j = ny * w + nx;
          if (nx >= 0 && ny >= 0 && nx < w && ny < h && !seen[j] && inside(j)) (seen[j] = 1), pixels.push(j);
        }
      }
      yield { pixels, edge };
    }
  }

  // One undo step for a change made at once (a fill, a blob, a clean-up), none when fn changed nothing.
  edit(fn) {
    const before = this.work.mask.slice();
    const result = fn();
    if (Array.isArray(result) ? result[0] : result) {
      this.work.undo.push(before);
      if (this.work.undo.length > HISTORY) this.work.undo.shift();
      this.work.redo.length = 0;
      this.changed();
    }
    return result;
  }

  fillPolygon(pts) {
    // Even-odd scanline fill at pixel centres: the same pixels in every browser.
    if (pts.length < 3) return;
    const { mask } = this.work;
    const v = this.paintValue();
    for (let y = 0; y < this.h; y++) {
      const yc = y + 0.5;
      const xs = [];
      for (let k = 0; k < pts.length; k++) {
        const a = pts[k], b = pts[(k + 1) % pts.length];
        if ((a.y <= yc && b.y > yc) || (b.y <= yc && a.y > yc)) xs.push(a.x + ((yc - a.y) / (b.y - a.y)) * (b.x - a.x));
      }
      xs.sort((p, q) => p - q);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        const x0 = Math.max(0, Math.ceil(xs[k] - 0.5)), x1 = Math.min(this.w - 1, Math.floor(xs[k + 1] - 0.5));
        for (let x = x0; x <= x1; x++) {
          const i = y * this.w + x;
          if (this.canPaint(mask[i], i)) mask[i] = v;
        }
      }
    }
  }

  drawLasso(pts, handles = false) {
    const c = this.lassoCanvas.getContext("2d");
    c.clearRect(0, 0, this.w, this.h);
    if (!pts) return;
    c.strokeStyle = "#fff";
    c.lineWidth = 1;
    c.beginPath();
    pts.forEach((p, k) => (k ? c.lineTo(p.x, p.y) : c.moveTo(p.x, p.y)));
    c.closePath();
    c.stroke();
    if (!handles) return;
    const s = Math.max(1, 6 / this.zoom); // about six screen pixels at any zoom
    c.fillStyle = "#fff";
    pts.forEach((p) => c.fillRect(p.x - s / 2, p.y - s / 2, s, s));
  }

  // ---- polygon: corners placed one click at a time and movable until it is filled, for the
  // straight edges (a slick's front, a platform's wake) that a freehand lasso wobbles on ----
  polygonDown(p) {
    const poly = (this.poly ||= { pts: [], drag: -1 });
    const near = poly.pts.findIndex((q) => Math.hypot(q.x - p.x, q.y - p.y) <= Math.max(1.5, 8 / this.zoom));
    if (near === 0 && poly.pts.length >= 3) return this.closePolygon();
    if (near < 0) poly.pts.push(p); // a new corner, draggable into place at once
    poly.drag = near < 0 ? poly.pts.length - 1 : near;
    this.drawLasso(poly.pts, true);
  }

  closePolygon() {
    const pts = this.poly ? this.poly.pts : [];
    this.cancelPolygon();
    if (pts.length < 3) return;
    this.snapshot();
    this.fillPolygon(pts);
    this.changed();
  }

  cancelPolygon() {
    this.poly = null;
    this.drawLasso(null);
  }

  // ---- measure: a line from where the drag began, with its length on the ground (the slick's
  // length, how far from the platform) from the metres a pixel step spans about the tile's
  // middle, as Python measured it through PROJ; in pixels on a tile of no scene. Shift+drag
  // goes on from its end: the length along a bending slick, leg by leg ----
  startRuler(p, more) {
    const pts = more && this.ruler ? [...this.ruler.pts, p] : [p, p];
    this.drawRuler({ pts, dragging: true });
  }

  drawRuler(ruler) {
    this.ruler = ruler;
    const { pts } = ruler, end = pts[pts.length - 1];
    const svg = this.q("svg.ruler"), label = this.q(".ruler-label");
    svg.setAttribute("viewBox", `0 0 ${this.w} ${this.h}`);
    svg.querySelector("polyline").setAttribute("points", pts.map((q) => `${q.x},${q.y}`).join(" "));
    label.textContent = this.length(pts);
    const flip = end.x > this.w * 0.7; // near the right edge the stage would clip it: on the line's left instead
    Object.assign(label.style, {
      left: `${end.x * this.zoom}px`,
      top: `${end.y * this.zoom}px`,
      transform: flip ? "translate(calc(-100% - 8px), -50%)" : "",
    });
    svg.toggleAttribute("hidden", false); // an SVG element has no `hidden` property, only the attribute
    label.hidden = false;
  }

  clearRuler() {
    this.ruler = null;
    this.q("svg.ruler").toggleAttribute("hidden", true);
    this.q(".ruler-label").hidden = true;
  }

  // "1.23 km · 087° (123.0 px)" for one leg; "2.31 km along 3 legs (231.0 px)" for more.
  length(pts) {
    let px = 0, m = 0, east = 0, north = 0;
    for (let k = 1; k < pts.length; k++) {
      const dc = pts[k].x - pts[k - 1].x, dr = pts[k].y - pts[k - 1].y;
      px += Math.hypot(dc, dr);
      if (!this.steps) continue;
      const [[ce, cn], [re, rn]] = this.steps;
      east = ce * dc + re * dr;
      north = cn * dc + rn * dr;
      m += Math.hypot(east, north);
    }
    const legs = pts.length - 1, inPx = `${px.toFixed(1)} px`;
    if (!this.steps) return legs > 1 ? `${inPx} along ${legs} legs` : inPx;
    // One leg's bearing from true north, clockwise, as a slick's heading is reported (north is the
    // projection's up at the tile's middle: true north there).
    const bearing = legs === 1 && m ? ` · ${String(Math.round((Math.atan2(east, north) * 180) / Math.PI + 360) % 360).padStart(3, "0")}°` : "";
    const along = legs > 1 ? ` along ${legs} legs` : "";
    return `${m < 1000 ? `${m.toFixed(0)} m` : `${(m / 1000).toFixed(2)} km`}${bearing}${along} (${inPx})`;
  }

  // ---- events ---------------------------------------------------------------------------
  pos(e) {
    const r = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * this.w, y: ((e.clientY - r.top) / r.height) * this.h };
  }

  bindUi() {
    const tools = this.q(".tools");
    for (const [id, label, keyName] of TOOLS) {
      const b = document.createElement("button");
      b.className = "tool";
      b.dataset.tool = id;
      b.setAttribute("data-testid", `seep-tool-${id}`);
      b.title = `${label} (${keyName})`;
      b.textContent = label.split(":")[0];
      b.onclick = () => {
        this.tool = id;
        this.refreshBar();
      };
      tools.appendChild(b);
    }
    this.q("button.eraser").onclick = () => {
      this.eraser = !this.eraser;
      this.refreshBar();
    };
    this.q(".size input").oninput = (e) => {
      this.size = +e.target.value;
      this.refreshBar();
    };
    this.q("button.undo").onclick = () => this.undo();
    this.q("button.redo").onclick = () => this.redo();
    this.q("button.reset").onclick = () => this.reset();
    this.q("button.zoomin").onclick = () => this.stepZoom(1);
    this.q("button.zoomout").onclick = () => this.stepZoom(-1);
    this.q("button.specks").onclick = () => this.clean("specks");
    this.q("button.holes").onclick = () => this.clean("holes");
    this.q("button.save").onclick = () => this.send("save");
    this.q("button.accept").onclick = () => this.send("accept");

    const cv = this.canvas;
    cv.addEventListener("pointerdown", (e) => {
      if (!this.work) return;
      if (e.button === 1 || (e.button === 0 && this.spaceDown)) return this.startPan(e);
      if (e.button !== 0) return;
      cv.setPointerCapture(e.pointerId);
      this.root.focus({ preventScroll: true });
      const p = this.pos(e);
      const x = Math.floor(p.x), y = Math.floor(p.y);
      if (this.tool === "fill" || this.tool === "blob") return this.edit(() => (this.tool === "fill" ? this.floodFill(x, y) : this.blob(x, y)));
      if (this.tool === "polygon") return this.polygonDown(p);
      if (this.tool === "measure") return this.startRuler(p, e.shiftKey);
      this.snapshot();
      this.stroke = [p];
      if (this.tool === "brush") {
        this.stamp(p.x, p.y);
        this.render();
      }
    });
    cv.addEventListener("pointermove", (e) => {
      if (this.pan) return this.movePan(e);
      this.moveCursor(e);
      this.showReadout(e);
      if (this.poly && this.poly.drag >= 0) {
        this.poly.pts[this.poly.drag] = this.pos(e);
        this.drawLasso(this.poly.pts, true);
      }
      if (this.ruler && this.ruler.dragging) this.drawRuler({ ...this.ruler, pts: [...this.ruler.pts.slice(0, -1), this.pos(e)] });
      if (!this.stroke) return;
      const p = this.pos(e);
      if (this.tool === "brush") {
        this.line(this.stroke[this.stroke.length - 1], p);
        this.stroke.push(p);
        if (!this.frame) this.frame = requestAnimationFrame(() => ((this.frame = null), this.render()));
      } else {
        this.stroke.push(p);
        this.drawLasso(this.stroke);
      }
    });
    const end = () => {
      this.pan = null;
      if (this.poly) this.poly.drag = -1;
      if (this.ruler) this.ruler.dragging = false; // it stays in view until the next drag, Esc or another tool
      if (!this.stroke) return;
      if (this.tool === "lasso") {
        this.fillPolygon(this.stroke);
        this.drawLasso(null);
      }
      this.stroke = null;
      this.changed();
    };
    cv.addEventListener("pointerup", end);
    cv.addEventListener("pointercancel", end);
    cv.addEventListener("pointerleave", () => {
      this.cursor.style.display = "none";
      this.q(".readout").textContent = "";
    });
    cv.addEventListener("dblclick", () => this.poly && this.closePolygon());
    cv.addEventListener("auxclick", (e) => e.preventDefault()); // middle-drag must not open a link or paste
    // The wheel zooms at the cursor; a trackpad's many small steps add up to one zoom step.
    this.scroller.addEventListener(
      "wheel",
      (e) => {
        if (!this.work || e.shiftKey) return; // shift+wheel still scrolls sideways
        e.preventDefault();
        this.wheel = (this.wheel || 0) + e.deltaY;
        if (Math.abs(this.wheel) < 60) return;
        this.stepZoom(this.wheel < 0 ? 1 : -1, e);
        this.wheel = 0;
      },
      { passive: false },
    );
    this.scroller.addEventListener("scroll", () => this.drawMinimap());
    this.minimap.addEventListener("pointerdown", (e) => {
      this.minimap.setPointerCapture(e.pointerId);
      this.minimapTo(e);
      this.minimapDrag = true;
    });
    this.minimap.addEventListener("pointermove", (e) => this.minimapDrag && this.minimapTo(e));
    this.minimap.addEventListener("pointerup", () => (this.minimapDrag = false));
    this.q("button.hide").onclick = () => this.toggleOverlay();
    this.onKeyUp = (e) => {
      if (e.key === " ") {
        this.spaceDown = false;
        this.canvas.classList.remove("grab");
      }
    };
    document.addEventListener("keyup", this.onKeyUp);

    this.onKey = (e) => this.key(e);
    document.addEventListener("keydown", this.onKey);
    this.onUnload = (e) => {
      if (this.work && this.dirty) {
        e.preventDefault();
        e.returnValue = "";
      }
    };
    window.addEventListener("beforeunload", this.onUnload);
    // Another page of the app is not an unload: ask before the sidebar's links leave.
    // (The strokes would survive, kept per mask id for this tab, but the analyst may not
    // know that; closing the tab would lose them.)
    this.onLeave = (e) => {
      if (!this.root.isConnected) return this.detach();
      const link = e.target.closest && e.target.closest('[data-testid="stSidebarNav"] a');
      if (!link || !this.work || !this.dirty) return;
      if (!window.confirm("This tile has unsaved strokes. Leave it anyway? They stay in this tab if you come back.")) {
        e.preventDefault();
        e.stopImmediatePropagation();
      }
    };
    document.addEventListener("click", this.onLeave, true);
  }

  detach() {
    // The element was removed (another page): stop listening.
    document.removeEventListener("keydown", this.onKey);
    document.removeEventListener("keyup", this.onKeyUp);
    document.removeEventListener("click", this.onLeave, true);
    window.removeEventListener("beforeunload", this.onUnload);
  }

  moveCursor(e) {
    const r = this.canvas.getBoundingClientRect();
    const d = this.tool === "brush" ? this.size * this.zoom : 6;
    Object.assign(this.cursor.style, {
      display: "block",
      width: `${d}px`,
      height: `${d}px`,
      left: `${e.clientX - r.left - d / 2}px`,
      top: `${e.clientY - r.top - d / 2}px`,
    });
  }

  // One step along ZOOMS, keeping the tile pixel under `at` (a pointer event; default: the
  // middle of the view) where it is on screen.
  stepZoom(dir, at = null) {
    const next = dir > 0 ? ZOOMS.find((z) => z > this.zoom) : ZOOMS.findLast((z) => z < this.zoom);
    this.setZoom(next ?? this.zoom, at);
  }

  setZoom(z, at = null) {
    const sc = this.scroller;
    const r = sc.getBoundingClientRect();
    const ax = at ? at.clientX - r.left : sc.clientWidth / 2;
    const ay = at ? at.clientY - r.top : sc.clientHeight / 2;
    const old = this.zoom;
    const cx = (sc.scrollLeft + ax) / old, cy = (sc.scrollTop + ay) / old; // content point, in tile pixels
    this.zoom = Math.min(ZOOMS[ZOOMS.length - 1], Math.max(ZOOMS[0], z));
    this.layout();
    sc.scrollLeft = cx * this.zoom - ax;
    sc.scrollTop = cy * this.zoom - ay;
    this.refreshBar();
    this.drawMinimap();
  }

  startPan(e) {
    e.preventDefault();
    this.canvas.setPointerCapture(e.pointerId);
    this.pan = { x: e.clientX, y: e.clientY, left: this.scroller.scrollLeft, top: this.scroller.scrollTop };
  }

  movePan(e) {
    this.scroller.scrollLeft = this.pan.left - (e.clientX - this.pan.x);
    this.scroller.scrollTop = this.pan.top - (e.clientY - this.pan.y);
  }

  toggleOverlay() {
    this.hidden = !this.hidden;
    this.canvas.style.opacity = this.hidden ? "0" : "";
    this.refreshBar();
    this.drawMinimap();
  }

  // Row, column and class under the cursor: what an analyst checks before a thin stroke.
  showReadout(e) {
    const p = this.pos(e);
    const x = Math.floor(p.x), y = Math.floor(p.y);
    if (x < 0 || y < 0 || x >= this.w || y >= this.h) return;
    const c = this.work.mask[y * this.w + x];
    const nodata = this.locked && this.locked[y * this.w + x] ? " · no data" : "";
    const q = this.db ? this.db.q[y * this.w + x] : 255;
    const db = q <= 253 ? ` · ${(this.db.lo + q * this.db.step).toFixed(1)} dB` : "";
    const place = this.corners ? ` · ${lonLat(this.corners, (x + 0.5) / this.w, (y + 0.5) / this.h)}` : "";
    this.q(".readout").textContent = `row ${y}, col ${x}${db} · ${c ? this.names[c] : "background"}${nodata}${place}`;
  }

  key(e) {
    if (!this.root.isConnected) return this.detach();
    const t = e.target;
    const typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable) && t.type !== "range" && t.type !== "checkbox";
    if (typing || !this.work) return;
    const k = e.key.toLowerCase();
    const mod = e.ctrlKey || e.metaKey;
    let handled = true;
    if (mod && k === "z" && !e.shiftKey) this.undo();
    else if (mod && (k === "y" || (k === "z" && e.shiftKey))) this.redo();
    else if (mod) handled = false;
    else if (this.poly && k === "enter") this.closePolygon();
    else if (this.poly && k === "escape") this.cancelPolygon();
    else if (this.poly && k === "backspace") { this.poly.pts.pop(); this.drawLasso(this.poly.pts, true); }
    else if (this.ruler && k === "escape") this.clearRuler();
    else if (/^[1-9]$/.test(k)) this.pickClass(+k);
    else if (k === "e") { this.eraser = !this.eraser; this.refreshBar(); }
    else if (k === "[") { this.size = Math.max(1, this.size - 1); this.refreshBar(); }
    else if (k === "]") { this.size = Math.min(40, this.size + 1); this.refreshBar(); }
    else if (k === "b") { this.tool = "brush"; this.refreshBar(); }
    else if (k === "l") { this.tool = "lasso"; this.refreshBar(); }
    else if (k === "v") { this.tool = "polygon"; this.refreshBar(); }
    else if (k === "f") { this.tool = "fill"; this.refreshBar(); }
    else if (k === "o") { this.tool = "blob"; this.refreshBar(); }
    else if (k === "m") { this.tool = "measure"; this.refreshBar(); }
    else if (k === "+" || k === "=") this.stepZoom(1);
    else if (k === "-") this.stepZoom(-1);
    else if (k === "h") this.toggleOverlay();
    else if (k === " ") {
      this.spaceDown = true; // held: the left button pans
      this.canvas.classList.add("grab");
    } else if (k.startsWith("arrow")) {
      const sc = this.scroller, dx = sc.clientWidth / 5, dy = sc.clientHeight / 5;
      const [x, y] = { arrowleft: [-dx, 0], arrowright: [dx, 0], arrowup: [0, -dy], arrowdown: [0, dy] }[k];
      sc.scrollBy(x, y);
    }
    else if (k === "s") this.send("save");
    else if (k === "a" && this.data.can_accept) this.send("accept");
    else if (k === "n") this.send("navigate", 1);
    else if (k === "p") this.send("navigate", -1);
    else handled = false;
    if (handled) e.preventDefault();
  }

  async send(type, step = 0) {
    // The mask travels with every event, so "save and go" and conflicts never lose strokes.
    const payload = { type, step, mask_id: this.work.id, dirty: this.dirty, nonce: Date.now() };
    if (type !== "navigate" || payload.dirty) payload.mask = bytesToB64(await deflate(this.work.mask));
    this.api.setTriggerValue("event", payload);
  }
}

// The place at (u, v), fractions of the tile's width and height: the bilinear blend of its
// corners' [lon, lat] (top-left, top-right, bottom-left, bottom-right), to five decimals (a metre).
function lonLat(corners, u, v) {
  const [a, b, c, d] = corners;
  const at = (i) => (1 - u) * (1 - v) * a[i] + u * (1 - v) * b[i] + (1 - u) * v * c[i] + u * v * d[i];
  const lon = ((at(0) + 540) % 360) - 180, lat = at(1);
  return `${Math.abs(lat).toFixed(5)}° ${lat >= 0 ? "N" : "S"}, ${Math.abs(lon).toFixed(5)}° ${lon >= 0 ? "E" : "W"}`;
}

export default function (component) {
  const { data, parentElement, setStateValue, setTriggerValue } = component;
  if (!data) return;
  let ed = parentElement.__seepEditor;
  if (!ed || !ed.root.isConnected) {
    ed = new Editor(parentElement);
    parentElement.__seepEditor = ed;
  }
  ed.update(data, { setStateValue, setTriggerValue }).catch((err) => {
    ed.q(".status").textContent = `editor error: ${err.message}`;
  });
}
