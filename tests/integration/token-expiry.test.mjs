// A connection ends when its token does (close 4011 at exp + auth.leeway_seconds) unless the
// client sends `refresh` with a new token for the same user first.
import { test as baseTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startOnair } from '../support/onair.mjs';
import { clientToken, now } from '../support/tokens.mjs';

// A missing close or reply fails the test instead of hanging it.
const test = (name, fn) => baseTest(name, { timeout: 15_000 }, fn);

let srv;
before(async () => {
  srv = await startOnair({ args: ['--auth-leeway-seconds', '0'] });
});
after(async () => { await srv.stop(); });

/** A `ws` client that collects replies by id and its close code. */
async function open(token) {
  const ws = new WebSocket(srv.wsUrl);
  const replies = new Map();
  const waiters = [];
  ws.on('message', (m) => {
    const msg = JSON.parse(m.toString());
    replies.set(msg.id, msg);
    waiters.splice(0).forEach((w) => w());
  });
  const closed = new Promise((res) => ws.on('close', (code) => { res(code); waiters.splice(0).forEach((w) => w()); }));
  await new Promise((res, rej) => { ws.on('open', res); ws.on('error', rej); });
  let nextId = 1;
  const c = {
    ws, closed,
    async request(op, args, ms = 3000) {
      const id = nextId++;
      ws.send(JSON.stringify({ id, op, args }));
      const deadline = Date.now() + ms;
      while (!replies.has(id)) {
        if (ws.readyState !== WebSocket.OPEN) throw new Error(`closed before the reply to ${op}`);
        if (Date.now() > deadline) throw new Error(`no reply to ${op}`);
        await new Promise((r) => { waiters.push(r); setTimeout(r, 50); });
      }
      return replies.get(id);
    },
  };
  const r = await c.request('connect', { token });
  assert.ok(r.result, JSON.stringify(r));
  return c;
}

/** Resolves once the wall clock is past `epochSeconds` (plus the server's 1 s check period). */
async function pastExp(epochSeconds) {
  const wait = (epochSeconds + 1.5) * 1000 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

test('a connection whose token expires is closed with 4011', async () => {
  const c = await open(clientToken(srv, { exp: now() + 2 }));
  assert.equal(await c.closed, 4011);
});

test('refresh before expiry keeps the connection open past the first exp and replaces the grants', async () => {
  const exp = now() + 2;
  const c = await open(clientToken(srv, { sub: 'carol', exp }));
  const fresh = clientToken(srv, { sub: 'carol', exp: now() + 60, grants: { room: { 'team_*': ['publish'] } } });
  const r = await c.request('refresh', { token: fresh });
  assert.ok(r.result, JSON.stringify(r));
  assert.equal(Date.parse(r.result.expiresAt) / 1000, JSON.parse(Buffer.from(fresh.split('.')[1], 'base64url')).exp);
  await pastExp(exp);
  const who = await c.request('sys.whoami', {});
  assert.equal(who.result.userId, 'carol');
  assert.deepEqual(who.result.grants, ['room:team_*:publish']);
  assert.equal(c.ws.readyState, WebSocket.OPEN);
  c.ws.close();
});

test('refresh with another user\'s token or a bad token is refused and changes nothing', async () => {
  const c = await open(clientToken(srv, { sub: 'dave' }));
  const other = await c.request('refresh', { token: clientToken(srv, { sub: 'mallory' }) });
  assert.equal(other.error.code, 'permission');
  const expired = await c.request('refresh', { token: clientToken(srv, { sub: 'dave', exp: now() - 30 }) });
  assert.equal(expired.error.code, 'unauthenticated');
  const missing = await c.request('refresh', {});
  assert.equal(missing.error.code, 'invalid_argument');
  assert.equal((await c.request('sys.whoami', {})).result.userId, 'dave');
  c.ws.close();
});

test('a refused refresh leaves the old deadline: the connection still closes with 4011', async () => {
  const c = await open(clientToken(srv, { sub: 'erin', exp: now() + 2 }));
  const r = await c.request('refresh', { token: clientToken(srv, { sub: 'frank', exp: now() + 60 }) });
  assert.equal(r.error.code, 'permission');
  assert.equal(await c.closed, 4011);
});
