// The SDK against a real `onair serve` process (build/onair, or $ONAIR_BIN).
import { test as baseTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createHmac, randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { startOnair, onairBinary } from '../../../tests/support/onair.mjs';
import { connect, OnairError } from '../dist/client/index.js';
import { OnairServer, createServerJwt } from '../dist/server/index.js';

const test = (name, fn) => baseTest(name, { timeout: 10_000 }, fn);

let srv;
let api;
const clients = [];

before(async () => {
  assert.ok(existsSync(onairBinary), `${onairBinary} is missing: build the server first`);
  srv = await startOnair();
  api = new OnairServer({ url: srv.url, apiKey: srv.apiKey, apiSecret: srv.apiSecret });
});

after(async () => {
  for (const c of clients) await c.close();
  if (srv) await srv.stop();
});

async function open(token, options = {}) {
  const client = await connect({ url: srv.url, token, WebSocket, reconnect: false, ...options });
  clients.push(client);
  return client;
}

function decodeJwt(jwt) {
  const parts = jwt.split('.');
  assert.equal(parts.length, 3, 'a JWT has three parts');
  return {
    header: JSON.parse(Buffer.from(parts[0], 'base64url').toString()),
    claims: JSON.parse(Buffer.from(parts[1], 'base64url').toString()),
  };
}

function sign(header, claims, secret) {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

async function rejectsWith(promise, code) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof OnairError, `expected OnairError, got ${err}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
}

test('createToken returns a JWT and an ISO expiresAt about ttl seconds ahead', async () => {
  const before = Date.now();
  const { token, expiresAt } = await api.createToken({
    userId: 'alice', name: 'Alice', ttl: 600, grants: ['room:project_*:publish,subscribe'], attributes: { team: 'blue' },
  });
  const { header, claims } = decodeJwt(token);
  assert.equal(header.alg, 'HS256');
  assert.equal(claims.sub, 'alice');
  assert.match(expiresAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  const ahead = Date.parse(expiresAt) - before;
  assert.ok(ahead > 595_000 && ahead < 605_000, `expiresAt is ${ahead} ms ahead`);
  assert.equal(claims.exp * 1000, Date.parse(expiresAt));
});

test('createToken signed with a wrong secret rejects with unauthenticated', async () => {
  const wrong = new OnairServer({ url: srv.url, apiKey: srv.apiKey, apiSecret: randomBytes(32).toString('base64url') });
  await rejectsWith(wrong.createToken({ userId: 'alice', ttl: 60, grants: [] }), 'unauthenticated');
});

test('the server API refuses bad createToken arguments with invalid_argument', async () => {
  // Bypass the SDK's own validation to see the server's answer.
  await rejectsWith(api.request('POST', '/v1/tokens', { userId: '', ttl: 60, grants: [] }), 'invalid_argument');
  await rejectsWith(api.request('POST', '/v1/tokens', { userId: 'a', ttl: 60, grants: ['bogus:x:y'] }), 'invalid_argument');
  // And the SDK's validation agrees before any request is made.
  await rejectsWith(api.createToken({ userId: 'a', ttl: 60, grants: ['live:x:subscribe'] }), 'invalid_argument');
});

test('request() maps an unknown route to not_found and a dead server to service_unavailable', async () => {
  await rejectsWith(api.request('GET', '/v1/nope'), 'not_found');
  const dead = new OnairServer({ url: 'http://127.0.0.1:1', apiKey: 'k', apiSecret: 's' });
  await rejectsWith(dead.request('GET', '/v1/nope'), 'service_unavailable');
});

test('createServerJwt produces a credential the server accepts', async () => {
  const jwt = createServerJwt(srv.apiKey, srv.apiSecret, 60);
  const { header, claims } = decodeJwt(jwt);
  assert.deepEqual(header, { alg: 'HS256', typ: 'JWT', kid: srv.apiKey });
  assert.equal(claims.iss, srv.apiKey);
  assert.equal(claims.aud, 'onair-api');
  assert.equal(claims.exp - claims.iat, 60);
  assert.equal(claims.sub, undefined);
  const res = await fetch(`${srv.url}/v1/tokens`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId: 'bob', ttl: 60, grants: [] }),
  });
  assert.equal(res.status, 200);
});

test('createServerJwt and createToken refuse credentials and tokens over 8 KiB with payload_too_large', async () => {
  assert.throws(() => createServerJwt('k'.repeat(6000), 'secret'), (err) => err.code === 'payload_too_large' && /8192/.test(err.message));
  await rejectsWith(api.createToken({ userId: 'big', ttl: 60, grants: [], attributes: { note: 'x'.repeat(7000) } }), 'payload_too_large');
});

test('connect with a minted token works; session, sys.ping and sys.whoami reflect the token', async () => {
  const { token } = await api.createToken({ userId: 'carol', name: 'Carol', ttl: 300, grants: ['channel:deployments:subscribe'] });
  const client = await open(token);
  assert.equal(client.state, 'connected');
  assert.equal(client.session.userId, 'carol');
  assert.equal(typeof client.session.sessionId, 'string');
  const pong = await client.request('sys.ping');
  assert.ok(!Number.isNaN(Date.parse(pong.serverTime)), `serverTime ${pong.serverTime}`);
  assert.ok(Math.abs(Date.parse(pong.serverTime) - Date.now()) < 5000);
  const me = await client.request('sys.whoami');
  assert.equal(me.userId, 'carol');
  assert.equal(me.name, 'Carol');
  assert.deepEqual(me.grants, ['channel:deployments:subscribe']);
});

test('a token function is called for the connect', async () => {
  let calls = 0;
  const client = await open(async () => { calls++; return (await api.createToken({ userId: 'dave', ttl: 60, grants: [] })).token; });
  assert.equal(calls, 1);
  assert.equal(client.session.userId, 'dave');
});

test('an unknown op rejects with unknown_op and the connection stays usable', async () => {
  const { token } = await api.createToken({ userId: 'erin', ttl: 60, grants: [] });
  const client = await open(token);
  await rejectsWith(client.request('no.such'), 'unknown_op');
  assert.ok((await client.request('sys.ping')).serverTime);
});

test('a forged token (signed with another secret) rejects with unauthenticated', async () => {
  const now = Math.floor(Date.now() / 1000);
  const forged = sign({ alg: 'HS256', typ: 'JWT', kid: srv.apiKey },
    { iss: srv.apiKey, sub: 'mallory', iat: now, nbf: now, exp: now + 60, grants: {} }, randomBytes(32));
  await rejectsWith(connect({ url: srv.url, token: forged, WebSocket }), 'unauthenticated');
});

test('an expired token rejects with unauthenticated', async () => {
  const now = Math.floor(Date.now() / 1000);
  const expired = sign({ alg: 'HS256', typ: 'JWT', kid: srv.apiKey },
    { iss: srv.apiKey, sub: 'old', iat: now - 3600, nbf: now - 3600, exp: now - 600, grants: {} }, srv.apiSecret);
  await rejectsWith(connect({ url: srv.url, token: expired, WebSocket }), 'unauthenticated');
});

test('the ws:// endpoint URL is accepted as is', async () => {
  const { token } = await api.createToken({ userId: 'frank', ttl: 60, grants: [] });
  const client = await open(token, { url: srv.wsUrl });
  assert.equal(client.session.userId, 'frank');
});

async function openConnections() {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  return [...text.matchAll(/^onair_connections\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

async function waitFor(predicate, what) {
  for (const started = Date.now(); Date.now() - started < 3000; await new Promise((r) => setTimeout(r, 20))) {
    if (await predicate()) return;
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('close() ends the session: the server sees the connection go', async () => {
  const { token } = await api.createToken({ userId: 'gina', ttl: 60, grants: [] });
  const baseline = await openConnections();
  const client = await open(token);
  await waitFor(async () => (await openConnections()) === baseline + 1, 'the connection to be counted');
  const disconnected = new Promise((r) => client.on('disconnected', r));
  await client.close();
  assert.deepEqual(await disconnected, { code: 1000, reason: 'closed by the client' });
  assert.equal(client.state, 'closed');
  await rejectsWith(client.request('sys.ping'), 'disconnected');
  await waitFor(async () => (await openConnections()) === baseline, 'the server to drop the connection');
});

test('server shutdown (1001) makes the client reconnect', async () => {
  const own = await startOnair();
  try {
    const mint = new OnairServer({ url: own.url, apiKey: own.apiKey, apiSecret: own.apiSecret });
    const { token } = await mint.createToken({ userId: 'hank', ttl: 60, grants: [] });
    const client = await connect({ url: own.url, token, WebSocket, reconnect: { minDelayMs: 20, maxDelayMs: 50 } });
    clients.push(client);
    const down = new Promise((r) => client.once('disconnected', r));
    const retrying = new Promise((r) => client.once('reconnecting', r));
    await own.stop();
    assert.equal((await down).code, 1001);
    assert.equal((await retrying).attempt, 1);
    await client.close();
  } finally {
    await own.stop();
  }
});
