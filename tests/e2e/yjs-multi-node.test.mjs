// Two onair nodes on one redis-server serve one Yjs document as one server: a WebsocketProvider on
// node A and a HocuspocusProvider on node B converge under concurrent edits, awareness crosses
// the nodes (and leaves with its client), a late joiner on B gets A's edits from Redis, and an
// edit made on A while B had evicted the document reaches a client that reopens it on B, and the
// server API's read on B holds a write acknowledged on A though B missed its announcement, and a
// node that missed edits A saved and trimmed from the stream meanwhile gets them from the snapshot.
// Starts redis-server and two `onair serve` itself; skipped when redis-server is not installed.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startOnair } from '../support/onair.mjs';
import * as Y from 'yjs';
import { redisAvailable, startRedis } from '../support/redis.mjs';
import { OnairServer } from '../../sdk/js/dist/server/index.js';
import { randomSecret } from '../support/tokens.mjs';
import {
  waitFor, waitConverged, contentOf, documentsInMemory, tokenMinter, yWebsocketClient, hocuspocusClient,
} from '../support/yjs-clients.mjs';

const skip = redisAvailable() ? false : 'redis-server is not installed (/usr/bin/redis-server)';

// One deployment: both nodes share the API key and the collab secret (a room token minted on one
// node verifies on the other), and evict a document 300 ms after its last client on the node left.
const apiKey = 'APIymn' + process.pid;
const apiSecret = randomSecret();
const collabSecret = randomSecret();

let counter = 0;
const unique = (prefix) => `${prefix}-${process.pid}-${++counter}`;

// Every client made by a test, destroyed (provider and awareness) after it, also when it fails.
const live = new Set();
const track = (client) => { live.add(client); return client; };
const destroyAll = () => { for (const c of live) c.destroy(); live.clear(); };

// One client's share of concurrent edits: text, a map key every client sets, its own map key, array items.
function editAs(client, i) {
  client.doc.transact(() => {
    const t = client.doc.getText('t');
    t.insert(Math.min(i, t.length), `<${client.kind}${i}>`);
    client.doc.getMap('m').set(`k${client.kind}${i}`, i);
    client.doc.getMap('m').set('shared', `${client.kind}${i}`);
    client.doc.getArray('a').push([`${client.kind}${i}`]);
  });
}


describe('Yjs documents across two onair nodes on one Redis', { skip }, () => {
  let redis;
  let nodeA;
  let nodeB;
  let minterA;
  let minterB;
  const startNode = (id) => startOnair({
    apiKey, apiSecret,
    config: {
      engine: 'redis', 'redis.url': redis.url, 'redis.prefix': 'ymn' + process.pid, 'node.id': id,
      'collab.token_secret': collabSecret, 'collab.document_idle_ms': 300, 'collab.save_interval_ms': 50,
    },
  });

  before(async () => {
    redis = await startRedis();
    nodeA = await startNode('node-a');
    nodeB = await startNode('node-b');
    minterA = await tokenMinter(nodeA);
    minterB = await tokenMinter(nodeB);
  });
  after(async () => {
    destroyAll();
    minterA?.close();
    minterB?.close();
    await nodeA?.stop();
    await nodeB?.stop();
    await redis?.stop();
  });

  test('a WebsocketProvider on A and a HocuspocusProvider on B converge under concurrent edits', async (t) => {
    t.after(destroyAll);
    const room = unique('converge');
    const a = track(yWebsocketClient(nodeA, room, await minterA.token(room)));
    const b = track(hocuspocusClient(nodeB, room, await minterB.token(room)));
    await waitFor(() => a.synced() && b.synced(), 'both providers to sync');
    for (let round = 0; round < 10; round++) { editAs(a, round); editAs(b, round); }
    await waitConverged([a, b]);
    const content = contentOf(a.doc);
    assert.equal(content.a.length, 20, 'every array item from both nodes arrived');
    assert.equal(Object.keys(content.m).length, 20 + 1, 'every map key from both nodes arrived');
    assert.equal(b.provider.unsyncedChanges, 0, 'node B acknowledged every Hocuspocus edit');
  });

  test('awareness crosses nodes, and leaves node B when the provider on A is destroyed', async (t) => {
    t.after(destroyAll);
    const room = unique('awareness');
    const a = track(yWebsocketClient(nodeA, room, await minterA.token(room)));
    const b = track(hocuspocusClient(nodeB, room, await minterB.token(room)));
    await waitFor(() => a.synced() && b.synced(), 'both providers to sync');
    a.awareness.setLocalStateField('user', { name: 'on-a' });
    b.awareness.setLocalStateField('user', { name: 'on-b' });
    await waitFor(() => b.awareness.getStates().get(a.doc.clientID)?.user?.name === 'on-a', 'A\'s field visible on B');
    await waitFor(() => a.awareness.getStates().get(b.doc.clientID)?.user?.name === 'on-b', 'B\'s field visible on A');
    a.destroy();
    live.delete(a);
    await waitFor(() => !b.awareness.getStates().has(a.doc.clientID),
      () => `A's entry to leave B's awareness: ${JSON.stringify([...b.awareness.getStates().entries()])}`);
    assert.equal(b.awareness.getStates().get(b.doc.clientID)?.user?.name, 'on-b', 'B keeps its own entry');
  });

  test('awareness set on A right after an edit reaches B after the edit, not before it', async (t) => {
    t.after(destroyAll);
    const room = unique('awareness-order');
    const a = track(yWebsocketClient(nodeA, room, await minterA.token(room)));
    const b = track(yWebsocketClient(nodeB, room, await minterB.token(room)));
    await waitFor(() => a.synced() && b.synced(), 'both providers to sync');
    // What B's document held each time A's awareness said what A's text was.
    const seen = [];
    b.awareness.on('change', () => {
      const said = b.awareness.getStates().get(a.doc.clientID)?.text;
      if (said !== undefined && seen.at(-1)?.said !== said) seen.push({ said, had: b.doc.getText('t').toString() });
    });
    const text = a.doc.getText('t');
    for (let round = 0; round < 5; round++) {
      // Two edits: the second waits for the document's batch (up to 100 ms), the awareness behind it.
      text.insert(text.length, `(${round}`);
      text.insert(text.length, `${round})`);
      a.awareness.setLocalStateField('text', text.toString());
      await waitFor(() => seen.at(-1)?.said === text.toString(), `round ${round}: A's awareness on B`);
    }
    for (const { said, had } of seen) assert.ok(had.startsWith(said), `B had "${had}" when A's awareness said "${said}"`);
  });

  test('late joiners on node B (both protocols) get everything written on node A', async (t) => {
    t.after(destroyAll);
    const room = unique('late');
    const writers = [track(yWebsocketClient(nodeA, room, await minterA.token(room))),
      track(hocuspocusClient(nodeA, room, await minterA.token(room)))];
    await waitFor(() => writers.every((c) => c.synced()), 'the writers on A to sync');
    for (let round = 0; round < 5; round++) writers.forEach((c) => editAs(c, round));
    await waitConverged(writers, 'the writers on A to converge');
    for (const make of [hocuspocusClient, yWebsocketClient]) {
      const late = track(make(nodeB, room, await minterB.token(room)));
      await waitConverged([writers[0], late], `a late ${make.name} on B to get A's edits`);
      assert.equal(contentOf(late.doc).a.length, 10, `the late ${make.name} on B holds every edit`);
    }
  });

  test('an edit made on A after B evicted the document reaches a client that reopens it on B', async (t) => {
    t.after(destroyAll);
    const room = unique('evicted');
    // A Hocuspocus client on A: its edit is acknowledged once stored, so the reopen on B comes after it.
    const a = track(hocuspocusClient(nodeA, room, await minterA.token(room)));
    const b = track(yWebsocketClient(nodeB, room, await minterB.token(room)));
    await waitFor(() => a.synced() && b.synced(), 'both providers to sync');
    editAs(b, 1);
    await waitConverged([a, b], 'B\'s edit to reach A');
    b.destroy();
    live.delete(b);
    // Node B holds no other document: every earlier test's clients are gone and its documents idle.
    let inMemory;
    await waitFor(async () => (inMemory = await documentsInMemory(nodeB)) === 0, () => `node B to evict the document (${inMemory} in memory)`);
    assert.ok(await documentsInMemory(nodeA) >= 1, 'node A keeps the document its client has open');
    editAs(a, 2);
    await waitFor(() => a.synced(), 'node A to acknowledge the edit (stored)');
    for (const make of [hocuspocusClient, yWebsocketClient]) {
      const reopened = track(make(nodeB, room, await minterB.token(room)));
      await waitConverged([a, reopened], `a ${make.name} reopening on B to get A's later edit`);
      assert.deepEqual(contentOf(reopened.doc).a, ['y-websocket1', 'hocuspocus2'], `the ${make.name} on B holds both edits`);
    }
  });

  test('a read through the API on B right after a write acknowledged on A holds it, though B missed its announcement', async (t) => {
    t.after(destroyAll);
    const room = unique('read-your-write');
    // A client on each node keeps the document in its memory: B answers from what it has applied,
    // and A needs no subscription to take the write.
    const a = track(hocuspocusClient(nodeA, room, await minterA.token(room)));
    const b = track(yWebsocketClient(nodeB, room, await minterB.token(room)));
    await waitFor(() => a.synced() && b.synced(), 'both providers to sync');
    const apiA = new OnairServer({ url: nodeA.url, apiKey, apiSecret });
    const apiB = new OnairServer({ url: nodeB.url, apiKey, apiSecret });
    await apiB.collab.getDocument(room);  // warm: the loop's calls take one round trip each
    // Both nodes lose their subscriptions: B hears of nothing until it has resubscribed (25-50 ms
    // later), so the read that follows at once finds B behind unless it reads the stream itself.
    const killer = await respClient(redis.port);
    t.after(() => killer.close());
    const backend = new Y.Doc();
    const writes = 10;
    for (let i = 1; i <= writes; i++) {
      // Both nodes subscribed again (since the last kill), so that this one makes B miss the write.
      await waitFor(async () => ((await killer.command('CLIENT', 'LIST', 'TYPE', 'pubsub')).match(/ id=|^id=/gm) ?? []).length >= 2,
        'both nodes to resubscribe');
      const killed = await killer.command('CLIENT', 'KILL', 'TYPE', 'pubsub');
      assert.ok(Number(killed.split('\r\n')[0].slice(1)) >= 2, `CLIENT KILL found both subscribers (${killed})`);
      const before = Y.encodeStateVector(backend);
      backend.getArray('writes').push([`write ${i}`]);
      await apiA.collab.applyUpdate(room, Y.encodeStateAsUpdate(backend, before));
      const read = new Y.Doc();
      Y.applyUpdate(read, await apiB.collab.getDocument(room));
      assert.deepEqual(read.getArray('writes').toJSON(), backend.getArray('writes').toJSON(), `write ${i}, read at once on B`);
    }
    await waitFor(() => b.doc.getArray('writes').length === writes, 'the provider on B to get every write once B resubscribed');
  });

  test('a node that missed edits while another saved them and trimmed the stream gets them from the snapshot', async (t) => {
    t.after(destroyAll);
    // Node C authenticates as a Redis user of its own, so that its subscriptions alone can be refused.
    const admin = await respClient(redis.port);
    t.after(() => admin.close());
    const password = randomSecret();
    assert.match(await admin.command('ACL', 'SETUSER', 'nodec', 'on', `>${password}`, '~*', '&*', '+@all'), /^\+OK/);
    const nodeC = await startOnair({
      apiKey, apiSecret,
      config: {
        engine: 'redis', 'redis.url': `redis://nodec:${password}@127.0.0.1:${redis.port}`, 'redis.prefix': 'ymn' + process.pid,
        'node.id': 'node-c', 'collab.token_secret': collabSecret, 'collab.document_idle_ms': 300, 'collab.save_interval_ms': 50,
      },
    });
    t.after(() => nodeC.stop());
    const minterC = await tokenMinter(nodeC);
    t.after(() => minterC.close());
    const room = unique('trimmed');
    const streamKey = `ymn${process.pid}:h:{yjs:${room}}:l`;
    const a = track(hocuspocusClient(nodeA, room, await minterA.token(room)));
    const c = track(yWebsocketClient(nodeC, room, await minterC.token(room)));
    await waitFor(() => a.synced() && c.synced(), 'both providers to sync');
    editAs(a, 1);
    await waitConverged([a, c], 'A\'s first edit to reach C');

    // C loses its subscription and cannot subscribe again: it hears of nothing A stores.
    assert.match(await admin.command('ACL', 'SETUSER', 'nodec', 'resetchannels'), /^\+OK/);
    await admin.command('CLIENT', 'KILL', 'USER', 'nodec');
    await waitFor(() => /redis subscriber: .* refused: NOPERM/.test(nodeC.output()), 'node C to be refused its subscription');
    for (let i = 2; i <= 4; i++) {
      editAs(a, i);
      await waitFor(() => a.synced(), `node A to acknowledge edit ${i} (stored)`);
    }
    // A saves the document and trims the stream entries the snapshot covers: none is left for C to read.
    let length;
    await waitFor(async () => (length = await admin.command('XLEN', streamKey)) === ':0\r\n', () => `A to trim the stream (XLEN ${length})`);
    assert.deepEqual(contentOf(c.doc).a, ['hocuspocus1'], 'C missed the later edits');

    // Allowed again, C's subscriber sends the refused subscription again by itself (no reconnect),
    // then C reads the stream, finds what it lacks trimmed, and takes the snapshot.
    assert.match(await admin.command('ACL', 'SETUSER', 'nodec', 'allchannels'), /^\+OK/);
    // (Its retries back off from 0.5 s: the next may come a few seconds after the ACL changed.)
    await waitConverged([a, c], 'C to get the edits it missed', 20000);
    assert.deepEqual(contentOf(c.doc).a, ['hocuspocus1', 'hocuspocus2', 'hocuspocus3', 'hocuspocus4']);
    assert.doesNotMatch(nodeC.output(), /lost updates/, 'C skipped nothing');
  });

  test('a read on B that cannot reach Redis is 503 with retryAfterMs, and the next one after Redis answers holds the writes', async (t) => {
    t.after(destroyAll);
    const room = unique('read-fails');
    const b = track(yWebsocketClient(nodeB, room, await minterB.token(room)));
    await waitFor(() => b.synced(), 'the provider on B to sync');
    const apiA = new OnairServer({ url: nodeA.url, apiKey, apiSecret });
    const apiB = new OnairServer({ url: nodeB.url, apiKey, apiSecret });
    const backend = new Y.Doc();
    backend.getText('t').insert(0, 'kept');
    await apiA.collab.applyUpdate(room, Y.encodeStateAsUpdate(backend));
    await waitFor(() => b.doc.getText('t').toString() === 'kept', 'the write to reach B');
    // Redis holds every command for 1.5 s: B's read of the log times out (redis.command_timeout_ms 1000).
    const pauser = await respClient(redis.port);
    t.after(() => pauser.close());
    assert.match(await pauser.command('CLIENT', 'PAUSE', '1500', 'ALL'), /^\+OK/);
    await assert.rejects(apiB.collab.getDocument(room), (e) => e.code === 'service_unavailable' && e.retryAfterMs > 0);
    let read;
    await waitFor(async () => {
      try {
        read = new Y.Doc();
        Y.applyUpdate(read, await apiB.collab.getDocument(room));
        return true;
      } catch (e) {
        if (e.code !== 'service_unavailable') throw e;
        return false;
      }
    }, 'a read on B to succeed once Redis answers again');
    assert.equal(read.getText('t').toString(), 'kept');
  });
});

// A RESP connection to Redis for commands sent faster than redis-cli starts: one at a time, each
// resolving with the reply as text once it is whole (a status, an integer or a bulk string).
function respClient(port) {
  const whole = (text) => {
    if (!text.startsWith('$')) return text.includes('\r\n');
    const header = text.indexOf('\r\n');
    if (header < 0) return false;
    const length = Number(text.slice(1, header));
    return length < 0 || Buffer.byteLength(text) >= header + 2 + length + 2;  // $-1: a null bulk string
  };
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve({
      command: (...args) => new Promise((res) => {
        let reply = '';
        const onData = (data) => {
          reply += data.toString();
          if (!whole(reply)) return;
          socket.off('data', onData);
          res(reply);
        };
        socket.on('data', onData);
        socket.write(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''));
      }),
      close: () => socket.destroy(),
    }));
    socket.once('error', reject);
  });
}
