// Yjs clients for tests of onair's Yjs rooms: the unmodified providers (y-websocket's
// WebsocketProvider, @hocuspocus/provider's HocuspocusProvider) on a Y.Doc, raw `ws` clients of
// both wire protocols for what a provider would not send or does not show, room tokens minted
// through onair's `collab.token` op, and a comparable picture of a document.
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { HocuspocusProvider } from '@hocuspocus/provider';
import WebSocket from 'ws';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import assert from 'node:assert/strict';
import { connectClient, ok } from './client.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `predicate` every 20 ms until it holds; fails with `what` (a string or a function giving one) after `ms`. */
export async function waitFor(predicate, what, ms = 8000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await predicate()) return;
    await sleep(20);
  }
  assert.fail(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
}

/** Yjs documents in memory on the node (the `onair_collab_documents` metric of GET /metrics). */
export async function documentsInMemory(srv) {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  const m = text.match(/^onair_collab_documents (\d+)$/m);
  assert.ok(m, 'GET /metrics has onair_collab_documents');
  return Number(m[1]);
}

/** An onair connection allowed `scope` on every collab room; token(room) mints a room token. */
export async function tokenMinter(srv, scope = 'read-write', sub = 'alice') {
  const client = await connectClient(srv, { sub, grants: { collab: { '*': [scope] } } });
  return {
    token: async (room) => (await ok(client, 'collab.token', { room, kind: 'workspace' })).token,
    close: () => client.close(),
  };
}

/** A WebsocketProvider on `room` (y-websocket 3.x, no BroadcastChannel) over ws://…/v1/yjs/<room>?token=. */
export function yWebsocketClient(srv, room, token, doc = new Y.Doc()) {
  const provider = new WebsocketProvider(`ws://127.0.0.1:${srv.port}/v1/yjs`, room, doc,
    { WebSocketPolyfill: WebSocket, disableBc: true, params: { token } });
  return {
    kind: 'y-websocket', doc, provider, awareness: provider.awareness,
    synced: () => provider.wsconnected && provider.synced,
    offline: () => !provider.wsconnected && !provider.wsconnecting,
    disconnect: () => provider.disconnect(),
    connect: () => provider.connect(),
    // Gone without a goodbye (no null awareness state sent): the server must notice the close.
    vanish: () => {
      provider.awareness.off('update', provider._awarenessUpdateHandler);
      provider.shouldConnect = false;
      provider.ws?.terminate();
    },
    destroy: () => { provider.destroy(); provider.awareness.destroy(); },
  };
}

/** A HocuspocusProvider on `room` over ws://…/v1/hocuspocus with its own socket. */
export function hocuspocusClient(srv, room, token, doc = new Y.Doc()) {
  const failures = [];
  const provider = new HocuspocusProvider({ url: `ws://127.0.0.1:${srv.port}/v1/hocuspocus`, name: room, document: doc,
    token, WebSocketPolyfill: WebSocket, onAuthenticationFailed: (e) => failures.push(e.reason) });
  const socket = provider.configuration.websocketProvider;
  return {
    kind: 'hocuspocus', doc, provider, awareness: provider.awareness, failures,
    // Synced and every change acknowledged by a SyncStatus true (@hocuspocus/server's "saved").
    synced: () => provider.isSynced && provider.unsyncedChanges === 0,
    offline: () => socket.status === 'disconnected',
    disconnect: () => provider.disconnect(),
    connect: () => provider.connect(),
    vanish: () => {
      provider.awareness.off('update', provider.boundAwarenessUpdateHandler);
      socket.shouldConnect = false;
      socket.webSocket?.terminate();
    },
    destroy: () => { provider.destroy(); provider.awareness.destroy(); },
  };
}

/** What a document holds, as a fresh Y.Doc made from its full state shows it (roots t, m, a). */
export function contentOf(doc) {
  const fresh = new Y.Doc();
  Y.applyUpdate(fresh, Y.encodeStateAsUpdate(doc));
  return {
    t: fresh.getText('t').toString(),
    m: fresh.getMap('m').toJSON(),
    a: fresh.getArray('a').toJSON(),
    sv: [...Y.decodeStateVector(Y.encodeStateVector(fresh))].sort((x, y) => x[0] - y[0]),
  };
}

/** Waits until every client is synced and all documents hold the same content as the first. */
export async function waitConverged(clients, what = 'the documents to converge', ms = 10000) {
  const same = () => {
    const first = JSON.stringify(contentOf(clients[0].doc));
    return clients.every((c) => c.synced() && JSON.stringify(contentOf(c.doc)) === first);
  };
  await waitFor(same, () => `${what}: ${clients.map((c) => `${c.kind} synced=${c.synced()} ${JSON.stringify(contentOf(c.doc))}`).join('\n  ')}`, ms);
}

// ---- raw wire clients ---------------------------------------------------------------------------

/** A `ws` socket that collects binary messages; resolves once open or closed (whichever first). */
export async function rawSocket(url) {
  const ws = new WebSocket(url);
  const messages = [];
  let closeCode = null;
  ws.on('message', (data) => messages.push(new Uint8Array(data)));
  const closed = new Promise((res) => ws.on('close', (code) => { closeCode = code; res(code); }));
  ws.on('error', () => {});
  await Promise.race([new Promise((res) => ws.once('open', res)), closed]);
  return { ws, messages, closed, closeCode: () => closeCode, send: (bytes) => ws.send(bytes) };
}

/** Hocuspocus outer message types and sub-types (@hocuspocus/common, y-protocols/sync). */
export const Hp = { Sync: 0, Awareness: 1, Auth: 2, QueryAwareness: 3, SyncReply: 4, Stateless: 5, BroadcastStateless: 6, Close: 7, SyncStatus: 8 };
export const SyncStep = { Step1: 0, Step2: 1, Update: 2 };

/** y-websocket frame: varUint(type) then the message body written by `write`. */
export function yFrame(type, write) {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, type);
  write(e);
  return encoding.toUint8Array(e);
}

/** Hocuspocus frame: varString(document) varUint(type) then the body written by `write`. */
export function hpFrame(doc, type, write) {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, doc);
  encoding.writeVarUint(e, type);
  write(e);
  return encoding.toUint8Array(e);
}

export const hpAuth = (doc, token) => hpFrame(doc, Hp.Auth, (e) => { encoding.writeVarUint(e, 0); encoding.writeVarString(e, token); });
export const hpSync = (doc, step, bytes) => hpFrame(doc, Hp.Sync, (e) => { encoding.writeVarUint(e, step); encoding.writeVarUint8Array(e, bytes); });
export const ySync = (step, bytes) => yFrame(0, (e) => { encoding.writeVarUint(e, step); encoding.writeVarUint8Array(e, bytes); });

/** Reads a server Hocuspocus frame: {doc, type, sub?, payload?, scope?, reason?, applied?}. */
export function decodeHp(data) {
  const d = decoding.createDecoder(data);
  const out = { doc: decoding.readVarString(d), type: decoding.readVarUint(d) };
  if (out.type === Hp.Sync || out.type === Hp.SyncReply) {
    out.sub = decoding.readVarUint(d);
    out.payload = decoding.readVarUint8Array(d);
  } else if (out.type === Hp.Auth) {
    out.sub = decoding.readVarUint(d);
    if (out.sub === 2) out.scope = decoding.readVarString(d);
    else if (out.sub === 1) out.reason = decoding.readVarString(d);
  } else if (out.type === Hp.Awareness) {
    out.payload = decoding.readVarUint8Array(d);
  } else if (out.type === Hp.SyncStatus) {
    out.applied = decoding.readVarUint(d) === 1;
  } else if (out.type === Hp.Stateless) {
    out.text = decoding.readVarString(d);
  }
  return out;
}

/** Reads a server y-websocket frame: {type, sub?, payload?, reason?}. */
export function decodeY(data) {
  const d = decoding.createDecoder(data);
  const out = { type: decoding.readVarUint(d) };
  if (out.type === 0) {
    out.sub = decoding.readVarUint(d);
    out.payload = decoding.readVarUint8Array(d);
  } else if (out.type === 1) {
    out.payload = decoding.readVarUint8Array(d);
  } else if (out.type === 2) {
    out.sub = decoding.readVarUint(d);
    if (out.sub === 0) out.reason = decoding.readVarString(d);
  }
  return out;
}

/** An awareness update's entries: [{client, clock, state}] (state null for a removal). */
export function awarenessEntries(payload) {
  const d = decoding.createDecoder(payload);
  const out = [];
  for (let n = decoding.readVarUint(d); n > 0; n--) {
    out.push({ client: decoding.readVarUint(d), clock: decoding.readVarUint(d), state: JSON.parse(decoding.readVarString(d)) });
  }
  return out;
}
