// Portal relay through a real `onair serve` (build/onair, or $ONAIR_BIN): a producer's
// client.live.send chunks reach the viewers' attach handles in order; a late viewer starts with
// the init chunk and the chunks since the latest key (docs/protocol.md, "Portal relay").
import { test as baseTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { WebSocket } from 'ws';
import { startOnair, onairBinary } from '../../../tests/support/onair.mjs';
import { connect, OnairError } from '../dist/client/index.js';
import { OnairServer } from '../dist/server/index.js';

const test = (name, fn) => baseTest(name, { timeout: 20_000 }, fn);
let srv;
let api;
const clients = [];
let counter = 0;
const unique = (prefix) => `${prefix}-${process.pid}-${++counter}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const bytes = (s) => new TextEncoder().encode(s);
const text = (b) => new TextDecoder().decode(b);
const show = (list) => list.map((c) => `${text(c.data)}${c.init ? '+init' : ''}${c.key ? '+key' : ''}`);

before(async () => {
  assert.ok(existsSync(onairBinary), `${onairBinary} is missing: build the server first`);
  srv = await startOnair();
  api = new OnairServer({ url: srv.url, apiKey: srv.apiKey, apiSecret: srv.apiSecret });
});

after(async () => {
  for (const c of clients) await c.close();
  if (srv) await srv.stop();
});

async function open(userId, grants = ['live:content:*:publish,attach']) {
  const { token } = await api.createToken({ userId, ttl: 600, grants });
  const client = await connect({ url: srv.url, WebSocket, reconnect: false, token });
  clients.push(client);
  return client;
}

function collect(handle) {
  const got = [];
  handle.on('chunk', (c) => got.push(c));
  return got;
}

async function until(predicate, what, timeoutMs = 5000) {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

test('a viewer gets the chunks in order; a late viewer gets init and the chunks since the last key first', async () => {
  const liveId = `content:${unique('relay')}`;
  const producer = await open(unique('producer'));
  const viewer = await open(unique('viewer'));
  const seen = [];
  producer.live.on('viewers', (v) => seen.push(v));
  await producer.live.publish({ liveId, transports: [{ kind: 'portal-relay' }] });
  const early = await viewer.live.attach(liveId, { transports: ['portal-relay'] });
  assert.deepEqual(early.transport, { kind: 'portal-relay' });
  const earlyGot = collect(early);

  const sent = [['init', { init: true }], ['key1', { key: true }], ['d1', {}], ['key2', { key: true }], ['d2', {}]];
  for (const [payload, flags] of sent) assert.equal(producer.live.send(liveId, bytes(payload), flags), true);
  await producer.request('sys.ping', {});  // the chunks above were handled before this reply
  await until(() => earlyGot.length === 5, 'five chunks at the early viewer');
  assert.deepEqual(show(earlyGot), ['init+init', 'key1+key', 'd1', 'key2+key', 'd2']);

  const lateClient = await open(unique('late'));
  const late = await lateClient.live.attach(liveId, { transports: ['portal-relay'] });
  const lateGot = collect(late);
  producer.live.send(liveId, bytes('d3'));
  await until(() => lateGot.length === 4 && earlyGot.length === 6, 'd3 at both viewers');
  assert.deepEqual(show(lateGot), ['init+init', 'key2+key', 'd2', 'd3']);
  assert.equal(text(earlyGot.at(-1).data), 'd3');

  // The producer counts both relay viewers.
  await until(() => seen.some((v) => v.liveId === liveId && v.total === 2 && v.byTransport['portal-relay'] === 2), 'live.viewers with 2 relay viewers');

  // Released: no more chunks for that handle.
  await late.release();
  producer.live.send(liveId, bytes('d4'));
  await until(() => earlyGot.length === 7, 'd4 at the early viewer');
  await sleep(50);
  assert.deepEqual(show(lateGot).at(-1), 'd3');
});

test('an iframe-url viewer gets no chunks; a chunk without a publish comes back as a not_found error event', async () => {
  const liveId = `content:${unique('mixed')}`;
  const producer = await open(unique('producer'));
  const viewer = await open(unique('viewer'));
  await producer.live.publish({ liveId, transports: [{ kind: 'iframe-url', url: 'https://example.com/s' }, { kind: 'portal-relay' }] });
  const framed = await viewer.live.attach(liveId);
  assert.equal(framed.transport.kind, 'iframe-url');
  const relayed = await viewer.live.attach(liveId, { transports: ['portal-relay'] });
  const [framedGot, relayedGot] = [collect(framed), collect(relayed)];
  producer.live.send(liveId, bytes('k'), { key: true });
  await until(() => relayedGot.length === 1, 'the chunk at the relay handle');
  await sleep(50);
  assert.deepEqual(framedGot, []);

  const errors = [];
  producer.on('error', (e) => errors.push(e));
  producer.live.send(`content:${unique('unpublished')}`, bytes('x'));
  await until(() => errors.length === 1, 'an error event');
  assert.ok(errors[0] instanceof OnairError);
  assert.equal(errors[0].code, 'not_found');
});
