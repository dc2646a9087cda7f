// Connection lifecycle against the real binary: backpressure (4008), keepalive, SIGTERM (1001).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startOnair } from '../support/onair.mjs';
import { openRaw } from '../support/wsraw.mjs';
import { clientToken } from '../support/tokens.mjs';

async function connectWs(srv) {
  const ws = new WebSocket(srv.wsUrl);
  await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
  const replies = new Map();
  ws.on('message', (m) => { const msg = JSON.parse(m.toString()); replies.set(msg.id, msg); });
  ws.send(JSON.stringify({ id: 0, op: 'connect', args: { token: clientToken(srv) } }));
  for (let i = 0; i < 100 && !replies.has(0); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(replies.get(0)?.result, 'connect failed');
  const closed = new Promise((res) => ws.on('close', (code) => res(code)));
  return { ws, replies, closed };
}

async function metric(srv, name) {
  const text = await (await fetch(srv.url + '/metrics')).text();
  return text.split('\n').filter((l) => l.startsWith(name + '{')).reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

test('a slow consumer is closed with 4008 while others keep being served', async () => {
  const srv = await startOnair({ args: ['--ws-send-queue-bytes', '65536'] });
  try {
    const slow = await connectWs(srv);
    const fast = await connectWs(srv);
    // The slow client stops reading; its replies fill the socket buffers, then onair's queue.
    slow.ws._socket.pause();
    const pad = 'x'.repeat(60_000);
    let drops = 0;
    for (let round = 0; round < 400 && drops === 0; round++) {
      for (let i = 0; i < 10; i++) slow.ws.send(JSON.stringify({ id: 1000 + round * 10 + i, op: 'sys.echo', args: { pad } }));
      // The fast client is answered meanwhile.
      fast.ws.send(JSON.stringify({ id: round + 1, op: 'sys.ping' }));
      await new Promise((r) => setTimeout(r, 10));
      if (round % 5 === 4) drops = await metric(srv, 'onair_send_queue_drops_total');
    }
    assert.equal(drops, 1, 'the slow consumer should have been dropped');
    slow.ws._socket.resume();
    assert.equal(await slow.closed, 4008);
    const before = fast.replies.size;
    fast.ws.send(JSON.stringify({ id: 'after', op: 'sys.ping' }));
    for (let i = 0; i < 100 && !fast.replies.has('after'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(fast.replies.get('after')?.result, 'the fast client must still be served');
    assert.ok(before > 1);
    fast.ws.close();
  } finally {
    await srv.stop();
  }
});

test('keepalive pings idle clients and drops ones that never answer', async () => {
  const srv = await startOnair({ args: ['--ws-ping-interval-ms', '1000', '--ws-ping-timeout-ms', '1000'] });
  try {
    const alive = await connectWs(srv);  // the ws package answers pings by itself
    let pings = 0;
    alive.ws.on('ping', () => pings++);
    const dead = await openRaw(srv.port); // answers nothing once connected
    dead.sendJson({ id: 1, op: 'connect', args: { token: clientToken(srv) } });
    assert.ok((await dead.nextJson()).result);
    dead.socket.pause();
    await new Promise((r) => setTimeout(r, 4500));
    assert.ok(pings >= 1, 'the live client should have been pinged');
    assert.equal(alive.ws.readyState, WebSocket.OPEN);
    assert.equal(await metric(srv, 'onair_connections'), 1, 'the silent client should be gone');
    alive.ws.close();
    dead.destroy();
  } finally {
    await srv.stop();
  }
});

test('SIGTERM closes clients with 1001 and exits 0 within 5 s', async () => {
  const srv = await startOnair();
  const clients = await Promise.all([connectWs(srv), connectWs(srv), connectWs(srv)]);
  const t0 = Date.now();
  const exit = srv.stop('SIGTERM');
  const codes = await Promise.all(clients.map((c) => c.closed));
  assert.deepEqual(codes, [1001, 1001, 1001]);
  assert.equal(await exit, 0);
  assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  // New connections are refused once it is gone.
  await assert.rejects(fetch(srv.url + '/healthz'));
});
