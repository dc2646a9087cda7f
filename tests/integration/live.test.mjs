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
  srv = await startOnair({ args: ['--config', config, '--live-attach-rate-per-minute', '30', '--live-viewers-interval-ms', '200'] });
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
    const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: srv.apiKey })}.${b64({ iss: srv.apiKey, sub, iat: now, exp: now + 600, scope: 'tenant_7', grants })}`;
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
