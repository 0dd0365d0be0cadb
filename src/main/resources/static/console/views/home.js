// Overview: upload, the datasets and the models, refreshed while jobs run.
import { h, fmt, when, badge, headline } from '../dom.js';
import { get, upload } from '../api.js';

export async function homeView() {
  const datasetsBody = h('tbody');
  const modelsBody = h('tbody');
  const node = h('div.page',
    h('div.page-head', h('div', h('h1', 'Overview'), h('p.muted', 'Upload a CSV, train a batch-normalized network on it, try predictions.'))),
    uploadCard(),
    h('section.card',
      h('h2', 'Datasets'),
      h('div.table-wrap', h('table#datasets', h('thead', h('tr', h('th', 'Name'), h('th', 'Id'), h('th.num', 'Rows'), h('th.num', 'Columns'), h('th', 'Uploaded'))), datasetsBody))),
    h('section.card',
      h('h2', 'Models'),
      h('div.table-wrap', h('table#models', h('thead', h('tr', h('th', 'Model'), h('th', 'Status'), h('th', 'Dataset'), h('th', 'Label'), h('th', 'Headline metric'), h('th', 'Created'))), modelsBody))));

  let timer = null;
  async function refresh() {
    const [datasets, models] = await Promise.all([get('/datasets'), get('/models')]);
    const names = Object.fromEntries(datasets.map((d) => [d.id, d.name || d.id]));
    datasetsBody.replaceChildren(...(datasets.length ? datasets.map((d) => h('tr',
      h('td', h('a', { href: '#/datasets/' + d.id }, d.name || d.id)), h('td.mono', d.id), h('td.num', fmt(d.rows)), h('td.num', d.columns.length), h('td', when(d.created))))
      : [h('tr', h('td.empty', { colspan: 5 }, 'No datasets yet: drop a CSV above.'))]));
    modelsBody.replaceChildren(...(models.length ? models.map((m) => h('tr', { 'data-status': m.status },
      h('td', h('a', { href: '#/models/' + m.id }, m.name ? `${m.name} v${m.version}` : m.id), m.name ? h('div.mono.sub', m.id) : null),
      h('td', badge(m.status), m.status === 'training' && m.progress ? h('span.sub', ` ${m.progress.epoch}/${m.progress.epochs}`) : null),
      h('td', names[m.dataset] || m.dataset), h('td', m.label), h('td', headline(m)), h('td', when(m.created))))
      : [h('tr', h('td.empty', { colspan: 6 }, 'No models yet: open a dataset and train one.'))]));
    const busy = models.some((m) => m.status === 'queued' || m.status === 'training');
    timer = setTimeout(refresh, busy ? 1000 : 4000);
  }
  await refresh();
  return { node, dispose: () => clearTimeout(timer) };
}

function uploadCard() {
  const input = h('input#file', { type: 'file', accept: '.csv,.tsv,text/csv,text/tab-separated-values', class: 'visually-hidden' });
  const nameInput = h('input#dataset-name', { type: 'text', placeholder: 'from the file name', autocomplete: 'off' });
  const progress = h('progress#upload-progress', { max: 1, value: 0, class: 'hidden' });
  const status = h('p.field-error#upload-error', { role: 'alert' });
  const zone = h('label.dropzone', { for: 'file' },
    h('span.drop-icon', { 'aria-hidden': 'true' }, '⇪'),
    h('strong', 'Drop a CSV here'), h('span.muted', 'or click to choose a file'), input);

  async function send(file) {
    status.textContent = '';
    status.classList.remove('ok');
    progress.classList.remove('hidden');
    progress.value = 0;
    try {
      const name = nameInput.value.trim() || file.name.replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9._-]/g, '-');
      const d = await upload(file, name, (f) => (progress.value = f));
      location.hash = '#/datasets/' + d.id;
    } catch (e) {
      status.textContent = e.message + (e.errors.length ? ' ' + e.errors.map((x) => x.message).filter((m) => m && !e.message.includes(m)).join('; ') : '');
    } finally {
      progress.classList.add('hidden');
      input.value = '';
    }
  }
  input.addEventListener('change', () => input.files[0] && send(input.files[0]));
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    if (e.dataTransfer.files[0]) send(e.dataTransfer.files[0]);
  });
  return h('section.card.upload',
    h('h2', 'Upload a dataset'),
    h('div.upload-grid', zone,
      h('div.field', h('label', { for: 'dataset-name' }, 'Dataset name (optional)'), nameInput, h('p.hint', 'Letters, digits, dot, dash, underscore. Defaults to the file name.'), progress, status)));
}
