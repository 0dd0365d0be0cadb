// The training form: every option of the training request, its default and a one-line explanation.
// API violations (problem+json errors[].field) are shown under the control whose data-field names them.
import { h } from '../dom.js';
import { post, ApiError } from '../api.js';

// [path, kind, default, help, options]; the defaults are those of the API (TrainingSpec.DEFAULTS).
const GROUPS = [
  ['Network', [
    ['activation', 'select', 'relu', 'Nonlinearity of the hidden layers (a layer may override it).', ['relu', 'tanh']],
  ]],
  ['BatchNorm', [
    ['batchNorm.input', 'bool', true, 'Normalize the encoded inputs with a BatchNorm layer first.'],
    ['batchNorm.hidden', 'bool', true, 'BatchNorm in every hidden layer (a layer may override it).'],
    ['batchNorm.placement', 'select', 'before-activation', 'Where a hidden BatchNorm sits relative to the activation.', ['before-activation', 'after-activation']],
    ['batchNorm.momentum', 'number', 0.1, 'running = (1 − m)·running + m·batch; empty means the cumulative average.', null, 'any'],
    ['batchNorm.eps', 'number', 1e-5, 'Added to the variance before the square root.', null, 'any'],
    ['batchNorm.statistics', 'select', 'ema', 'ema keeps the moving averages; population recomputes them exactly after training.', ['ema', 'population']],
  ]],
  ['Optimizer', [
    ['optimizer.type', 'select', 'adam', 'Adam adapts the step per weight; SGD uses momentum.', ['adam', 'sgd']],
    ['optimizer.learningRate', 'number', 0.001, 'Step size of each update.', null, 'any'],
    ['optimizer.momentum', 'number', 0.9, 'SGD momentum (Adam: β₁).', null, 'any'],
    ['optimizer.weightDecay', 'number', 0, 'L2 penalty on the weights.', null, 'any'],
  ]],
  ['Schedule', [
    ['epochs', 'number', 30, 'Passes over the training split.', null, 1],
    ['batchSize', 'number', 32, 'Rows per gradient step (and per BatchNorm batch).', null, 1],
    ['validationSplit', 'number', 0.2, 'Share of rows held out for validation.', null, 'any'],
    ['seed', 'number', 0, 'Seeds initialization, the split and the shuffles: same seed, same model.', null, 1],
    ['shuffle', 'bool', true, 'Shuffle the training rows every epoch.'],
    ['classWeights', 'select', '', 'balanced weights the loss by inverse class frequency.', [['', 'none'], ['balanced', 'balanced']]],
  ]],
  ['Preprocessing', [
    ['preprocessing.missing', 'select', 'impute', 'impute with the training mean, drop such rows, or refuse (error).', ['impute', 'drop', 'error']],
    ['preprocessing.missingIndicators', 'bool', true, 'Add a 0/1 input per column that had missing values.'],
    ['preprocessing.maxCategories', 'number', 50, 'Categorical columns with more levels are left out by default.', null, 1],
    ['preprocessing.unknownCategory', 'select', 'ignore', 'A level unseen in training: encode as all zeros (ignore) or refuse (error).', ['ignore', 'error']],
  ]],
];

const DEFAULT_HIDDEN = [64, 64];

export function trainingForm(dataset) {
  const errorsAt = new Map();
  const form = h('form#train-form.card', { novalidate: true, 'aria-labelledby': 'train-title' });
  const formError = h('p.form-error#train-error', { role: 'alert' });
  const cols = dataset.columns.map((c) => c.name);

  function errorSlot(path) {
    const slot = h('p.field-error', { 'data-error-for': path, id: 'err-' + path.replace(/[^A-Za-z0-9]/g, '_') });
    errorsAt.set(path, slot);
    return slot;
  }

  function field(path, kind, def, help, options, step) {
    const id = 'f-' + path.replace(/[^A-Za-z0-9]/g, '_');
    let control;
    if (kind === 'bool') {
      control = h('input', { id, type: 'checkbox', checked: def, 'data-field': path, 'data-kind': kind });
    } else if (kind === 'select') {
      control = h('select', { id, 'data-field': path, 'data-kind': kind },
        options.map((o) => (Array.isArray(o) ? h('option', { value: o[0], selected: o[0] === def }, o[1]) : h('option', { value: o, selected: o === def }, o))));
    } else {
      control = h('input', { id, type: 'number', step: step ?? 'any', value: String(def), 'data-field': path, 'data-kind': kind, inputmode: 'decimal' });
    }
    const shown = def === '' ? 'none' : String(def);
    const label = path.split('.').pop();
    return h('div.field', { class: kind === 'bool' ? 'check' : '' },
      kind === 'bool' ? h('label.inline', { for: id }, control, ' ', label) : [h('label', { for: id }, label), control],
      h('p.hint', help, h('span.default', ` Default: ${shown}.`)), errorSlot(path));
  }

  // Label and features
  const labelSelect = h('select#f-label', { 'data-field': 'label' },
    cols.map((c, i) => h('option', { value: c, selected: i === cols.length - 1 }, c)));
  const taskSelect = h('select#f-task', { 'data-field': 'task' },
    h('option', { value: '' }, 'auto (from the label)'), h('option', { value: 'classification' }, 'classification'), h('option', { value: 'regression' }, 'regression'));
  const featureBox = h('div.features', { 'data-field': 'features', role: 'group', 'aria-label': 'features' });
  function renderFeatures() {
    featureBox.replaceChildren(...cols.filter((c) => c !== labelSelect.value).map((c) => {
      const fid = 'feat-' + c.replace(/[^A-Za-z0-9]/g, '_');
      return h('label.chip', { for: fid }, h('input', { id: fid, type: 'checkbox', checked: true, value: c }), c);
    }));
  }
  labelSelect.addEventListener('change', renderFeatures);
  renderFeatures();
  const nameInput = h('input#f-name', { type: 'text', 'data-field': 'name', placeholder: 'e.g. iris', autocomplete: 'off' });

  // Hidden layers, each with its own BatchNorm and activation
  const layers = h('ol.layers', { 'data-field': 'hidden' });
  function addLayer(units) {
    const i = layers.children.length;
    const li = h('li.layer',
      h('span.layer-name', 'Layer ' + (i + 1)),
      h('label', { for: `h-${i}-units` }, 'units'),
      h('input', { id: `h-${i}-units`, type: 'number', value: String(units), step: 1, class: 'units', 'data-field': `hidden[${i}].units` }),
      h('label', { for: `h-${i}-bn` }, 'BatchNorm'),
      h('select', { id: `h-${i}-bn`, class: 'bn' }, h('option', { value: '' }, 'as above'), h('option', { value: 'true' }, 'on'), h('option', { value: 'false' }, 'off')),
      h('label', { for: `h-${i}-act` }, 'activation'),
      h('select', { id: `h-${i}-act`, class: 'act' }, h('option', { value: '' }, 'as above'), h('option', { value: 'relu' }, 'relu'), h('option', { value: 'tanh' }, 'tanh')),
      h('button.ghost.small', { type: 'button', 'aria-label': 'Remove layer ' + (i + 1), onclick: () => { li.remove(); renumber(); } }, 'Remove'),
      errorSlot(`hidden[${i}]`));
    layers.append(li);
  }
  function renumber() {
    [...layers.children].forEach((li, i) => {
      li.querySelector('.layer-name').textContent = 'Layer ' + (i + 1);
      li.querySelector('.units').dataset.field = `hidden[${i}].units`;
      li.querySelector('.field-error').dataset.errorFor = `hidden[${i}]`;
      errorsAt.set(`hidden[${i}]`, li.querySelector('.field-error'));
    });
  }
  DEFAULT_HIDDEN.forEach(addLayer);

  // Early stopping
  const es = h('input#f-es', { type: 'checkbox' });
  const patience = h('input#f-es-patience', { type: 'number', value: '10', step: 1, 'data-field': 'earlyStopping.patience' });
  const minDelta = h('input#f-es-mindelta', { type: 'number', value: '0', step: 'any', 'data-field': 'earlyStopping.minDelta' });

  const submit = h('button#train-submit', { type: 'submit' }, 'Start training');
  form.append(
    h('div.form-head', h('h2#train-title', 'Train a model'), h('p.muted', 'Every option of the training request; the defaults are the API\'s. Only the label is required.')),
    h('fieldset', h('legend', 'Data'),
      h('div.grid',
        h('div.field', h('label', { for: 'f-label' }, 'label'), labelSelect, h('p.hint', 'The column to predict.'), errorSlot('label')),
        h('div.field', h('label', { for: 'f-task' }, 'task'), taskSelect, h('p.hint', 'Classification for a non-numeric label, else regression.', h('span.default', ' Default: auto.')), errorSlot('task')),
        h('div.field', h('label', { for: 'f-name' }, 'name'), nameInput, h('p.hint', 'Optional; models with one name become its versions.'), errorSlot('name'))),
      h('div.field.wide', h('span.label', 'features'), featureBox, h('p.hint', 'Inputs of the network.', h('span.default', ' Default: every other column (high-cardinality categoricals excluded).')), errorSlot('features'))),
    h('fieldset', h('legend', 'Hidden layers'),
      h('p.hint', 'Input side first. Each layer may switch its own BatchNorm and activation.', h('span.default', ' Default: 64, 64.')),
      layers, errorSlot('hidden'),
      h('button.ghost.small', { type: 'button', onclick: () => addLayer(32) }, '+ Add layer')),
    ...GROUPS.map(([title, fields]) => h('fieldset', h('legend', title), h('div.grid', fields.map((f) => field(...f))))),
    h('fieldset', h('legend', 'Early stopping'),
      h('div.grid',
        h('div.field.check', h('label.inline', { for: 'f-es' }, es, ' enabled'), h('p.hint', 'Stop when the validation loss stops improving; serve the best epoch.', h('span.default', ' Default: off.')), errorSlot('earlyStopping')),
        h('div.field', h('label', { for: 'f-es-patience' }, 'patience'), patience, h('p.hint', 'Epochs without improvement before stopping.', h('span.default', ' Default: 10.')), errorSlot('earlyStopping.patience')),
        h('div.field', h('label', { for: 'f-es-mindelta' }, 'minDelta'), minDelta, h('p.hint', 'Smallest decrease that counts as improvement.', h('span.default', ' Default: 0.')), errorSlot('earlyStopping.minDelta')))),
    h('div.form-actions', formError, submit));

  function value(el) {
    const kind = el.dataset.kind;
    if (kind === 'bool') return el.checked;
    if (kind === 'number') return num(el.value);
    return el.value;
  }

  function body() {
    const b = { dataset: dataset.id, label: labelSelect.value };
    if (taskSelect.value) b.task = taskSelect.value;
    if (nameInput.value.trim()) b.name = nameInput.value.trim();
    const boxes = [...featureBox.querySelectorAll('input')];
    if (boxes.some((x) => !x.checked)) b.features = boxes.filter((x) => x.checked).map((x) => x.value);
    b.hidden = [...layers.children].map((li) => {
      const units = num(li.querySelector('.units').value);
      const bn = li.querySelector('.bn').value, act = li.querySelector('.act').value;
      if (!bn && !act) return units;
      const o = { units };
      if (bn) o.batchNorm = bn === 'true';
      if (act) o.activation = act;
      return o;
    });
    for (const el of form.querySelectorAll('[data-kind]')) {
      const path = el.dataset.field.split('.');
      let v = value(el);
      if (path[0] === 'classWeights') { if (v) b.classWeights = v; continue; }
      if (path[1] === 'momentum' && path[0] === 'batchNorm' && el.value.trim() === '') v = null;
      let o = b;
      for (const p of path.slice(0, -1)) o = o[p] ??= {};
      o[path[path.length - 1]] = v;
    }
    b.earlyStopping = es.checked ? { patience: num(patience.value), minDelta: num(minDelta.value) } : null;
    return b;
  }

  function showErrors(e) {
    let unplaced = [];
    for (const v of e.errors) {
      const key = v.field ?? v.column ?? '';
      const slot = findSlot(String(key));
      if (slot) {
        slot.textContent = v.message;
        slot.closest('.field, .layer')?.classList.add('invalid');
      } else unplaced.push((key ? key + ': ' : '') + v.message);
    }
    formError.textContent = [e.message, ...unplaced].join(' ');
    form.querySelector('.invalid input, .invalid select')?.focus();
  }

  function findSlot(key) {
    // hidden[0].units → hidden[0].units, hidden[0], hidden
    for (let k = key; k; k = k.replace(/(\.[^.[\]]+|\[\d+\])$/, '') || '') {
      if (errorsAt.has(k)) return errorsAt.get(k);
      if (!/(\.[^.[\]]+|\[\d+\])$/.test(k)) break;
    }
    return null;
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    errorsAt.forEach((s) => (s.textContent = ''));
    form.querySelectorAll('.invalid').forEach((x) => x.classList.remove('invalid'));
    formError.textContent = '';
    submit.disabled = true;
    try {
      const m = await post('/models', body());
      location.hash = '#/models/' + m.id;
    } catch (e) {
      if (e instanceof ApiError) showErrors(e);
      else formError.textContent = e.message;
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

// A number when the text is one, else the text itself, so the API names the bad field.
function num(text) {
  const t = String(text).trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}
