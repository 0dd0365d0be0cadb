// Tiny element builder: h('div.card', {attrs}, children). No innerHTML, so API text is never parsed as markup.
export function h(tag, attrs = {}, ...children) {
  // 'input#file.big' → <input id="file" class="big">
  const parts = tag.match(/^[^.#]*|[.#][^.#]+/g);
  const el = document.createElement(parts[0] || 'div');
  const classes = parts.slice(1).filter((p) => p[0] === '.').map((p) => p.slice(1));
  const id = parts.slice(1).find((p) => p[0] === '#');
  if (id) el.id = id.slice(1);
  if (classes.length) el.className = classes.join(' ');
  if (attrs === null || typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs)) {
    children.unshift(attrs);
    attrs = {};
  }
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className += (el.className ? ' ' : '') + v;
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function fmt(v, digits = 4) {
  if (v === null || v === undefined) return '—';
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en');
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return v.toLocaleString('en', { maximumFractionDigits: digits });
}

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' });
}

export function badge(status) {
  return h('span.badge', { class: 'status-' + status }, status);
}

export function headline(m) {
  const v = m.metrics?.validation;
  if (v?.accuracy !== undefined) return 'accuracy ' + (v.accuracy * 100).toFixed(1) + '%';
  if (v?.rmse !== undefined) return 'rmse ' + fmt(v.rmse, 4);
  if (m.metrics?.validationAccuracy != null) return 'accuracy ' + (m.metrics.validationAccuracy * 100).toFixed(1) + '%';
  if (m.metrics?.validationRmse != null) return 'rmse ' + fmt(m.metrics.validationRmse, 4);
  return '—';
}
