// Server-sent events over fetch(): EventSource cannot send the Authorization header.
import { apiKey } from './api.js';

// Calls onEvent(name, data) per event until the stream ends or signal aborts; resolves when it ends.
export async function streamEvents(path, onEvent, signal) {
  const headers = { Accept: 'text/event-stream' };
  const k = apiKey.get();
  if (k) headers.Authorization = 'Bearer ' + k;
  const res = await fetch(path, { headers, signal });
  if (!res.ok || !res.body) throw new Error('events: HTTP ' + res.status);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) name = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) onEvent(name, JSON.parse(data.join('\n')));
    }
  }
}
