// Stream rooms in the SDK against a scripted WebSocket server and a recording HTTP server on
// 127.0.0.1 (no onair process): the wire form of the calls (metas as base64, users as ids), metas
// back as bytes in replies and events, re-join and re-subscribe after a reconnect, and the
// server SDK's HTTP paths.
import { test as baseTest, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { connect } from '../dist/client/index.js';
import { OnairServer } from '../dist/server/index.js';

const test = (name, fn) => baseTest(name, { timeout: 5000 }, fn);
const cleanups = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()();
});

const ROOM = { streamRoomId: 'sr_1', contextId: 'ctx', users: ['bob'], managers: ['alice'], publicMeta: 'AAEC', privateMeta: '', policy: {}, version: 4 };

/** A scripted onair answering every op with `results[op]` (or {}), logging each request. */
async function mockOnair(results = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const log = [];
  wss.on('connection', (ws) => {
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString());
      log.push({ op: msg.op, args: msg.args });
      const result = msg.op === 'connect'
        ? { sessionId: 's', userId: 'alice', expiresAt: new Date(Date.now() + 3600_000).toISOString(), serverTime: new Date().toISOString(), server: { version: 'mock' }, keepalive: { pingIntervalMs: 20000, pingTimeoutMs: 10000 } }
        : results[msg.op] ?? {};
      ws.send(JSON.stringify({ id: msg.id, result }));
    });
  });
  const mock = {
    url: `http://127.0.0.1:${wss.address().port}`,
    ops: (op) => log.filter((m) => m.op === op),
    event(event, data) { for (const c of wss.clients) c.send(JSON.stringify({ event, target: data.streamRoomId, data })); },
    dropAll() { for (const c of wss.clients) c.terminate(); },
  };
  cleanups.push(() => new Promise((r) => { for (const c of wss.clients) c.terminate(); wss.close(r); }));
  return mock;
}

async function open(mock) {
  const client = await connect({ url: mock.url, token: 'tok', WebSocket, reconnect: { minDelayMs: 5, maxDelayMs: 20 } });
  cleanups.push(() => client.close());
  return client;
}

async function until(check) {
  const deadline = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('calls go out with metas as base64 and users as ids; rooms come back with bytes', async () => {
  const mock = await mockOnair({ 'streams.createStreamRoom': { streamRoomId: 'sr_1' }, 'streams.getStreamRoom': ROOM, 'streams.listStreamRooms': { readItems: [ROOM], totalAvailable: 7 } });
  const client = await open(mock);
  const id = await client.streams.createStreamRoom('ctx', ['bob', { userId: 'carol', pubKey: 'k' }], ['alice'], new Uint8Array([0, 1, 2]), new Uint8Array(), { p: 1 });
  assert.equal(id, 'sr_1');
  assert.deepEqual(mock.ops('streams.createStreamRoom')[0].args, { contextId: 'ctx', users: ['bob', 'carol'], managers: ['alice'], publicMeta: 'AAEC', privateMeta: '', policy: { p: 1 } });
  const room = await client.streams.getStreamRoom('sr_1');
  assert.deepEqual([...room.publicMeta], [0, 1, 2]);
  assert.equal(room.privateMeta.length, 0);
  const page = await client.streams.listStreamRooms('ctx', { skip: 2, limit: 3, sortOrder: 'asc' });
  assert.equal(page.totalAvailable, 7);
  assert.deepEqual([...page.readItems[0].publicMeta], [0, 1, 2]);
  assert.deepEqual(mock.ops('streams.listStreamRooms')[0].args, { contextId: 'ctx', skip: 2, limit: 3, sortOrder: 'asc' });
  await client.streams.updateStreamRoom('sr_1', ['bob'], ['alice'], new Uint8Array([255]), new Uint8Array(), 4, true, true);
  assert.deepEqual(mock.ops('streams.updateStreamRoom')[0].args, { streamRoomId: 'sr_1', users: ['bob'], managers: ['alice'], publicMeta: '/w==', privateMeta: '', version: 4, force: true, forceGenerateNewKey: true });
});

test('bad arguments fail before anything is sent', async () => {
  const mock = await mockOnair();
  const client = await open(mock);
  const bad = (e) => e.code === 'invalid_argument';
  await assert.rejects(client.streams.createStreamRoom('', [], [], new Uint8Array(), new Uint8Array()), bad);
  await assert.rejects(client.streams.createStreamRoom('ctx', 'bob', [], new Uint8Array(), new Uint8Array()), bad);
  await assert.rejects(client.streams.createStreamRoom('ctx', [], [], 'text', new Uint8Array()), bad);
  await assert.rejects(client.streams.updateStreamRoom('sr_1', [], [], new Uint8Array(), new Uint8Array(), 1.5, false, false), bad);
  await assert.rejects(client.streams.listStreamRooms('ctx', { sortOrder: 'up' }), bad);
  assert.equal(mock.ops('streams.createStreamRoom').length + mock.ops('streams.updateStreamRoom').length, 0);
});

test('events arrive by name with metas as bytes; joins and subscriptions come back after a reconnect', async () => {
  const mock = await mockOnair();
  const client = await open(mock);
  const updated = [];
  const joined = [];
  client.streams.on('streamRoomUpdated', (room) => updated.push(room));
  const off = client.streams.on('streamMemberJoined', (e) => joined.push(e));
  await client.streams.subscribeContext('ctx');
  await client.streams.joinStreamRoom('sr_1');
  mock.event('streams.streamRoomUpdated', ROOM);
  mock.event('streams.streamMemberJoined', { streamRoomId: 'sr_1', userId: 'bob' });
  await until(() => updated.length === 1 && joined.length === 1);
  assert.ok(updated[0].publicMeta instanceof Uint8Array);
  off();
  mock.dropAll();
  await until(() => mock.ops('streams.joinStreamRoom').length === 2 && mock.ops('streams.subscribeContext').length === 2);
  await client.streams.leaveStreamRoom('sr_1');
  mock.event('streams.streamMemberJoined', { streamRoomId: 'sr_1', userId: 'carol' });
  mock.dropAll();
  await until(() => mock.ops('streams.subscribeContext').length === 3);
  assert.equal(mock.ops('streams.joinStreamRoom').length, 2, 'a left room is not joined again');
  assert.equal(joined.length, 1, 'a removed handler hears nothing');
});

test('the server SDK uses /v1/streams/rooms', async () => {
  const seen = [];
  const http = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, body: body ? JSON.parse(body) : undefined });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.method === 'POST' ? { streamRoomId: 'sr_9' } : req.url.startsWith('/v1/streams/rooms?') ? { readItems: [ROOM], totalAvailable: 1 } : ROOM));
    });
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  cleanups.push(() => new Promise((r) => http.close(r)));
  const api = new OnairServer({ url: `http://127.0.0.1:${http.address().port}`, apiKey: 'k', apiSecret: 's' });
  assert.equal(await api.streams.createStreamRoom('c 1', ['bob'], ['alice'], new Uint8Array([1]), new Uint8Array()), 'sr_9');
  assert.deepEqual([...(await api.streams.getStreamRoom('sr_1')).publicMeta], [0, 1, 2]);
  assert.equal((await api.streams.listStreamRooms('c 1', { limit: 5 })).totalAvailable, 1);
  await api.streams.updateStreamRoom('sr_1', ['bob'], ['alice'], new Uint8Array(), new Uint8Array(), 4, false, false, { p: 2 });
  await api.streams.deleteStreamRoom('sr_1');
  assert.deepEqual(seen.map((s) => `${s.method} ${s.url}`), [
    'POST /v1/streams/rooms', 'GET /v1/streams/rooms/sr_1', 'GET /v1/streams/rooms?contextId=c+1&limit=5',
    'PUT /v1/streams/rooms/sr_1', 'DELETE /v1/streams/rooms/sr_1',
  ]);
  assert.deepEqual(seen[0].body, { contextId: 'c 1', users: ['bob'], managers: ['alice'], publicMeta: 'AQ==', privateMeta: '' });
  assert.deepEqual(seen[3].body, { users: ['bob'], managers: ['alice'], publicMeta: '', privateMeta: '', version: 4, force: false, forceGenerateNewKey: false, policy: { p: 2 } });
});
