// History, metadata, idempotency keys and epochs survive restarts, including kill -9.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startOnair } from '../support/onair.mjs';
import { connectClient, ok } from '../support/client.mjs';
import { openRaw } from '../support/wsraw.mjs';
import { clientToken } from '../support/tokens.mjs';

function sameServer() {
  return {
    dataDir: mkdtempSync(join(tmpdir(), 'onair-durable-')),
    apiKey: 'APIdurable' + randomBytes(4).toString('hex'),
    apiSecret: randomBytes(32).toString('base64url'),
  };
}

test('a clean restart keeps history, metadata, idempotency keys and the epoch', async () => {
  const opts = sameServer();
  let srv;
  try {
    srv = await startOnair(opts);
    let c = await connectClient(srv);
    const first = await ok(c, 'room.publish', { room: 'keep', type: 't', data: 1, idempotencyKey: 'k1' });
    await ok(c, 'room.publish', { room: 'keep', type: 't', data: 2 });
    await ok(c, 'room.metadata', { room: 'keep', metadata: { title: 'kept' } });
    c.close();
    assert.equal(await srv.stop('SIGTERM'), 0);

    srv = await startOnair(opts);
    c = await connectClient(srv);
    const history = await ok(c, 'room.history', { room: 'keep', direction: 'forward' });
    assert.deepEqual(history.messages.map((m) => m.data), [1, 2]);
    assert.equal(history.position.epoch, first.epoch, 'the epoch survives, so clients can resume');
    const retried = await ok(c, 'room.publish', { room: 'keep', type: 't', data: 1, idempotencyKey: 'k1' });
    assert.equal(retried.duplicate, true);
    assert.equal(retried.offset, first.offset);
    const meta = await ok(c, 'room.metadata', { room: 'keep' });
    assert.deepEqual([meta.metadata, meta.version], [{ title: 'kept' }, 1]);
    const resumed = await ok(c, 'room.join', { room: 'keep', since: { offset: 1, epoch: first.epoch } });
    assert.equal(resumed.recovered, true);
    const replay = await c.waitEvent((e) => e.event === 'room.message');
    assert.equal(replay.data.data, 2);
    c.close();
  } finally {
    await srv?.stop();  // also when an assertion failed: never leave a server running
    rmSync(opts.dataDir, { recursive: true, force: true });
  }
});

test('kill -9 during a stream of publishes loses no acknowledged message and stores none twice', async () => {
  const opts = sameServer();
  let srv;
  try {
    const big = { ...opts, args: ['--rooms-history-size', '1000000'] };
    srv = await startOnair(big);
    let c = await connectClient(srv);
    const acked = new Map();     // key -> offset
    const sent = [];             // keys in send order
    let stop = false;
    // A pipelined stream of keyed publishes; kill -9 lands in the middle of it.
    const pump = (async () => {
      for (let i = 0; i < 100000 && !stop; i++) {
        const key = `msg-${i}`;
        sent.push(key);
        c.request('channel.publish', { channel: 'crash', type: 't', data: { key }, idempotencyKey: key })
          .then((r) => { if (r.result) acked.set(key, r.result.offset); })
          .catch(() => {});
        if (i % 50 === 49) await new Promise((r) => setTimeout(r, 1));
      }
    })();
    for (let i = 0; i < 2000 && acked.size < 300; i++) await new Promise((r) => setTimeout(r, 5));
    srv.proc.kill('SIGKILL');
    stop = true;
    await pump;
    await srv.stop();
    assert.ok(acked.size >= 300);

    srv = await startOnair(big);
    c = await connectClient(srv);
    // The client retries everything it sent but did not see acknowledged, with the same keys.
    for (const key of sent.filter((k) => !acked.has(k))) {
      await ok(c, 'channel.publish', { channel: 'crash', type: 't', data: { key }, idempotencyKey: key });
    }
    const seen = new Map();
    let page = await ok(c, 'channel.history', { channel: 'crash', limit: 1000, direction: 'forward' });
    for (;;) {
      for (const m of page.messages) seen.set(m.data.key, (seen.get(m.data.key) ?? 0) + 1);
      if (!page.cursor) break;
      page = await ok(c, 'channel.history', { channel: 'crash', limit: 1000, cursor: page.cursor });
    }
    for (const [key, offset] of acked) {
      assert.equal(seen.get(key), 1, `acknowledged ${key} (offset ${offset}) must be stored exactly once`);
    }
    for (const [key, n] of seen) assert.equal(n, 1, `${key} stored ${n} times`);
    assert.equal(seen.size, sent.length, 'after the retries every sent message is stored once');
    c.close();
  } finally {
    await srv?.stop();
    rmSync(opts.dataDir, { recursive: true, force: true });
  }
});

test('a member whose connection dies silently leaves within the keepalive timeout', async () => {
  const srv = await startOnair({ args: ['--ws-ping-interval-ms', '1000', '--ws-ping-timeout-ms', '1000'] });
  try {
    const watcher = await connectClient(srv, { sub: 'watcher' });
    await ok(watcher, 'room.join', { room: 'ghosts' });
    const ghost = await openRaw(srv.port);
    ghost.sendJson({ id: 1, op: 'connect', args: { token: clientToken(srv, { sub: 'ghost', grants: { room: { '*': ['subscribe'] } } }) } });
    await ghost.nextJson();
    ghost.sendJson({ id: 2, op: 'room.join', args: { room: 'ghosts' } });
    await watcher.waitEvent((e) => e.event === 'room.memberJoined' && e.data.userId === 'ghost');
    ghost.socket.pause();  // alive at the TCP level, silent at the WebSocket level
    const t0 = Date.now();
    const left = await watcher.waitEvent((e) => e.event === 'room.memberLeft', 6000);
    assert.equal(left.data.userId, 'ghost');
    assert.ok(Date.now() - t0 < 4500, `left after ${Date.now() - t0} ms`);
    ghost.destroy();
    watcher.close();
  } finally {
    await srv.stop();
  }
});
