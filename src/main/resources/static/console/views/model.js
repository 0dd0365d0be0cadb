// One model: live training (SSE), metrics, curves, confusion matrix, BatchNorm statistics, predict and trace.
import { h, fmt, when, badge } from '../dom.js';
import { get, post, del, ApiError } from '../api.js';
import { streamEvents } from '../sse.js';
import { lineChart, bars, heatmap, probabilityBars } from '../charts.js';

const TERMINAL = new Set(['ready', 'failed', 'cancelled']);

export async function modelView(id) {
  let m = await get('/models/' + encodeURIComponent(id));
  const abort = new AbortController();
  const node = h('div.page');
  const curves = h('div.curves');
  const live = h('section.card.live');

  function renderCurves(model) {
    const hist = model.history || [];
    const epochs = model.progress?.epochs || model.request?.epochs;
    const loss = lineChart([
      { name: 'training loss', cls: 's1', points: hist.map((e) => [e.epoch, e.loss]) },
      { name: 'validation loss', cls: 's2', points: hist.filter((e) => e.validationLoss != null).map((e) => [e.epoch, e.validationLoss]) },
    ], { title: 'Loss per epoch', xMax: epochs });
    loss.id = 'loss-chart';
    const metricKey = model.task === 'regression' ? 'validationRmse' : 'validationAccuracy';
    const metric = lineChart([
      { name: model.task === 'regression' ? 'validation rmse' : 'validation accuracy', cls: 's3', points: hist.filter((e) => e[metricKey] != null).map((e) => [e.epoch, e[metricKey]]) },
    ], { title: model.task === 'regression' ? 'Validation RMSE' : 'Validation accuracy', xMax: epochs });
    metric.id = 'metric-chart';
    curves.replaceChildren(loss, metric);
  }

  function renderLive(model, started) {
    const p = model.progress || { epoch: 0, epochs: model.request?.epochs || 0 };
    const secs = (Date.now() - started) / 1000;
    const rate = p.epoch && secs > 0 ? p.epoch / secs : null;
    const last = (model.history || []).at(-1);
    live.replaceChildren(
      h('div.live-head', h('h2', 'Training'), badge(model.status)),
      h('progress#train-progress', { max: p.epochs || 1, value: p.epoch || 0, 'aria-label': 'training progress' }),
      h('dl.kpis',
        h('div', h('dt', 'epoch'), h('dd', `${p.epoch || 0} / ${p.epochs || '?'}`)),
        h('div', h('dt', 'throughput'), h('dd', rate ? `${fmt(rate, 1)} epochs/s` : '—')),
        h('div', h('dt', 'loss'), h('dd', fmt(last?.loss))),
        h('div', h('dt', 'validation loss'), h('dd', fmt(last?.validationLoss)))),
      h('button.danger#cancel', { type: 'button', onclick: async () => { await del('/models/' + model.id); } }, 'Cancel training'));
  }

  async function render(model) {
    node.replaceChildren(header(model));
    if (!TERMINAL.has(model.status)) {
      const started = Date.now();
      renderLive(model, started);
      renderCurves(model);
      node.append(live, h('section.card', h('h2', 'Curves'), curves));
      // The first event holds the history so far; each later progress event only the epochs since the one
      // before, so they are appended (an epoch at or below the last one known starts the history over).
      let hist = (model.history || []).slice();
      streamEvents('/models/' + model.id + '/events', (name, data) => {
        if (TERMINAL.has(data.status)) {
          m = data;
          renderCurves(data);
          get('/models/' + model.id).then(render);
          return;
        }
        for (const e of data.history || []) {
          if (hist.length && e.epoch <= hist.at(-1).epoch) hist = hist.filter((k) => k.epoch < e.epoch);
          hist.push(e);
        }
        m = { ...m, status: data.status, progress: data.progress, history: hist };
        renderCurves(m);
        renderLive(m, started);
      }, abort.signal).catch(() => {});
      return;
    }
    renderCurves(model);
    if (model.status === 'failed') node.append(h('section.card.error-card', h('h2', 'Training failed'), h('p', model.error || 'unknown error')));
    node.append(
      h('div.two-col', metricsCard(model), h('section.card', h('h2', 'Curves'), curves)),
      model.status === 'ready' ? predictCard(model) : null,
      confusionCard(model),
      batchNormCard(model));
  }

  await render(m);
  return { node, dispose: () => abort.abort() };
}

function header(m) {
  const title = m.name ? `${m.name} v${m.version}` : m.id;
  return h('div.page-head',
    h('div', h('p.crumb', h('a', { href: '#/' }, 'Overview'), ' / ', h('a', { href: '#/datasets/' + m.dataset }, 'dataset'), ' / model'),
      h('h1', title, ' ', h('span#model-status', { 'data-status': m.status }, badge(m.status))),
      h('p.muted', `${m.task} of “${m.label}” from ${m.inputs?.length ?? '?'} inputs · ${m.id} · created ${when(m.created)}`)),
    h('div.actions',
      h('a.button.ghost', { href: `/models/${m.id}/export`, download: `${m.id}.json` }, 'Export JSON'),
      h('a.button.ghost', { href: `/models/${m.id}/export?format=onnx`, download: `${m.id}.onnx` }, 'Export ONNX'),
      h('button.danger.ghost', { type: 'button', onclick: async () => { if (confirm('Delete model ' + title + '?')) { await del('/models/' + m.id); location.hash = '#/'; } } }, 'Delete')));
}

function metricsCard(m) {
  const v = m.metrics?.validation || {};
  const rows = m.task === 'regression'
    ? [['RMSE', v.rmse], ['MAE', v.mae], ['R²', v.r2]]
    : [['accuracy', v.accuracy], ['log loss', v.logLoss], ['macro F1', v.macroF1], ['ROC AUC', v.rocAuc]];
  rows.push(['best epoch', m.metrics?.bestEpoch], ['training time', m.metrics?.trainingSeconds != null ? fmt(m.metrics.trainingSeconds, 2) + ' s' : null],
    ['throughput', m.metrics?.samplesPerSecond != null ? fmt(Math.round(m.metrics.samplesPerSecond)) + ' rows/s' : null],
    ['rows (train / validation)', m.metrics?.trainRows != null ? `${m.metrics.trainRows} / ${m.metrics.validationRows}` : null]);
  return h('section.card#metrics', h('h2', 'Validation metrics'),
    h('dl.kpis.big', rows.filter(([, x]) => x !== undefined && x !== null).map(([k, x]) => h('div', h('dt', k), h('dd', typeof x === 'number' ? fmt(x, 4) : x)))),
    m.ignored?.length ? h('p.hint', 'Ignored: ' + m.ignored.map((i) => `${i.name} (${i.reason})`).join(', ')) : null);
}

function confusionCard(m) {
  const cm = m.metrics?.validation?.confusionMatrix;
  if (!cm) return null;
  return h('section.card', h('h2', 'Confusion matrix'), h('p.hint', 'Rows are the true class, columns the predicted one; shade is the share of the row.'),
    h('div.heat-wrap', heatmap(cm.labels, cm.counts)));
}

function batchNormCard(m) {
  const bn = (m.layers || []).map((l, i) => [l, i]).filter(([l]) => l.type === 'batchnorm');
  if (!bn.length) return h('section.card', h('h2', 'BatchNorm layers'), h('p.muted', 'This network has no BatchNorm layer.'));
  return h('section.card#batchnorm', h('h2', 'BatchNorm layers'),
    h('p.hint', 'Running statistics used at inference, and the learned scale (γ) and shift (β), one bar per feature.'),
    bn.map(([l, i]) => h('div.bn-layer',
      h('h3', `Layer ${i} · ${l.features} features · momentum ${l.momentum ?? 'cumulative'} · ${fmt(l.batchesTracked)} batches`),
      h('div.bn-grid', [['running mean', l.runningMean], ['running variance', l.runningVar], ['gamma γ', l.gamma], ['beta β', l.beta]]
        .map(([name, vals]) => h('figure.mini-box', h('figcaption', name), bars(vals || [], { label: `${name} of layer ${i}` })))))));
}

function predictCard(m) {
  const columns = Object.fromEntries((m.preprocessing?.columns || []).map((c) => [c.name, c]));
  const form = h('form#predict-form', { novalidate: true });
  const result = h('div#prediction.result', { 'aria-live': 'polite' });
  const traceBox = h('input#trace-toggle', { type: 'checkbox' });
  const controls = (m.inputs || []).map((name) => {
    const c = columns[name] || {};
    const id = 'in-' + name.replace(/[^A-Za-z0-9]/g, '_');
    let control;
    if (c.type === 'categorical' && c.levels) {
      control = h('select', { id, name }, h('option', { value: '' }, '(missing)'), c.levels.map((l) => h('option', { value: l }, l)));
    } else if (c.type === 'date') {
      control = h('input', { id, name, type: 'date' });
    } else {
      control = h('input', { id, name, type: 'number', step: 'any', inputmode: 'decimal', value: c.impute != null ? String(+c.impute.toFixed(4)) : '' });
    }
    control.dataset.type = c.type || 'numeric';
    return h('div.field', h('label', { for: id }, name), control, h('p.field-error', { 'data-error-for': name }));
  });
  const error = h('p.form-error', { role: 'alert' });
  form.append(h('div.grid', controls),
    h('div.form-actions', h('label.inline', { for: 'trace-toggle' }, traceBox, ' show the normalization trace'), error, h('button#predict-submit', { type: 'submit' }, 'Predict')));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    form.querySelectorAll('[data-error-for]').forEach((x) => (x.textContent = ''));
    const features = {};
    for (const el of form.querySelectorAll('[name]')) {
      const v = el.value.trim();
      features[el.name] = v === '' ? null : el.dataset.type === 'numeric' ? (Number.isFinite(Number(v)) ? Number(v) : v) : v;
    }
    try {
      const a = await post(`/models/${m.id}/${traceBox.checked ? 'trace' : 'predict'}`, { features });
      showAnswer(a);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      let placed = false;
      for (const v of e.errors) {
        const slot = form.querySelector(`[data-error-for="${CSS.escape(String(v.field ?? v.column ?? ''))}"]`);
        if (slot) { slot.textContent = v.message; placed = true; }
      }
      error.textContent = placed ? e.message : [e.message, ...e.errors.map((x) => x.message)].join(' ');
    }
  });

  function showAnswer(a) {
    const parts = [h('p.answer', h('span.muted', 'Prediction '), h('strong#predicted-class', String(a.prediction)))];
    if (a.probabilities) parts.push(probabilityBars(a.probabilities, a.prediction));
    if (a.warnings?.length) parts.push(h('p.note', a.warnings.map((w) => w.message || JSON.stringify(w)).join(' ')));
    if (a.steps) parts.push(traceView(a.steps, m));
    result.replaceChildren(...parts);
  }

  return h('section.card#predict', h('h2', 'Predict'), h('p.hint', 'One row, from the model\'s inputs; numeric fields start at the training mean.'), form, result);
}

function traceView(steps, m) {
  const names = m.encodedInputs || m.inputs;
  return h('div.trace#trace', h('h3', 'Normalization trace'),
    steps.map((s, i) => {
      if (s.type !== 'batchnorm') {
        const detail = s.type === 'output' ? (s.probabilities ? 'class probabilities' : 'prediction ' + fmt(s.prediction)) : `${(s.output || []).length} values`;
        return h('div.trace-step', h('span.step-type', s.type), h('span.muted', detail));
      }
      const feats = s.input.map((_, j) => j);
      const shown = feats.slice(0, 12);
      return h('div.trace-step.bn', h('span.step-type', 'batchnorm'),
        h('div.table-wrap', h('table.compact',
          h('thead', h('tr', h('th', 'feature'), h('th.num', 'input'), h('th.num', 'mean'), h('th.num', 'var'), h('th.num', 'normalized'), h('th.num', 'γ'), h('th.num', 'β'), h('th.num', 'output'))),
          h('tbody', shown.map((j) => h('tr',
            h('td', i <= 1 && names?.[j] ? names[j] : '#' + j), h('td.num', fmt(s.input[j])), h('td.num', fmt(s.mean[j])), h('td.num', fmt(s.var[j])),
            h('td.num', fmt(s.normalized[j])), h('td.num', fmt(s.gamma[j])), h('td.num', fmt(s.beta[j])), h('td.num', fmt(s.output[j]))))))),
        feats.length > shown.length ? h('p.hint', `… and ${feats.length - shown.length} more features`) : null);
    }));
}
