import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOnair } from '../support/onair.mjs';
import { apiCredential, clientToken, randomSecret, signJwt, now } from '../support/tokens.mjs';

let srv;
before(async () => { srv = await startOnair({ args: ['--http-max-body-bytes', '4096'] }); });
after(async () => { await srv.stop(); });

const post = (path, body, auth) => fetch(srv.url + path, {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

test('healthz, readyz and metrics answer', async () => {
  assert.deepEqual(await (await fetch(srv.url + '/healthz')).json(), { status: 'ok' });
  const ready = await fetch(srv.url + '/readyz');
  assert.equal(ready.status, 200);
  assert.equal((await ready.json()).status, 'ready');
  const metrics = await (await fetch(srv.url + '/metrics')).text();
  for (const name of ['onair_build_info', 'onair_connections{shard="0"}', 'onair_frames_in_total', 'onair_bytes_out_total',
    'onair_send_queue_drops_total', 'onair_loop_lag_seconds', 'onair_requests_total',
    'onair_rtc_transports{shard="1"} 0', 'onair_rtc_udp_packets_in_total{shard="0"}',
    'onair_rtc_packets_dropped_total{shard="0",reason="unknown_ufrag"} 0',
    'onair_rtc_packets_dropped_total{shard="1",reason="srtp_replay"} 0']) {
    assert.ok(metrics.includes(name), `metrics lack ${name}`);
  }
});

test('the media plane binds one UDP port per shard at start-up and names them in the log', async () => {
  const ports = srv.output().match(/WebRTC media on UDP 127\.0\.0\.1 port\(s\) (\d+), (\d+) \(one per shard\)/);
  assert.ok(ports, srv.output());
  assert.notEqual(ports[1], ports[2]);
});

test('POST /v1/tokens mints a token that connects', async () => {
  const res = await post('/v1/tokens', { userId: 'alice', ttl: 600, grants: ['room:project_*:publish,subscribe'] }, apiCredential(srv));
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.match(body.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  const expires = Date.parse(body.expiresAt);
  assert.ok(Math.abs(expires - (Date.now() + 600_000)) < 5000, `expiresAt ${body.expiresAt}`);
  const payload = JSON.parse(Buffer.from(body.token.split('.')[1], 'base64url').toString());
  assert.equal(payload.sub, 'alice');
  assert.deepEqual(payload.grants, { room: { 'project_*': ['publish', 'subscribe'] } });
});

test('the server API refuses missing, forged and client credentials with 401 unauthenticated', async () => {
  const body = { userId: 'a', ttl: 60, grants: [] };
  for (const auth of [undefined, 'garbage',
    signJwt({ alg: 'HS256', kid: srv.apiKey }, { iss: srv.apiKey, exp: now() + 60 }, randomSecret()),
    clientToken(srv)]) {
    const res = await post('/v1/tokens', body, auth);
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, 'unauthenticated');
  }
});

test('bad token requests get invalid_argument naming the field', async () => {
  const cases = [
    [{ ttl: 60, grants: [] }, /userId/],
    [{ userId: 'a', ttl: 0, grants: [] }, /ttl/],
    [{ userId: 'a', ttl: 60, grants: ['room:x:fly'] }, /grants\[0\]/],
    [{ userId: 'a', ttl: 60, grants: 'room:x:publish' }, /grants/],
    ['{"userId":', /JSON/],
  ];
  for (const [body, pattern] of cases) {
    const res = await post('/v1/tokens', body, apiCredential(srv));
    assert.equal(res.status, 400);
    const err = (await res.json()).error;
    assert.equal(err.code, 'invalid_argument');
    assert.match(err.message, pattern);
  }
});

test('an oversize body gets 413 payload_too_large', async () => {
  const res = await post('/v1/tokens', { userId: 'a', ttl: 60, grants: [], pad: 'x'.repeat(10_000) }, apiCredential(srv));
  assert.equal(res.status, 413);
  assert.equal((await res.json()).error.code, 'payload_too_large');
});

test('static pages are served and unknown routes get a JSON 404', async () => {
  const page = await fetch(srv.url + '/');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /text\/html/);
  const missing = await fetch(srv.url + '/v1/nothing');
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.code, 'not_found');
  const traversal = await fetch(srv.url + '/..%2f..%2fetc/passwd');
  assert.equal(traversal.status, 404);
});

// Issue 12: "//etc/passwd" once joined the web root with an absolute path and served any file on
// the host, the process environment (with the API secret) and credentials.toml among them.
test('the static route serves nothing outside the web root, whatever the raw path', async () => {
  const { request } = await import('node:http');
  const rawGet = (path) => new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: srv.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.end();
  });
  for (const path of ['//etc/passwd', '//proc/self/environ', `/${srv.dataDir}/credentials.toml`, `//${srv.dataDir}/credentials.toml`,
    '/../../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/.%2e/.%2e/etc/passwd', '///etc/passwd', '/./index.html']) {
    const res = await rawGet(path);
    assert.equal(res.status, 404, `${path} answered ${res.status}`);
    assert.ok(!res.body.includes(srv.apiSecret) && !res.body.includes('root:'), `${path} leaked`);
  }
  assert.equal((await rawGet('/index.html')).status, 200);
});

test('a malformed query string gets 400 invalid_argument, not its other parameters silently dropped', async () => {
  const get = (path) => fetch(srv.url + path, { headers: { authorization: `Bearer ${apiCredential(srv)}` } });
  for (const path of ['/v1/rooms/q_room/history?limit=1&cursor=%zz', '/v1/rooms/q_room/members?limit=5%',
    '/v1/channels/q_chan/history?direction=forward%2', '/v1/streams/rooms?limit=2&contextId=%G0']) {
    const res = await get(path);
    assert.equal(res.status, 400, path);
    const body = await res.json();
    assert.equal(body.error.code, 'invalid_argument', path);
    assert.match(body.error.message, /query string is malformed/, path);
  }
  const fine = await get('/v1/rooms/q_room/history?limit=1&direction=forward');
  assert.equal(fine.status, 200);
  // What browsers leave unencoded is taken as it is: contextId (required) is read, not dropped.
  const raw = await get('/v1/streams/rooms?contextId=a|b{c}&limit=1&tag[]=x');
  assert.equal(raw.status, 200);
});
