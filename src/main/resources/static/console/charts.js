// Inline SVG charts: small, dependency-free, styled by classes in app.css (no inline styles, CSP-friendly).
import { fmt } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, v);
  for (const c of children) if (c) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

function svg(w, h, label) {
  return s('svg', { viewBox: `0 0 ${w} ${h}`, class: 'chart', role: 'img', 'aria-label': label, preserveAspectRatio: 'xMidYMid meet' });
}

function extent(values) {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  return [lo, hi];
}

// Line chart: series = [{name, cls, points: [[x, y], ...]}]. data-points carries the longest series' length.
export function lineChart(series, { title, xLabel = 'epoch', xMax } = {}) {
  const W = 560, H = 240, L = 48, R = 12, T = 14, B = 34;
  const all = series.flatMap((x) => x.points);
  const [x0, x1raw] = extent(all.map((p) => p[0]).concat([1]));
  const x1 = Math.max(x1raw, xMax || 0, x0 + 1);
  let [y0, y1] = extent(all.map((p) => p[1]));
  y0 = Math.min(0, y0) === 0 && y0 >= 0 ? 0 : y0;
  const X = (x) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const Y = (y) => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
  const el = svg(W, H, title || 'chart');
  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4;
    el.append(s('line', { x1: L, x2: W - R, y1: Y(y), y2: Y(y), class: 'grid' }));
    el.append(s('text', { x: L - 6, y: Y(y) + 4, class: 'tick', 'text-anchor': 'end' }, fmt(y, 2)));
  }
  const ticks = Math.min(6, x1 - x0);
  for (let i = 0; i <= ticks; i++) {
    const x = Math.round(x0 + ((x1 - x0) * i) / ticks);
    el.append(s('text', { x: X(x), y: H - B + 16, class: 'tick', 'text-anchor': 'middle' }, x));
  }
  el.append(s('text', { x: (L + W - R) / 2, y: H - 4, class: 'axis-label', 'text-anchor': 'middle' }, xLabel));
  let longest = 0;
  for (const ser of series) {
    longest = Math.max(longest, ser.points.length);
    if (!ser.points.length) continue;
    const d = ser.points.map((p, i) => (i ? 'L' : 'M') + X(p[0]).toFixed(1) + ' ' + Y(p[1]).toFixed(1)).join(' ');
    el.append(s('path', { d, class: 'line ' + ser.cls }));
    const last = ser.points[ser.points.length - 1];
    el.append(s('circle', { cx: X(last[0]), cy: Y(last[1]), r: 3, class: 'dot ' + ser.cls }));
  }
  el.dataset.points = String(longest);
  const wrap = document.createElement('figure');
  wrap.className = 'chart-box';
  if (title) {
    const cap = document.createElement('figcaption');
    cap.textContent = title;
    wrap.append(cap);
  }
  wrap.append(el, legend(series));
  wrap.dataset.points = String(longest);
  return wrap;
}

function legend(series) {
  const ul = document.createElement('ul');
  ul.className = 'legend';
  for (const ser of series) {
    const li = document.createElement('li');
    li.className = ser.cls;
    li.textContent = ser.name;
    ul.append(li);
  }
  return ul;
}

// Vertical bars, one per value (a BN vector or a histogram); zero baseline when values straddle it.
export function bars(values, { label = 'bars', height = 70, cls = '' } = {}) {
  const W = 240, H = height, pad = 2;
  const [lo, hi] = extent(values.concat([0]));
  const Y = (v) => pad + (1 - (v - lo) / (hi - lo)) * (H - 2 * pad);
  const el = svg(W, H, label);
  el.classList.add('mini');
  const bw = (W - 2 * pad) / Math.max(1, values.length);
  values.forEach((v, i) => {
    const y = Math.min(Y(v), Y(0));
    const hh = Math.max(1, Math.abs(Y(v) - Y(0)));
    el.append(s('rect', { x: pad + i * bw + bw * 0.08, y, width: Math.max(1, bw * 0.84), height: hh, class: 'bar ' + cls },
      s('title', {}, `${i}: ${fmt(v, 6)}`)));
  });
  el.append(s('line', { x1: pad, x2: W - pad, y1: Y(0), y2: Y(0), class: 'baseline' }));
  return el;
}

// Horizontal probability bars; each row carries data-class and data-probability (the exact number).
export function probabilityBars(probabilities, predicted) {
  const list = document.createElement('ul');
  list.className = 'prob-list';
  const entries = Object.entries(probabilities).sort((a, b) => b[1] - a[1]);
  for (const [cls, p] of entries) {
    const li = document.createElement('li');
    li.className = 'prob' + (cls === predicted ? ' top' : '');
    li.dataset.class = cls;
    li.dataset.probability = String(p);
    const name = document.createElement('span');
    name.className = 'prob-name';
    name.textContent = cls;
    const bar = svg(200, 14, `${cls} ${(p * 100).toFixed(1)}%`);
    bar.classList.add('prob-bar');
    bar.append(s('rect', { x: 0, y: 0, width: 200, height: 14, rx: 7, class: 'track' }));
    bar.append(s('rect', { x: 0, y: 0, width: Math.max(2, 200 * p), height: 14, rx: 7, class: 'fill' }));
    const val = document.createElement('span');
    val.className = 'prob-value';
    val.textContent = (p * 100).toFixed(1) + '%';
    li.append(name, bar, val);
    list.append(li);
  }
  return list;
}

// Confusion matrix heat map (rows = true class); the cell shade is the row share, the text the count.
export function heatmap(labels, counts) {
  const n = labels.length, cell = 72, L = 96, T = 28;
  const W = L + n * cell + 4, H = T + n * cell + 24;
  const el = svg(W, H, 'confusion matrix');
  el.classList.add('heatmap');
  labels.forEach((lab, j) => {
    el.append(s('text', { x: L + j * cell + cell / 2, y: T - 8, class: 'tick', 'text-anchor': 'middle' }, short(lab)));
    el.append(s('text', { x: L - 8, y: T + j * cell + cell / 2 + 4, class: 'tick', 'text-anchor': 'end' }, short(lab)));
  });
  counts.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((c, j) => {
      const share = c / total;
      const level = Math.min(5, Math.ceil(share * 5));
      el.append(s('rect', { x: L + j * cell, y: T + i * cell, width: cell - 3, height: cell - 3, rx: 6, class: 'heat h' + level + (i === j ? ' diag' : '') },
        s('title', {}, `true ${labels[i]}, predicted ${labels[j]}: ${c}`)));
      el.append(s('text', { x: L + j * cell + (cell - 3) / 2, y: T + i * cell + cell / 2 + 3, class: 'heat-text' + (level >= 3 ? ' on-dark' : ''), 'text-anchor': 'middle' }, c));
    });
  });
  el.append(s('text', { x: L + (n * cell) / 2, y: H - 4, class: 'axis-label', 'text-anchor': 'middle' }, 'predicted'));
  return el;
}

function short(t) {
  t = String(t);
  return t.length > 11 ? t.slice(0, 10) + '…' : t;
}
