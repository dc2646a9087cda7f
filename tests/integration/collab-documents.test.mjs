// The server API of Yjs documents (/v1/collab/documents/{name}, `server.collab` in the SDK): an
// app backend reads a document that real providers edit, and its updates reach those providers
// as a client's would; bad requests get clear errors and change nothing.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { startOnair } from '../support/onair.mjs';
import { waitFor, waitConverged, contentOf, tokenMinter, yWebsocketClient, hocuspocusClient } from '../support/yjs-clients.mjs';
import { OnairServer, createServerJwt } from '../../sdk/js/dist/server/index.js';

let counter = 0;
const unique = (prefix) => `${prefix}-${process.pid}-${++counter}`;

describe('collab documents over the HTTP API', () => {
  let srv;
  let minter;
  let api;
  const clients = [];
  before(async () => {
    srv = await startOnair();
    minter = await tokenMinter(srv);
    api = new OnairServer({ url: srv.url, apiKey: srv.apiKey, apiSecret: srv.apiSecret });
  });
  after(async () => {
    for (const c of clients) c.destroy();
    minter?.close();
    await srv?.stop();
  });

  test('the backend reads what providers wrote, and its update reaches them', async () => {
    const room = `team:${unique('notes')}`;
    const yws = yWebsocketClient(srv, room, await minter.token(room));
    const hp = hocuspocusClient(srv, room, await minter.token(room));
    clients.push(yws, hp);
    await waitFor(() => yws.synced() && hp.synced(), 'both providers to sync');
    yws.doc.getText('t').insert(0, 'hello');
    hp.doc.getMap('m').set('by', 'hocuspocus');
    await waitConverged([yws, hp]);

    // Read: the whole document, as one update a fresh Y.Doc applies.
    let read;
    await waitFor(async () => {
      read = new Y.Doc();
      Y.applyUpdate(read, await api.collab.getDocument(room));
      return read.getText('t').toString() === 'hello' && read.getMap('m').get('by') === 'hocuspocus';
    }, 'the server API to return both edits');
    assert.deepEqual(contentOf(read), contentOf(yws.doc));

    // Write: an edit made on the backend's own Y.Doc, sent as its update.
    const before = Y.encodeStateVector(read);
    read.getText('t').insert(5, ' world');
    read.getArray('a').push(['from the backend']);
    await api.collab.applyUpdate(room, Y.encodeStateAsUpdate(read, before));
    await waitFor(() => yws.doc.getText('t').toString() === 'hello world' && hp.doc.getText('t').toString() === 'hello world',
      'the backend edit to reach both providers');
    assert.deepEqual(hp.doc.getArray('a').toJSON(), ['from the backend']);

    // Acknowledged means stored: a read after the reply holds it.
    const again = new Y.Doc();
    Y.applyUpdate(again, await api.collab.getDocument(room));
    assert.equal(again.getText('t').toString(), 'hello world');
  });

  test('a backend keeping its own copy reads only what changed since its state vector', async () => {
    const room = unique('changes');
    const yws = yWebsocketClient(srv, room, await minter.token(room));
    clients.push(yws);
    await waitFor(() => yws.synced(), 'the provider to sync');
    yws.doc.getText('t').insert(0, 'first draft, long enough to weigh more than the change that follows');
    const copy = new Y.Doc();
    let whole;
    await waitFor(async () => {
      whole = await api.collab.getDocument(room);
      Y.applyUpdate(copy, whole);
      return copy.getText('t').length > 0;
    }, 'the first edit to be readable');

    yws.doc.getText('t').insert(0, '> ');
    const seen = Y.encodeStateVector(copy);
    let changes;
    await waitFor(async () => {
      changes = await api.collab.getChanges(room, seen);
      return changes.length > 2;
    }, 'the second edit to be readable');
    assert.ok(changes.length < whole.length, 'the change alone, not the document');
    const alone = new Y.Doc();
    Y.applyUpdate(alone, changes);
    assert.equal(alone.getText('t').toString(), '', 'the change lacks what the copy had (it waits for it)');
    Y.applyUpdate(copy, changes);
    assert.equal(copy.getText('t').toString(), yws.doc.getText('t').toString());

    // Up to date: nothing new (no structs; the delete set, empty here, always comes).
    const none = await api.collab.getChanges(room, Y.encodeStateVector(copy));
    assert.deepEqual([...none], [0, 0]);

    const auth = { Authorization: `Bearer ${createServerJwt(srv.apiKey, srv.apiSecret, 60)}` };
    const diff = (body, type = 'application/octet-stream') =>
      fetch(`${srv.url}/v1/collab/documents/${room}/diff`, { method: 'POST', headers: { ...auth, 'Content-Type': type }, body });
    for (const bad of [Uint8Array.of(1), Uint8Array.of(1, 5, 200), Uint8Array.of(0, 0), new Uint8Array()]) {
      const refused = await diff(bad);
      assert.equal(refused.status, 400, `[${bad}]`);
      assert.match((await refused.json()).error.message, /state vector/, `[${bad}]`);
    }
    assert.equal((await diff(Uint8Array.of(0), 'application/json')).status, 400);
    assert.equal((await fetch(`${srv.url}/v1/collab/documents/${room}/diff`, { headers: auth })).status, 404, 'GET {name}/diff');
    assert.equal((await fetch(`${srv.url}/v1/collab/documents/${room}/other`, { method: 'POST', headers: auth })).status, 400);
  });

  test('a document larger than a connection\'s send queue opens for every kind of client', async () => {
    // 6 MiB of text, written as two 3 MiB edits (each under collab.max_update_bytes): the sync
    // answer a joining client gets is one frame over ws.send_queue_bytes (4 MiB).
    const room = unique('large');
    const writer = yWebsocketClient(srv, room, await minter.token(room));
    clients.push(writer);
    await waitFor(() => writer.synced(), 'the writer to sync');
    const half = 3 * 1024 * 1024;
    writer.doc.getText('t').insert(0, 'a'.repeat(half));
    writer.doc.getText('t').insert(half, 'b'.repeat(half));
    await waitFor(async () => {
      const read = new Y.Doc();
      Y.applyUpdate(read, await api.collab.getDocument(room));
      return read.getText('t').length === 2 * half;
    }, 'both edits to be stored', 20000);

    const yws = yWebsocketClient(srv, room, await minter.token(room));
    const hp = hocuspocusClient(srv, room, await minter.token(room));
    clients.push(yws, hp);
    await waitFor(() => yws.synced() && hp.synced() && yws.doc.getText('t').length === 2 * half && hp.doc.getText('t').length === 2 * half,
      () => `the joiners to get the whole document (y-websocket ${yws.doc.getText('t').length}, hocuspocus ${hp.doc.getText('t').length})`, 20000);
    assert.equal(yws.doc.getText('t').toString(), writer.doc.getText('t').toString());
  });

  test('a document no one wrote is empty; bad requests are refused and change nothing', async () => {
    const room = unique('empty');
    const fresh = new Y.Doc();
    Y.applyUpdate(fresh, await api.collab.getDocument(room));
    assert.equal(fresh.getText('t').toString(), '');
    assert.equal(Y.encodeStateVector(fresh).length, 1, 'no client has written');

    await assert.rejects(api.collab.applyUpdate(room, Uint8Array.of(1, 2, 3, 250, 250, 250)), (e) => e.code === 'invalid_argument');
    const raw = (init) => fetch(`${srv.url}/v1/collab/documents/${room}`, init);
    const auth = { Authorization: `Bearer ${createServerJwt(srv.apiKey, srv.apiSecret, 60)}` };
    const noKey = await raw({ method: 'GET' });
    assert.equal(noKey.status, 401);
    const asJson = await raw({ method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{"update":"x"}' });
    assert.equal(asJson.status, 400);
    assert.equal((await asJson.json()).error.code, 'invalid_argument');
    const loose = await raw({ method: 'POST', headers: { ...auth, 'Content-Type': 'application/octet-streamx' }, body: Uint8Array.of(0, 0) });
    assert.equal(loose.status, 400);
    const empty = await raw({ method: 'POST', headers: { ...auth, 'Content-Type': 'application/octet-stream' }, body: new Uint8Array() });
    assert.equal(empty.status, 400);
    const put = await raw({ method: 'PUT', headers: auth });
    assert.equal(put.status, 404);
    const noName = await fetch(`${srv.url}/v1/collab/documents/`, { headers: auth });
    assert.equal(noName.status, 404);
    for (const bad of ['x'.repeat(256), 'a%2Fb', 'a/b', '%20']) {
      const refused = await fetch(`${srv.url}/v1/collab/documents/${bad}`, { headers: auth });
      assert.equal(refused.status, 400, bad);
      assert.equal((await refused.json()).error.code, 'invalid_argument', bad);
    }

    const after = new Y.Doc();
    Y.applyUpdate(after, await api.collab.getDocument(room));
    assert.equal(Y.encodeStateVector(after).length, 1, 'the refused requests stored nothing');
    await assert.rejects(api.collab.getDocument(''), (e) => e.code === 'invalid_argument');
  });

  test('a document written only through the API, with no client anywhere, is saved and leaves memory', async () => {
    const quick = await startOnair({ config: { 'collab.save_interval_ms': 50, 'collab.document_idle_ms': 300 } });
    try {
      const admin = new OnairServer({ url: quick.url, apiKey: quick.apiKey, apiSecret: quick.apiSecret });
      const metric = async (name) => {
        const text = await (await fetch(`${quick.url}/metrics`)).text();
        const line = text.split('\n').find((l) => l.startsWith(name + ' '));
        return line ? Number(line.split(' ')[1]) : NaN;
      };
      const room = unique('seeded');
      const doc = new Y.Doc();
      doc.getText('t').insert(0, 'seeded by the backend');
      await admin.collab.applyUpdate(room, Y.encodeStateAsUpdate(doc));
      await waitFor(async () => (await metric('onair_collab_snapshots_saved_total')) >= 1, 'the document to be saved');
      await waitFor(async () => (await metric('onair_collab_documents')) === 0, 'the document to leave memory');
      const back = new Y.Doc();
      Y.applyUpdate(back, await admin.collab.getDocument(room));
      assert.equal(back.getText('t').toString(), 'seeded by the backend');
    } finally {
      await quick.stop();
    }
  });
});
