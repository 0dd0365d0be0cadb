// Hash router: #/ (overview), #/datasets/ID (dataset + training form), #/models/ID (model, live view, predict).
import { h } from './dom.js';
import { apiKey } from './api.js';
import { homeView } from './views/home.js';
import { datasetView } from './views/dataset.js';
import { modelView } from './views/model.js';

const app = document.getElementById('app');
let cleanup = null;

async function route() {
  if (cleanup) cleanup();
  cleanup = null;
  const [, kind, id] = (location.hash.replace(/^#/, '') || '/').split('/');
  const view = kind === 'datasets' && id ? datasetView(decodeURIComponent(id))
    : kind === 'models' && id ? modelView(decodeURIComponent(id))
    : homeView();
  try {
    const { node, dispose } = await view;
    app.replaceChildren(node);
    cleanup = dispose || null;
  } catch (e) {
    app.replaceChildren(h('section.card', h('h1', 'Not available'), h('p.error-text', e.message), h('a.button', { href: '#/' }, 'Back to overview')));
  }
  document.querySelectorAll('.topbar nav a').forEach((a) => a.classList.toggle('active', a.getAttribute('href') === '#/' && !kind));
}

const keyButton = document.getElementById('key-button');
if (apiKey.get()) keyButton.classList.remove('hidden');
keyButton.addEventListener('click', () => {
  apiKey.clear();
  keyButton.classList.add('hidden');
});
keyButton.title = 'Forget the API key kept in this tab';
keyButton.textContent = 'Forget API key';

window.addEventListener('hashchange', route);
route();
