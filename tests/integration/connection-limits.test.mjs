// What one client or one address can make the server hold: small messages before `connect`,
// a cap on open connections per address, and the limits a session is told about.
import { test as baseTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import WebSocket from 'ws';
import { startOnair } from '../support/onair.mjs';
import { openRaw, frame } from '../support/wsraw.mjs';
import { clientToken } from '../support/tokens.mjs';

const CAP = 3;
// A missing close or reply fails the test instead of hanging it.
const test = (name, fn) => baseTest(name, { timeout: 15_000 }, fn);

let srv;     // default limits (16 KiB before connect, 1 MiB after)
let capped;  // http.max_connections_per_address = CAP
before(async () => {
  srv = await startOnair({ args: ['--ws-connect-timeout-ms', '30000'] });
  capped = await startOnair({ args: ['--http-max-connections-per-address', String(CAP)] });
});
after(async () => {
  await srv?.stop();
  await capped?.stop();
});

/** One HTTP GET on its own connection (closed after the answer, so it holds no place). */
function get(server, path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: server.port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
}

async function connected(server) {
  const raw = await openRaw(server.port);
  assert.equal(raw.status, 101);
  raw.sendJson({ id: 1, op: 'connect', args: { token: clientToken(server) } });
  const reply = await raw.nextJson();
  assert.ok(reply.result, JSON.stringify(reply));
  return { raw, session: reply.result };
}

async function pings(raw, id) {
  raw.sendJson({ id, op: 'sys.ping' });
  const reply = await raw.nextJson();
  return reply?.id === id && typeof reply.result?.serverTime === 'string';
}

async function closeCleanly(raw) {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(1000);
  raw.send(frame(8, payload));
  assert.ok(await raw.waitEnd(4000), 'the server should end the connection');
}

test('before connect, a fragmented message is closed with 1009 once it passes 16 KiB', async () => {
  const raw = await openRaw(srv.port);
  assert.equal(raw.status, 101);
  // 16 KiB in four fragments is still accepted: the pong to a ping sent after them proves it.
  raw.send(frame(1, 'x'.repeat(4096), { fin: false }));
  for (let i = 0; i < 3; i++) raw.send(frame(0, 'x'.repeat(4096), { fin: false }));
  raw.send(frame(9, 'still-open'));
  const pong = await raw.next((f) => f.opcode === 10 || f.opcode === 8);
  assert.equal(pong.opcode, 10, `expected a pong, got close ${pong.code}`);
  // One more byte: far below the 1 MiB the server accepts after connect.
  raw.send(frame(0, 'x', { fin: false }));
  const close = await raw.nextClose();
  assert.ok(close, 'expected a close frame');
  assert.equal(close.code, 1009);
  assert.ok(await raw.waitEnd(4000));
});

test('before connect, a frame over 16 KiB is closed with 1009 from its header alone', async () => {
  const raw = await openRaw(srv.port);
  const big = frame(1, 'x'.repeat(20 * 1024));
  raw.send(big.subarray(0, 8));  // header and mask key only: the body never comes
  const close = await raw.nextClose();
  assert.ok(close, 'expected a close frame');
  assert.equal(close.code, 1009);
});

test('the connect result carries the limits, and after connect messages up to them pass', async () => {
  const { raw, session } = await connected(srv);
  assert.deepEqual(session.limits, { maxMessageBytes: 1 << 20, maxFrameBytes: 1 << 20, sendQueueBytes: 4 << 20 });
  const pad = 'y'.repeat(64 * 1024);
  raw.sendJson({ id: 2, op: 'sys.echo', args: { pad } });
  const reply = await raw.nextJson();
  assert.equal(reply.result.pad.length, pad.length);
  raw.destroy();
});

test('the connection over the per-address cap is refused with 429 cap_exceeded; closing one frees a place', async () => {
  const open = [];
  for (let i = 0; i < CAP; i++) open.push((await connected(capped)).raw);
  // The next WebSocket upgrade from 127.0.0.1 is refused before any frame …
  const refused = await openRaw(capped.port);
  assert.equal(refused.status, 429);
  assert.ok(await refused.waitEnd(4000), 'the refused connection is closed');
  // … and so is a plain HTTP request, with the JSON error.
  const viaHttp = await get(capped, '/healthz');
  assert.equal(viaHttp.status, 429);
  assert.equal(JSON.parse(viaHttp.body).error.code, 'cap_exceeded');
  assert.match(JSON.parse(viaHttp.body).error.message, /http\.max_connections_per_address/);
  // The `ws` library sees the same refusal.
  const ws = new WebSocket(capped.wsUrl);
  const status = await new Promise((res) => {
    ws.on('unexpected-response', (req, r) => { req.destroy(); res(r.statusCode); });
    ws.on('open', () => res(101));
    ws.on('error', () => {});
  });
  assert.equal(status, 429);
  ws.terminate();
  // The first connections are untouched.
  for (const [i, raw] of open.entries()) assert.ok(await pings(raw, 10 + i), `connection ${i} still answers`);
  // Closing one gives its place back.
  await closeCleanly(open.shift());
  const again = await connected(capped);
  assert.ok(await pings(again.raw, 20));
  // Refusals are counted (read with a place free).
  await closeCleanly(again.raw);
  const metrics = await get(capped, '/metrics');
  assert.equal(metrics.status, 200);
  const refusedTotal = metrics.body.split('\n').filter((l) => l.startsWith('onair_connections_refused_total{'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  assert.ok(refusedTotal >= 3, `onair_connections_refused_total = ${refusedTotal}`);
  for (const raw of open) raw.destroy();
});
