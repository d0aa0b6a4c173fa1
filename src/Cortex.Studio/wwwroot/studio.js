// studio.js — Cortex Studio's page. Everything arrives by Server-Sent Events from /api/events;
// controls are POSTs to /api/control. Pictures are drawn on plain canvases from the byte tiles
// the server sends; the curves are uPlot charts smoothed as TensorBoard smooths (a debiased
// exponential moving average).
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  run: null, points: [], epochs: [], overlays: new Map(), smoothing: 0.6,
  dirtyCharts: true, paused: false, status: null,
};

// ---- formatting ------------------------------------------------------------------------------
const fmt = {
  int: (v) => v == null ? "–" : Math.round(v).toLocaleString("en-US"),
  pct: (v) => v == null ? "–" : (v * 100).toFixed(2) + " %",
  num: (v, d = 4) => v == null ? "–" : Number(v).toFixed(d),
  sci: (v) => v == null ? "–" : (Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? Number(v.toPrecision(3)).toString() : v.toExponential(2)),
  ms: (v) => v == null ? "–" : (v < 0.1 ? (v * 1000).toFixed(0) + " µs" : v.toFixed(2) + " ms"),
};

/** Text for an HTML template: class and layer names come from files, so they are escaped. */
const esc = (v) => String(v).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function showMessage(text, kind) {
  const box = $("message");
  if (!text) { box.hidden = true; return; }
  box.textContent = text;
  box.className = "message" + (kind === "info" ? " info" : "");
  box.hidden = false;
  if (kind === "info") setTimeout(() => { if (box.textContent === text) box.hidden = true; }, 4000);
}

// ---- talking to the server -------------------------------------------------------------------
async function control(body) {
  const response = await fetch("/api/control", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) { showMessage(json.error || ("the server answered " + response.status)); return null; }
  showMessage("applied: " + (json.applied || []).join(", "), "info");
  return json;
}

function connect() {
  const events = new EventSource("/api/events");
  events.addEventListener("open", () => { $("connection").textContent = ""; });
  events.addEventListener("error", () => { $("connection").textContent = "disconnected, retrying…"; });
  const on = (name, handler) => events.addEventListener(name, (e) => handler(JSON.parse(e.data)));
  on("hello", onHello);
  on("run", onRun);
  on("state", (s) => setState(s.state, s.message));
  on("metrics", onMetrics);
  on("epoch", onEpoch);
  on("network", drawNetwork);
  on("predictions", drawPredictions);
  on("confusion", drawConfusion);
}

function onHello(hello) {
  fillChoices(hello.status);
  state.points = []; state.epochs = [];
  if (hello.run) onRun(hello.run);
  const d = hello.detail || {};
  for (const p of d.points || []) state.points.push(p);
  for (const e of d.epochs || []) state.epochs.push(e);
  if (d.metrics) onMetrics(d.metrics);
  if (d.network) drawNetwork(d.network);
  if (d.predictions) drawPredictions(d.predictions);
  if (d.confusion) drawConfusion(d.confusion);
  setState(hello.state, hello.status && hello.status.message);
  state.dirtyCharts = true;
  loadRunList();
}

function onRun(run) {
  const changed = !state.run || state.run.name !== run.name;
  state.run = run;
  $("run-model").textContent = run.model;
  $("run-data").textContent = run.data;
  $("run-name").textContent = `${run.name} · ${fmt.int(run.parameters)} parameters · ${fmt.int(run.train_count)} training images` + (run.augmentation ? ` · ${run.augmentation}` : "");
  $("draw-card").hidden = !run.drawable;
  $("restart-button").disabled = !run.restartable;
  $("model-select").value = run.model;
  $("data-select").value = run.data;
  if (changed) { state.points = []; state.epochs = []; state.dirtyCharts = true; $("layers").innerHTML = ""; }
}

function fillChoices(status) {
  if (!status) return;
  const fill = (select, names) => {
    if (select.options.length === names.length) return;
    select.innerHTML = "";
    for (const n of names) select.add(new Option(n, n));
  };
  fill($("model-select"), status.models || []);
  fill($("data-select"), status.data_sources || []);
}

function setState(name, message) {
  const badge = $("state");
  badge.textContent = name || "–";
  badge.className = "badge " + (name || "");
  state.paused = name === "paused";
  $("pause-button").textContent = state.paused ? "Resume" : "Pause";
  $("pause-button").disabled = !(name === "training" || name === "paused" || name === "attached");
  if (name === "failed" && message) showMessage(message);
  else if (message && (name === "stopped" || name === "finished" || name === "viewing" || name === "loading")) showMessage(message, "info");
}

// ---- live numbers and curves ------------------------------------------------------------------
function onMetrics(m) {
  $("examples-seen").textContent = fmt.int(m.examples_seen);
  $("epoch").textContent = m.epoch ? `${m.epoch} / ${m.epochs}  (batch ${m.batch} / ${m.batches})` : "–";
  $("fwd-bwd").textContent = m.forward_ms_per_example == null ? "–" : `${fmt.ms(m.forward_ms_per_example)} · ${fmt.ms(m.backward_ms_per_example)} per example`;
  $("images-per-second").textContent = fmt.int(m.images_per_second);
  $("loss").textContent = fmt.num(m.loss);
  $("loss-parts").textContent = `${fmt.num(m.classification_loss)} · ${fmt.num(m.l2_loss)}`;
  $("train-accuracy").textContent = fmt.pct(m.accuracy);
  $("validation-accuracy").textContent = fmt.pct(m.validation_accuracy);
  $("test-accuracy").textContent = fmt.pct(m.test_accuracy);
  $("learning-rate").textContent = fmt.sci(m.learning_rate);
  $("studio-share").textContent = fmt.pct(m.studio_share);
  setPlaceholder("lr-input", fmt.sci(m.learning_rate));
  setPlaceholder("momentum-input", m.momentum == null ? "n/a" : String(Number(m.momentum.toPrecision(3))));
  setPlaceholder("batch-input", String(m.batch_size));
  setPlaceholder("decay-input", m.weight_decay === 0 ? "0" : fmt.sci(m.weight_decay));
  if (m.loss != null && m.examples_seen > 0) {
    const last = state.points[state.points.length - 1];
    if (!last || last.examples_seen < m.examples_seen) {
      state.points.push({ examples_seen: m.examples_seen, loss: m.loss, accuracy: m.accuracy });
      state.dirtyCharts = true;
    }
  }
  const shown = $("state").textContent;
  if (m.paused !== state.paused && (shown === "training" || shown === "paused")) setState(m.paused ? "paused" : "training");
}

function setPlaceholder(id, text) { const input = $(id); if (input.placeholder !== text) input.placeholder = text; }

function onEpoch(e) { state.epochs.push(e); state.dirtyCharts = true; }

/** TensorBoard's smoothing: an exponential moving average, debiased for its zero start. */
function smooth(values, weight) {
  const out = new Array(values.length);
  let last = 0, count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v == null || !Number.isFinite(v)) { out[i] = null; continue; }
    last = last * weight + (1 - weight) * v;
    count++;
    const debias = weight === 1 ? 1 : 1 - Math.pow(weight, count);
    out[i] = last / debias;
  }
  return out;
}

const palette = ["#d97706", "#7c3aed", "#0d9488", "#db2777", "#65a30d", "#475569"];
let lossChart = null, accuracyChart = null, chartKey = "";

function buildCharts() {
  const overlays = [...state.overlays.keys()];
  const key = overlays.join("|");
  if (lossChart && key === chartKey) return;
  chartKey = key;
  const width = Math.max(320, $("loss-chart").clientWidth || 600);
  const axes = (label, values) => [
    { label: "examples seen", values: (u, ticks) => ticks.map((t) => t >= 1000 ? (t / 1000) + "k" : t) },
    { label, values },
  ];
  const overlaySeries = (what) => overlays.map((name, i) => ({ label: `${name} ${what}`, stroke: palette[i % palette.length], width: 1.5, dash: [6, 4], spanGaps: true, points: { show: true, size: 4 } }));
  const lossSeries = [{}, { label: "loss", stroke: "rgba(47,111,222,0.25)", width: 1 }, { label: "loss (smoothed)", stroke: "#2f6fde", width: 2 }, ...overlaySeries("loss")];
  const accSeries = [{}, { label: "train", stroke: "rgba(31,157,85,0.25)", width: 1 }, { label: "train (smoothed)", stroke: "#1f9d55", width: 2 },
    { label: "validation", stroke: "#d64545", width: 2, spanGaps: true, points: { show: true, size: 5 } }, ...overlaySeries("val")];
  $("loss-chart").innerHTML = ""; $("accuracy-chart").innerHTML = "";
  const size = { width, height: 200, legend: { live: false } };
  lossChart = new uPlot({ ...size, title: "training loss", scales: { x: { time: false } }, series: lossSeries, axes: axes("loss") }, [[], ...lossSeries.slice(1).map(() => [])], $("loss-chart"));
  accuracyChart = new uPlot({ ...size, title: "accuracy", scales: { x: { time: false }, y: { range: [0, 1] } }, series: accSeries, axes: axes("accuracy", (u, t) => t.map((v) => Math.round(v * 100) + "%")) }, [[], ...accSeries.slice(1).map(() => [])], $("accuracy-chart"));
}

/** The x of an earlier run's epoch: its own examples count if it has one, else epochs × this run's training-set size. */
function epochX(e) { return e.examples_seen != null ? e.examples_seen : e.epoch * ((state.run && state.run.train_count) || 1); }

function updateCharts() {
  if (!state.dirtyCharts) return;
  state.dirtyCharts = false;
  buildCharts();
  const w = state.smoothing;
  // One x axis for everything: the live points, the epochs' ends and the overlays' epochs, merged.
  const rows = new Map();
  const put = (x, column, value) => { if (!rows.has(x)) rows.set(x, {}); rows.get(x)[column] = value; };
  state.points.forEach((p) => { put(p.examples_seen, "loss", p.loss); put(p.examples_seen, "acc", p.accuracy); });
  state.epochs.forEach((e) => { put(epochX(e), "val", e.validation_accuracy); if (!state.points.length) { put(epochX(e), "loss", e.train_loss); put(epochX(e), "acc", e.train_accuracy); } });
  const overlays = [...state.overlays.entries()];
  overlays.forEach(([name, epochs], i) => epochs.forEach((e) => { put(epochX(e), "ol" + i, e.train_loss); put(epochX(e), "ov" + i, e.validation_accuracy); }));
  const xs = [...rows.keys()].sort((a, b) => a - b);
  const column = (c) => xs.map((x) => rows.get(x)[c] ?? null);
  const loss = column("loss"), acc = column("acc");
  const smoothSparse = (values) => { const idx = [], vals = []; values.forEach((v, i) => { if (v != null) { idx.push(i); vals.push(v); } }); const s = smooth(vals, w); const out = values.map(() => null); idx.forEach((k, j) => { out[k] = s[j]; }); return out; };
  lossChart.setData([xs, loss, smoothSparse(loss), ...overlays.map((_, i) => column("ol" + i))]);
  $("loss-chart").dataset.points = String(xs.length);   // for scripts and the browser test
  accuracyChart.setData([xs, acc, smoothSparse(acc), column("val"), ...overlays.map((_, i) => column("ov" + i))]);
}

async function loadRunList() {
  const response = await fetch("/api/runs");
  if (!response.ok) return;
  const runs = await response.json();
  const list = $("overlay-list");
  list.innerHTML = "";
  const current = state.run && state.run.name;
  const others = runs.filter((r) => r.name !== current);
  if (!others.length) { list.textContent = "none yet: runs appear here as runs/ fills"; return; }
  for (const r of others.slice(0, 30)) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox"; box.checked = state.overlays.has(r.name);
    box.addEventListener("change", async () => {
      if (box.checked) {
        const res = await fetch("/api/runs/" + encodeURIComponent(r.name));
        const json = await res.json();
        if (!res.ok) { showMessage(json.error); box.checked = false; return; }
        state.overlays.set(r.name, json.epochs);
      } else state.overlays.delete(r.name);
      state.dirtyCharts = true;
    });
    label.append(box, " " + r.name);
    list.append(label);
  }
}

// ---- pictures -----------------------------------------------------------------------------------
function bytesOf(tiles) { const raw = atob(tiles.data); const b = new Uint8Array(raw.length); for (let i = 0; i < raw.length; i++) b[i] = raw.charCodeAt(i); return b; }

/** Draws a tile set as a grid on a new canvas: each tile scale× bigger, 1px gaps. */
function tileCanvas(tiles, scale, maxWidth = 560) {
  const bytes = bytesOf(tiles);
  const { count, channels, height, width } = tiles;
  const cell = width * scale + 1;
  const cols = Math.max(1, Math.min(count, Math.floor(maxWidth / cell) || 1));
  const rows = Math.ceil(count / cols);
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, cols * cell - 1); canvas.height = Math.max(1, rows * (height * scale + 1) - 1);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.width, canvas.height);
  const image = ctx.createImageData(width, height);
  const tmp = document.createElement("canvas"); tmp.width = width; tmp.height = height;
  const tctx = tmp.getContext("2d");
  ctx.imageSmoothingEnabled = false;
  const plane = width * height;
  for (let t = 0; t < count; t++) {
    const base = t * channels * plane;
    for (let i = 0; i < plane; i++) {
      const r = bytes[base + i], g = channels === 3 ? bytes[base + plane + i] : r, b = channels === 3 ? bytes[base + 2 * plane + i] : r;
      image.data[4 * i] = r; image.data[4 * i + 1] = g; image.data[4 * i + 2] = b; image.data[4 * i + 3] = 255;
    }
    tctx.putImageData(image, 0, 0);
    ctx.drawImage(tmp, (t % cols) * cell, Math.floor(t / cols) * (height * scale + 1), width * scale, height * scale);
  }
  return canvas;
}

function scaleFor(tiles) { const side = Math.max(tiles.width, tiles.height); return side >= 24 ? 2 : side >= 12 ? 3 : side >= 6 ? 5 : side > 1 ? 8 : 6; }

function histogramCanvas(h, color) {
  const canvas = document.createElement("canvas");
  canvas.width = 150; canvas.height = 48; canvas.className = "hist";
  const ctx = canvas.getContext("2d");
  const max = Math.max(1, ...h.counts);
  const w = canvas.width / h.counts.length;
  ctx.fillStyle = color;
  h.counts.forEach((c, i) => { const bh = (c / max) * (canvas.height - 12); ctx.fillRect(i * w, canvas.height - 10 - bh, Math.max(1, w - 1), bh); });
  ctx.fillStyle = "#6b7280"; ctx.font = "9px sans-serif";
  ctx.fillText(fmt.sci(h.min), 1, canvas.height - 1);
  const right = fmt.sci(h.max); ctx.fillText(right, canvas.width - ctx.measureText(right).width - 1, canvas.height - 1);
  return canvas;
}

function picture(title, canvas, note) {
  const box = document.createElement("div"); box.className = "picture";
  const label = document.createElement("span"); label.textContent = title + (note ? " " + note : "");
  box.append(label, canvas);
  return box;
}

function drawNetwork(view) {
  $("network-note").textContent = `after ${fmt.int(view.examples_seen)} examples · probe batch of ${view.probe_batch} · image shown: ${view.label}`;
  const host = $("layers");
  const frag = document.createDocumentFragment();
  const input = document.createElement("div"); input.className = "layer";
  input.innerHTML = `<div class="meta"><b>input</b><div>[${view.input.channels}, ${view.input.height}, ${view.input.width}]</div><div>label: ${esc(view.label)}</div></div>`;
  const ipics = document.createElement("div"); ipics.className = "pictures";
  ipics.append(picture("image", tileCanvas(view.input, 3)));
  input.append(ipics); frag.append(input);
  for (const layer of view.layers) {
    const row = document.createElement("div"); row.className = "layer"; row.dataset.layer = layer.name;
    const meta = document.createElement("div"); meta.className = "meta";
    meta.innerHTML = `<b>${esc(layer.name)}</b> ${esc(layer.kind)}<div>out [${layer.output_shape.join(", ")}]</div>` +
      `<div>${fmt.int(layer.parameters)} parameters</div><div>fwd ${fmt.ms(layer.forward_ms)} · bwd ${fmt.ms(layer.backward_ms)} per batch</div>`;
    const pics = document.createElement("div"); pics.className = "pictures";
    const more = (t) => t.total > t.count ? `(${t.count} of ${t.total})` : "";
    if (layer.activations) pics.append(picture("activations", tileCanvas(layer.activations, scaleFor(layer.activations)), more(layer.activations)));
    if (layer.activation_gradients) pics.append(picture("activation gradients", tileCanvas(layer.activation_gradients, scaleFor(layer.activation_gradients)), more(layer.activation_gradients)));
    if (layer.filters) pics.append(picture("filters", tileCanvas(layer.filters, Math.min(4, scaleFor(layer.filters)), 300), more(layer.filters)));
    if (layer.filter_gradients) pics.append(picture("filter gradients", tileCanvas(layer.filter_gradients, Math.min(4, scaleFor(layer.filter_gradients)), 300)));
    if (layer.weights) pics.append(picture("weights", histogramCanvas(layer.weights, "#2f6fde")));
    if (layer.gradients) pics.append(picture("gradients", histogramCanvas(layer.gradients, "#d97706")));
    row.append(meta, pics); frag.append(row);
  }
  host.replaceChildren(frag);
}

function barRow(cls, name, p, right) {
  // Built node by node: class names come from folder names, so they are text, never markup.
  const element = (tag, className, text) => { const e = document.createElement(tag); if (className) e.className = className; if (text != null) e.textContent = text; return e; };
  const row = element("div", "bar"), track = element("div", "track"), fill = element("div", ("fill " + right).trim());
  fill.style.width = (p * 100).toFixed(1) + "%";
  track.append(fill);
  row.append(element("span", "", name), track, element("span", "value", (p * 100).toFixed(1) + "%"));
  return row;
}

function drawPredictions(grid) {
  $("predictions-note").textContent = `after ${fmt.int(grid.examples_seen)} examples · green: the true class`;
  const host = $("prediction-grid");
  const frag = document.createDocumentFragment();
  let right = 0;
  for (const item of grid.items) {
    const cell = document.createElement("div"); cell.className = "prediction";
    cell.title = "true: " + item.label_name;
    const image = tileCanvas(item.image, 2);
    const mini = document.createElement("div"); mini.className = "mini";
    if (item.top.length && item.top[0].class === item.label) right++;
    for (const s of item.top) {
      const row = document.createElement("div"); row.className = "row";
      row.innerHTML = `<span class="name">${esc(s.name)}</span><div class="track"><div class="fill ${s.class === item.label ? "right" : ""}" style="width:${(s.probability * 100).toFixed(1)}%"></div></div>`;
      mini.append(row);
    }
    cell.append(image, mini); frag.append(cell);
  }
  host.replaceChildren(frag);
  $("predictions-note").textContent += ` · ${right} of ${grid.items.length} right`;
}

function drawConfusion(view) {
  $("confusion-note").textContent = `test set, ${fmt.int(view.count)} images, ${fmt.pct(view.accuracy)} · epoch ${view.epoch}`;
  const canvas = $("confusion-canvas");
  const ctx = canvas.getContext("2d");
  const n = view.matrix.length, margin = 54, size = (canvas.width - margin) / Math.max(n, 1);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.font = `${Math.min(11, size * 0.45)}px sans-serif`; ctx.textAlign = "center"; ctx.textBaseline = "middle";
  for (let r = 0; r < n; r++) {
    const total = view.matrix[r].reduce((a, b) => a + b, 0) || 1;
    for (let c = 0; c < n; c++) {
      const f = view.matrix[r][c] / total;
      ctx.fillStyle = r === c ? `rgba(31,157,85,${0.1 + 0.9 * f})` : `rgba(214,69,69,${f === 0 ? 0.03 : 0.15 + 0.85 * Math.min(1, f * 4)})`;
      ctx.fillRect(margin + c * size, margin + r * size, size - 1, size - 1);
      if (n <= 20 && view.matrix[r][c] > 0) { ctx.fillStyle = f > 0.5 ? "#fff" : "#1d2330"; ctx.fillText(view.matrix[r][c], margin + c * size + size / 2, margin + r * size + size / 2); }
    }
  }
  ctx.fillStyle = "#6b7280"; ctx.textAlign = "right";
  const short = (s) => s.length > 7 ? s.slice(0, 6) + "…" : s;
  for (let r = 0; r < n; r++) ctx.fillText(short(view.class_names[r] ?? String(r)), margin - 4, margin + r * size + size / 2);
  ctx.save(); ctx.textAlign = "left";
  for (let c = 0; c < n; c++) { ctx.save(); ctx.translate(margin + c * size + size / 2, margin - 4); ctx.rotate(-Math.PI / 3); ctx.fillText(short(view.class_names[c] ?? String(c)), 0, 0); ctx.restore(); }
  ctx.restore();
  ctx.textAlign = "left"; ctx.fillText("true ↓  predicted →", 2, 10);
}

// ---- drawing a digit ------------------------------------------------------------------------------
function setupDrawing() {
  const canvas = $("draw-canvas"), ctx = canvas.getContext("2d");
  let drawing = false, last = null, pending = false;
  const clear = () => { ctx.fillStyle = "#000"; ctx.fillRect(0, 0, canvas.width, canvas.height); $("draw-top").innerHTML = ""; };
  clear();
  const at = (e) => { const r = canvas.getBoundingClientRect(); return { x: (e.clientX - r.left) * canvas.width / r.width, y: (e.clientY - r.top) * canvas.height / r.height }; };
  const stroke = (p) => {
    ctx.strokeStyle = "#fff"; ctx.lineWidth = canvas.width / 13; ctx.lineCap = "round"; ctx.lineJoin = "round";
    ctx.beginPath(); ctx.moveTo(last.x, last.y); ctx.lineTo(p.x, p.y); ctx.stroke(); last = p;
  };
  canvas.addEventListener("pointerdown", (e) => { drawing = true; last = at(e); stroke(at(e)); canvas.setPointerCapture(e.pointerId); });
  canvas.addEventListener("pointermove", (e) => { if (!drawing) return; stroke(at(e)); schedule(); });
  canvas.addEventListener("pointerup", () => { drawing = false; schedule(); });
  $("clear-button").addEventListener("click", clear);
  function schedule() { if (pending) return; pending = true; setTimeout(() => { pending = false; predict(); }, 120); }
  async function predict() {
    const pixels = mnistLike(ctx, canvas.width, canvas.height);
    if (!pixels) return;
    const response = await fetch("/api/predict", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ width: 28, height: 28, pixels }) });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) { showMessage(json.error || "prediction failed"); return; }
    const host = $("draw-top");
    host.replaceChildren(...json.top.map((s, i) => barRow(s.class, s.name, s.probability, i === 0 ? "right" : "")));
  }
}

/** The drawing as MNIST prepares its digits: the ink's box scaled into 20×20, centred by its mass in 28×28. */
function mnistLike(ctx, w, h) {
  const data = ctx.getImageData(0, 0, w, h).data;
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (data[4 * (y * w + x)] > 20) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1, s = 20 / Math.max(bw, bh);
  const small = document.createElement("canvas"); small.width = 28; small.height = 28;
  const sctx = small.getContext("2d");
  sctx.fillStyle = "#000"; sctx.fillRect(0, 0, 28, 28);
  sctx.imageSmoothingEnabled = true; sctx.imageSmoothingQuality = "high";
  const dw = bw * s, dh = bh * s;
  sctx.drawImage(ctx.canvas, x0, y0, bw, bh, (28 - dw) / 2, (28 - dh) / 2, dw, dh);
  const img = sctx.getImageData(0, 0, 28, 28).data;
  const v = new Array(784);
  let mass = 0, mx = 0, my = 0;
  for (let i = 0; i < 784; i++) { v[i] = img[4 * i] / 255; mass += v[i]; mx += v[i] * (i % 28); my += v[i] * Math.floor(i / 28); }
  const dx = Math.round(14 - (mx / mass + 0.5)), dy = Math.round(14 - (my / mass + 0.5));
  const out = new Array(784).fill(0);
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) { const sx = x - dx, sy = y - dy; if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) out[y * 28 + x] = v[sy * 28 + sx]; }
  return out;
}

// ---- controls -------------------------------------------------------------------------------------
function setupControls() {
  $("pause-button").addEventListener("click", async () => { const paused = state.paused; const r = await control({ pause: !paused }); if (r) setState(paused ? "training" : "paused"); });
  $("hyper-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = {};
    const read = (id, key, integer) => {
      const text = $(id).value.trim();
      if (!text) return true;
      const v = Number(text);
      if (!Number.isFinite(v) || (integer && !Number.isInteger(v))) { showMessage(`${key}: '${text}' is not a ${integer ? "whole number" : "number"}`); return false; }
      body[key] = v; return true;
    };
    if (!read("lr-input", "learning_rate") || !read("momentum-input", "momentum") || !read("batch-input", "batch_size", true) || !read("decay-input", "weight_decay")) return;
    if (!Object.keys(body).length) { showMessage("type a new value into a field first", "info"); return; }
    if (await control(body)) for (const id of ["lr-input", "momentum-input", "batch-input", "decay-input"]) $(id).value = "";
  });
  $("restart-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { model: $("model-select").value, data: $("data-select").value };
    const optimizer = $("optimizer-input").value.trim();
    if (optimizer) body.optimizer = optimizer;
    if (await control(body)) { state.overlays.clear(); setTimeout(loadRunList, 1500); }
  });
  $("smoothing").addEventListener("input", (e) => { state.smoothing = Number(e.target.value); $("smoothing-value").textContent = state.smoothing.toFixed(2); state.dirtyCharts = true; });
  $("load-input").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    const response = await fetch("/api/model?name=" + encodeURIComponent(file.name), { method: "POST", headers: { "Content-Type": "application/octet-stream" }, body: file });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) showMessage(json.error || ("upload failed: " + response.status));
    else showMessage(`loaded ${json.loaded} (${json.model}, ${fmt.int(json.parameters)} parameters): training it as ${json.run}`, "info");
    e.target.value = "";
  });
}

setupControls();
setupDrawing();
connect();
setInterval(updateCharts, 400);
window.addEventListener("resize", () => { chartKey = "?"; lossChart = null; state.dirtyCharts = true; });
