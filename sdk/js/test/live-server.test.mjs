// client.live, client.collab and server.live against a real `onair serve` (build/onair, or
// $ONAIR_BIN), written to docs/protocol.md ("Live broadcasts", "Collab credentials").
// While the server does not know `live.publish` (answers unknown_op) the live tests skip
// themselves, saying so; the same for `collab.token` and the collab tests.
import { test as baseTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createHmac, randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { startOnair, onairBinary } from '../../../tests/support/onair.mjs';
import { connect, OnairError } from '../dist/client/index.js';
import { OnairServer } from '../dist/server/index.js';

const TURN_URLS = 'turn:127.0.0.1:3478,turns:127.0.0.1:5349';
const TURN_SECRET = 'turn-test-secret';
const COLLAB_SECRET = randomBytes(32).toString('base64url');
const ATTACH_RATE = 30;

let srv;
let api;
let liveSkip = null;
let collabSkip = null;
const clients = [];
let counter = 0;
/** A fresh name per test, so tests sharing the server do not see each other (caps are per user). */
const unique = (prefix) => `${prefix}_${process.pid}_${++counter}`;

/** A test that skips itself with `skip()`'s reason, if any. */
const testWhen = (skip) => (name, fn) => baseTest(name, { timeout: 20_000 }, async (t) => {
  const reason = skip();
  if (reason) { t.skip(reason); return; }
  await fn(t);
});
const test = testWhen(() => liveSkip);
const collabTest = testWhen(() => collabSkip);

before(async () => {
  assert.ok(existsSync(onairBinary), `${onairBinary} is missing: build the server first`);
  srv = await startOnair({
    args: ['--turn-urls', TURN_URLS, '--turn-secret', TURN_SECRET, '--collab-token-secret', COLLAB_SECRET, '--live-attach-rate-per-minute', String(ATTACH_RATE)],
  });
  api = new OnairServer({ url: srv.url, apiKey: srv.apiKey, apiSecret: srv.apiSecret });
  const probe = await open(unique('probe'));
  const unknown = async (op) => {
    try {
      await probe.request(op, {});
      return false;
    } catch (err) {
      return err instanceof OnairError && err.code === 'unknown_op';
    }
  };
  if (await unknown('live.publish')) liveSkip = 'this onair build answers live.publish with unknown_op: the live surface is not in the server yet';
  if (await unknown('collab.token')) collabSkip = 'this onair build answers collab.token with unknown_op: the collab surface is not in the server yet';
});

after(async () => {
  if (srv && (srv.proc.exitCode !== null || srv.proc.signalCode !== null)) {
    console.error(`onair exited early (${srv.proc.exitCode ?? srv.proc.signalCode}):\n${srv.output().slice(-4000)}`);
  }
  for (const c of clients) await c.close();
  if (srv) await srv.stop();
});

const LIVE_GRANTS = ['live:*:publish,attach'];

async function open(userId, { grants = LIVE_GRANTS, scope, server = srv, serverApi = api } = {}) {
  const { token } = await serverApi.createToken({ userId, ttl: 600, grants, ...(scope ? { scope } : {}) });
  const client = await connect({ url: server.url, WebSocket, reconnect: false, token });
  client.accessToken = token;
  clients.push(client);
  return client;
}

function waitFor(source, event, predicate = () => true, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const seen = [];
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching ${event} event in ${timeoutMs} ms; saw ${JSON.stringify(seen)}`));
    }, timeoutMs);
    const off = source.on(event, (data) => {
      seen.push(data);
      if (!predicate(data)) return;
      clearTimeout(timer);
      off();
      resolve(data);
    });
  });
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

const isIso = (s) => typeof s === 'string' && !Number.isNaN(Date.parse(s)) && s.includes('T');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function iframe(liveId) {
  return { kind: 'iframe-url', url: `https://example.com/stream/${encodeURIComponent(liveId)}` };
}

test('publish, attach with transport negotiation, viewers on the producer, heartbeat, release', async () => {
  const liveId = `content:${unique('show')}`;
  const producer = await open(unique('producer'));
  const consumer = await open(unique('consumer'));
  const viewers = [];
  producer.live.on('viewers', (v) => viewers.push(v));

  const published = await producer.live.publish({ liveId, transports: [iframe(liveId), { kind: 'portal-relay' }], widgetId: 'browser-stream-viewer' });
  assert.equal(published.ok, true);
  assert.ok(isIso(published.expiresAt), `publish expiresAt: ${published.expiresAt}`);

  // Default preference: iframe-url first.
  const h1 = await consumer.live.attach(liveId);
  assert.equal(typeof h1.attachId, 'string');
  assert.equal(h1.liveId, liveId);
  assert.deepEqual(h1.transport, iframe(liveId));
  assert.equal(h1.widgetId, 'browser-stream-viewer');
  assert.ok(isIso(h1.expiresAt), `attach expiresAt: ${h1.expiresAt}`);
  // The first offered kind in the consumer's order wins.
  const h2 = await consumer.live.attach(liveId, { transports: ['webrtc', 'portal-relay', 'iframe-url'] });
  assert.deepEqual(h2.transport, { kind: 'portal-relay' });
  const h3 = await consumer.live.attach(liveId, { transports: ['portal-relay'], modalities: { audioIn: false, audioOut: true } });
  assert.deepEqual(h3.transport, { kind: 'portal-relay' });
  assert.notEqual(h1.attachId, h2.attachId);

  const three = await waitFor(producer.live, 'viewers', (v) => v.total === 3);
  assert.equal(three.liveId, liveId);
  assert.equal(three.byTransport['iframe-url'], 1);
  assert.equal(three.byTransport['portal-relay'], 2);
  assert.ok(viewers.every((v) => v.liveId === liveId), JSON.stringify(viewers));

  const attachedUntil = h1.expiresAt;
  await sleep(20);
  const hb = await consumer.live.heartbeat(h1.attachId);
  assert.equal(hb.ok, true);
  assert.ok(isIso(hb.expiresAt), `heartbeat expiresAt: ${hb.expiresAt}`);
  assert.ok(Date.parse(hb.expiresAt) >= Date.parse(attachedUntil), `${hb.expiresAt} < ${attachedUntil}`);
  const left = Date.parse(hb.expiresAt) - Date.now();
  assert.ok(left > 50_000 && left <= 61_000, `a heartbeat gives the slot slot_ttl_seconds (60 s), got ${left} ms`);
  assert.equal(h1.expiresAt, hb.expiresAt, 'the handle follows the heartbeat');

  await h1.release();
  await h1.release(); // idempotent, client side
  assert.deepEqual(await consumer.live.release(h1.attachId), { ok: true }); // and server side
  await rejectsWith(consumer.live.heartbeat(h1.attachId), 'not_found');
  const two = await waitFor(producer.live, 'viewers', (v) => v.total === 2);
  assert.equal(two.byTransport['iframe-url'] ?? 0, 0);

  // Another user cannot heartbeat or release someone else's slot away.
  const stranger = await open(unique('stranger'));
  await stranger.live.release(h2.attachId).catch(() => {});
  assert.equal((await consumer.live.heartbeat(h2.attachId)).ok, true, "a stranger's release left the slot alone");

  await h2.release();
  await h3.release();
  await waitFor(producer.live, 'viewers', (v) => v.total === 0);
});

test('url.resolve returns the current transport without claiming a slot', async () => {
  const liveId = `content:${unique('preview')}`;
  const producer = await open(unique('producer'));
  const consumer = await open(unique('consumer'));
  await producer.live.publish({ liveId, transports: [{ kind: 'webrtc', signalingChannelId: 'sig_1' }, { kind: 'portal-relay' }] });
  const res = await consumer.live.url.resolve(liveId);
  assert.equal(res.ok, true);
  assert.deepEqual(res.transport, { kind: 'portal-relay' });
  const rtc = await consumer.live.url.resolve(liveId, { transports: ['webrtc'] });
  assert.deepEqual(rtc.transport, { kind: 'webrtc', signalingChannelId: 'sig_1' });
  // Publishing again may change the transports.
  await producer.live.publish({ liveId, transports: [iframe(liveId)], widgetId: 'viewer' });
  const again = await consumer.live.url.resolve(liveId);
  assert.deepEqual(again.transport, iframe(liveId));
  assert.equal(again.widgetId, 'viewer');
  // No slot was claimed: the producer sees no viewers after an attach/release pair either.
  const h = await consumer.live.attach(liveId);
  const v = await waitFor(producer.live, 'viewers', (x) => x.liveId === liveId);
  assert.equal(v.total, 1, `resolve claimed slots: ${JSON.stringify(v)}`);
  await h.release();
});

test('unpublish ends attached handles; then attach, resolve and heartbeat say not_found', async () => {
  const liveId = `content:${unique('ending')}`;
  const producer = await open(unique('producer'));
  const consumer = await open(unique('consumer'));
  const other = `content:${unique('other')}`;
  await producer.live.publish({ liveId, transports: [{ kind: 'portal-relay' }] });
  await producer.live.publish({ liveId: other, transports: [{ kind: 'portal-relay' }] });
  const handle = await consumer.live.attach(liveId);
  const bystander = await consumer.live.attach(other);
  const bystanderEvents = [];
  bystander.on('ended', (i) => bystanderEvents.push(i));
  bystander.on('expired', (i) => bystanderEvents.push(i));
  const ended = new Promise((resolve) => handle.on('ended', resolve));

  assert.deepEqual(await producer.live.unpublish(liveId), { ok: true });
  const info = await Promise.race([ended, sleep(5000).then(() => null)]);
  assert.ok(info, 'no ended event within 5 s');
  assert.deepEqual(info, { attachId: handle.attachId, liveId });
  await rejectsWith(consumer.live.attach(liveId), 'not_found');
  await rejectsWith(consumer.live.url.resolve(liveId), 'not_found');
  await handle.release(); // still fine after the end
  assert.deepEqual(bystanderEvents, [], 'the other broadcast was not ended');
  await bystander.release();
  await producer.live.unpublish(other);
});

test('cap_exceeded at the 9th concurrent attach of kind content; a release frees the cap', async () => {
  const liveId = `content:${unique('capped')}`;
  const producer = await open(unique('producer'));
  const consumer = await open(unique('consumer'));
  await producer.live.publish({ liveId, transports: [{ kind: 'portal-relay' }] });
  const handles = [];
  for (let i = 0; i < 8; i++) handles.push(await consumer.live.attach(liveId));
  const err = await rejectsWith(consumer.live.attach(liveId), 'cap_exceeded');
  assert.match(err.message, /8/, `the message carries the current count: ${err.message}`);
  // Another user has a cap of its own.
  const second = await open(unique('consumer'));
  const theirs = await second.live.attach(liveId);
  await handles.shift().release();
  handles.push(await consumer.live.attach(liveId));
  await rejectsWith(consumer.live.attach(liveId), 'cap_exceeded');
  for (const h of [...handles, theirs]) await h.release();

  // Kind browser: cap 4.
  const browserId = `browser:${unique('tab')}`;
  await producer.live.publish({ liveId: browserId, transports: [{ kind: 'portal-relay' }] });
  const tabs = [];
  for (let i = 0; i < 4; i++) tabs.push(await second.live.attach(browserId));
  await rejectsWith(second.live.attach(browserId), 'cap_exceeded');
  for (const h of tabs) await h.release();
});

test('unsupported_kind, unsupported_transport and permission', async () => {
  const producer = await open(unique('producer'));
  const consumer = await open(unique('consumer'));
  await rejectsWith(consumer.live.attach('nope:x'), 'unsupported_kind');
  await rejectsWith(producer.live.publish({ liveId: 'nope:x', transports: [{ kind: 'portal-relay' }] }), 'unsupported_kind');
  await rejectsWith(consumer.live.url.resolve('nope:x'), 'unsupported_kind');

  const liveId = `content:${unique('relay-only')}`;
  await producer.live.publish({ liveId, transports: [{ kind: 'portal-relay' }] });
  await rejectsWith(consumer.live.attach(liveId, { transports: ['webrtc', 'iframe-url'] }), 'unsupported_transport');
  await rejectsWith(consumer.live.url.resolve(liveId, { transports: ['webrtc'] }), 'unsupported_transport');

  const viewerOnly = await open(unique('viewer'), { grants: ['live:content:*:attach'] });
  await rejectsWith(viewerOnly.live.publish({ liveId: `content:${unique('nope')}`, transports: [{ kind: 'portal-relay' }] }), 'permission');
  const otherKind = await open(unique('viewer'), { grants: ['live:browser:*:attach'] });
  await rejectsWith(otherKind.live.attach(liveId), 'permission');
  // The publisher's own grant does not let it be a consumer.
  const publishOnly = await open(unique('publisher'), { grants: ['live:content:*:publish'] });
  await rejectsWith(publishOnly.live.attach(liveId), 'permission');
  await producer.live.unpublish(liveId);
});

test('server.live publishes over HTTP; consumers attach; server unpublish ends them', async () => {
  const liveId = `content:${unique('backend')}`;
  const consumer = await open(unique('consumer'));
  const pub = await api.live.publish({ liveId, transports: [iframe(liveId)], meta: { title: 'from the backend' } });
  assert.equal(pub.ok, true);
  const handle = await consumer.live.attach(liveId);
  assert.deepEqual(handle.transport, iframe(liveId));
  const ended = new Promise((resolve) => handle.on('ended', resolve));
  assert.deepEqual(await api.live.unpublish(liveId), { ok: true });
  const info = await Promise.race([ended, sleep(5000).then(() => null)]);
  assert.deepEqual(info, { attachId: handle.attachId, liveId });
  await rejectsWith(api.live.publish({ liveId: 'nope:x', transports: [{ kind: 'portal-relay' }] }), 'unsupported_kind');
});

test('an entry past its expiresAt: consumers get expired, attach says expired', async () => {
  const liveId = `content:${unique('short')}`;
  const producer = await open(unique('producer'));
  const consumer = await open(unique('consumer'));
  await producer.live.publish({ liveId, transports: [{ kind: 'portal-relay' }], expiresAt: new Date(Date.now() + 1500).toISOString() });
  const handle = await consumer.live.attach(liveId);
  const expired = new Promise((resolve) => handle.on('expired', resolve));
  const info = await Promise.race([expired, sleep(6000).then(() => null)]);
  assert.ok(info, 'no expired event within 6 s of a 1.5 s expiresAt');
  assert.deepEqual(info, { attachId: handle.attachId, liveId });
  await rejectsWith(consumer.live.attach(liveId), 'expired');
  // Publishing again brings it back.
  await producer.live.publish({ liveId, transports: [{ kind: 'portal-relay' }] });
  const again = await consumer.live.attach(liveId);
  await again.release();
  await handle.release();
});

test('the page-unload release (POST /v1/live/release, text/plain) frees the slot', async () => {
  const liveId = `content:${unique('beacon')}`;
  const producer = await open(unique('producer'));
  const consumer = await open(unique('consumer'));
  await producer.live.publish({ liveId, transports: [{ kind: 'portal-relay' }] });
  const handle = await consumer.live.attach(liveId);
  // What navigator.sendBeacon(url, string) sends.
  const res = await fetch(consumer.httpUrl('/v1/live/release'), {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
    body: JSON.stringify({ attachId: handle.attachId, token: consumer.lastToken }),
  });
  assert.equal(res.status, 204, await res.text());
  assert.equal(consumer.lastToken, consumer.accessToken);
  await rejectsWith(consumer.live.heartbeat(handle.attachId), 'not_found');
  // A wrong token releases nothing.
  const h2 = await consumer.live.attach(liveId);
  const bad = await fetch(consumer.httpUrl('/v1/live/release'), {
    method: 'POST', headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
    body: JSON.stringify({ attachId: h2.attachId, token: 'not-a-token' }),
  });
  assert.ok(bad.status >= 400, `a bad token got ${bad.status}`);
  assert.equal((await consumer.live.heartbeat(h2.attachId)).ok, true);
  await h2.release();
});

test('rate_limited with retryAfterMs past attach_rate_per_minute attaches', async () => {
  const liveId = `content:${unique('rate')}`;
  const producer = await open(unique('producer'));
  const consumer = await open(unique('consumer'));
  await producer.live.publish({ liveId, transports: [{ kind: 'portal-relay' }] });
  for (let i = 0; i < ATTACH_RATE; i++) await (await consumer.live.attach(liveId)).release();
  const err = await rejectsWith(consumer.live.attach(liveId), 'rate_limited');
  assert.ok(err.retryAfterMs > 0 && err.retryAfterMs <= 60_000, `retryAfterMs: ${err.retryAfterMs}`);
});

collabTest('collab.token mints an HS256 room token with the granted scope', async () => {
  const room = unique('doc');
  const rw = await open(unique('editor'), { grants: [`collab:${room}:read-write`] });
  const ro = await open(unique('reader'), { grants: [`collab:${room}:readonly`] });
  const none = await open(unique('nobody'), { grants: ['room:*:subscribe'] });

  const t = await rw.collab.token({ room, kind: 'workspace', ttl: 120 });
  assert.equal(t.scope, 'read-write');
  assert.ok(isIso(t.expiresAt));
  const [h, p, s] = t.token.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString());
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  assert.equal(header.alg, 'HS256');
  assert.equal(header.kid, undefined);
  assert.equal(createHmac('sha256', COLLAB_SECRET).update(`${h}.${p}`).digest('base64url'), s, 'signed with the collab secret');
  assert.equal(claims.aud, 'onair-collab');
  assert.equal(claims.room, room);
  assert.equal(claims.kind, 'workspace');
  assert.equal(claims.scope, 'read-write');
  assert.equal(claims.exp - claims.iat, 120);
  assert.equal(Date.parse(t.expiresAt), claims.exp * 1000);

  assert.equal((await ro.collab.token({ room, kind: 'item' })).scope, 'readonly');
  await rejectsWith(none.collab.token({ room, kind: 'code' }), 'permission');
  await rejectsWith(rw.collab.token({ room: `${room}_other`, kind: 'code' }), 'permission');
});

collabTest('collab.turnCredentials follow the coturn REST scheme', async () => {
  const userId = unique('peer');
  const client = await open(userId, { grants: ['room:*:subscribe'] });
  const c = await client.collab.turnCredentials();
  assert.deepEqual(c.urls, TURN_URLS.split(','));
  const [expiry, user] = c.username.split(':');
  assert.equal(user, userId);
  assert.ok(Math.abs(Number(expiry) - (Date.now() / 1000 + c.ttl)) < 5, `username ${c.username}, ttl ${c.ttl}`);
  assert.equal(c.credential, createHmac('sha1', TURN_SECRET).update(c.username).digest('base64'));
});

test('a slot not heartbeaten expires: heartbeat says expired, the producer sees it go', async () => {
  const own = await startOnair({ args: ['--live-slot-ttl-seconds', '1'] });
  try {
    const ownApi = new OnairServer({ url: own.url, apiKey: own.apiKey, apiSecret: own.apiSecret });
    const producer = await open(unique('producer'), { server: own, serverApi: ownApi });
    const consumer = await open(unique('consumer'), { server: own, serverApi: ownApi });
    const liveId = `content:${unique('ttl')}`;
    await producer.live.publish({ liveId, transports: [{ kind: 'portal-relay' }] });
    const handle = await consumer.live.attach(liveId);
    await waitFor(producer.live, 'viewers', (v) => v.total === 1);
    const gone = waitFor(producer.live, 'viewers', (v) => v.total === 0, 5000);
    await sleep(2500);
    await rejectsWith(consumer.live.heartbeat(handle.attachId), 'expired');
    await gone;
    await handle.release(); // nothing left to release: still resolves
  } finally {
    await own.stop();
  }
});
