// Rooms and channels in the client SDK against a scripted WebSocket server on 127.0.0.1 (no onair
// process): event mapping by target, position tracking, re-join with `since` after a drop,
// `resumed`, publish idempotency keys and the retry after a reconnect. Also the server SDK's
// HTTP paths against a recording HTTP server.
import { test as baseTest, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { connect, OnairError } from '../dist/client/index.js';
import { OnairServer } from '../dist/server/index.js';

const test = (name, fn) => baseTest(name, { timeout: 5000 }, fn);
const FAST = { minDelayMs: 5, maxDelayMs: 20 };
const cleanups = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function session() {
  return {
    sessionId: 's_rooms', userId: 'alice', name: 'Alice', scope: null,
    expiresAt: new Date(Date.now() + 3600_000).toISOString(), serverTime: new Date().toISOString(),
    server: { version: 'mock' }, keepalive: { pingIntervalMs: 20000, pingTimeoutMs: 10000 },
  };
}

/**
 * A scripted onair. `handlers[op](args, ctx)` returns a result (or `{error}` via ctx.error, or
 * undefined to hold the request). `ctx` has `ws`, `conn` (connection index), `reply(result)`,
 * `event(event, target, data)`, `drop()`. Every request is logged with its connection index.
 */
async function mockOnair(handlers = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const log = [];
  let connections = 0;
  wss.on('connection', (ws) => {
    const conn = connections++;
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString());
      log.push({ conn, op: msg.op, args: msg.args, id: msg.id });
      const ctx = {
        ws, conn,
        reply: (result) => ws.send(JSON.stringify({ id: msg.id, result })),
        error: (code, message = code) => ws.send(JSON.stringify({ id: msg.id, error: { code, message } })),
        event: (event, target, data) => ws.send(JSON.stringify({ event, target, data })),
        drop: () => ws.terminate(),
      };
      if (msg.op === 'connect') ctx.reply(session());
      else if (handlers[msg.op]) {
        const result = handlers[msg.op](msg.args, ctx);
        if (result !== undefined) ctx.reply(result);
      } else ctx.reply({});
    });
  });
  const mock = {
    url: `http://127.0.0.1:${wss.address().port}`,
    log,
    ops: (op) => log.filter((m) => m.op === op),
    get connections() { return connections; },
    sendAll(frame) { for (const c of wss.clients) c.send(JSON.stringify(frame)); },
    dropAll() { for (const c of wss.clients) c.terminate(); },
    /** Resolves once `predicate()` holds; polled, so it may look at client-side state too. */
    until(predicate, timeoutMs = 3000) {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const check = () => {
          if (predicate()) return resolve();
          if (Date.now() - started > timeoutMs) return reject(new Error('condition not met in time'));
          setTimeout(check, 5);
        };
        check();
      });
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    },
  };
  cleanups.push(() => mock.close());
  return mock;
}

async function open(mock, options = {}) {
  const client = await connect({ url: mock.url, token: 'tok', WebSocket, reconnect: FAST, ...options });
  cleanups.push(() => client.close());
  return client;
}

function collect(emitterLike, event) {
  const seen = [];
  emitterLike.on(event, (data) => seen.push(data));
  return seen;
}

const nextEvent = (emitterLike, event) => new Promise((resolve) => {
  const off = emitterLike.on(event, (x) => { off(); resolve(x); });
});

async function rejectsWith(promise, code) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof OnairError, `expected OnairError, got ${err}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
}

const joinResult = (room, position = { offset: 0, epoch: 'e1' }, extra = {}) =>
  ({ room, members: [], metadata: {}, position, ...extra });

test('room(name) and channel(name) return the same object per name and refuse bad names', async () => {
  const mock = await mockOnair();
  const client = await open(mock);
  assert.equal(client.room('project_1'), client.room('project_1'));
  assert.notEqual(client.room('project_1'), client.room('project_2'));
  assert.equal(client.channel('deployments'), client.channel('deployments'));
  assert.notEqual(client.room('x'), client.channel('x'));
  assert.equal(client.room('tenant_4:support@eu=1.a-b').name, 'tenant_4:support@eu=1.a-b');
  for (const bad of ['', 'has space', 'slash/name', 'x'.repeat(256), 'é', 42]) {
    assert.throws(() => client.room(bad), (e) => e instanceof OnairError && e.code === 'invalid_argument', String(bad));
    assert.throws(() => client.channel(bad), (e) => e instanceof OnairError && e.code === 'invalid_argument', String(bad));
  }
});

test('room events are mapped from room.* wire events and filtered by target', async () => {
  const mock = await mockOnair({ 'room.join': (args) => joinResult(args.room) });
  const client = await open(mock);
  const a = client.room('a');
  const b = client.room('b');
  await a.join();
  const seen = {};
  for (const ev of ['message', 'memberJoined', 'memberLeft', 'presence', 'metadata', 'destroyed']) {
    seen[ev] = collect(a, ev);
  }
  const bMessages = collect(b, 'message');
  const member = { userId: 'bob', name: 'Bob', metadata: { role: 'viewer' }, presence: null, connections: 1, joinedAt: 1 };
  const msg = (n, target) => ({ event: 'room.message', target, data: { type: 't', data: { n }, publisher: 'bob', timestamp: 5, offset: n, epoch: 'e1' } });
  mock.sendAll(msg(1, 'a'));
  mock.sendAll(msg(2, 'b'));
  mock.sendAll(msg(3, 'ab'));                                   // prefix-like names must not match
  mock.sendAll({ event: 'channel.message', target: 'a', data: { type: 'c', data: null, publisher: null, timestamp: 1, offset: 9, epoch: 'x' } });
  mock.sendAll({ event: 'room.memberJoined', target: 'a', data: member });
  mock.sendAll({ event: 'room.memberJoined', target: 'b', data: { ...member, userId: 'carol' } });
  mock.sendAll({ event: 'room.presence', target: 'a', data: { userId: 'bob', presence: { status: 'away' } } });
  mock.sendAll({ event: 'room.metadata', target: 'a', data: { metadata: { title: 'T' }, version: 2, updatedAt: 'now' } });
  mock.sendAll({ event: 'room.memberLeft', target: 'a', data: { userId: 'bob' } });
  mock.sendAll({ event: 'room.destroyed', target: 'a', data: {} });
  await sleep(50);
  assert.deepEqual(seen.message.map((m) => m.data.n), [1]);
  assert.deepEqual(seen.message[0], msg(1, 'a').data);
  assert.deepEqual(bMessages.map((m) => m.data.n), [2]);
  assert.deepEqual(seen.memberJoined, [member]);
  assert.deepEqual(seen.presence, [{ userId: 'bob', presence: { status: 'away' } }]);
  assert.deepEqual(seen.metadata, [{ metadata: { title: 'T' }, version: 2, updatedAt: 'now' }]);
  assert.deepEqual(seen.memberLeft, [{ userId: 'bob' }]);
  assert.equal(seen.destroyed.length, 1);
  assert.equal(a.isJoined, false, 'destroyed ends the membership');
});

test('on() returns a remover', async () => {
  const mock = await mockOnair();
  const client = await open(mock);
  const room = client.room('r');
  const seen = [];
  const off = room.on('message', (m) => seen.push(m.type));
  mock.sendAll({ event: 'room.message', target: 'r', data: { type: 'one', data: null, publisher: null, timestamp: 1 } });
  await sleep(30);
  off();
  mock.sendAll({ event: 'room.message', target: 'r', data: { type: 'two', data: null, publisher: null, timestamp: 1 } });
  await sleep(30);
  assert.deepEqual(seen, ['one']);
});

test('the room tracks its position from the join result and stored messages only', async () => {
  const mock = await mockOnair({ 'room.join': (args) => joinResult(args.room, { offset: 3, epoch: 'e1' }) });
  const client = await open(mock);
  const room = client.room('pos');
  assert.equal(room.position, undefined);
  const result = await room.join();
  assert.deepEqual(result.position, { offset: 3, epoch: 'e1' });
  assert.deepEqual(room.position, { offset: 3, epoch: 'e1' });
  const send = (data) => mock.sendAll({ event: 'room.message', target: 'pos', data: { type: 't', data: null, publisher: null, timestamp: 1, ...data } });
  send({ offset: 4, epoch: 'e1' });
  send({});                                                     // a broadcast: no offset
  await sleep(30);
  assert.deepEqual(room.position, { offset: 4, epoch: 'e1' });
  send({ offset: 2, epoch: 'e1' });                             // never moves backwards in an epoch
  await sleep(30);
  assert.deepEqual(room.position, { offset: 4, epoch: 'e1' });
  send({ offset: 1, epoch: 'e2' });                             // a new epoch replaces it
  await sleep(30);
  assert.deepEqual(room.position, { offset: 1, epoch: 'e2' });
  mock.sendAll({ event: 'room.message', target: 'other', data: { type: 't', data: null, publisher: null, timestamp: 1, offset: 99, epoch: 'e2' } });
  await sleep(30);
  assert.deepEqual(room.position, { offset: 1, epoch: 'e2' });
});

test('join sends metadata and presence; after a drop the room re-joins with since, the same metadata and the last presence', async () => {
  const mock = await mockOnair({
    'room.join': (args, ctx) => (ctx.conn === 0
      ? joinResult(args.room, { offset: 3, epoch: 'e1' })
      : joinResult(args.room, { offset: 6, epoch: 'e1' }, { recovered: true })),
  });
  const client = await open(mock);
  const room = client.room('project_123');
  await room.join({ metadata: { role: 'editor' }, presence: { status: 'online' } });
  assert.deepEqual(mock.ops('room.join')[0].args, { room: 'project_123', metadata: { role: 'editor' }, presence: { status: 'online' } });
  await room.presence({ status: 'away' });
  assert.deepEqual(mock.ops('room.presence')[0].args, { room: 'project_123', presence: { status: 'away' } });
  mock.sendAll({ event: 'room.message', target: 'project_123', data: { type: 't', data: 1, publisher: 'bob', timestamp: 1, offset: 4, epoch: 'e1' } });
  mock.sendAll({ event: 'room.message', target: 'project_123', data: { type: 't', data: 2, publisher: 'bob', timestamp: 1, offset: 5, epoch: 'e1' } });
  await mock.until(() => room.position?.offset === 5);

  const resumed = nextEvent(room, 'resumed');
  mock.dropAll();
  const info = await resumed;
  assert.equal(info.recovered, true);
  const rejoin = mock.ops('room.join')[1];
  assert.equal(rejoin.conn, 1, 're-joined on the new connection');
  assert.deepEqual(rejoin.args, {
    room: 'project_123', metadata: { role: 'editor' }, presence: { status: 'away' }, since: { offset: 5, epoch: 'e1' },
  });
  assert.equal(room.isJoined, true);
});

test('the re-join goes out before requests queued while reconnecting', async () => {
  const mock = await mockOnair({ 'room.join': (args) => joinResult(args.room, { offset: 0, epoch: 'e1' }, { recovered: true }) });
  const client = await open(mock);
  const room = client.room('order');
  await room.join();
  const reconnecting = nextEvent(client, 'reconnecting');
  mock.dropAll();
  await reconnecting;
  const members = room.members();                                // queued while reconnecting
  await members;
  const second = mock.log.filter((m) => m.conn === 1 && m.op !== 'connect').map((m) => m.op);
  assert.deepEqual(second, ['room.join', 'room.members']);
});

test('an unrecovered resume emits resumed {recovered:false} and takes the new position', async () => {
  const mock = await mockOnair({
    'room.join': (args, ctx) => (ctx.conn === 0
      ? joinResult(args.room, { offset: 7, epoch: 'e1' })
      : joinResult(args.room, { offset: 2, epoch: 'e2' }, { recovered: false })),
  });
  const client = await open(mock);
  const room = client.room('gone');
  await room.join();
  const resumed = nextEvent(room, 'resumed');
  mock.dropAll();
  const info = await resumed;
  assert.equal(info.recovered, false);
  assert.deepEqual(mock.ops('room.join')[1].args.since, { offset: 7, epoch: 'e1' });
  assert.deepEqual(room.position, { offset: 2, epoch: 'e2' });
});

test('a room that was left, or never joined, is not re-joined after a reconnect', async () => {
  const mock = await mockOnair({ 'room.join': (args) => joinResult(args.room) });
  const client = await open(mock);
  await client.room('left').join();
  await client.room('left').leave();
  client.room('never');
  assert.deepEqual(mock.ops('room.leave')[0].args, { room: 'left' });
  const connected = nextEvent(client, 'connected');
  mock.dropAll();
  await connected;
  await client.request('sys.ping');
  assert.equal(mock.ops('room.join').length, 1);
});

test('a room destroyed by the server is not re-joined', async () => {
  const mock = await mockOnair({ 'room.join': (args) => joinResult(args.room, { offset: 4, epoch: 'e1' }) });
  const client = await open(mock);
  const room = client.room('temp');
  await room.join();
  const destroyed = nextEvent(room, 'destroyed');
  mock.sendAll({ event: 'room.destroyed', target: 'temp', data: {} });
  await destroyed;
  assert.equal(room.position, undefined, 'the old stream is gone');
  const connected = nextEvent(client, 'connected');
  mock.dropAll();
  await connected;
  await client.request('sys.ping');
  assert.equal(mock.ops('room.join').length, 1);
});

test('a re-join refused by the server ends the membership and is reported as a client error', async () => {
  const mock = await mockOnair({
    'room.join': (args, ctx) => {
      if (ctx.conn === 0) return joinResult(args.room);
      ctx.error('permission', 'no subscribe grant');
      return undefined;
    },
  });
  const client = await open(mock);
  const room = client.room('locked');
  await room.join();
  const error = nextEvent(client, 'error');
  mock.dropAll();
  const err = await error;
  assert.equal(err.code, 'permission');
  assert.equal(room.isJoined, false);
});

test('publish generates a fresh idempotency key unless one is given', async () => {
  let offset = 0;
  const mock = await mockOnair({ 'room.publish': () => ({ offset: ++offset, epoch: 'e1', timestamp: 1, duplicate: false }) });
  const client = await open(mock);
  const room = client.room('keys');
  const r1 = await room.publish({ type: 'task.created', data: { taskId: 'task_123' } });
  await room.publish({ type: 'task.created' });
  await room.publish({ type: 'comment.created', data: { body: 'x' }, idempotencyKey: 'client_event_123' });
  assert.deepEqual(r1, { offset: 1, epoch: 'e1', timestamp: 1, duplicate: false });
  const [a, b, c] = mock.ops('room.publish').map((m) => m.args);
  assert.equal(a.room, 'keys');
  assert.equal(a.type, 'task.created');
  assert.deepEqual(a.data, { taskId: 'task_123' });
  assert.equal(typeof a.idempotencyKey, 'string');
  assert.ok(a.idempotencyKey.length >= 16, a.idempotencyKey);
  assert.notEqual(a.idempotencyKey, b.idempotencyKey);
  assert.equal('data' in b, false, 'no data sent when none given');
  assert.equal(c.idempotencyKey, 'client_event_123');
  await rejectsWith(room.publish({ data: 1 }), 'invalid_argument');
  await rejectsWith(room.publish({ type: 't', idempotencyKey: '' }), 'invalid_argument');
});

test('without crypto.randomUUID the generated keys are still distinct', async () => {
  const mock = await mockOnair({ 'channel.publish': () => ({ offset: 1, epoch: 'e', timestamp: 1, duplicate: false }) });
  const client = await open(mock);
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
  Object.defineProperty(globalThis, 'crypto', { value: {}, configurable: true, writable: true });
  try {
    for (let i = 0; i < 20; i++) await client.channel('c').publish({ type: 't' });
  } finally {
    Object.defineProperty(globalThis, 'crypto', saved);
  }
  const keys = mock.ops('channel.publish').map((m) => m.args.idempotencyKey);
  assert.equal(new Set(keys).size, 20);
  for (const k of keys) assert.match(k, /^[A-Za-z0-9_-]{16,}$/);
  assert.equal(typeof globalThis.crypto.randomUUID, 'function', 'restored');
});

test('a publish cut off by a drop is sent once more after the reconnect with the same key, after the re-join', async () => {
  const mock = await mockOnair({
    'room.join': (args, ctx) => joinResult(args.room, { offset: 0, epoch: 'e1' }, ctx.conn ? { recovered: true } : {}),
    'room.publish': (args, ctx) => {
      if (ctx.conn === 0) { ctx.drop(); return undefined; }        // the reply never comes
      return { offset: 1, epoch: 'e1', timestamp: 2, duplicate: true };
    },
  });
  const client = await open(mock);
  const room = client.room('retry');
  await room.join();
  const result = await room.publish({ type: 'comment.created', data: { body: 'Looks good.' } });
  assert.deepEqual(result, { offset: 1, epoch: 'e1', timestamp: 2, duplicate: true });
  const publishes = mock.ops('room.publish');
  assert.equal(publishes.length, 2);
  assert.deepEqual(publishes.map((p) => p.conn), [0, 1]);
  assert.equal(publishes[1].args.idempotencyKey, publishes[0].args.idempotencyKey);
  assert.deepEqual(publishes[1].args, publishes[0].args);
  const second = mock.log.filter((m) => m.conn === 1 && m.op !== 'connect').map((m) => m.op);
  assert.deepEqual(second, ['room.join', 'room.publish']);
});

test('a given idempotency key is reused on the retry; only one retry is made', async () => {
  const mock = await mockOnair({ 'channel.publish': (args, ctx) => { ctx.drop(); return undefined; } });
  const client = await open(mock);
  await rejectsWith(client.channel('deployments').publish({ type: 'x', idempotencyKey: 'k-1' }), 'disconnected');
  const publishes = mock.ops('channel.publish');
  assert.equal(publishes.length, 2);
  assert.deepEqual(publishes.map((p) => p.args.idempotencyKey), ['k-1', 'k-1']);
});

test('publish is not retried after a server error, nor when the client does not reconnect', async () => {
  const mock = await mockOnair({
    'room.publish': (args, ctx) => {
      if (args.type === 'refused') ctx.error('permission', 'no publish grant');
      else ctx.drop();
      return undefined;
    },
  });
  const client = await open(mock);
  await rejectsWith(client.room('r').publish({ type: 'refused' }), 'permission');
  assert.equal(mock.ops('room.publish').length, 1);
  const noReconnect = await open(mock, { reconnect: false });
  await rejectsWith(noReconnect.room('r').publish({ type: 'dropped' }), 'disconnected');
  assert.equal(mock.ops('room.publish').length, 2);
});

test('send names its target and is not retried', async () => {
  const mock = await mockOnair({ 'room.send': (args, ctx) => { ctx.drop(); return undefined; } });
  const client = await open(mock);
  await rejectsWith(client.room('r').send({ to: 'bob', type: 'offer', data: { sdp: 'x' } }), 'disconnected');
  const sent = mock.ops('room.send');
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0].args, { room: 'r', to: 'bob', type: 'offer', data: { sdp: 'x' } });
  await rejectsWith(client.room('r').send({ to: '', type: 'offer' }), 'invalid_argument');
});

test('broadcast sends no idempotency key and is not retried', async () => {
  const mock = await mockOnair({ 'room.broadcast': (args, ctx) => { ctx.drop(); return undefined; } });
  const client = await open(mock);
  await rejectsWith(client.room('r').broadcast({ type: 'cursor', data: { x: 1 } }), 'disconnected');
  const sent = mock.ops('room.broadcast');
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0].args, { room: 'r', type: 'cursor', data: { x: 1 } });
});

test('room requests carry the documented args', async () => {
  const mock = await mockOnair({
    'room.metadata': (args) => ({ room: args.room, metadata: args.metadata ?? {}, version: args.metadata ? 1 : 0, updatedAt: null }),
  });
  const client = await open(mock);
  const room = client.room('project_123');
  await room.history();
  await room.history({ limit: 10, cursor: 'c1', direction: 'forward' });
  await room.history({ cursor: null });
  await room.members();
  await room.metadata();
  const written = await room.metadata({ metadata: { title: 'Launch plan' } });
  await room.metadata({ metadata: { locked: true }, version: 1 });
  await room.snapshot();
  await room.snapshot({ limit: 5 });
  await room.destroy();
  assert.deepEqual(written, { room: 'project_123', metadata: { title: 'Launch plan' }, version: 1, updatedAt: null });
  const sent = mock.log.filter((m) => m.op !== 'connect').map((m) => [m.op, m.args]);
  assert.deepEqual(sent, [
    ['room.history', { room: 'project_123' }],
    ['room.history', { room: 'project_123', limit: 10, cursor: 'c1', direction: 'forward' }],
    ['room.history', { room: 'project_123' }],
    ['room.members', { room: 'project_123' }],
    ['room.metadata', { room: 'project_123' }],
    ['room.metadata', { room: 'project_123', metadata: { title: 'Launch plan' } }],
    ['room.metadata', { room: 'project_123', metadata: { locked: true }, version: 1 }],
    ['room.snapshot', { room: 'project_123' }],
    ['room.snapshot', { room: 'project_123', limit: 5 }],
    ['room.destroy', { room: 'project_123' }],
  ]);
  await rejectsWith(room.metadata({ version: 1 }), 'invalid_argument');
});

test('members(), join() and snapshot() follow the server\'s page cursors and return everything once', async () => {
  const member = (i) => ({ userId: `u${i}`, name: '', metadata: {}, presence: null, connections: 1, joinedAt: 'x' });
  const all = Array.from({ length: 7 }, (_, i) => member(i));
  // Pages of three members; the cursor is the index of the next one.
  const membersPage = (from) => ({ members: all.slice(from, from + 3), cursor: from + 3 < all.length ? `c${from + 3}` : null });
  const message = (offset) => ({ type: 't', data: offset, publisher: 'u0', timestamp: 1, offset, epoch: 'e1' });
  const mock = await mockOnair({
    'room.members': (args) => membersPage(args.cursor ? Number(args.cursor.slice(1)) : 0),
    'room.join': (args) => ({ ...joinResult(args.room, { offset: 5, epoch: 'e1' }), members: all.slice(0, 3), membersCursor: 'c3' }),
    'room.snapshot': (args) => {
      const metadata = { room: args.room, metadata: {}, version: 0, updatedAt: null };
      const position = { offset: 5, epoch: 'e1' };
      if (!args.cursor) return { room: args.room, members: all.slice(0, 4), metadata, messages: [message(4), message(5)], position, cursor: 's1' };
      if (args.cursor === 's1') return { room: args.room, members: all.slice(4), metadata, messages: [message(2), message(3)], position, cursor: 's2' };
      return { room: args.room, members: [], metadata, messages: [message(1)], position, cursor: null };
    },
  });
  const client = await open(mock);
  const room = client.room('crowd');

  const listed = await room.members();
  assert.deepEqual(listed.members.map((m) => m.userId), ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6']);
  assert.equal(listed.cursor, null);
  assert.deepEqual(mock.ops('room.members').map((m) => m.args), [{ room: 'crowd' }, { room: 'crowd', cursor: 'c3' }, { room: 'crowd', cursor: 'c6' }]);

  const page = await room.membersPage({ limit: 3, cursor: 'c3' });
  assert.deepEqual(page.members.map((m) => m.userId), ['u3', 'u4', 'u5']);
  assert.equal(page.cursor, 'c6');

  const joined = await room.join();
  assert.deepEqual(joined.members.map((m) => m.userId), ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6']);
  assert.equal(joined.membersCursor, null);

  const snap = await room.snapshot({ limit: 5 });
  assert.deepEqual(snap.members.map((m) => m.userId), ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6']);
  assert.deepEqual(snap.messages.map((m) => m.offset), [1, 2, 3, 4, 5]);
  assert.equal(snap.cursor, null);
  assert.deepEqual(mock.ops('room.snapshot').map((m) => m.args), [{ room: 'crowd', limit: 5 }, { room: 'crowd', cursor: 's1' }, { room: 'crowd', cursor: 's2' }]);
});

test('server SDK: members(), presence() and snapshot() follow page cursors', async () => {
  const { seen, api } = await recordingHttp((req) => {
    const url = new URL(req.url, 'http://x');
    const cursor = url.searchParams.get('cursor');
    if (url.pathname.endsWith('/members')) {
      return { body: cursor ? { members: [{ userId: 'b' }], cursor: null } : { members: [{ userId: 'a' }], cursor: 'm 1' } };
    }
    if (url.pathname.endsWith('/presence')) {
      return { body: cursor ? { presence: [{ userId: 'b', presence: 2 }], cursor: null } : { presence: [{ userId: 'a', presence: 1 }], cursor: 'p1' } };
    }
    return { body: cursor ? { members: [{ userId: 'b' }], messages: [{ offset: 1 }], cursor: null }
                          : { room: 'r', members: [{ userId: 'a' }], messages: [{ offset: 2 }], position: { offset: 2, epoch: 'e' }, cursor: 's1' } };
  });
  const room = api.room('r');
  assert.deepEqual((await room.members()).members.map((m) => m.userId), ['a', 'b']);
  assert.deepEqual((await room.presence()).presence.map((p) => p.presence), [1, 2]);
  const snap = await room.snapshot();
  assert.deepEqual(snap.members.map((m) => m.userId), ['a', 'b']);
  assert.deepEqual(snap.messages.map((m) => m.offset), [1, 2]);
  assert.deepEqual(snap.position, { offset: 2, epoch: 'e' });
  assert.deepEqual((await room.membersPage({ limit: 1 })).cursor, 'm 1');
  assert.deepEqual(seen.map((s) => s.url), [
    '/v1/rooms/r/members', '/v1/rooms/r/members?cursor=m+1',
    '/v1/rooms/r/presence', '/v1/rooms/r/presence?cursor=p1',
    '/v1/rooms/r/snapshot', '/v1/rooms/r/snapshot?cursor=s1',
    '/v1/rooms/r/members?limit=1',
  ]);
});

test('client.stats() sends sys.stats', async () => {
  const stats = { rooms: 1, channels: 2, members: 3, connections: 4, messages: { stored: 5, delivered: 6 } };
  const mock = await mockOnair({ 'sys.stats': () => stats });
  const client = await open(mock);
  assert.deepEqual(await client.stats(), stats);
  assert.deepEqual(mock.ops('sys.stats')[0].args, {});
});

test('channel: subscribe handler gets messages of its channel only; stats, history, unsubscribe', async () => {
  const mock = await mockOnair({
    'channel.subscribe': (args) => ({ channel: args.channel, position: { offset: 2, epoch: 'c1' } }),
    'channel.stats': (args) => ({ channel: args.channel, subscribers: 1, messages: 2, position: { offset: 2, epoch: 'c1' } }),
  });
  const client = await open(mock);
  const ch = client.channel('deployments');
  const got = [];
  const result = await ch.subscribe((m) => got.push(m.data));
  assert.deepEqual(result.position, { offset: 2, epoch: 'c1' });
  assert.deepEqual(ch.position, { offset: 2, epoch: 'c1' });
  const send = (target, n, event = 'channel.message') =>
    mock.sendAll({ event, target, data: { type: 'deployment.finished', data: { n }, publisher: null, timestamp: 1, offset: n, epoch: 'c1' } });
  send('deployments', 3);
  send('other', 4);
  send('deployments', 5, 'room.message');
  await mock.until(() => got.length >= 1);
  await sleep(30);
  assert.deepEqual(got, [{ n: 3 }]);
  assert.deepEqual(ch.position, { offset: 3, epoch: 'c1' });
  const stats = await ch.stats();
  assert.equal(stats.subscribers, 1);
  await ch.history({ limit: 50, cursor: 'abc' });
  await ch.unsubscribe();
  send('deployments', 6);
  await sleep(30);
  assert.deepEqual(got, [{ n: 3 }], 'the subscribe handler is removed by unsubscribe');
  const sent = mock.log.filter((m) => m.op !== 'connect').map((m) => [m.op, m.args]);
  assert.deepEqual(sent, [
    ['channel.subscribe', { channel: 'deployments' }],
    ['channel.stats', { channel: 'deployments' }],
    ['channel.history', { channel: 'deployments', limit: 50, cursor: 'abc' }],
    ['channel.unsubscribe', { channel: 'deployments' }],
  ]);
});

test('channel: subscribe with since; re-subscribes with since after a drop and emits resumed', async () => {
  const mock = await mockOnair({
    'channel.subscribe': (args) => ({ channel: args.channel, position: { offset: 9, epoch: 'c1' }, ...(args.since ? { recovered: true } : {}) }),
  });
  const client = await open(mock);
  const ch = client.channel('alerts');
  const messages = collect(ch, 'message');
  await ch.subscribe(undefined, { since: { offset: 4, epoch: 'c1' } });
  assert.deepEqual(mock.ops('channel.subscribe')[0].args, { channel: 'alerts', since: { offset: 4, epoch: 'c1' } });
  assert.deepEqual(ch.position, { offset: 4, epoch: 'c1' }, 'replayed messages, not the reply, move the position');
  for (let n = 5; n <= 9; n++) {
    mock.sendAll({ event: 'channel.message', target: 'alerts', data: { type: 't', data: n, publisher: null, timestamp: 1, offset: n, epoch: 'c1' } });
  }
  await mock.until(() => messages.length === 5);
  assert.deepEqual(ch.position, { offset: 9, epoch: 'c1' });
  const resumed = nextEvent(ch, 'resumed');
  mock.dropAll();
  assert.equal((await resumed).recovered, true);
  const again = mock.ops('channel.subscribe')[1];
  assert.equal(again.conn, 1);
  assert.deepEqual(again.args, { channel: 'alerts', since: { offset: 9, epoch: 'c1' } });
});

test('channel: an unsubscribed channel is not re-subscribed', async () => {
  const mock = await mockOnair({ 'channel.subscribe': (args) => ({ channel: args.channel, position: { offset: 0, epoch: 'c' } }) });
  const client = await open(mock);
  const ch = client.channel('quiet');
  await ch.subscribe();
  await ch.unsubscribe();
  const connected = nextEvent(client, 'connected');
  mock.dropAll();
  await connected;
  await client.request('sys.ping');
  assert.equal(mock.ops('channel.subscribe').length, 1);
});

// ---------------------------------------------------------------------------------------------
// Server SDK: routes, methods, bodies and encoded path segments.

async function recordingHttp(respond = () => ({})) {
  const seen = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const entry = { method: req.method, url: req.url, body: body ? JSON.parse(body) : undefined, auth: req.headers.authorization };
      seen.push(entry);
      const out = respond(entry);
      res.writeHead(out.status ?? 200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(out.body ?? {}));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise((r) => server.close(r)));
  const api = new OnairServer({ url: `http://127.0.0.1:${server.address().port}`, apiKey: 'k', apiSecret: 's' });
  return { seen, api };
}

test('server SDK: room and channel routes with encoded names', async () => {
  const { seen, api } = await recordingHttp();
  const room = api.room('tenant_1:support');
  await room.publish({ type: 'task.created', data: { id: 1 }, idempotencyKey: 'k1' });
  await room.broadcast({ type: 'ping' });
  await room.history({ limit: 2, cursor: 'a b/c', direction: 'forward' });
  await room.history();
  await room.members();
  await room.presence();
  await room.metadata();
  await room.metadata({ metadata: { title: 'T' }, version: 3 });
  await room.snapshot({ limit: 7 });
  await room.join({ userId: 'bot/1', name: 'Bot', metadata: { kind: 'bot' }, presence: { status: 'online' } });
  await room.leave('bot/1');
  await room.destroy();
  const ch = api.channel('tenant_1:alerts');
  await ch.publish({ type: 'x' });
  await ch.broadcast({ type: 'y', data: 1 });
  await ch.history({ limit: 50 });
  await ch.stats();
  await ch.destroy();
  await api.stats();
  const R = '/v1/rooms/tenant_1%3Asupport';
  const C = '/v1/channels/tenant_1%3Aalerts';
  assert.deepEqual(seen.map((s) => [s.method, s.url, s.body]), [
    ['POST', `${R}/publish`, { type: 'task.created', data: { id: 1 }, idempotencyKey: 'k1' }],
    ['POST', `${R}/broadcast`, { type: 'ping' }],
    ['GET', `${R}/history?limit=2&cursor=a+b%2Fc&direction=forward`, undefined],
    ['GET', `${R}/history`, undefined],
    ['GET', `${R}/members`, undefined],
    ['GET', `${R}/presence`, undefined],
    ['GET', `${R}/metadata`, undefined],
    ['PUT', `${R}/metadata`, { metadata: { title: 'T' }, version: 3 }],
    ['GET', `${R}/snapshot?limit=7`, undefined],
    ['POST', `${R}/members`, { userId: 'bot/1', name: 'Bot', metadata: { kind: 'bot' }, presence: { status: 'online' } }],
    ['DELETE', `${R}/members/bot%2F1`, undefined],
    ['DELETE', R, undefined],
    ['POST', `${C}/publish`, { type: 'x' }],
    ['POST', `${C}/broadcast`, { type: 'y', data: 1 }],
    ['GET', `${C}/history?limit=50`, undefined],
    ['GET', `${C}/stats`, undefined],
    ['DELETE', C, undefined],
    ['GET', '/v1/stats', undefined],
  ]);
  assert.ok(seen.every((s) => s.auth?.startsWith('Bearer ')));
});

test('server SDK: errors map to OnairError codes; bad names and arguments are refused locally', async () => {
  const { seen, api } = await recordingHttp(() => ({ status: 409, body: { error: { code: 'conflict', message: 'version is 4' } } }));
  await rejectsWith(api.room('r').metadata({ metadata: {}, version: 1 }), 'conflict');
  assert.throws(() => api.room('bad name'), (e) => e.code === 'invalid_argument');
  assert.throws(() => api.channel(''), (e) => e.code === 'invalid_argument');
  await rejectsWith(api.room('r').publish({}), 'invalid_argument');
  await rejectsWith(api.room('r').join({}), 'invalid_argument');
  await rejectsWith(api.room('r').leave(''), 'invalid_argument');
  assert.equal(seen.length, 1, 'local refusals send nothing');
});
