// One dataset: its column summaries with histograms, and the training form.
import { h, fmt, when } from '../dom.js';
import { get, del } from '../api.js';
import { bars } from '../charts.js';
import { trainingForm } from './train.js';

export async function datasetView(id) {
  const d = await get('/datasets/' + encodeURIComponent(id));
  const node = h('div.page',
    h('div.page-head',
      h('div', h('p.crumb', h('a', { href: '#/' }, 'Overview'), ' / dataset'), h('h1', d.name || d.id),
        h('p.muted', `${fmt(d.rows)} rows · ${d.columns.length} columns · ${d.id} · uploaded ${when(d.created)}`)),
      h('button.danger.ghost', { type: 'button', onclick: async () => { if (confirm('Delete dataset ' + (d.name || d.id) + '?')) { await del('/datasets/' + d.id); location.hash = '#/'; } } }, 'Delete dataset')),
    h('section.card', h('h2', 'Columns'), h('div.columns-grid', d.columns.map(columnCard))),
    trainingForm(d));
  return { node };
}

function columnCard(c) {
  const stats = [];
  const row = (k, v) => stats.push(h('dt', k), h('dd', v));
  row('missing', fmt(c.missing));
  if (c.type === 'numeric') {
    row('mean', fmt(c.mean)); row('std', fmt(c.std)); row('min', fmt(c.min)); row('max', fmt(c.max));
  } else if (c.type === 'date') {
    row('from', c.min ?? '—'); row('to', c.max ?? '—');
  } else {
    row('levels', fmt(c.distinct));
  }
  const levels = c.type === 'categorical' && c.values
    ? h('p.levels', c.values.slice(0, 8).join(', ') + (c.values.length > 8 ? `, … (${c.values.length - 8} more)` : ''))
    : null;
  const hist = c.histogram ? bars(c.histogram.counts, { label: `histogram of ${c.name}`, height: 48, cls: 'hist' }) : null;
  return h('article.column', { 'data-column': c.name },
    h('header', h('h3', c.name), h('span.type', { class: 'type-' + c.type }, c.type)),
    hist, h('dl.stats', stats), levels, c.note ? h('p.note', c.note) : null);
}
