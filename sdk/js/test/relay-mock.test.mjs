// Portal relay in the client against a scripted WebSocket server (no onair process): the binary
// frame `client.live.send` writes, and incoming binary frames routed as `chunk` events to the
// attach handles of their liveId whose transport is portal-relay.
import { test as baseTest, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { WebSocket, WebSocketServer } from 'ws';
import { connect, OnairError } from '../dist/client/index.js';

const test = (name, fn) => baseTest(name, { timeout: 5000 }, fn);
const cleanups = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const iso = (ms) => new Date(Date.now() + ms).toISOString();
const text = (bytes) => new TextDecoder().decode(bytes);

/** [1][flags][target length u16 BE][target][payload], as onair sends chunks. */
function frame(liveId, flags, payload) {
  const target = Buffer.from(liveId);
  return Buffer.concat([Buffer.from([1, flags, target.length >> 8, target.length & 0xff]), target, Buffer.from(payload)]);
}

/**
 * A scripted onair. live.attach answers portal-relay when asked for it first, iframe-url
 * otherwise; `afterAttach(ws, args)` runs right after the reply is written (same tick). Binary
 * frames from clients are recorded in `binary`.
 */
async function mockOnair({ afterAttach } = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const binary = [];
  const waiters = [];
  let n = 0;
  wss.on('connection', (ws) => {
    ws.on('message', (raw, isBinary) => {
      if (isBinary) {
        binary.push(Buffer.from(raw));
        for (const w of waiters.splice(0)) w();
        return;
      }
      const msg = JSON.parse(raw.toString());
      const reply = (result) => ws.send(JSON.stringify({ id: msg.id, result }));
      if (msg.op === 'connect') {
        reply({ sessionId: 's_relay', userId: 'alice', expiresAt: iso(3600_000), serverTime: iso(0), keepalive: { pingIntervalMs: 20000, pingTimeoutMs: 10000 } });
      } else if (msg.op === 'live.attach') {
        const relay = msg.args.transports?.[0] === 'portal-relay';
        reply({
          attachId: `att_${++n}`, liveId: msg.args.liveId, expiresAt: iso(60_000),
          transport: relay ? { kind: 'portal-relay' } : { kind: 'iframe-url', url: 'https://example.com/x' },
        });
        afterAttach?.(ws, msg.args);
      } else if (msg.op === 'live.release' || msg.op === 'sys.ping') {
        reply({ ok: true });
      } else {
        ws.send(JSON.stringify({ id: msg.id, error: { code: 'unknown_op', message: msg.op } }));
      }
    });
  });
  const mock = {
    url: `http://127.0.0.1:${wss.address().port}`,
    binary,
    /** Resolves once `count` binary frames have arrived. */
    async binaryFrames(count) {
      while (binary.length < count) await new Promise((r) => waiters.push(r));
      return binary.slice(0, count);
    },
    sendAll(data) { for (const c of wss.clients) c.send(data); },
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    },
  };
  cleanups.push(() => mock.close());
  return mock;
}

async function open(mock, options = {}) {
  const client = await connect({ url: mock.url, token: 'tok', WebSocket, reconnect: false, ...options });
  cleanups.push(() => client.close());
  return client;
}

/** Collects a handle's (or client.live's) chunk events. */
function collect(source) {
  const got = [];
  source.on('chunk', (...args) => got.push(args.length === 1 ? args[0] : { liveId: args[0], ...args[1] }));
  return got;
}

async function until(predicate, what, timeoutMs = 2000) {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

test('send writes one binary frame: version 1, flags, target length, target, payload', async () => {
  const mock = await mockOnair();
  const client = await open(mock);
  const liveId = 'content:abc-123';
  assert.equal(client.live.send(liveId, new Uint8Array([0xde, 0xad]), { init: true }), true);
  assert.equal(client.live.send(liveId, new Uint8Array([1, 2, 3]).buffer, { key: true }), true);
  assert.equal(client.live.send(liveId, new DataView(new Uint8Array([9, 8, 7, 6]).buffer, 1, 2)), true);
  assert.equal(client.live.send(liveId, new Uint8Array(0), { init: true, key: true }), true);
  // The target length counts UTF-8 bytes.
  assert.equal(client.live.send('content:é', Buffer.from('x')), true);
  const frames = await mock.binaryFrames(5);
  const head = [1, 0, 0, liveId.length, ...Buffer.from(liveId)];
  assert.deepEqual([...frames[0]], [...head.with(1, 1), 0xde, 0xad]);
  assert.deepEqual([...frames[1]], [...head.with(1, 2), 1, 2, 3]);
  assert.deepEqual([...frames[2]], [...head, 8, 7]);
  assert.deepEqual([...frames[3]], head.with(1, 3));
  assert.deepEqual([...frames[4]], [1, 0, 0, 10, ...Buffer.from('content:é'), 0x78]);
});

test('send refuses bad arguments with invalid_argument and returns false when not connected', async () => {
  const mock = await mockOnair();
  const client = await open(mock);
  const bad = (fn) => assert.throws(fn, (err) => err instanceof OnairError && err.code === 'invalid_argument');
  bad(() => client.live.send('', new Uint8Array(1)));
  bad(() => client.live.send(42, new Uint8Array(1)));
  bad(() => client.live.send('content:x', 'text'));
  bad(() => client.live.send('content:x', [1, 2]));
  bad(() => client.live.send(`content:${'x'.repeat(250)}`, new Uint8Array(1)));
  bad(() => client.live.send('content:x', new Uint8Array(1), 'key'));
  assert.equal(typeof client.live.bufferedAmount, 'number');
  await client.close();
  assert.equal(client.live.send('content:x', new Uint8Array(1)), false);
  await sleep(20);
  assert.equal(mock.binary.length, 0);
});

test('chunks go to the portal-relay handles of their liveId, in order, and to client.live', async () => {
  const mock = await mockOnair();
  const client = await open(mock);
  const a1 = await client.live.attach('content:a', { transports: ['portal-relay'] });
  const a2 = await client.live.attach('content:a', { transports: ['portal-relay'] });
  const aIframe = await client.live.attach('content:a', { transports: ['iframe-url'] });
  const b = await client.live.attach('content:b', { transports: ['portal-relay'] });
  assert.equal(a1.transport.kind, 'portal-relay');
  assert.equal(aIframe.transport.kind, 'iframe-url');
  const [got1, got2, gotIframe, gotB, all] = [collect(a1), collect(a2), collect(aIframe), collect(b), collect(client.live)];

  mock.sendAll(frame('content:a', 1, 'init'));
  mock.sendAll(frame('content:a', 2, 'key'));
  mock.sendAll(frame('content:b', 0, 'b-delta'));
  mock.sendAll(frame('content:a', 0, 'delta'));
  mock.sendAll(frame('content:c', 3, 'nobody'));
  await until(() => all.length === 5, 'five chunks');

  const show = (list) => list.map((c) => `${text(c.data)}${c.init ? '+init' : ''}${c.key ? '+key' : ''}`);
  assert.deepEqual(show(got1), ['init+init', 'key+key', 'delta']);
  assert.deepEqual(show(got2), show(got1));
  assert.deepEqual(show(gotB), ['b-delta']);
  assert.deepEqual(gotIframe, [], 'an iframe-url slot gets no chunks');
  assert.deepEqual(all.map((c) => c.liveId), ['content:a', 'content:a', 'content:b', 'content:a', 'content:c']);
  assert.ok(got1[0].data instanceof Uint8Array);
  assert.equal(got1[0].init, true);
  assert.equal(got1[0].key, false);

  // A released handle gets nothing more; the others still do.
  await a1.release();
  mock.sendAll(frame('content:a', 0, 'after'));
  await until(() => all.length === 6, 'the sixth chunk');
  assert.deepEqual(show(got1), ['init+init', 'key+key', 'delta']);
  assert.deepEqual(show(got2).at(-1), 'after');
});

test('chunks right behind the attach reply reach the handle, even before a chunk handler is added', async () => {
  // onair sends the init chunk and the chunks since the last key right after the attach reply.
  const mock = await mockOnair({
    afterAttach(ws, args) {
      if (args.transports?.[0] !== 'portal-relay') return;
      ws.send(frame(args.liveId, 1, 'init'));
      ws.send(frame(args.liveId, 2, 'key'));
      ws.send(frame(args.liveId, 0, 'd1'));
    },
  });
  const client = await open(mock);
  const handle = await client.live.attach('content:late', { transports: ['portal-relay'] });
  await sleep(50);  // the chunks have arrived; nobody listens yet
  const got = collect(handle);
  assert.deepEqual(got, [], 'held chunks are handed over after on() returns');
  mock.sendAll(frame('content:late', 0, 'd2'));
  await until(() => got.length === 4, 'four chunks');
  assert.deepEqual(got.map((c) => text(c.data)), ['init', 'key', 'd1', 'd2']);
});

test('without a chunk handler a handle keeps only the latest init and the chunks since the latest key', async () => {
  const mock = await mockOnair();
  const client = await open(mock);
  const handle = await client.live.attach('content:held', { transports: ['portal-relay'] });
  for (const [flags, payload] of [[1, 'init1'], [2, 'k1'], [0, 'd1'], [1, 'init2'], [2, 'k2'], [0, 'd2'], [0, 'd3']]) {
    mock.sendAll(frame('content:held', flags, payload));
  }
  const all = collect(client.live);
  await until(() => all.length === 7, 'seven chunks');
  const got = collect(handle);
  await sleep(10);
  assert.deepEqual(got.map((c) => text(c.data)), ['init2', 'k2', 'd2', 'd3']);
});

test('past 256 held chunks without a key a handle keeps the init chunk and waits for the next key', async () => {
  const mock = await mockOnair();
  const client = await open(mock);
  const handle = await client.live.attach('content:long', { transports: ['portal-relay'] });
  const all = collect(client.live);
  mock.sendAll(frame('content:long', 1, 'init'));
  mock.sendAll(frame('content:long', 2, 'k1'));
  for (let i = 0; i < 300; i++) mock.sendAll(frame('content:long', 0, `d${i}`));
  await until(() => all.length === 302, '302 chunks');
  const got = collect(handle);
  mock.sendAll(frame('content:long', 0, 'undecodable'));
  mock.sendAll(frame('content:long', 2, 'k2'));
  mock.sendAll(frame('content:long', 0, 'after-k2'));
  await until(() => all.length === 305, '305 chunks');
  await sleep(10);
  assert.deepEqual(got.map((c) => text(c.data)), ['init', 'k2', 'after-k2']);
});

test('a Buffer from ws (binaryType nodebuffer) is read too; a malformed binary frame is an error event', async () => {
  class NodeBufferSocket extends WebSocket {
    get binaryType() { return super.binaryType; }
    set binaryType(_) { super.binaryType = 'nodebuffer'; }
  }
  const mock = await mockOnair();
  const client = await open(mock, { WebSocket: NodeBufferSocket });
  const handle = await client.live.attach('content:buf', { transports: ['portal-relay'] });
  const got = collect(handle);
  const errors = [];
  client.on('error', (e) => errors.push(e));
  mock.sendAll(Buffer.from([2, 0, 0, 1, 0x41]));  // version 2
  mock.sendAll(Buffer.from([1, 0, 0, 9, 0x41]));  // target past the end
  mock.sendAll(frame('content:buf', 2, 'ok'));
  await until(() => got.length === 1 && errors.length === 2, 'one chunk and two errors');
  assert.equal(text(got[0].data), 'ok');
  assert.equal(got[0].key, true);
  assert.ok(errors.every((e) => e instanceof OnairError && e.code === 'internal'), errors.join());
  assert.equal(client.state, 'connected');
});
