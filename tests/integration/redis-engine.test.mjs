// onair on the Redis engine (engine = "redis"): nodes register in Redis, stats sum over the live
// nodes, and a Redis outage turns into /readyz 503 and service_unavailable until Redis is back.
// Starts its own redis-server (tests/support/redis.mjs) and onair nodes on loopback ports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import { connectClient } from '../support/client.mjs';
import { startOnair } from '../support/onair.mjs';
import { redisAvailable, startRedis } from '../support/redis.mjs';
import { apiCredential } from '../support/tokens.mjs';

const skip = redisAvailable() ? false : 'redis-server is not installed (/usr/bin/redis-server)';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Nodes of one deployment share the Redis and the API keys.
const apiKey = 'APIredis' + randomBytes(4).toString('hex');
const apiSecret = randomBytes(32).toString('base64url');
let redis;
let nodeA;
const extra = [];  // nodes a test started, stopped after it

before(async () => {
  if (skip) return;
  redis = await startRedis();
  nodeA = await startNode('node-a');
});

after(async () => {
  for (const n of extra) await n.stop();
  await nodeA?.stop();
  await redis?.stop();
});

function startNode(id, config = {}) {
  return startOnair({ apiKey, apiSecret, config: { engine: 'redis', 'redis.url': redis.url, 'node.id': id, ...config } });
}

const stats = async (srv) => {
  const res = await fetch(`${srv.url}/v1/stats`, { headers: { authorization: `Bearer ${apiCredential(srv)}` } });
  return { status: res.status, body: await res.json() };
};
const readyz = async (srv) => (await fetch(`${srv.url}/readyz`)).status;

// Polls `probe` until `accept(value)` or `ms` pass; returns the last value (the caller asserts on it).
async function until(probe, accept, ms = 5000) {
  const deadline = Date.now() + ms;
  let value = await probe();
  while (!accept(value) && Date.now() < deadline) {
    await sleep(100);
    value = await probe();
  }
  return value;
}

test('a node on the Redis engine is ready and lists itself in sys.stats', { skip }, async () => {
  const ready = await (await fetch(`${nodeA.url}/readyz`)).json();
  assert.deepEqual(ready, { status: 'ready', engine: { name: 'redis', ready: true }, listening: true });
  assert.match(nodeA.output(), /engine: redis at redis:\/\/127\.0\.0\.1:\d+\/0/);

  const c = await connectClient(nodeA);
  const reply = await c.request('sys.stats');
  assert.ok(reply.result, JSON.stringify(reply));
  const s = reply.result;
  assert.equal(s.nodes.length, 1);
  assert.equal(s.nodes[0].id, 'node-a');
  assert.equal(s.nodes[0].address, `127.0.0.1:${nodeA.port}`);
  assert.match(s.nodes[0].startedAt, /^\d{4}-\d\d-\d\dT/);
  assert.equal(s.connections, 1);  // this node's totals are fresh
  assert.equal(s.nodes[0].connections, 1);
  for (const key of ['rooms', 'channels', 'members']) assert.equal(typeof s[key], 'number');
  assert.deepEqual(Object.keys(s.messages).sort(), ['delivered', 'stored']);
  c.close();
});

test('two nodes list each other and stats sum their connections', { skip }, async () => {
  const nodeB = await startNode('node-b');
  extra.push(nodeB);
  const onA = await connectClient(nodeA, { sub: 'ana' });
  const onB = [await connectClient(nodeB, { sub: 'ben' }), await connectClient(nodeB, { sub: 'bea' })];

  // Other nodes' totals are their last announcement (refreshed every second).
  const settled = (r) => r.status === 200 && r.body.nodes.length === 2 && r.body.connections === 3;
  for (const srv of [nodeA, nodeB]) {
    const { status, body } = await until(() => stats(srv), settled);
    assert.equal(status, 200);
    assert.deepEqual(body.nodes.map((n) => n.id), ['node-a', 'node-b']);
    assert.deepEqual(body.nodes.map((n) => n.connections), [1, 2]);
    assert.equal(body.connections, 3);
    assert.equal(body.nodes[1].address, `127.0.0.1:${nodeB.port}`);
  }

  // A node that stops leaves the list at once (it removes its record on SIGTERM).
  for (const c of onB) c.close();
  await nodeB.stop();
  extra.splice(extra.indexOf(nodeB), 1);
  const { body } = await stats(nodeA);
  assert.deepEqual(body.nodes.map((n) => n.id), ['node-a']);
  onA.close();
});

test('Redis down: /readyz 503 and service_unavailable with retryAfterMs; Redis back: ready again', { skip }, async () => {
  const c = await connectClient(nodeA, { sub: 'carl' });
  await redis.kill();

  assert.equal(await until(() => readyz(nodeA), (s) => s === 503, 3000), 503);
  const metrics = await (await fetch(`${nodeA.url}/metrics`)).text();
  assert.match(metrics, /^onair_engine_ready\{engine="redis"\} 0$/m);
  assert.match(metrics, /^onair_redis_up 0$/m);
  const published = await c.request('room.publish', { room: 'outage', type: 'note', data: { n: 1 } });
  assert.equal(published.error?.code, 'service_unavailable', JSON.stringify(published));
  assert.equal(typeof published.error.retryAfterMs, 'number');
  assert.ok(published.error.retryAfterMs > 0);
  const s = await stats(nodeA);
  assert.equal(s.status, 503);
  assert.equal(s.body.error.code, 'service_unavailable');
  const pong = await c.request('sys.ping');  // needs no Redis: the connection stays and answers
  assert.ok(pong.result !== undefined, JSON.stringify(pong));

  await redis.restart();
  assert.equal(await until(() => readyz(nodeA), (st) => st === 200, 3000), 200);
  const back = await (await fetch(`${nodeA.url}/metrics`)).text();
  assert.match(back, /^onair_redis_up 1$/m);
  assert.match(back, /^onair_redis_reconnects_total\{connection="commands"\} [1-9]\d*$/m);
  c.close();
});

test('a node whose Redis is unreachable starts anyway and is not ready', { skip }, async () => {
  const lonely = await startOnair({ apiKey, apiSecret, config: { engine: 'redis', 'redis.url': 'redis://127.0.0.1:1', 'node.id': 'lonely' } });
  extra.push(lonely);
  assert.equal(await readyz(lonely), 503);
  assert.match(lonely.output(), /not ready yet/);
  const { status, body } = await stats(lonely);
  assert.equal(status, 503);
  assert.equal(body.error.code, 'service_unavailable');
});

test('engine = redis without a usable redis.url stops at start-up with a clear message', { skip }, async () => {
  await assert.rejects(startOnair({ config: { engine: 'redis' } }), /engine = "redis" needs redis\.url/);
  await assert.rejects(startOnair({ config: { engine: 'redis', 'redis.url': 'redis+cluster://127.0.0.1:7000' } }),
    /Redis Cluster .* not supported yet/);
});
