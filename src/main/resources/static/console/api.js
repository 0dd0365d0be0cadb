// The console's only door to the service: JSON requests, uploads, the API key and problem+json parsing.
const KEY = 'bnserve.apiKey';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || 'HTTP ' + status);
    this.status = status;
    this.problem = problem || {};
    // problem+json "errors": [{field|row|column, message}]
    this.errors = Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }
}

export const apiKey = {
  get: () => sessionStorage.getItem(KEY),
  set: (k) => sessionStorage.setItem(KEY, k),
  clear: () => sessionStorage.removeItem(KEY),
};

function authHeaders() {
  const k = apiKey.get();
  return k ? { Authorization: 'Bearer ' + k } : {};
}

async function problemOf(res) {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return { title: res.statusText, detail: text.slice(0, 300) || 'HTTP ' + res.status };
  }
}

// Asks for the key (the service said 401); resolves true when the user saved one.
let asking = null;
export function askForKey(message) {
  if (asking) return asking;
  const dialog = document.getElementById('key-dialog');
  const input = document.getElementById('api-key');
  const error = document.getElementById('key-error');
  error.textContent = message || '';
  input.value = '';
  asking = new Promise((resolve) => {
    const done = (ok) => {
      dialog.close();
      asking = null;
      resolve(ok);
    };
    document.getElementById('key-form').onsubmit = (e) => {
      e.preventDefault();
      if (!input.value.trim()) return;
      apiKey.set(input.value.trim());
      document.getElementById('key-button').classList.remove('hidden');
      done(true);
    };
    document.getElementById('key-cancel').onclick = () => done(false);
    dialog.oncancel = () => done(false);
    dialog.showModal();
    input.focus();
  });
  return asking;
}

// fetch with the key; a 401 asks for the key once and retries.
export async function request(method, path, body, { raw = false, retry = true } = {}) {
  const headers = { Accept: 'application/json', ...authHeaders() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401 && retry) {
    const problem = await problemOf(res);
    const had = apiKey.get();
    if (had) apiKey.clear();
    if (await askForKey(had ? 'That key was refused: ' + (problem.detail || problem.title) : problem.detail)) {
      return request(method, path, body, { raw, retry: true });
    }
    throw new ApiError(401, problem);
  }
  if (!res.ok) throw new ApiError(res.status, await problemOf(res));
  if (raw) return res;
  if (res.status === 204) return null;
  return res.json();
}

export const get = (p) => request('GET', p);
export const post = (p, b) => request('POST', p, b);
export const del = (p) => request('DELETE', p);

// Multipart upload through XHR, the only browser API that reports upload progress.
export function upload(file, name, onProgress, retry = true) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/datasets' + (name ? '?name=' + encodeURIComponent(name) : ''));
    xhr.setRequestHeader('Accept', 'application/json');
    const k = apiKey.get();
    if (k) xhr.setRequestHeader('Authorization', 'Bearer ' + k);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(0, { title: 'Network error', detail: 'The upload did not reach the service.' }));
    xhr.onload = async () => {
      let body;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = { detail: xhr.responseText.slice(0, 300) };
      }
      if (xhr.status === 401 && retry) {
        if (apiKey.get()) apiKey.clear();
        if (await askForKey(body.detail)) return upload(file, name, onProgress, false).then(resolve, reject);
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(xhr.status, body));
    };
    const form = new FormData();
    form.append('file', file);
    xhr.send(form);
  });
}
