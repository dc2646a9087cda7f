// Client behaviour against a scripted WebSocket server on 127.0.0.1 (no onair process needed):
// timeouts, disconnects, reconnect with backoff, close codes, keepalive.
import { test as baseTest, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { WebSocket, WebSocketServer } from 'ws';
import { connect, OnairError } from '../dist/client/index.js';
import { connectUrl } from '../dist/client/url.js';

// Every test waits on events; a bounded timeout turns a missing event into a failure, not a hang.
const test = (name, fn) => baseTest(name, { timeout: 5000 }, fn);
const FAST = { minDelayMs: 5, maxDelayMs: 20 };
const cleanups = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()();
});

function session(extra = {}) {
  return {
    sessionId: 's_test', userId: 'alice', name: null, scope: null,
    expiresAt: new Date(Date.now() + 3600_000).toISOString(), serverTime: new Date().toISOString(),
    server: { version: 'mock' }, keepalive: { pingIntervalMs: 20000, pingTimeoutMs: 10000 }, ...extra,
  };
}

/**
 * Starts a scripted server. `script(ws, msg, conn)` is called for every parsed message; by
 * default `connect` is answered with a session. Records connections and messages.
 */
async function mockServer(script = () => {}, { answerConnect = true, sessionExtra } = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const log = { connections: [], messages: [], closes: [] };
  const waiters = [];
  const notify = () => { for (const w of [...waiters]) w(); };
  wss.on('connection', (ws, req) => {
    const conn = { index: log.connections.length, path: req.url, messages: [] };
    log.connections.push(conn);
    ws.on('close', (code) => { log.closes.push(code); notify(); });
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString());
      conn.messages.push(msg);
      log.messages.push(msg);
      if (answerConnect && msg.op === 'connect') {
        ws.send(JSON.stringify({ id: msg.id, result: session(sessionExtra) }));
      }
      script(ws, msg, conn);
      notify();
    });
    notify();
  });
  const server = {
    url: `http://127.0.0.1:${wss.address().port}`,
    log,
    /** Resolves once `predicate()` holds (checked after every server-side event). */
    until(predicate, timeoutMs = 3000) {
      return new Promise((resolve, reject) => {
        if (predicate()) return resolve();
        const timer = setTimeout(() => { waiters.splice(waiters.indexOf(check), 1); reject(new Error('condition not met in time')); }, timeoutMs);
        const check = () => {
          if (!predicate()) return;
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(check), 1);
          resolve();
        };
        waiters.push(check);
      });
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    },
  };
  cleanups.push(() => server.close());
  return server;
}

async function open(server, options = {}) {
  const client = await connect({ url: server.url, token: 'tok', WebSocket, reconnect: FAST, ...options });
  cleanups.push(() => client.close());
  return client;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const nextEvent = (client, event) => new Promise((resolve) => client.once(event, (x) => resolve(x)));

async function rejectsWith(promise, code) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof OnairError, `expected OnairError, got ${err}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
}

test('connectUrl maps the base URL to the WebSocket endpoint', () => {
  assert.equal(connectUrl('http://127.0.0.1:7880'), 'ws://127.0.0.1:7880/v1/connect');
  assert.equal(connectUrl('https://example.com/'), 'wss://example.com/v1/connect');
  assert.equal(connectUrl('wss://example.com/v1/connect'), 'wss://example.com/v1/connect');
  assert.equal(connectUrl('https://example.com/onair/'), 'wss://example.com/onair/v1/connect');
  assert.throws(() => connectUrl('ftp://x'), (e) => e.code === 'invalid_argument');
  assert.throws(() => connectUrl('not a url'), (e) => e.code === 'invalid_argument');
});

test('connect sends the token first on /v1/connect and exposes the session', async () => {
  const server = await mockServer();
  const client = await open(server, { token: async () => 'from-fn' });
  assert.equal(client.state, 'connected');
  assert.equal(client.session.userId, 'alice');
  assert.equal(server.log.connections[0].path, '/v1/connect');
  const first = server.log.connections[0].messages[0];
  assert.equal(first.op, 'connect');
  assert.deepEqual(first.args, { token: 'from-fn' });
  assert.equal(typeof first.id, 'number');
});

test('requests are matched by id, with increasing integer ids, even when answered out of order', async () => {
  const held = [];
  const server = await mockServer((ws, msg) => {
    if (msg.op === 'connect') return;
    held.push([ws, msg]);
    if (held.length === 2) {
      for (const [w, m] of held.reverse()) w.send(JSON.stringify({ id: m.id, result: { echo: m.args?.n } }));
    }
  });
  const client = await open(server);
  const [a, b] = await Promise.all([client.request('test.echo', { n: 1 }), client.request('test.echo', { n: 2 })]);
  assert.deepEqual([a, b], [{ echo: 1 }, { echo: 2 }]);
  const ids = server.log.messages.map((m) => m.id);
  assert.ok(ids.every((id, i) => Number.isInteger(id) && (i === 0 || id > ids[i - 1])), `ids ${ids}`);
});

test('an error reply rejects with OnairError carrying code and retryAfterMs', async () => {
  const server = await mockServer((ws, msg) => {
    if (msg.op === 'room.publish') {
      ws.send(JSON.stringify({ id: msg.id, error: { code: 'rate_limited', message: 'too fast', retryAfterMs: 250 } }));
    }
  });
  const client = await open(server);
  await assert.rejects(client.request('room.publish', { room: 'r' }), (err) => {
    assert.ok(err instanceof OnairError);
    assert.equal(err.code, 'rate_limited');
    assert.equal(err.message, 'too fast');
    assert.equal(err.retryAfterMs, 250);
    return true;
  });
});

test('a request without a reply rejects with timeout, and a late reply is ignored', async () => {
  let late;
  const server = await mockServer((ws, msg) => {
    if (msg.op === 'test.never') late = () => ws.send(JSON.stringify({ id: msg.id, result: {} }));
    if (msg.op === 'sys.ping') ws.send(JSON.stringify({ id: msg.id, result: { serverTime: 'now' } }));
  });
  const client = await open(server);
  const started = Date.now();
  await rejectsWith(client.request('test.never', {}, { timeoutMs: 50 }), 'timeout');
  assert.ok(Date.now() - started >= 45);
  late();
  assert.deepEqual(await client.request('sys.ping'), { serverTime: 'now' });
  assert.equal(client.state, 'connected');
});

test('server events reach handlers with (data, target); the remover stops delivery', async () => {
  const server = await mockServer((ws, msg) => {
    if (msg.op === 'test.emit') {
      ws.send(JSON.stringify({ event: 'room.message', target: 'lobby', data: { text: msg.args.text, offset: 3 } }));
      ws.send(JSON.stringify({ id: msg.id, result: {} }));
    }
  });
  const client = await open(server);
  const got = [];
  const off = client.on('room.message', (data, target) => got.push([data, target]));
  await client.request('test.emit', { text: 'hi' });
  off();
  await client.request('test.emit', { text: 'again' });
  assert.deepEqual(got, [[{ text: 'hi', offset: 3 }, 'lobby']]);
});

test('in-flight requests reject with disconnected when the socket drops', async () => {
  const server = await mockServer((ws, msg) => {
    if (msg.op === 'test.hang') setTimeout(() => ws.close(1011, 'boom'), 20);
  });
  const client = await open(server, { reconnect: false });
  const disconnected = nextEvent(client, 'disconnected');
  await rejectsWith(client.request('test.hang'), 'disconnected');
  assert.deepEqual(await disconnected, { code: 1011, reason: 'boom' });
  assert.equal(client.state, 'closed');
  await rejectsWith(client.request('sys.ping'), 'disconnected');
});

test('first connect refused by the server rejects with unauthenticated and does not retry', async () => {
  const server = await mockServer((ws, msg) => {
    ws.send(JSON.stringify({ id: msg.id, error: { code: 'unauthenticated', message: 'bad signature' } }));
    ws.close(4003, 'authentication failed');
  }, { answerConnect: false });
  let calls = 0;
  await rejectsWith(connect({ url: server.url, token: () => { calls++; return 'x'; }, WebSocket, reconnect: FAST }), 'unauthenticated');
  await sleep(100);
  assert.equal(server.log.connections.length, 1);
  assert.equal(calls, 1);
});

test('first connect to a closed port rejects with service_unavailable', async () => {
  const server = await mockServer();
  const url = server.url;
  await server.close();
  await rejectsWith(connect({ url, token: 't', WebSocket }), 'service_unavailable');
});

test('first connect without a reply rejects with timeout', async () => {
  const server = await mockServer(() => {}, { answerConnect: false });
  await rejectsWith(connect({ url: server.url, token: 't', WebSocket, requestTimeoutMs: 100 }), 'timeout');
});

test('after an unexpected drop the client reconnects, re-sends connect and emits connected', async () => {
  const server = await mockServer((ws, msg, conn) => {
    if (msg.op === 'connect' && conn.index === 0) setTimeout(() => ws.terminate(), 30);
    if (msg.op === 'sys.ping') ws.send(JSON.stringify({ id: msg.id, result: { serverTime: 'now', conn: conn.index } }));
  });
  const tokens = [];
  const client = await open(server, { token: async () => { tokens.push(`t${tokens.length}`); return tokens.at(-1); } });
  const events = [];
  client.on('disconnected', (i) => events.push(['disconnected', i.code]));
  client.on('reconnecting', (i) => events.push(['reconnecting', i.attempt, typeof i.delayMs]));
  const hookOrder = [];
  client.onReconnect((s) => hookOrder.push(['hook', s.userId]));
  const reconnected = new Promise((resolve) => client.on('connected', (i) => { hookOrder.push('connected'); events.push(['connected', i.resumed]); resolve(); }));
  await nextEvent(client, 'reconnecting');
  assert.equal(client.state, 'reconnecting');
  // Issued while reconnecting: queued, then sent on the new connection.
  const queued = client.request('sys.ping');
  await reconnected;
  assert.deepEqual(events, [['disconnected', 1006], ['reconnecting', 1, 'number'], ['connected', true]]);
  assert.deepEqual(hookOrder, [['hook', 'alice'], 'connected']);
  assert.equal(client.state, 'connected');
  assert.deepEqual(await queued, { serverTime: 'now', conn: 1 });
  const connects = server.log.messages.filter((m) => m.op === 'connect');
  assert.deepEqual(connects.map((m) => m.args.token), ['t0', 't1']);
  assert.equal(server.log.connections.length, 2);
});

test('backoff keeps retrying while the server refuses connections, then recovers', async () => {
  let accept = false;
  const server = await mockServer((ws, msg, conn) => {
    if (msg.op !== 'connect') return;
    if (conn.index === 0) {
      ws.send(JSON.stringify({ id: msg.id, result: session() }));
      setTimeout(() => ws.terminate(), 10);
    } else if (!accept) {
      ws.terminate();
    } else {
      ws.send(JSON.stringify({ id: msg.id, result: session() }));
    }
  }, { answerConnect: false });
  const client = await open(server);
  const attempts = [];
  client.on('reconnecting', (i) => { attempts.push(i); if (i.attempt === 4) accept = true; });
  const errors = [];
  client.on('error', (e) => errors.push(e));
  await nextEvent(client, 'connected');
  assert.deepEqual(attempts.map((a) => a.attempt), [1, 2, 3, 4]);
  for (const a of attempts) assert.ok(a.delayMs >= 0 && a.delayMs <= FAST.maxDelayMs, `delay ${a.delayMs}`);
  assert.equal(server.log.connections.length, 5);
  assert.deepEqual(errors, [], 'refused reconnects are not reported as errors');
});

test('close() stops reconnecting, rejects queued requests and is idempotent', async () => {
  const server = await mockServer((ws, msg) => {
    if (msg.op === 'connect') setTimeout(() => ws.terminate(), 10);
  });
  const client = await connect({ url: server.url, token: 't', WebSocket, reconnect: { minDelayMs: 50, maxDelayMs: 50 } });
  await nextEvent(client, 'reconnecting');
  const queued = client.request('sys.ping');
  const p1 = client.close();
  const p2 = client.close();
  assert.equal(p1, p2);
  await p1;
  await rejectsWith(queued, 'disconnected');
  const connections = server.log.connections.length;
  await sleep(200);
  assert.equal(server.log.connections.length, connections);
  assert.equal(client.state, 'closed');
});

test('close() sends close code 1000 and emits disconnected once', async () => {
  const server = await mockServer();
  const client = await open(server);
  const seen = [];
  client.on('disconnected', (i) => seen.push(i.code));
  await client.close();
  await client.close();
  await server.until(() => server.log.closes.length === 1);
  assert.deepEqual(server.log.closes, [1000]);
  assert.deepEqual(seen, [1000]);
});

test('close code 4003 with a string token stops; with a token function it reconnects', async () => {
  const server = await mockServer((ws, msg, conn) => {
    if (msg.op === 'connect' && conn.index < 2) setTimeout(() => ws.close(4003, 'token expired'), 10);
  });
  const fixed = await open(server, { token: 'fixed' });
  const error = nextEvent(fixed, 'error');
  const down = nextEvent(fixed, 'disconnected');
  assert.equal((await down).code, 4003);
  assert.equal((await error).code, 'unauthenticated');
  await sleep(100);
  assert.equal(fixed.state, 'closed');
  assert.equal(server.log.connections.length, 1);

  let calls = 0;
  const refreshing = await open(server, { token: () => `fresh${++calls}` });
  const again = await nextEvent(refreshing, 'connected');
  assert.equal(again.resumed, true);
  assert.equal(calls, 2);
});

test('getToken: a refresh goes out shortly before expiry, and a reconnect connects with a fresh token', async () => {
  const server = await mockServer((ws, msg) => {
    if (msg.op !== 'refresh') return;
    ws.send(JSON.stringify({ id: msg.id, result: { expiresAt: new Date(Date.now() + 3600_000).toISOString(), serverTime: new Date().toISOString() } }));
    setTimeout(() => ws.close(1001, 'going away'), 10);  // then drop it: the reconnect asks getToken again
  }, { sessionExtra: { expiresAt: new Date(Date.now() + 1000).toISOString() } });
  let calls = 0;
  const client = await open(server, { token: 'first', getToken: () => `fresh${++calls}` });
  assert.equal(server.log.connections[0].messages[0].args.token, 'first');
  const again = nextEvent(client, 'connected');
  await server.until(() => server.log.messages.some((m) => m.op === 'refresh'));
  assert.deepEqual(server.log.messages.find((m) => m.op === 'refresh').args, { token: 'fresh1' });
  assert.equal((await again).resumed, true);
  assert.equal(server.log.connections[1].messages[0].args.token, 'fresh2');
});

test('a request over the session limits is refused with payload_too_large before it is sent', async () => {
  const server = await mockServer((ws, msg) => {
    if (msg.op === 'sys.echo') ws.send(JSON.stringify({ id: msg.id, result: msg.args }));
  }, { sessionExtra: { limits: { maxMessageBytes: 2048, maxFrameBytes: 1024, sendQueueBytes: 1 << 20 } } });
  const client = await open(server);
  await assert.rejects(client.request('sys.echo', { pad: 'x'.repeat(1100) }),
    (e) => e instanceof OnairError && e.code === 'payload_too_large' && /1024/.test(e.message));
  assert.deepEqual(await client.request('sys.echo', { pad: 'small' }), { pad: 'small' });
  assert.deepEqual(server.log.messages.filter((m) => m.op === 'sys.echo').map((m) => m.args.pad), ['small']);
  assert.equal(client.state, 'connected');
});

test('client-bug close codes reconnect but are reported once via error', async () => {
  const server = await mockServer((ws, msg, conn) => {
    if (msg.op === 'connect' && conn.index < 2) setTimeout(() => ws.close(1008, 'too many bad requests'), 10);
  });
  const client = await open(server);
  const errors = [];
  client.on('error', (e) => errors.push(e));
  let connected = 0;
  await new Promise((resolve) => client.on('connected', () => { if (++connected === 2) resolve(); }));
  assert.equal(server.log.connections.length, 3);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, 'invalid_argument');
  assert.match(errors[0].message, /1008/);
});

test('keepalive: a silent connection whose sys.ping goes unanswered is dropped and replaced', async () => {
  const server = await mockServer(() => {}, { sessionExtra: { keepalive: { pingIntervalMs: 300, pingTimeoutMs: 200 } } });
  const client = await open(server);
  const down = await nextEvent(client, 'disconnected');
  assert.equal(down.reason, 'keepalive timeout');
  await nextEvent(client, 'connected');
  assert.ok(server.log.messages.some((m) => m.op === 'sys.ping'));
  assert.equal(server.log.connections.length, 2);
});

test('with several URLs, the first connect skips a node that does not answer', async () => {
  const dead = await mockServer();
  const deadUrl = dead.url;
  await dead.close();  // nothing listens there any more
  const live = await mockServer();
  const client = await open(live, { url: [deadUrl, live.url] });
  assert.equal(client.state, 'connected');
  assert.equal(live.log.connections.length, 1);
});

test('with several URLs, a client whose node went away reconnects to the next one', async () => {
  const first = await mockServer();
  const second = await mockServer();
  const client = await open(first, { url: [first.url, second.url] });
  const reconnected = nextEvent(client, 'connected');
  await first.close();
  const { resumed } = await reconnected;
  assert.equal(resumed, true);
  assert.equal(second.log.connections.length, 1, 'the second node took the connection');
});

test('an empty URL list is refused', async () => {
  await rejectsWith(connect({ url: [], token: 'tok', WebSocket }), 'invalid_argument');
});
