// Live broadcasts against the real binary: every error code of host.live's table, provoked for real.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOnair } from '../support/onair.mjs';
import { connectClient, ok } from '../support/client.mjs';
import { createHmac } from 'node:crypto';
import { apiCredential, clientToken } from '../support/tokens.mjs';

const grants = { live: { 'content:*': ['publish', 'attach'], 'browser:*': ['publish', 'attach'], 'team:*': ['publish', 'attach'] } };
let srv;
let configDir;
before(async () => {
  configDir = mkdtempSync(join(tmpdir(), 'onair-live-'));
  const config = join(configDir, 'onair.toml');
  // A short-lived kind for expiry tests, and a kind capped per tenant (token scope).
  writeFileSync(config, `[live.kinds.short]
cap = 8
publish_ttl_seconds = 1
slot_ttl_seconds = 1
transports = ["portal-relay"]

[live.kinds.team]
cap = 2
cap_scope = "scope"
`);
  srv = await startOnair({ args: ['--config', config, '--live-attach-rate-per-minute', '30', '--live-viewers-interval-ms', '200',
    '--live-max-entries-per-user', '3'] });
});
after(async () => {
  await srv?.stop();
  rmSync(configDir, { recursive: true, force: true });
});

let n = 0;
const id = (kind) => `${kind}:${process.pid}-${++n}`;
const shortGrants = { live: { 'short:*': ['publish', 'attach'] } };
const portal = [{ kind: 'portal-relay' }];

test('publish, attach with negotiation, heartbeat, idempotent release, viewers for the producer', async () => {
  const liveId = id('content');
  const producer = await connectClient(srv, { sub: 'producer', grants });
  const viewer = await connectClient(srv, { sub: 'viewer', grants });
  await ok(producer, 'live.publish', { liveId, transports: [{ kind: 'iframe-url', url: 'https://example.com/s', allow: 'autoplay' }, { kind: 'portal-relay' }], widgetId: 'browser-stream-viewer', meta: { title: 't' } });
  const handle = await ok(viewer, 'live.attach', { liveId, modalities: { audioIn: false, audioOut: true } });
  assert.deepEqual(handle.transport, { kind: 'iframe-url', url: 'https://example.com/s', allow: 'autoplay' });
  assert.equal(handle.widgetId, 'browser-stream-viewer');
  assert.deepEqual(handle.modalities, { audioIn: false, audioOut: true });
  const relay = await ok(viewer, 'live.attach', { liveId, transports: ['portal-relay', 'iframe-url'] });
  assert.equal(relay.transport.kind, 'portal-relay');
  const viewers = await producer.waitEvent((e) => e.event === 'live.viewers' && e.data.total === 2);
  assert.deepEqual(viewers.data.byTransport, { 'iframe-url': 1, 'portal-relay': 1 });
  const hb = await ok(viewer, 'live.heartbeat', { attachId: handle.attachId });
  assert.ok(Date.parse(hb.expiresAt) > Date.now());
  const resolved = await ok(viewer, 'live.resolve', { liveId });
  assert.equal(resolved.transport.kind, 'iframe-url');
  assert.deepEqual(await ok(viewer, 'live.release', { attachId: handle.attachId }), { ok: true });
  assert.deepEqual(await ok(viewer, 'live.release', { attachId: handle.attachId }), { ok: true });
  assert.equal((await viewer.request('live.heartbeat', { attachId: handle.attachId })).error.code, 'not_found');
  await producer.waitEvent((e) => e.event === 'live.viewers' && e.data.total === 1);
  producer.close();
  viewer.close();
});

test('unpublish sends ended; later attaches get not_found', async () => {
  const liveId = id('content');
  const producer = await connectClient(srv, { sub: 'p2', grants });
  const viewer = await connectClient(srv, { sub: 'v2', grants });
  await ok(producer, 'live.publish', { liveId, transports: portal });
  const handle = await ok(viewer, 'live.attach', { liveId });
  await ok(producer, 'live.unpublish', { liveId });
  const ended = await viewer.waitEvent((e) => e.event === 'live.ended');
  assert.deepEqual(ended.data, { attachId: handle.attachId, liveId });
  assert.equal(ended.target, handle.attachId);
  assert.equal((await viewer.request('live.attach', { liveId })).error.code, 'not_found');
  assert.equal((await viewer.request('live.resolve', { liveId })).error.code, 'not_found');
  producer.close();
  viewer.close();
});

test('an entry not refreshed expires: consumers get expired, attaches and heartbeats get expired', async () => {
  const liveId = id('short');
  const producer = await connectClient(srv, { sub: 'p3', grants: shortGrants });
  const viewer = await connectClient(srv, { sub: 'v3', grants: shortGrants });
  await ok(producer, 'live.publish', { liveId, transports: portal });
  const handle = await ok(viewer, 'live.attach', { liveId });
  const expired = await viewer.waitEvent((e) => e.event === 'live.expired', 4000);
  assert.equal(expired.data.attachId, handle.attachId);
  assert.equal((await viewer.request('live.attach', { liveId })).error.code, 'expired');
  assert.equal((await viewer.request('live.heartbeat', { attachId: handle.attachId })).error.code, 'expired');
  assert.equal((await viewer.request('live.resolve', { liveId })).error.code, 'expired');
  // Publishing again brings it back.
  await ok(producer, 'live.publish', { liveId, transports: portal });
  assert.ok((await ok(viewer, 'live.attach', { liveId })).attachId);
  producer.close();
  viewer.close();
});

test('a slot not heartbeaten expires and frees its cap at once', async () => {
  const liveId = id('short');
  const producer = await connectClient(srv, { sub: 'p4', grants: shortGrants });
  const viewer = await connectClient(srv, { sub: 'v4', grants: shortGrants });
  const expiresAt = new Date(Date.now() + 60_000).toISOString();
  await ok(producer, 'live.publish', { liveId, transports: portal, expiresAt });
  const handles = [];
  for (let i = 0; i < 8; i++) handles.push(await ok(viewer, 'live.attach', { liveId }));
  assert.equal((await viewer.request('live.attach', { liveId })).error.code, 'cap_exceeded');
  await new Promise((r) => setTimeout(r, 1600));
  assert.equal((await viewer.request('live.heartbeat', { attachId: handles[0].attachId })).error.code, 'expired');
  assert.ok((await ok(viewer, 'live.attach', { liveId })).attachId, 'expired slots no longer count');
  producer.close();
  viewer.close();
});

test('caps are per user by default and per token scope when the kind says so', async () => {
  const liveId = id('content');
  const producer = await connectClient(srv, { sub: 'p5', grants });
  await ok(producer, 'live.publish', { liveId, transports: portal });
  const viewer = await connectClient(srv, { sub: 'v5', grants });
  for (let i = 0; i < 8; i++) await ok(viewer, 'live.attach', { liveId });
  const full = await viewer.request('live.attach', { liveId });
  assert.equal(full.error.code, 'cap_exceeded');
  assert.match(full.error.message, /8 of 8/);
  const other = await connectClient(srv, { sub: 'v5b', grants });
  assert.ok((await ok(other, 'live.attach', { liveId })).attachId, 'another user has their own cap');

  const teamLive = id('team');
  await ok(producer, 'live.publish', { liveId: teamLive, transports: portal });
  // Two users of one tenant share the tenant's cap of 2.
  const scoped = (sub) => {
    const now = Math.floor(Date.now() / 1000);
    return connectClient(srv, { token: signScoped(sub, now) });
  };
  const signScoped = (sub, now) => {
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: srv.apiKey })}.${b64({ iss: srv.apiKey, aud: 'onair', sub, iat: now, exp: now + 600, scope: 'tenant_7', grants })}`;
    return `${input}.${createHmac('sha256', srv.apiSecret).update(input).digest('base64url')}`;
  };
  const a = await scoped('ann');
  const b = await scoped('ben');
  await ok(a, 'live.attach', { liveId: teamLive });
  await ok(b, 'live.attach', { liveId: teamLive });
  assert.equal((await a.request('live.attach', { liveId: teamLive })).error.code, 'cap_exceeded');
  for (const c of [producer, viewer, other, a, b]) c.close();
});

test('every error of the document table, each provoked for real', async () => {
  const liveId = id('content');
  const producer = await connectClient(srv, { sub: 'p6', grants });
  const viewer = await connectClient(srv, { sub: 'v6', grants });
  const outsider = await connectClient(srv, { sub: 'v7', grants: { live: { 'browser:*': ['attach'] } } });
  await ok(producer, 'live.publish', { liveId, transports: [{ kind: 'iframe-url', url: 'https://example.com' }] });
  const code = async (c, op, args) => (await c.request(op, args)).error?.code;
  assert.equal(await code(outsider, 'live.attach', { liveId }), 'permission');
  assert.equal(await code(viewer, 'live.attach', { liveId: id('content') }), 'not_found');
  assert.equal(await code(viewer, 'live.attach', { liveId, transports: ['webrtc'] }), 'unsupported_transport');
  assert.equal(await code(viewer, 'live.attach', { liveId: 'nope:1' }), 'unsupported_kind');
  assert.equal(await code(producer, 'live.publish', { liveId: id('short'), transports: portal }), 'permission');
  // `short` allows only portal-relay: publishing an iframe there is an unsupported transport.
  const shortProducer = await connectClient(srv, { sub: 'p6s', grants: shortGrants });
  assert.equal(await code(shortProducer, 'live.publish', { liveId: id('short'), transports: [{ kind: 'iframe-url', url: 'https://x' }] }), 'unsupported_transport');
  shortProducer.close();
  // expired and cap_exceeded are covered above; rate_limited: more than 30 attaches a minute.
  const greedy = await connectClient(srv, { sub: 'greedy', grants });
  let limited;
  for (let i = 0; i < 40 && !limited; i++) {
    const r = await greedy.request('live.attach', { liveId });
    if (r.error?.code === 'rate_limited') limited = r.error;
    else if (r.result) await ok(greedy, 'live.release', { attachId: r.result.attachId });
  }
  assert.ok(limited, 'attach rate limit reached');
  assert.ok(limited.retryAfterMs > 0 && limited.retryAfterMs <= 60_000);
  // Bad input keeps the connection working.
  assert.equal(await code(producer, 'live.publish', { liveId: 'nokind', transports: portal }), 'invalid_argument');
  assert.equal(await code(producer, 'live.publish', { liveId, transports: [{ kind: 'smoke-signal' }] }), 'invalid_argument');
  assert.equal(await code(producer, 'live.publish', { liveId, transports: [{ kind: 'iframe-url', url: 'javascript:alert(1)' }] }), 'invalid_argument');
  assert.equal(await code(producer, 'live.publish', { liveId, transports: portal, expiresAt: '2001-01-01T00:00:00Z' }), 'invalid_argument');
  assert.equal(await code(producer, 'live.publish', { liveId, transports: portal, expiresAt: new Date(Date.now() + 400 * 86400_000).toISOString() }), 'invalid_argument');
  assert.equal(await code(producer, 'live.publish', { liveId, transports: portal, meta: { blob: 'x'.repeat(9000) } }), 'payload_too_large');
  assert.equal(await code(viewer, 'live.heartbeat', { attachId: 'at_unknown' }), 'invalid_argument');
  assert.ok((await ok(viewer, 'live.resolve', { liveId })).transport);
  for (const c of [producer, viewer, outsider, greedy]) c.close();
});

test('a page unload releases its slot with a text/plain beacon; the server API produces streams', async () => {
  const liveId = id('content');
  const headers = { authorization: `Bearer ${apiCredential(srv)}`, 'content-type': 'application/json' };
  const pub = await fetch(`${srv.url}/v1/live/publish`, { method: 'POST', headers, body: JSON.stringify({ liveId, transports: portal }) });
  assert.equal(pub.status, 200);
  const token = clientToken(srv, { sub: 'beacon', grants });
  const viewer = await connectClient(srv, { token });
  const handles = [];
  for (let i = 0; i < 8; i++) handles.push(await ok(viewer, 'live.attach', { liveId }));
  const beacon = await fetch(`${srv.url}/v1/live/release`, { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: JSON.stringify({ attachId: handles[0].attachId, token }) });
  assert.equal(beacon.status, 204);
  assert.ok((await ok(viewer, 'live.attach', { liveId })).attachId, 'the beacon freed a slot');
  const forged = await fetch(`${srv.url}/v1/live/release`, { method: 'POST', body: JSON.stringify({ attachId: handles[1].attachId, token: 'x.y.z' }) });
  assert.equal(forged.status, 401);
  const unpub = await fetch(`${srv.url}/v1/live/unpublish`, { method: 'POST', headers, body: JSON.stringify({ liveId }) });
  assert.equal(unpub.status, 200);
  await viewer.waitEvent((e) => e.event === 'live.ended');
  viewer.close();
});

// Binary frame: version 1, flags (1 init, 2 key), target length, target, payload.
function chunk(liveId, flags, text) {
  const target = Buffer.from(liveId);
  const head = Buffer.from([1, flags, target.length >> 8, target.length & 0xff]);
  return Buffer.concat([head, target, Buffer.from(text)]);
}
function readChunk(buf) {
  const len = (buf[2] << 8) | buf[3];
  return { flags: buf[1], target: buf.subarray(4, 4 + len).toString(), payload: buf.subarray(4 + len).toString() };
}

test('portal relay: a late joiner gets the init chunk and the chunks since the last key, then the live ones', async () => {
  const liveId = id('content');
  const producer = await connectClient(srv, { sub: 'relay-p', grants });
  await ok(producer, 'live.publish', { liveId, transports: [{ kind: 'portal-relay' }] });
  const early = await connectClient(srv, { sub: 'relay-early', grants });
  const earlyChunks = [];
  early.ws.on('message', (m, isBinary) => { if (isBinary) earlyChunks.push(readChunk(m)); });
  await ok(early, 'live.attach', { liveId, transports: ['portal-relay'] });
  producer.ws.send(chunk(liveId, 1, 'init'));
  producer.ws.send(chunk(liveId, 2, 'key1'));
  producer.ws.send(chunk(liveId, 0, 'd1'));
  producer.ws.send(chunk(liveId, 2, 'key2'));
  producer.ws.send(chunk(liveId, 0, 'd2'));
  await ok(producer, 'sys.ping');  // the chunks above were handled before this reply
  const late = await connectClient(srv, { sub: 'relay-late', grants });
  const lateChunks = [];
  late.ws.on('message', (m, isBinary) => { if (isBinary) lateChunks.push(readChunk(m)); });
  const handle = await ok(late, 'live.attach', { liveId, transports: ['portal-relay'] });
  assert.equal(handle.transport.kind, 'portal-relay');
  producer.ws.send(chunk(liveId, 0, 'd3'));
  for (let i = 0; i < 100 && (lateChunks.length < 4 || earlyChunks.length < 6); i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(earlyChunks.map((c) => c.payload), ['init', 'key1', 'd1', 'key2', 'd2', 'd3']);
  assert.deepEqual(lateChunks.map((c) => c.payload), ['init', 'key2', 'd2', 'd3']);
  assert.ok(lateChunks.every((c) => c.target === liveId));
  // An iframe viewer gets no chunks; chunks without the grant or without a publish are refused.
  const outsider = await connectClient(srv, { sub: 'relay-x', grants: { live: { 'content:*': ['attach'] } } });
  outsider.ws.send(chunk(liveId, 0, 'spoof'));
  const refused = await outsider.waitEvent((e) => e.id === null && e.error);
  assert.equal(refused.error.code, 'permission');
  producer.ws.send(chunk(id('content'), 0, 'nobody'));
  assert.equal((await producer.waitEvent((e) => e.id === null && e.error)).error.code, 'not_found');
  await ok(late, 'live.release', { attachId: handle.attachId });
  producer.ws.send(chunk(liveId, 0, 'd4'));
  await ok(producer, 'sys.ping');
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(!lateChunks.some((c) => c.payload === 'd4'), 'a released slot gets no more chunks');
  assert.ok(earlyChunks.some((c) => c.payload === 'd4'));
  for (const c of [producer, early, late, outsider]) c.close();
});

test('relay viewers on every shard get each chunk once, and one that vanishes without releasing leaves the rest unharmed', async () => {
  const liveId = id('content');
  const producer = await connectClient(srv, { sub: 'relay-many-p', grants });
  await ok(producer, 'live.publish', { liveId, transports: portal });
  // Six connections spread over the server's two shards: the broadcast owner's and the other one
  // (the owner's viewers get chunks from the entry directly, the others through the hub).
  const viewers = [];
  for (let i = 0; i < 6; i++) {
    const v = await connectClient(srv, { sub: `relay-many-${i}`, grants });
    v.chunks = [];
    v.ws.on('message', (m, isBinary) => { if (isBinary) v.chunks.push(readChunk(m).payload); });
    await ok(v, 'live.attach', { liveId, transports: ['portal-relay'] });
    viewers.push(v);
  }
  await ok(viewers[0], 'live.attach', { liveId, transports: ['portal-relay'] });  // two slots, one connection
  const waitAll = async (list, n) => {
    for (let i = 0; i < 100 && list.some((v) => v.chunks.length < n); i++) await new Promise((r) => setTimeout(r, 20));
  };
  producer.ws.send(chunk(liveId, 2, 'k1'));
  await waitAll(viewers, 1);
  // Two viewers vanish without releasing: one drops its TCP connection, one closes normally.
  viewers[1].ws.terminate();
  viewers[2].close();
  await new Promise((r) => setTimeout(r, 200));
  producer.ws.send(chunk(liveId, 0, 'd1'));
  producer.ws.send(chunk(liveId, 0, 'd2'));
  await ok(producer, 'sys.ping');
  const staying = [viewers[0], ...viewers.slice(3)];
  await waitAll(staying, 3);
  for (const v of staying) assert.deepEqual(v.chunks, ['k1', 'd1', 'd2']);
  // The server is unharmed: a new viewer starts at the key and gets what follows.
  const late = await connectClient(srv, { sub: 'relay-many-late', grants });
  late.chunks = [];
  late.ws.on('message', (m, isBinary) => { if (isBinary) late.chunks.push(readChunk(m).payload); });
  await ok(late, 'live.attach', { liveId, transports: ['portal-relay'] });
  producer.ws.send(chunk(liveId, 0, 'd3'));
  await waitAll([late], 4);
  assert.deepEqual(late.chunks, ['k1', 'd1', 'd2', 'd3']);
  for (const c of [producer, late, ...staying]) c.close();
});

test('a lagging relay viewer skips whole chunks up to the next key instead of being closed', async () => {
  const small = await startOnair({ args: ['--ws-send-queue-bytes', '65536'] });
  try {
    const liveId = id('content');
    const producer = await connectClient(small, { sub: 'lag-p', grants });
    const viewer = await connectClient(small, { sub: 'lag-v', grants });
    await ok(producer, 'live.publish', { liveId, transports: portal });
    await ok(viewer, 'live.attach', { liveId, transports: ['portal-relay'] });
    const got = [];
    viewer.ws.on('message', (m, isBinary) => { if (isBinary) got.push(readChunk(m)); });
    viewer.ws._socket.pause();  // stops reading: the kernel buffers fill, then onair's queue
    const body = 'x'.repeat(16 * 1024);
    for (let i = 0; i < 600; i++) producer.ws.send(chunk(liveId, i % 50 === 0 ? 2 : 0, `${i}:${body}`));
    producer.ws.send(chunk(liveId, 2, '600:final-key'));
    producer.ws.send(chunk(liveId, 0, '601:after-key'));
    await ok(producer, 'sys.ping');
    const metrics = await (await fetch(small.url + '/metrics')).text();
    const dropped = metrics.split('\n').filter((l) => l.startsWith('onair_relay_chunks_dropped_total{')).reduce((s, l) => s + Number(l.split(' ').pop()), 0);
    assert.ok(dropped > 0, 'chunks were skipped');
    viewer.ws._socket.resume();
    for (let i = 0; i < 200 && !got.some((c) => c.payload === '601:after-key'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(viewer.ws.readyState, 1, 'the lagging viewer stays connected');
    // After the first gap, delivery resumes at a key chunk: every run of chunks starts with a key.
    const indexes = got.map((c) => Number(c.payload.split(':')[0]));
    const firstGap = indexes.findIndex((v, i) => i > 0 && v !== indexes[i - 1] + 1);
    assert.ok(firstGap > 0, 'some chunks were skipped');
    assert.equal(got[firstGap].flags & 2, 2, `delivery resumed at a key chunk, not ${indexes[firstGap]}`);
    assert.equal(got.at(-1).payload, '601:after-key');
    producer.close();
    viewer.close();
  } finally {
    await small.stop();
  }
});

test('a publish offers at most one transport of each kind', async () => {
  const liveId = id('content');
  const producer = await connectClient(srv, { sub: 'bounds-p', grants });
  const code = async (args) => (await producer.request('live.publish', { liveId, ...args })).error;
  const many = await code({ transports: Array.from({ length: 30_000 }, () => ({ kind: 'portal-relay' })) });
  assert.equal(many.code, 'invalid_argument');
  assert.match(many.message, /at most one of each kind/);
  const twice = await code({ transports: [{ kind: 'portal-relay' }, { kind: 'iframe-url', url: 'https://a' }, { kind: 'iframe-url', url: 'https://b' }] });
  assert.equal(twice.code, 'invalid_argument');
  assert.match(twice.message, /transports\[2\]\.kind iframe-url is offered twice/);
  assert.equal((await code({ transports: portal, meta: { blob: 'x'.repeat(9000) } })).code, 'payload_too_large');
  assert.equal((await producer.request('live.resolve', { liveId })).error.code, 'not_found', 'nothing was published');
  await ok(producer, 'live.publish', { liveId, transports: [{ kind: 'iframe-url', url: 'https://a' }, { kind: 'portal-relay' }, { kind: 'webrtc', signalingChannelId: 's' }] });
  producer.close();
});

test('a user publishes at most live.max_entries_per_user broadcasts at once', async () => {
  const producer = await connectClient(srv, { sub: 'many-p', grants });
  const ids = [id('content'), id('content'), id('content')];
  for (const liveId of ids) await ok(producer, 'live.publish', { liveId, transports: portal });
  const extra = id('content');
  const refused = (await producer.request('live.publish', { liveId: extra, transports: portal })).error;
  assert.equal(refused.code, 'cap_exceeded');
  assert.match(refused.message, /3 of 3/);
  await ok(producer, 'live.publish', { liveId: ids[0], transports: portal });  // a refresh is no new entry
  const other = await connectClient(srv, { sub: 'many-q', grants });
  await ok(other, 'live.publish', { liveId: extra, transports: portal });      // the cap is per user
  await ok(producer, 'live.unpublish', { liveId: ids[0] });
  await ok(producer, 'live.publish', { liveId: id('content'), transports: portal });  // an ended entry frees its place
  producer.close();
  other.close();
});

test('a broadcast belongs to its first publisher until it ends; the server API may override', async () => {
  const liveId = id('content');
  const alice = await connectClient(srv, { sub: 'owner-alice', grants });
  const bob = await connectClient(srv, { sub: 'owner-bob', grants });
  const viewer = await connectClient(srv, { sub: 'owner-viewer', grants });
  const offer = (who) => [{ kind: 'iframe-url', url: `https://example.com/${who}` }, { kind: 'portal-relay' }];
  const code = async (c, op, args) => (await c.request(op, args)).error?.code;
  const url = async () => (await ok(viewer, 'live.resolve', { liveId })).transport.url;
  await ok(alice, 'live.publish', { liveId, transports: offer('alice') });
  // Same grant, another user: refused, and the entry is unchanged.
  assert.equal(await code(bob, 'live.publish', { liveId, transports: offer('bob') }), 'permission');
  assert.equal(await code(bob, 'live.unpublish', { liveId }), 'permission');
  assert.equal(await url(), 'https://example.com/alice');
  bob.ws.send(chunk(liveId, 2, 'spoof'));
  assert.equal((await bob.waitEvent((e) => e.id === null && e.error)).error.code, 'permission');
  await ok(alice, 'live.publish', { liveId, transports: offer('alice') });  // the owner refreshes as before
  // The server API may change and end anyone's entry.
  const headers = { authorization: `Bearer ${apiCredential(srv)}`, 'content-type': 'application/json' };
  const post = (path, body) => fetch(`${srv.url}/v1/live/${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  assert.equal((await post('publish', { liveId, transports: offer('server') })).status, 200);
  assert.equal(await url(), 'https://example.com/server');
  const handle = await ok(viewer, 'live.attach', { liveId });
  assert.equal((await post('unpublish', { liveId })).status, 200);
  await viewer.waitEvent((e) => e.event === 'live.ended' && e.data.attachId === handle.attachId);
  // Ended: anyone with the grant may publish it anew, and owns it until it ends.
  await ok(alice, 'live.publish', { liveId, transports: offer('alice') });
  assert.equal(await code(bob, 'live.publish', { liveId, transports: offer('bob') }), 'permission');
  await ok(alice, 'live.unpublish', { liveId });
  await ok(bob, 'live.publish', { liveId, transports: offer('bob') });
  assert.equal(await url(), 'https://example.com/bob');
  assert.equal(await code(alice, 'live.unpublish', { liveId }), 'permission');
  await ok(bob, 'live.unpublish', { liveId });
  // An entry the server API opened belongs to no user.
  assert.equal((await post('publish', { liveId, transports: offer('server') })).status, 200);
  assert.equal(await code(alice, 'live.publish', { liveId, transports: offer('alice') }), 'permission');
  assert.equal((await post('unpublish', { liveId })).status, 200);
  for (const c of [alice, bob, viewer]) c.close();
});
