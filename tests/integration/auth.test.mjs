// Token purposes and the development-only demo routes, against the real binary: every entry point
// takes only tokens meant for it (aud), iss must be the signing key, tokens are never minted over
// the size the server accepts, and demo tokens reach demo resources only, from loopback Hosts only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startOnair } from '../support/onair.mjs';
import { apiCredential, clientToken, signJwt, now } from '../support/tokens.mjs';
import { connectClient, connectReply, ok } from '../support/client.mjs';

let srv;
before(async () => { srv = await startOnair({ args: ['--dev-demo-tokens', 'on'] }); });
after(async () => { await srv?.stop(); });

const post = (path, body, auth) => fetch(srv.url + path, {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
  body: JSON.stringify(body),
});

/** POST with a Host header of our choosing (fetch does not let a caller set Host). */
function postWithHost(path, host, body) {
  return new Promise((resolve, reject) => {
    const req = request(`${srv.url}${path}`, { method: 'POST', headers: { host, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const payloadOf = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

test('minted access tokens carry aud "onair" and iss = kid', async () => {
  const res = await post('/v1/tokens', { userId: 'ada', ttl: 60, grants: [] }, apiCredential(srv));
  const { token } = await res.json();
  const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
  assert.equal(payloadOf(token).aud, 'onair');
  assert.equal(payloadOf(token).iss, header.kid);
});

test('connect refuses a token with iss other than its kid, with unauthenticated', async () => {
  const reply = await connectReply(srv, clientToken(srv, { iss: 'APIsomeoneelse' }));
  assert.equal(reply.error?.code, 'unauthenticated', JSON.stringify(reply));
  assert.match(reply.error.message, /iss/);
});

test('connect refuses tokens meant for something else, and tokens from before aud', async () => {
  for (const [aud, why] of [['onair-collab', /aud/], ['onair-api', /aud/], [null, /no aud/]]) {
    const reply = await connectReply(srv, clientToken(srv, { aud }));
    assert.equal(reply.error?.code, 'unauthenticated', `aud ${aud}: ${JSON.stringify(reply)}`);
    assert.match(reply.error.message, why);
  }
});

test('the server API takes API credentials with aud "onair-api" or none, and nothing else', async () => {
  const body = { userId: 'a', ttl: 60, grants: [] };
  assert.equal((await post('/v1/tokens', body, apiCredential(srv))).status, 200);
  assert.equal((await post('/v1/tokens', body, apiCredential(srv, { aud: null }))).status, 200);
  const wrongAud = signJwt({ alg: 'HS256', kid: srv.apiKey }, { iss: srv.apiKey, aud: 'onair-collab', exp: now() + 60 }, srv.apiSecret);
  const issNotKid = signJwt({ alg: 'HS256', kid: srv.apiKey }, { iss: 'APIother', exp: now() + 60 }, srv.apiSecret);
  for (const auth of [wrongAud, issNotKid, clientToken(srv)]) {
    const res = await post('/v1/tokens', body, auth);
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, 'unauthenticated');
  }
});

test('POST /v1/tokens refuses to mint a token over 8 KiB with payload_too_large naming the size', async () => {
  const attributes = { note: 'x'.repeat(7000) };
  const res = await post('/v1/tokens', { userId: 'big', ttl: 60, grants: [], attributes }, apiCredential(srv));
  assert.equal(res.status, 413);
  const { error } = await res.json();
  assert.equal(error.code, 'payload_too_large');
  assert.match(error.message, /\d+ bytes, over the 8192 bytes/);
  // Just under the limit still mints, and the token connects.
  const ok = await post('/v1/tokens', { userId: 'big', ttl: 60, grants: [], attributes: { note: 'x'.repeat(5000) } }, apiCredential(srv));
  assert.equal(ok.status, 200);
  const { token } = await ok.json();
  assert.ok(token.length <= 8192);
  assert.equal((await connectReply(srv, token)).result?.userId, 'big');
});

test('demo routes refuse a Host that is not loopback (DNS rebinding) with 403 permission', async () => {
  for (const host of ['evil.example', `evil.example:${srv.port}`, `127.0.0.1.nip.io:${srv.port}`]) {
    for (const [path, body] of [['/v1/demo/token', { user: 'x' }], ['/v1/demo/stages', { name: 'x' }]]) {
      const res = await postWithHost(path, host, body);
      assert.equal(res.status, 403, `${path} with Host ${host}`);
      assert.equal(res.body.error.code, 'permission');
    }
  }
  for (const host of [`127.0.0.1:${srv.port}`, `localhost:${srv.port}`, 'localhost', `[::1]:${srv.port}`]) {
    assert.equal((await postWithHost('/v1/demo/token', host, { user: 'x' })).status, 200, `Host ${host}`);
  }
});

test('demo tokens reach demo stages only: a server API stage is refused with permission', async () => {
  const apiStage = await (await post('/v1/stages', { name: 'Real show' }, apiCredential(srv))).json();
  assert.match(apiStage.id, /^st_/);
  const refused = await post('/v1/demo/token', { user: 'mallory', stageId: apiStage.id, role: 'host' });
  assert.equal(refused.status, 403);
  const { error } = await refused.json();
  assert.equal(error.code, 'permission');
  assert.match(error.message, /demo stages/);

  const demo = await post('/v1/demo/stages', { name: 'Demo show' });
  assert.equal(demo.status, 200);
  const stage = await demo.json();
  assert.match(stage.id, /^demo_/);
  const granted = await post('/v1/demo/token', { user: 'hana', stageId: stage.id, role: 'host' });
  assert.equal(granted.status, 200);
  const { token } = await granted.json();
  assert.deepEqual(payloadOf(token).grants.stage, { [stage.id]: ['host', 'publish', 'subscribe'] });
  const c = await connectClient(srv, { token });
  try {
    assert.equal(c.session.userId, 'hana');
    await ok(c, 'stage.open', { stageId: stage.id });
  } finally {
    c.close();
  }
});
