// server.collab against a scripted fetch (no onair process): what goes on the wire (method, path,
// content type, the bytes as they are) and how replies come back (bytes, error codes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OnairServer } from '../dist/server/index.js';

function scripted(reply) {
  const requests = [];
  const server = new OnairServer({
    url: 'http://127.0.0.1:1', apiKey: 'APIk', apiSecret: 'secret-for-a-mock',
    fetch: async (url, init) => {
      requests.push({ url, method: init.method, headers: init.headers, body: init.body });
      return reply();
    },
  });
  return { server, requests };
}

test('getDocument sends a GET for the encoded name and returns the reply bytes as they are', async () => {
  const { server, requests } = scripted(() => new Response(Uint8Array.of(0, 0, 255), { headers: { 'Content-Type': 'application/octet-stream' } }));
  const bytes = await server.collab.getDocument('doc:42@a=b');
  assert.deepEqual([...bytes], [0, 0, 255]);
  assert.equal(requests[0].method, 'GET');
  assert.equal(requests[0].url, 'http://127.0.0.1:1/v1/collab/documents/doc%3A42%40a%3Db');
  assert.match(requests[0].headers.Authorization, /^Bearer /);
  assert.equal(requests[0].body, undefined);
});

test('getChanges POSTs the state vector to {name}/diff and returns the reply bytes', async () => {
  const { server, requests } = scripted(() => new Response(Uint8Array.of(0, 0, 7), { headers: { 'Content-Type': 'application/octet-stream' } }));
  const changes = await server.collab.getChanges('doc:1', Uint8Array.of(1, 255, 255, 3, 9));
  assert.deepEqual([...changes], [0, 0, 7]);
  assert.equal(requests[0].method, 'POST');
  assert.equal(requests[0].url, 'http://127.0.0.1:1/v1/collab/documents/doc%3A1/diff');
  assert.equal(requests[0].headers['Content-Type'], 'application/octet-stream');
  assert.deepEqual([...requests[0].body], [1, 255, 255, 3, 9]);
  await assert.rejects(server.collab.getChanges('doc', new Uint8Array()), (e) => e.code === 'invalid_argument');
  await assert.rejects(server.collab.getChanges('doc', [1, 0]), (e) => e.code === 'invalid_argument');
  await assert.rejects(server.collab.getChanges('..', Uint8Array.of(0)), (e) => e.code === 'invalid_argument');
  assert.equal(requests.length, 1, 'bad arguments send nothing');
});

test('applyUpdate POSTs the update as application/octet-stream, unchanged', async () => {
  const { server, requests } = scripted(() => new Response('{"stored":true}', { headers: { 'Content-Type': 'application/json' } }));
  const update = Uint8Array.of(1, 1, 200, 3, 0, 4);
  await server.collab.applyUpdate('doc_1', update);
  assert.equal(requests[0].method, 'POST');
  assert.equal(requests[0].headers['Content-Type'], 'application/octet-stream');
  assert.deepEqual([...requests[0].body], [...update]);
});

test('error replies become OnairError: the body\'s code and retryAfterMs, else the status', async () => {
  const busy = scripted(() => new Response(JSON.stringify({ error: { code: 'service_unavailable', message: 'busy', retryAfterMs: 1000 } }), { status: 503 }));
  await assert.rejects(busy.server.collab.applyUpdate('d', Uint8Array.of(0, 0)), (e) => e.code === 'service_unavailable' && e.retryAfterMs === 1000);
  const bare = scripted(() => new Response('not json', { status: 413 }));
  await assert.rejects(bare.server.collab.applyUpdate('d', Uint8Array.of(0, 0)), (e) => e.code === 'payload_too_large');
  const down = scripted(() => { throw new TypeError('fetch failed'); });
  await assert.rejects(down.server.collab.getDocument('d'), (e) => e.code === 'service_unavailable');
});

test('bad arguments fail before any request', async () => {
  const { server, requests } = scripted(() => new Response(''));
  await assert.rejects(server.collab.getDocument(''), (e) => e.code === 'invalid_argument');
  await assert.rejects(server.collab.getDocument('..'), (e) => e.code === 'invalid_argument');
  await assert.rejects(server.collab.applyUpdate('d', 'text'), (e) => e.code === 'invalid_argument');
  await assert.rejects(server.collab.applyUpdate('d', new Uint8Array()), (e) => e.code === 'invalid_argument');
  assert.equal(requests.length, 0);
});
