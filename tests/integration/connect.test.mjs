import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startOnair } from '../support/onair.mjs';
import { openRaw } from '../support/wsraw.mjs';
import { clientToken, randomSecret, now } from '../support/tokens.mjs';

let srv;
before(async () => {
  srv = await startOnair({ args: ['--ws-connect-timeout-ms', '700', '--ws-bad-request-limit', '5'] });
});
after(async () => { await srv.stop(); });

/** Opens a `ws` client and collects its messages and close code. */
function open() {
  const ws = new WebSocket(srv.wsUrl);
  const messages = [];
  const waiters = [];
  ws.on('message', (m) => { messages.push(JSON.parse(m.toString())); waiters.splice(0).forEach((w) => w()); });
  const closed = new Promise((res) => ws.on('close', (code, reason) => res({ code, reason: reason.toString() })));
  const opened = new Promise((res, rej) => { ws.on('open', res); ws.on('error', rej); });
  return {
    ws, closed, opened, messages,
    async reply(id, ms = 3000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const m = messages.find((x) => x.id === id);
        if (m) return m;
        if (Date.now() > deadline) throw new Error(`no reply to ${id}`);
        await new Promise((r) => { waiters.push(r); setTimeout(r, 50); });
      }
    },
    send(obj) { ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)); },
  };
}

test('a valid token connects and the session answers ops', async () => {
  const c = open();
  await c.opened;
  c.send({ id: 1, op: 'connect', args: { token: clientToken(srv, { sub: 'bob' }) } });
  const r = await c.reply(1);
  assert.equal(r.result.userId, 'bob');
  assert.match(r.result.sessionId, /^s_/);
  c.send({ id: 2, op: 'sys.ping' });
  assert.ok(Date.parse((await c.reply(2)).result.serverTime) > 0);
  c.send({ id: 'x', op: 'sys.echo', args: { hello: 'world' } });
  assert.deepEqual((await c.reply('x')).result, { hello: 'world' });
  c.send({ id: 3, op: 'sys.whoami' });
  assert.deepEqual((await c.reply(3)).result.grants, ['room:*:subscribe']);
  c.ws.close(1000);
  assert.equal((await c.closed).code, 1000);
});

for (const [name, makeToken, reason] of [
  ['expired', () => clientToken(srv, { exp: now() - 120 }), /expired/],
  ['forged', () => clientToken(srv, { secret: randomSecret() }), /signature/],
  ['not yet valid', () => clientToken(srv, { nbf: now() + 600 }), /not valid yet/],
  ['unknown key', () => clientToken(srv, { kid: 'APIunknown' }), /unknown key/],
  ['garbage', () => 'not-a-jwt', /not a JWT/],
]) {
  test(`an ${name} token gets unauthenticated, then close 4003`, async () => {
    const c = open();
    await c.opened;
    c.send({ id: 1, op: 'connect', args: { token: makeToken() } });
    const r = await c.reply(1);
    assert.equal(r.error.code, 'unauthenticated');
    assert.match(r.error.message, reason);
    assert.equal((await c.closed).code, 4003);
  });
}

test('a first request other than connect gets unauthenticated and 4003', async () => {
  const c = open();
  await c.opened;
  c.send({ id: 1, op: 'sys.ping' });
  assert.equal((await c.reply(1)).error.code, 'unauthenticated');
  assert.equal((await c.closed).code, 4003);
});

test('no connect within the connect timeout closes with 4001', async () => {
  const c = open();
  await c.opened;
  const t0 = Date.now();
  const { code } = await c.closed;
  assert.equal(code, 4001);
  assert.ok(Date.now() - t0 < 3000);
});

test('malformed requests get invalid_argument and the connection stays open', async () => {
  const c = open();
  await c.opened;
  c.send({ id: 1, op: 'connect', args: { token: clientToken(srv) } });
  await c.reply(1);
  c.send('{not json');
  c.send({ op: 'sys.ping' });
  c.send({ id: 5, op: 'sys.ping', args: 'nope' });
  c.send({ id: 6, op: 'no.such.op' });
  c.send({ id: 7, op: 'sys.ping' });
  assert.equal((await c.reply(5)).error.code, 'invalid_argument');
  assert.equal((await c.reply(6)).error.code, 'unknown_op');
  assert.ok((await c.reply(7)).result.serverTime);
  const anonymous = c.messages.filter((m) => m.id === null);
  assert.equal(anonymous.length, 2);
  assert.ok(anonymous.every((m) => m.error.code === 'invalid_argument'));
  assert.equal(c.ws.readyState, WebSocket.OPEN);
  c.ws.close();
});

test('too many bad requests close the connection with 1008', async () => {
  const c = open();
  await c.opened;
  c.send({ id: 1, op: 'connect', args: { token: clientToken(srv) } });
  await c.reply(1);
  for (let i = 0; i < 10; i++) c.send('garbage');
  assert.equal((await c.closed).code, 1008);
});

test('a raw client gets the same 4003 after a bad token', async () => {
  const raw = await openRaw(srv.port);
  assert.equal(raw.status, 101);
  raw.sendJson({ id: 1, op: 'connect', args: { token: 'x.y.z' } });
  const reply = await raw.nextJson();
  assert.equal(reply.error.code, 'unauthenticated');
  assert.equal((await raw.nextClose()).code, 4003);
  raw.destroy();
});
