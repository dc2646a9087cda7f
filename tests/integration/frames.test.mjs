// Bad frames from a raw socket get the RFC 6455 answer, and the server keeps serving others.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOnair } from '../support/onair.mjs';
import { openRaw, frame, text } from '../support/wsraw.mjs';
import { clientToken } from '../support/tokens.mjs';

let srv;
before(async () => {
  srv = await startOnair({ args: ['--ws-max-message-bytes', '4096', '--ws-max-frame-bytes', '2048'] });
});
after(async () => { await srv.stop(); });

async function connected() {
  const raw = await openRaw(srv.port);
  assert.equal(raw.status, 101);
  raw.sendJson({ id: 1, op: 'connect', args: { token: clientToken(srv) } });
  const r = await raw.nextJson();
  assert.ok(r.result, JSON.stringify(r));
  return raw;
}

async function expectClose(raw, code) {
  const close = await raw.nextClose();
  assert.ok(close, 'expected a close frame');
  assert.equal(close.code, code);
  assert.ok(await raw.waitEnd(4000), 'server should close the TCP connection');
}

async function serverStillServes() {
  const raw = await connected();
  raw.sendJson({ id: 2, op: 'sys.ping' });
  assert.ok((await raw.nextJson()).result.serverTime);
  raw.destroy();
}

test('an unmasked frame closes with 1002', async () => {
  const raw = await connected();
  raw.send(text('{"id":2,"op":"sys.ping"}', { mask: false }));
  await expectClose(raw, 1002);
  await serverStillServes();
});

test('a reserved opcode closes with 1002', async () => {
  const raw = await connected();
  raw.send(frame(3, 'x'));
  await expectClose(raw, 1002);
});

test('reserved bits close with 1002', async () => {
  const raw = await connected();
  raw.send(frame(1, '{}', { rsv: 0x40 }));
  await expectClose(raw, 1002);
});

test('invalid UTF-8 in a text message closes with 1007', async () => {
  const raw = await connected();
  raw.send(frame(1, Buffer.from([0x7b, 0xc3, 0x28, 0x7d])));
  await expectClose(raw, 1007);
  await serverStillServes();
});

test('a frame over the limit closes with 1009', async () => {
  const raw = await connected();
  raw.send(text(JSON.stringify({ id: 2, op: 'sys.echo', args: { pad: 'x'.repeat(3000) } })));
  await expectClose(raw, 1009);
});

test('a fragmented message over the limit closes with 1009', async () => {
  const raw = await connected();
  raw.send(frame(1, 'x'.repeat(2000), { fin: false }));
  raw.send(frame(0, 'x'.repeat(2000), { fin: false }));
  raw.send(frame(0, 'x'.repeat(2000), { fin: true }));
  await expectClose(raw, 1009);
});

test('fragments with a ping in between are reassembled and the ping answered', async () => {
  const raw = await connected();
  const msg = Buffer.from(JSON.stringify({ id: 9, op: 'sys.echo', args: { word: 'héllo' } }));
  raw.send(frame(1, msg.subarray(0, 10), { fin: false }));
  raw.send(frame(9, 'are-you-there'));
  // Split a frame across two TCP writes, too.
  const middle = frame(0, msg.subarray(10, 20), { fin: false });
  raw.send(middle.subarray(0, 3));
  await new Promise((r) => setTimeout(r, 30));
  raw.send(middle.subarray(3));
  raw.send(frame(0, msg.subarray(20), { fin: true }));
  const pong = await raw.next((f) => f.opcode === 10);
  assert.equal(pong.payload.toString(), 'are-you-there');
  const reply = await raw.nextJson();
  assert.deepEqual(reply, { id: 9, result: { word: 'héllo' } });
  raw.destroy();
});

test('a client close is answered with the same code', async () => {
  const raw = await connected();
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(3001);
  raw.send(frame(8, payload));
  await expectClose(raw, 3001);
});

test('a WebSocket upgrade on another path gets 404', async () => {
  const raw = await openRaw(srv.port, '/elsewhere');
  assert.equal(raw.status, 404);
  raw.destroy();
});
