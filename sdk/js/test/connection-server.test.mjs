// The client's connection against a real `onair serve` (build/onair, or $ONAIR_BIN): requests
// over the server's message limit are refused before sending, and getToken keeps a connection
// alive past its first token's expiry.
import { test as baseTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { WebSocket } from 'ws';
import { startOnair, onairBinary } from '../../../tests/support/onair.mjs';
import { clientToken, now } from '../../../tests/support/tokens.mjs';
import { connect, OnairError } from '../dist/client/index.js';

const test = (name, fn) => baseTest(name, { timeout: 15_000 }, fn);
const MAX_MESSAGE = 4096;
const GRANTS = { room: { '*': ['subscribe', 'publish'] } };

let srv;
const clients = [];

before(async () => {
  assert.ok(existsSync(onairBinary), `${onairBinary} is missing: build the server first`);
  srv = await startOnair({
    args: ['--ws-max-message-bytes', String(MAX_MESSAGE), '--ws-max-frame-bytes', String(MAX_MESSAGE), '--auth-leeway-seconds', '0'],
  });
});

after(async () => {
  for (const c of clients) await c.close();
  if (srv) await srv.stop();
});

async function open(options) {
  const client = await connect({ url: srv.url, WebSocket, reconnect: false, ...options });
  clients.push(client);
  const drops = [];
  client.on('disconnected', (info) => drops.push(info));
  return { client, drops };
}

test('a request over the server limit rejects with payload_too_large and the connection stays up', async () => {
  const { client, drops } = await open({ token: clientToken(srv, { grants: GRANTS }) });
  assert.deepEqual(client.session.limits, { maxMessageBytes: MAX_MESSAGE, maxFrameBytes: MAX_MESSAGE, sendQueueBytes: 4 << 20 });
  await assert.rejects(
    client.room('big_room').publish({ type: 'note', data: { pad: 'x'.repeat(MAX_MESSAGE) } }),
    (err) => err instanceof OnairError && err.code === 'payload_too_large' && /4096/.test(err.message),
  );
  // Multi-byte text counts in UTF-8 bytes: 1,500 × 'é' is 3,000 bytes, 1,500 × '€' is 4,500.
  assert.deepEqual(await client.request('sys.echo', { pad: 'é'.repeat(1500) }), { pad: 'é'.repeat(1500) });
  await assert.rejects(client.request('sys.echo', { pad: '€'.repeat(1500) }), (err) => err.code === 'payload_too_large');
  assert.ok(await client.room('big_room').publish({ type: 'note', data: { text: 'small' } }));
  assert.ok((await client.request('sys.ping')).serverTime);
  assert.equal(client.state, 'connected');
  assert.deepEqual(drops, []);
});

test('getToken is called before the token expires and the connection outlives it', async () => {
  const firstExp = now() + 2;
  let calls = 0;
  const { client, drops } = await open({
    token: clientToken(srv, { sub: 'gina', exp: firstExp }),
    getToken: async () => {
      calls++;
      return clientToken(srv, { sub: 'gina', exp: now() + 3 });
    },
  });
  // Past the first token's exp and the server's once-a-second check.
  await new Promise((r) => setTimeout(r, (firstExp + 1.5) * 1000 - Date.now()));
  assert.ok(calls >= 1, 'getToken was called');
  assert.ok(Date.parse(client.session.expiresAt) / 1000 > firstExp, 'the session knows the new expiry');
  assert.ok((await client.request('sys.ping')).serverTime);
  assert.equal(client.state, 'connected');
  assert.deepEqual(drops, []);
});

test('without getToken, a string token that expires ends the connection with 4011 and no reconnect', async () => {
  const { client, drops } = await open({ token: clientToken(srv, { sub: 'hal', exp: now() + 2 }), reconnect: { minDelayMs: 5 } });
  const errors = [];
  client.on('error', (e) => errors.push(e));
  await new Promise((resolve) => client.on('disconnected', resolve));
  assert.equal(drops[0].code, 4011);
  assert.equal(client.state, 'closed');
  assert.equal(errors[0]?.code, 'unauthenticated');
});
