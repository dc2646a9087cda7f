// client.live and client.collab against a scripted WebSocket server on 127.0.0.1 (no onair
// process): request shapes, attach handles (release once, events by target), heartbeat, resolve,
// error codes, the pagehide beacon. Also server.live against a recording HTTP server.
import { test as baseTest, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { connect, OnairError } from '../dist/client/index.js';
import { OnairServer } from '../dist/server/index.js';

const test = (name, fn) => baseTest(name, { timeout: 5000 }, fn);
const cleanups = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const iso = (ms) => new Date(Date.now() + ms).toISOString();
const nextEvent = (source, event) => new Promise((resolve) => {
  const off = source.on(event, (x) => { off(); resolve(x); });
});

/**
 * A scripted onair. `handlers[op](args, ctx)` returns a result, or calls ctx.error(…), or returns
 * undefined to answer nothing. Every request is logged; `ops(op)` lists the requests of one op.
 */
async function mockOnair(handlers = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const log = [];
  wss.on('connection', (ws) => {
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString());
      log.push({ op: msg.op, args: msg.args });
      const ctx = {
        reply: (result) => ws.send(JSON.stringify({ id: msg.id, result })),
        error: (error) => ws.send(JSON.stringify({ id: msg.id, error })),
      };
      if (msg.op === 'connect') {
        ctx.reply({
          sessionId: 's_live', userId: 'alice', name: 'Alice', scope: null, expiresAt: iso(3600_000),
          serverTime: iso(0), server: { version: 'mock' }, keepalive: { pingIntervalMs: 20000, pingTimeoutMs: 10000 },
        });
      } else if (handlers[msg.op]) {
        const result = handlers[msg.op](msg.args, ctx);
        if (result !== undefined) ctx.reply(result);
      } else {
        ctx.error({ code: 'unknown_op', message: `unknown op '${msg.op}'` });
      }
    });
  });
  const mock = {
    url: `http://127.0.0.1:${wss.address().port}`,
    log,
    ops: (op) => log.filter((m) => m.op === op),
    sendAll(frame) { for (const c of wss.clients) c.send(JSON.stringify(frame)); },
    dropAll() { for (const c of wss.clients) c.terminate(); },
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    },
  };
  cleanups.push(() => mock.close());
  return mock;
}

async function open(mock, options = {}) {
  const client = await connect({ url: mock.url, token: 'tok-1', WebSocket, reconnect: { minDelayMs: 5, maxDelayMs: 20 }, ...options });
  cleanups.push(() => client.close());
  return client;
}

async function rejectsWith(promise, code) {
  let caught;
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof OnairError, `expected OnairError, got ${err}`);
    assert.equal(err.code, code, err.message);
    caught = err;
    return true;
  });
  return caught;
}

/** A mock whose live.attach hands out att_1, att_2, … for the liveId asked for. */
function attachingMock(extra = {}) {
  let n = 0;
  return mockOnair({
    'live.attach': (args) => ({
      attachId: `att_${++n}`, liveId: args.liveId,
      transport: { kind: 'iframe-url', url: `https://example.com/${args.liveId}` },
      widgetId: 'browser-stream-viewer', expiresAt: iso(60_000),
      ...(args.modalities ? { modalities: args.modalities } : {}),
    }),
    'live.release': () => ({ ok: true }),
    ...extra,
  });
}

test('publish and unpublish send live.publish / live.unpublish and resolve {ok: true}', async () => {
  const expiresAt = iso(30_000);
  const mock = await mockOnair({
    'live.publish': () => ({ ok: true, expiresAt }),
    'live.unpublish': () => ({ ok: true }),
  });
  const client = await open(mock);
  const meta = {
    liveId: 'content:abc-123',
    transports: [{ kind: 'iframe-url', url: 'https://example.com/stream/abc-123', allow: 'autoplay' }, { kind: 'portal-relay' }],
    widgetId: 'browser-stream-viewer',
    expiresAt: iso(60_000),
    meta: { title: 'Demo' },
  };
  const result = await client.live.publish(meta);
  assert.equal(result.ok, true);
  assert.equal(result.expiresAt, expiresAt);
  assert.deepEqual(mock.ops('live.publish').map((m) => m.args), [meta]);

  // Optional fields left out stay out of the wire args.
  await client.live.publish({ liveId: 'content:min', transports: [{ kind: 'portal-relay' }] });
  assert.deepEqual(mock.ops('live.publish')[1].args, { liveId: 'content:min', transports: [{ kind: 'portal-relay' }] });

  assert.deepEqual(await client.live.unpublish('content:abc-123'), { ok: true });
  assert.deepEqual(mock.ops('live.unpublish').map((m) => m.args), [{ liveId: 'content:abc-123' }]);
});

test('publish and attach refuse bad arguments without sending anything', async () => {
  const mock = await attachingMock({ 'live.publish': () => ({ ok: true }) });
  const client = await open(mock);
  await rejectsWith(client.live.publish({ liveId: 'content:x', transports: [] }), 'invalid_argument');
  await rejectsWith(client.live.publish({ liveId: '', transports: [{ kind: 'portal-relay' }] }), 'invalid_argument');
  await rejectsWith(client.live.publish({ liveId: 'content:x', transports: [{ url: 'https://x' }] }), 'invalid_argument');
  await rejectsWith(client.live.publish({ liveId: 'content:x', transports: [{ kind: 'portal-relay' }], meta: [1] }), 'invalid_argument');
  await rejectsWith(client.live.attach(42), 'invalid_argument');
  await rejectsWith(client.live.attach('content:x', { transports: 'iframe-url' }), 'invalid_argument');
  await rejectsWith(client.live.release(''), 'invalid_argument');
  await rejectsWith(client.live.heartbeat(undefined), 'invalid_argument');
  assert.deepEqual(mock.log.map((m) => m.op), ['connect']);
});

test('attach returns a handle; release() sends live.release once and is idempotent', async () => {
  const mock = await attachingMock();
  const client = await open(mock);
  const handle = await client.live.attach('content:abc-123', {
    transports: ['portal-relay', 'iframe-url'],
    modalities: { audioIn: true, audioOut: false },
  });
  assert.deepEqual(mock.ops('live.attach')[0].args, {
    liveId: 'content:abc-123', transports: ['portal-relay', 'iframe-url'], modalities: { audioIn: true, audioOut: false },
  });
  assert.equal(handle.attachId, 'att_1');
  assert.equal(handle.liveId, 'content:abc-123');
  assert.deepEqual(handle.transport, { kind: 'iframe-url', url: 'https://example.com/content:abc-123' });
  assert.equal(handle.widgetId, 'browser-stream-viewer');
  assert.equal(typeof handle.expiresAt, 'string');
  assert.deepEqual(handle.modalities, { audioIn: true, audioOut: false });
  assert.deepEqual(JSON.parse(JSON.stringify(handle)), {
    attachId: 'att_1', liveId: 'content:abc-123', transport: handle.transport,
    widgetId: 'browser-stream-viewer', expiresAt: handle.expiresAt, modalities: { audioIn: true, audioOut: false },
  });

  // Without options only the liveId goes out.
  const other = await client.live.attach('content:other');
  assert.deepEqual(mock.ops('live.attach')[1].args, { liveId: 'content:other' });

  const { release } = handle; // detached from the handle, it still works
  const [a, b] = [release(), handle.release()];
  assert.equal(await a, undefined);
  assert.equal(await b, undefined);
  await handle.release();
  assert.deepEqual(mock.ops('live.release').map((m) => m.args), [{ attachId: 'att_1' }]);

  // client.live.release on a held slot shares the handle's release.
  assert.deepEqual(await client.live.release(other.attachId), { ok: true });
  await other.release();
  assert.deepEqual(mock.ops('live.release').map((m) => m.args), [{ attachId: 'att_1' }, { attachId: 'att_2' }]);
});

test('a release cut off by a dropped connection can be retried; not_found counts as released', async () => {
  let dropNext = true;
  const mock = await attachingMock({
    'live.release': (args, ctx) => {
      if (dropNext) { dropNext = false; mock.dropAll(); return undefined; }
      return args.attachId === 'att_2' ? ctx.error({ code: 'not_found', message: 'no such slot' }) : { ok: true };
    },
  });
  const client = await open(mock);
  const h1 = await client.live.attach('content:a');
  await rejectsWith(h1.release(), 'disconnected');
  await nextEvent(client, 'connected');
  await h1.release();
  await h1.release();
  assert.equal(mock.ops('live.release').length, 2);
  const h2 = await client.live.attach('content:b');
  await h2.release(); // not_found: nothing left to release
  await h2.release();
  assert.equal(mock.ops('live.release').length, 3);
});

test('live.expired and live.ended reach the handle named by target, and only it', async () => {
  const mock = await attachingMock();
  const client = await open(mock);
  const h1 = await client.live.attach('content:one');
  const h2 = await client.live.attach('content:two');
  const seen = [];
  for (const h of [h1, h2]) {
    for (const ev of ['expired', 'ended']) h.on(ev, (info) => seen.push([h.attachId, ev, info]));
  }
  mock.sendAll({ event: 'live.expired', target: 'att_2', data: { attachId: 'att_2', liveId: 'content:two' } });
  mock.sendAll({ event: 'live.ended', target: 'att_1', data: { attachId: 'att_1', liveId: 'content:one' } });
  mock.sendAll({ event: 'live.ended', target: 'att_99', data: { attachId: 'att_99', liveId: 'content:x' } });
  mock.sendAll({ event: 'live.ended', target: 'att_1x', data: { attachId: 'att_1x', liveId: 'content:one' } });
  await client.request('sys.echo', {}).catch(() => {}); // a round trip: the events are in
  assert.deepEqual(seen, [
    ['att_2', 'expired', { attachId: 'att_2', liveId: 'content:two' }],
    ['att_1', 'ended', { attachId: 'att_1', liveId: 'content:one' }],
  ]);

  // After release the handle hears nothing more.
  await h1.release();
  mock.sendAll({ event: 'live.ended', target: 'att_1', data: { attachId: 'att_1', liveId: 'content:one' } });
  await client.request('sys.echo', {}).catch(() => {});
  assert.equal(seen.length, 2);
});

test('handles stay after a reconnect and still get their events', async () => {
  const mock = await attachingMock();
  const client = await open(mock);
  const handle = await client.live.attach('content:keep');
  const ended = [];
  handle.on('ended', (info) => ended.push(info));
  mock.dropAll();
  await nextEvent(client, 'connected');
  assert.equal(mock.ops('live.attach').length, 1, 'no re-attach after reconnect');
  mock.sendAll({ event: 'live.ended', target: handle.attachId, data: { attachId: handle.attachId, liveId: 'content:keep' } });
  await client.request('sys.echo', {}).catch(() => {});
  assert.equal(ended.length, 1);
});

test('heartbeat sends live.heartbeat and moves the handle expiry', async () => {
  const later = iso(120_000);
  const mock = await attachingMock({ 'live.heartbeat': () => ({ ok: true, expiresAt: later }) });
  const client = await open(mock);
  const handle = await client.live.attach('content:hb');
  const result = await client.live.heartbeat(handle.attachId);
  assert.deepEqual(result, { ok: true, expiresAt: later });
  assert.equal(handle.expiresAt, later);
  assert.deepEqual(mock.ops('live.heartbeat').map((m) => m.args), [{ attachId: 'att_1' }]);
});

test('url.resolve sends live.resolve and returns {ok, transport, widgetId}', async () => {
  const mock = await mockOnair({
    'live.resolve': (args) => ({ ok: true, transport: { kind: 'webrtc', signalingChannelId: `sig:${args.liveId}` }, widgetId: 'w' }),
  });
  const client = await open(mock);
  const res = await client.live.url.resolve('content:abc-123');
  assert.deepEqual(res, { ok: true, transport: { kind: 'webrtc', signalingChannelId: 'sig:content:abc-123' }, widgetId: 'w' });
  await client.live.url.resolve('content:abc-123', { transports: ['webrtc'] });
  assert.deepEqual(mock.ops('live.resolve').map((m) => m.args), [
    { liveId: 'content:abc-123' },
    { liveId: 'content:abc-123', transports: ['webrtc'] },
  ]);
  assert.equal(mock.ops('live.attach').length, 0);
});

test('live.viewers events reach client.live.on("viewers")', async () => {
  const mock = await mockOnair();
  const client = await open(mock);
  const seen = [];
  const off = client.live.on('viewers', (info) => seen.push(info));
  const data = { liveId: 'content:abc', total: 3, byTransport: { 'iframe-url': 2, 'portal-relay': 1 } };
  mock.sendAll({ event: 'live.viewers', target: 'content:abc', data });
  await client.request('sys.echo', {}).catch(() => {});
  off();
  mock.sendAll({ event: 'live.viewers', target: 'content:abc', data: { ...data, total: 4 } });
  await client.request('sys.echo', {}).catch(() => {});
  assert.deepEqual(seen, [data]);
});

test('collab.token and collab.turnCredentials send the documented requests', async () => {
  const creds = { urls: ['turn:turn.example.com:3478'], username: '1790000000:alice', credential: 'abc=', ttl: 3600 };
  const mock = await mockOnair({
    'collab.token': (args) => ({ token: `jwt-for-${args.room}`, expiresAt: iso(600_000), scope: 'read-write' }),
    'collab.turnCredentials': () => creds,
  });
  const client = await open(mock);
  const t = await client.collab.token({ room: 'doc_1', kind: 'workspace', ttl: 120 });
  assert.equal(t.token, 'jwt-for-doc_1');
  assert.equal(t.scope, 'read-write');
  await client.collab.token({ room: 'doc_2', kind: 'code' });
  assert.deepEqual(mock.ops('collab.token').map((m) => m.args), [
    { room: 'doc_1', kind: 'workspace', ttl: 120 },
    { room: 'doc_2', kind: 'code' },
  ]);
  assert.deepEqual(await client.collab.turnCredentials(), creds);
  assert.deepEqual(mock.ops('collab.turnCredentials').map((m) => m.args), [{}]);
  await rejectsWith(client.collab.token({ room: '', kind: 'item' }), 'invalid_argument');
  await rejectsWith(client.collab.token({ room: 'r', kind: 'item', ttl: -1 }), 'invalid_argument');
  assert.equal(mock.ops('collab.token').length, 2);
});

test('error replies become OnairError with the documented codes', async () => {
  const codes = ['cap_exceeded', 'unsupported_transport', 'unsupported_kind', 'not_found', 'expired', 'permission', 'service_unavailable'];
  const mock = await mockOnair({
    'live.attach': (args, ctx) => {
      const code = args.liveId.split(':')[1];
      if (code === 'rate_limited') ctx.error({ code, message: 'slow down', retryAfterMs: 1500 });
      else ctx.error({ code, message: `${code} for ${args.liveId}` });
    },
    'live.heartbeat': (args, ctx) => ctx.error({ code: args.attachId, message: 'gone' }),
    'live.resolve': (args, ctx) => ctx.error({ code: 'unsupported_transport', message: 'no transport' }),
    'collab.token': (args, ctx) => ctx.error({ code: 'permission', message: 'no collab grant' }),
    'collab.turnCredentials': (args, ctx) => ctx.error({ code: 'not_found', message: 'TURN is off' }),
  });
  const client = await open(mock);
  for (const code of codes) {
    const err = await rejectsWith(client.live.attach(`content:${code}`), code);
    assert.equal(err.message, `${code} for content:${code}`);
    assert.equal(err.retryAfterMs, undefined);
  }
  const limited = await rejectsWith(client.live.attach('content:rate_limited'), 'rate_limited');
  assert.equal(limited.retryAfterMs, 1500);
  await rejectsWith(client.live.heartbeat('expired'), 'expired');
  await rejectsWith(client.live.heartbeat('not_found'), 'not_found');
  await rejectsWith(client.live.url.resolve('content:x'), 'unsupported_transport');
  await rejectsWith(client.collab.token({ room: 'r', kind: 'item' }), 'permission');
  await rejectsWith(client.collab.turnCredentials(), 'not_found');
});

test('pagehide releases every held slot with navigator.sendBeacon (text body with the token)', async () => {
  const beacons = [];
  const fakeWindow = new EventTarget();
  const hadNavigator = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'window', { value: fakeWindow, configurable: true, writable: true });
  Object.defineProperty(globalThis, 'navigator', {
    value: { sendBeacon: (url, body) => { beacons.push({ url, body }); return true; } },
    configurable: true, writable: true,
  });
  cleanups.push(() => {
    delete globalThis.window;
    if (hadNavigator) Object.defineProperty(globalThis, 'navigator', hadNavigator);
    else delete globalThis.navigator;
  });
  const mock = await attachingMock();
  let n = 0;
  const client = await open(mock, { token: () => `tok-${++n}` });
  const h1 = await client.live.attach('content:a');
  const h2 = await client.live.attach('content:b');
  const h3 = await client.live.attach('content:c');
  await h3.release();
  // The beacon carries the token of the latest connection.
  mock.dropAll();
  await nextEvent(client, 'connected');
  assert.equal(client.lastToken, 'tok-2');

  fakeWindow.dispatchEvent(new Event('pagehide'));
  assert.deepEqual(beacons.map((b) => b.url), [`${mock.url}/v1/live/release`, `${mock.url}/v1/live/release`]);
  assert.ok(beacons.every((b) => typeof b.body === 'string'), 'a string body is sent as text/plain');
  assert.deepEqual(beacons.map((b) => JSON.parse(b.body)), [
    { attachId: h1.attachId, token: 'tok-2' },
    { attachId: h2.attachId, token: 'tok-2' },
  ]);
  // Beaconed slots are released: no second release, no second beacon.
  await h1.release();
  fakeWindow.dispatchEvent(new Event('pagehide'));
  assert.equal(beacons.length, 2);
  assert.deepEqual(mock.ops('live.release').map((m) => m.args), [{ attachId: h3.attachId }]);
});

test('the beacon URL keeps a path prefix and maps wss to https', async () => {
  const mock = await mockOnair();
  const client = await open(mock);
  assert.equal(client.httpUrl('/v1/live/release'), `${mock.url}/v1/live/release`);
  // Constructed without connecting: only the URL mapping is looked at.
  const { OnairClient } = await import('../dist/client/OnairClient.js');
  const proxied = new OnairClient({ url: 'wss://example.com/onair/', token: 't', WebSocket });
  assert.equal(proxied.httpUrl('/v1/live/release'), 'https://example.com/onair/v1/live/release');
});

// -------------------------------------------------------------------------------------------------
// server.live over HTTP

async function recordingHttp(respond) {
  const requests = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, auth: req.headers.authorization, body: body ? JSON.parse(body) : undefined });
      const [status, reply] = respond(req.url);
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(reply));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise((r) => server.close(r)));
  return { url: `http://127.0.0.1:${server.address().port}`, requests };
}

test('server.live.publish / unpublish POST the documented bodies', async () => {
  const http = await recordingHttp((url) => {
    if (url === '/v1/live/publish') return [200, { ok: true, expiresAt: '2026-11-22T10:00:30.000Z' }];
    if (url === '/v1/live/unpublish') return [404, { error: { code: 'not_found', message: 'no such broadcast' } }];
    return [500, {}];
  });
  const api = new OnairServer({ url: http.url, apiKey: 'APIkey', apiSecret: 'secret' });
  const meta = { liveId: 'content:srv', transports: [{ kind: 'webrtc', signalingChannelId: 'sig_1' }], meta: { a: 1 } };
  assert.deepEqual(await api.live.publish(meta), { ok: true, expiresAt: '2026-11-22T10:00:30.000Z' });
  await rejectsWith(api.live.unpublish('content:srv'), 'not_found');
  assert.deepEqual(http.requests.map((r) => [r.method, r.url, r.body]), [
    ['POST', '/v1/live/publish', meta],
    ['POST', '/v1/live/unpublish', { liveId: 'content:srv' }],
  ]);
  assert.ok(http.requests.every((r) => /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/.test(r.auth)));
  await rejectsWith(api.live.publish({ liveId: 'content:srv' }), 'invalid_argument');
  assert.equal(http.requests.length, 2);
});
