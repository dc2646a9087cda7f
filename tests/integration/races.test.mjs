// Regressions for races found in review: each drives the interleaving hard on one shard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startOnair } from '../support/onair.mjs';
import { connectClient, ok } from '../support/client.mjs';
import { openRaw, frame } from '../support/wsraw.mjs';
import { clientToken } from '../support/tokens.mjs';

test('subscribing on the owner shard while messages are fanned out misses none', async () => {
  const srv = await startOnair({ threads: 1 });
  try {
    const pub = await connectClient(srv, { sub: 'pub' });
    const sub = await connectClient(srv, { sub: 'sub' });
    let publishing = true;
    const pump = (async () => {
      for (let i = 0; i < 20000 && publishing; i++) {
        const batch = [];
        for (let j = 0; j < 20; j++) batch.push(pub.request('channel.publish', { channel: 'race', type: 't', data: i }));
        await Promise.all(batch);
      }
    })();
    for (let round = 0; round < 150; round++) {
      sub.events.length = 0;
      const r = await ok(sub, 'channel.subscribe', { channel: 'race' });
      const first = await sub.waitEvent((e) => e.event === 'channel.message', 5000);
      assert.equal(first.data.offset, r.position.offset + 1, `round ${round}: the first live message follows the position`);
      await ok(sub, 'channel.unsubscribe', { channel: 'race' });
    }
    publishing = false;
    await pump;
    pub.close();
    sub.close();
  } finally {
    await srv.stop();
  }
});

test('a client that pings without reading cannot grow server memory', async () => {
  const srv = await startOnair({ args: ['--ws-send-queue-bytes', '65536'] });
  try {
    const rss = () => Number(readFileSync(`/proc/${srv.proc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) * 1024;
    const raw = await openRaw(srv.port);
    raw.sendJson({ id: 1, op: 'connect', args: { token: clientToken(srv) } });
    await raw.nextJson();
    raw.socket.pause();
    const before = rss();
    const ping = frame(9, Buffer.alloc(125, 1));
    const burst = Buffer.concat(Array.from({ length: 1000 }, () => ping));
    for (let i = 0; i < 200; i++) {  // 200,000 pings, 25 MB of pongs if all were queued
      if (!raw.socket.write(burst)) await new Promise((r) => raw.socket.once('drain', r));
    }
    const c = await connectClient(srv, { sub: 'probe' });
    await ok(c, 'sys.ping');  // the server still answers others
    const growth = rss() - before;
    assert.ok(growth < 16 * 1024 * 1024, `server memory grew by ${(growth / 1048576).toFixed(1)} MiB`);
    raw.destroy();
    c.close();
  } finally {
    await srv.stop();
  }
});
