// A protocol-level test client over the `ws` package: requests with ids, collected events.
import WebSocket from 'ws';
import { apiCredential, clientToken } from './tokens.mjs';

export const allGrants = { room: { '*': ['*'] }, channel: { '*': ['*'] } };

/**
 * Connects and authenticates. Resolves to {ws, events, request, waitEvent, closed, close}.
 * @param {object} srv from startOnair
 * @param {{sub?: string, grants?: object, token?: string}} [opts]
 */
export async function connectClient(srv, { sub = 'alice', grants = allGrants, token } = {}) {
  const ws = new WebSocket(srv.wsUrl);
  const events = [];
  const pending = new Map();
  const waiters = new Set();
  let nextId = 0;
  const closed = new Promise((res) => ws.on('close', (code) => res(code)));
  await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
  ws.on('message', (raw, isBinary) => {
    if (isBinary) return;  // binary frames (relay chunks) are the test's own business
    const msg = JSON.parse(raw.toString());
    if (msg.id != null && pending.has(msg.id)) {
      pending.get(msg.id)(msg);
      pending.delete(msg.id);
      return;
    }
    events.push(msg);
    for (const w of [...waiters]) w();
  });
  const request = (op, args = {}) => new Promise((res, rej) => {
    const id = ++nextId;
    const timer = setTimeout(() => { pending.delete(id); rej(new Error(`no reply to ${op}`)); }, 5000);
    pending.set(id, (m) => { clearTimeout(timer); res(m); });
    ws.send(JSON.stringify({ id, op, args }));
  });
  /** Waits for an event matching pred (removing it from `events`). */
  const waitEvent = (pred, ms = 5000) => new Promise((res, rej) => {
    const check = () => {
      const i = events.findIndex(pred);
      if (i < 0) return false;
      waiters.delete(check);
      clearTimeout(timer);
      res(events.splice(i, 1)[0]);
      return true;
    };
    const timer = setTimeout(() => { waiters.delete(check); rej(new Error('timed out waiting for an event')); }, ms);
    if (!check()) waiters.add(check);
  });
  const reply = await request('connect', { token: token ?? clientToken(srv, { sub, grants }) });
  if (!reply.result) throw new Error('connect failed: ' + JSON.stringify(reply));
  return { ws, events, request, waitEvent, closed, close: () => ws.close(1000), session: reply.result };
}

/** Opens a connection, sends `connect` with `token`, closes, and returns the reply (result or error). */
export async function connectReply(srv, token) {
  const ws = new WebSocket(srv.wsUrl);
  await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
  ws.send(JSON.stringify({ id: 1, op: 'connect', args: { token } }));
  const reply = await new Promise((res) => ws.once('message', (m) => res(JSON.parse(m.toString()))));
  ws.close();
  return reply;
}

/** Sends a request and returns its result, failing on an error reply. */
export async function ok(client, op, args) {
  const r = await client.request(op, args);
  if (!r.result) throw new Error(`${op} failed: ${JSON.stringify(r.error)}`);
  return r.result;
}

/** A server-API call authenticated with a fresh API credential of `srv`: {status, body}. */
export async function serverApi(srv, method, path, body) {
  const res = await fetch(srv.url + path, { method, headers: { authorization: `Bearer ${apiCredential(srv)}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: await res.json() };
}
