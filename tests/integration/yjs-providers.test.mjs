// onair's Yjs rooms against clients no one here wrote: y-websocket's WebsocketProvider (3.1) on
// /v1/yjs/<room> and @hocuspocus/provider's HocuspocusProvider (3.4) on /v1/hocuspocus, on one
// document: concurrent edits converge, offline clients catch up, late joiners get everything,
// read-only clients change nothing, awareness entries go with their clients, bad room tokens are
// refused the way each protocol expects, acknowledged edits survive a restart and an eviction, and
// hostile frames leave connections and documents working.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { startOnair } from '../support/onair.mjs';
import { signJwt, now, randomSecret } from '../support/tokens.mjs';
import {
  documentsInMemory,
  waitFor, waitConverged, contentOf, tokenMinter, yWebsocketClient, hocuspocusClient, rawSocket,
  decodeY, decodeHp, hpAuth, hpSync, ySync, yFrame, hpFrame, Hp, SyncStep, awarenessEntries,
} from '../support/yjs-clients.mjs';

let counter = 0;
const unique = (prefix) => `${prefix}-${process.pid}-${++counter}`;

// Every client made by a test, destroyed after it (also when it fails).
const live = new Set();
const track = (client) => { live.add(client); return client; };
// One client failing to destroy must not leave the others running (their timers keep node alive).
const destroyAll = () => {
  const errors = [];
  for (const c of live) {
    try { c.destroy(); } catch (e) { errors.push(e); }
  }
  live.clear();
  if (errors.length) throw new AggregateError(errors, `${errors.length} client(s) failed to destroy: ${errors.map((e) => e.message).join('; ')}`);
};

async function fourClients(srv, minter, room) {
  return [
    track(yWebsocketClient(srv, room, await minter.token(room))),
    track(yWebsocketClient(srv, room, await minter.token(room))),
    track(hocuspocusClient(srv, room, await minter.token(room))),
    track(hocuspocusClient(srv, room, await minter.token(room))),
  ];
}

// One client's share of concurrent edits: text inserts and deletes, map keys, array items, a nested map.
function editAs(client, i) {
  const doc = client.doc;
  doc.transact(() => {
    const t = doc.getText('t');
    t.insert(Math.min(i, t.length), `<${client.kind}${i}>`);
    if (t.length > 6) t.delete(1, 2);
    doc.getMap('m').set(`k${i}`, { by: client.kind, n: i });
    doc.getMap('m').set('shared', i);  // every client sets it: one value wins everywhere
    doc.getArray('a').insert(0, [i, `item${i}`]);
  });
  const nested = new Y.Map();
  doc.getMap('m').set(`nested${i}`, nested);
  nested.set('inner', new Y.Array());
  nested.get('inner').push([`deep${i}`]);
}

const bytesOf = (w) => { const e = encoding.createEncoder(); w(e); return encoding.toUint8Array(e); };

describe('Yjs providers on one onair', () => {
  let srv;
  let minter;
  before(async () => {
    srv = await startOnair();
    minter = await tokenMinter(srv);
  });
  after(async () => {
    destroyAll();
    minter?.close();
    await srv?.stop();
  });

  test('two WebsocketProviders and two HocuspocusProviders editing concurrently converge', async (t) => {
    t.after(destroyAll);
    const room = unique('concurrent');
    const clients = await fourClients(srv, minter, room);
    await waitFor(() => clients.every((c) => c.synced()), 'all four clients to sync');
    for (let round = 0; round < 5; round++) clients.forEach((c, k) => editAs(c, round * 4 + k));
    await waitConverged(clients);
    const content = contentOf(clients[0].doc);
    assert.equal(Object.keys(content.m).filter((k) => k.startsWith('nested')).length, 20, 'every nested map arrived');
    assert.equal(content.a.length, 40, 'every array insert arrived');
    assert.equal(content.m.nested7.inner[0], 'deep7', 'nested content arrived');
  });

  test('a client offline during edits converges after it reconnects (both protocols)', async (t) => {
    t.after(destroyAll);
    const room = unique('offline');
    const clients = await fourClients(srv, minter, room);
    await waitFor(() => clients.every((c) => c.synced()), 'all four clients to sync');
    const [yws, , hp] = clients;
    yws.disconnect();
    hp.disconnect();
    await waitFor(() => yws.offline() && hp.offline(), 'the two clients to go offline');
    editAs(yws, 1);
    editAs(hp, 2);
    editAs(clients[1], 3);
    editAs(clients[3], 4);
    await waitConverged([clients[1], clients[3]], 'the online clients to converge');
    assert.ok(!contentOf(clients[1].doc).m.k1, 'the offline y-websocket edit did not arrive while offline');
    yws.connect();
    hp.connect();
    await waitConverged(clients, 'everyone to converge after the reconnects');
    const content = contentOf(clients[0].doc);
    for (const k of ['k1', 'k2', 'k3', 'k4']) assert.ok(content.m[k], `${k} is in the document`);
  });

  for (const make of [yWebsocketClient, hocuspocusClient]) {
    test(`a late ${make.name} joiner gets the whole document`, async (t) => {
      t.after(destroyAll);
      const room = unique('late');
      const clients = await fourClients(srv, minter, room);
      await waitFor(() => clients.every((c) => c.synced()), 'all four clients to sync');
      clients.forEach((c, k) => editAs(c, k));
      await waitConverged(clients);
      const late = track(make(srv, room, await minter.token(room)));
      await waitConverged([clients[0], late], 'the late joiner to get the document');
      assert.equal(Object.keys(contentOf(late.doc).m).length, 4 + 1 + 4);
    });
  }

  test('a read-only client\'s edits reach no one, now or later', async (t) => {
    t.after(destroyAll);
    const room = unique('readonly');
    const readonly = await tokenMinter(srv, 'readonly', 'bob');
    t.after(() => readonly.close());
    const writer = track(yWebsocketClient(srv, room, await minter.token(room)));
    const hpWriter = track(hocuspocusClient(srv, room, await minter.token(room)));
    const roY = track(yWebsocketClient(srv, room, await readonly.token(room)));
    const roHp = track(hocuspocusClient(srv, room, await readonly.token(room)));
    await waitFor(() => writer.synced() && hpWriter.synced() && roY.synced() && roHp.provider.isSynced, 'the clients to sync');
    assert.equal(roHp.provider.authorizedScope, 'readonly', 'Hocuspocus is told the scope');
    writer.doc.getText('t').insert(0, 'written');
    await waitFor(() => roY.doc.getText('t').toString() === 'written' && roHp.doc.getText('t').toString() === 'written',
      'read-only clients to receive the writer\'s edit');
    roY.doc.getMap('m').set('fromReadonlyY', 1);
    roHp.doc.getMap('m').set('fromReadonlyHp', 1);
    // Hocuspocus refuses with SyncStatus false: the provider keeps counting the change unsynced.
    await waitFor(() => roHp.provider.unsyncedChanges > 0, 'the read-only Hocuspocus change to stay unsynced');
    // A marker edit after the read-only ones: once it arrived, the read-only ones would have too.
    writer.doc.getMap('m').set('marker', 1);
    await waitConverged([writer, hpWriter], 'the writers to converge');
    const late = track(hocuspocusClient(srv, room, await minter.token(room)));
    await waitConverged([writer, late], 'a later joiner to sync');
    for (const c of [writer, hpWriter, late]) {
      assert.deepEqual(contentOf(c.doc).m, { marker: 1 }, `${c.kind} holds no read-only edit`);
    }
    assert.ok(roHp.provider.unsyncedChanges > 0, 'the read-only change was never acknowledged');
  });

  test('onair relays a client\'s initial awareness state ({} at clock 0); providers ignore it', async (t) => {
    t.after(destroyAll);
    const room = unique('awareness-initial');
    const observer = await rawSocket(`ws://127.0.0.1:${srv.port}/v1/yjs/${room}?token=${await minter.token(room)}`);
    t.after(() => observer.ws.terminate());
    const hp = track(hocuspocusClient(srv, room, await minter.token(room)));
    const yws = track(yWebsocketClient(srv, room, await minter.token(room)));
    const seen = () => observer.messages.map(decodeY).filter((m) => m.type === 1).flatMap((m) => awarenessEntries(m.payload));
    for (const c of [hp, yws]) {
      await waitFor(() => seen().some((e) => e.client === c.doc.clientID && e.clock === 0 && JSON.stringify(e.state) === '{}'),
        `the ${c.kind} client's initial {} state relayed: ${JSON.stringify(seen())}`);
    }
    // y-protocols' applyAwarenessUpdate applies a state only when its clock is above the one known
    // (0 for an unknown client), so an initial clock-0 state never shows in another provider — as
    // with y-websocket's and Hocuspocus' own servers. The first setLocalStateField (clock 1) does.
    await waitFor(() => yws.synced() && hp.synced(), 'both providers to sync');
    assert.ok(!hp.awareness.getStates().has(yws.doc.clientID), 'clock-0 state not applied by the provider');
    yws.awareness.setLocalStateField('user', { name: 'y' });
    await waitFor(() => hp.awareness.getStates().get(yws.doc.clientID)?.user?.name === 'y', 'the clock-1 state in the other provider');
  });

  for (const [leaver, how] of [[yWebsocketClient, 'destroy'], [hocuspocusClient, 'destroy'], [yWebsocketClient, 'vanish'], [hocuspocusClient, 'vanish']]) {
    test(`awareness: a ${leaver.name} that leaves (${how}) disappears from the others`, async (t) => {
      t.after(destroyAll);
      const room = unique('awareness');
      const gone = track(leaver(srv, room, await minter.token(room)));
      const others = [track(yWebsocketClient(srv, room, await minter.token(room))), track(hocuspocusClient(srv, room, await minter.token(room)))];
      for (const c of [gone, ...others]) c.awareness.setLocalStateField('user', { name: c.kind + c.doc.clientID });
      const all = [gone, ...others];
      await waitFor(() => others.every((o) => all.every((c) => o.awareness.getStates().has(c.doc.clientID))),
        'every client in every other client\'s awareness');
      gone[how]();
      if (how === 'destroy') live.delete(gone);  // a vanished client still holds timers: destroyed after the test
      await waitFor(() => others.every((o) => !o.awareness.getStates().has(gone.doc.clientID)),
        () => `the closed client to leave the others' awareness: ${others.map((o) => [...o.awareness.getStates().keys()]).join(' / ')}`);
      for (const o of others) for (const c of others) assert.ok(o.awareness.getStates().has(c.doc.clientID), 'the others stay');
    });
  }

  describe('refused room tokens', () => {
    const collabSecret = () => readFileSync(join(srv.dataDir, 'credentials.toml'), 'utf8').match(/token_secret\s*=\s*"([^"]+)"/)[1];
    const roomToken = (room, { secret = collabSecret(), exp = now() + 600 } = {}) => signJwt({ alg: 'HS256', typ: 'JWT' },
      { aud: 'onair-collab', sub: 'mallory', room, kind: 'workspace', scope: 'read-write', iat: now() - 3600, exp }, secret);
    const badTokens = {
      expired: (room) => roomToken(room, { exp: now() - 3600 }),
      forged: (room) => roomToken(room, { secret: randomSecret() }),
      'other-room': () => minter.token(unique('elsewhere')),
    };

    test('a token made the way these tests forge them is accepted (the control)', async () => {
      const room = unique('control');
      const sock = await rawSocket(`ws://127.0.0.1:${srv.port}/v1/yjs/${room}?token=${roomToken(room)}`);
      await waitFor(() => sock.messages.length > 0, 'the server\'s sync step 1');
      assert.deepEqual([decodeY(sock.messages[0]).type, decodeY(sock.messages[0]).sub], [0, SyncStep.Step1]);
      sock.ws.close();
    });

    test('a socket closes with 4011 once a room token it used expires (after the leeway), on both paths', async () => {
      const room = unique('expiring');
      const leeway = 10;  // auth.leeway_seconds: the server's default here
      const soon = roomToken(room, { exp: now() - leeway + 2 });  // accepted now, expired in ~2 s
      const ysock = await rawSocket(`ws://127.0.0.1:${srv.port}/v1/yjs/${room}?token=${soon}`);
      const hsock = await rawSocket(`ws://127.0.0.1:${srv.port}/v1/hocuspocus`);
      hsock.send(hpAuth(room, soon));
      await waitFor(() => hsock.messages.some((m) => decodeHp(m).doc === room && decodeHp(m).type === Hp.Auth), 'the auth answer');
      const answer = decodeHp(hsock.messages.find((m) => decodeHp(m).doc === room && decodeHp(m).type === Hp.Auth));
      assert.deepEqual([answer.sub, answer.scope], [2, 'read-write'], 'authenticated');
      await waitFor(() => ysock.messages.length > 0, 'the y-websocket sync step 1');
      assert.equal(ysock.closeCode(), null, 'open while the token is valid');
      assert.equal(hsock.closeCode(), null, 'open while the token is valid');
      await waitFor(() => ysock.closeCode() !== null && hsock.closeCode() !== null, 'both sockets to close at expiry', 15000);
      assert.deepEqual([ysock.closeCode(), hsock.closeCode()], [4011, 4011]);
    });

    test('y-websocket: a malformed query (a % that starts no escape) is refused as malformed, not as a bad token', async () => {
      const room = unique('malformed');
      const sock = await rawSocket(`ws://127.0.0.1:${srv.port}/v1/yjs/${room}?token=${await minter.token(room)}&x=%zz`);
      assert.equal(await sock.closed, 4003);
      assert.equal(sock.messages.length, 1, 'only the auth message');
      const m = decodeY(sock.messages[0]);
      assert.deepEqual([m.type, m.sub], [2, 0]);
      assert.match(m.reason, /query string is malformed/);
    });

    for (const [name, make] of Object.entries(badTokens)) {
      test(`y-websocket: ${name} token → permission-denied auth message, then close 4003`, async () => {
        const room = unique('denied');
        const sock = await rawSocket(`ws://127.0.0.1:${srv.port}/v1/yjs/${room}?token=${await make(room)}`);
        const code = await sock.closed;
        assert.equal(code, 4003);
        assert.equal(sock.messages.length, 1, 'one message: the auth message, nothing of the document');
        const m = decodeY(sock.messages[0]);
        assert.deepEqual([m.type, m.sub], [2, 0]);
        assert.ok(m.reason.length > 0, 'a reason is given');
      });

      test(`Hocuspocus: ${name} token → authenticationFailed and nothing of the document`, async (t) => {
        t.after(destroyAll);
        const room = unique('denied');
        const writer = track(yWebsocketClient(srv, room, await minter.token(room)));
        await waitFor(() => writer.synced(), 'the writer to sync');
        writer.doc.getText('t').insert(0, 'secret');
        const intruder = track(hocuspocusClient(srv, room, await make(room)));
        await waitFor(() => intruder.failures.length > 0, 'authenticationFailed');
        // Send an edit with a valid token after the refusal: it passes the intruder's socket by.
        writer.doc.getText('t').insert(6, '!');
        const probe = track(hocuspocusClient(srv, room, await minter.token(room)));
        await waitConverged([writer, probe], 'a later valid client to sync');
        assert.equal(intruder.doc.getText('t').toString(), '', 'nothing of the document reached the intruder');
        assert.equal(intruder.provider.isAuthenticated, false);
        assert.equal(intruder.provider.isSynced, false);
        intruder.doc.getText('t').insert(0, 'vandal');
        const late = track(hocuspocusClient(srv, room, await minter.token(room)));
        await waitConverged([writer, late], 'a late joiner to sync');
        assert.equal(late.doc.getText('t').toString(), 'secret!', 'the intruder changed nothing');
      });
    }
  });

  test('clients that leave while their document is still opening disturb no one', async (t) => {
    t.after(destroyAll);
    // Each round: a fresh (cold) document opened at once by an editing provider and by raw
    // sockets that vanish right away, so they leave during the load while updates fan out.
    for (let round = 0; round < 10; round++) {
      const room = unique('leaving');
      const tokens = await Promise.all(Array.from({ length: 6 }, () => minter.token(room)));
      const editor = track(hocuspocusClient(srv, room, tokens[0]));
      const leavers = tokens.slice(1).map((token) => rawSocket(`ws://127.0.0.1:${srv.port}/v1/yjs/${room}?token=${token}`));
      editor.doc.getText('t').insert(0, `round ${round}`);
      for (const leaver of await Promise.all(leavers)) leaver.ws.terminate();
      await waitFor(() => editor.synced(), `round ${round}: the editor's edit acknowledged`);
      const late = track(yWebsocketClient(srv, room, await minter.token(room)));
      await waitConverged([editor, late], `round ${round}: a late joiner to get the edit`);
    }
    assert.equal(srv.proc.exitCode, null, 'onair is still running');
  });

  describe('hostile frames', () => {
    const varUint = (n) => bytesOf((e) => encoding.writeVarUint(e, n));
    const concat = (...parts) => Uint8Array.from(parts.flatMap((p) => [...p]));
    const hugeLength = varUint(2 ** 31);  // a length claim far past the frame

    test('y-websocket: garbage, truncated and over-long frames leave the connection and document working', async (t) => {
      t.after(destroyAll);
      const room = unique('hostile-y');
      const token = await minter.token(room);
      const raw = await rawSocket(`ws://127.0.0.1:${srv.port}/v1/yjs/${room}?token=${token}`);
      t.after(() => raw.ws.terminate());
      const watcher = track(hocuspocusClient(srv, room, await minter.token(room)));
      await waitFor(() => watcher.synced() && raw.messages.length > 0, 'the clients to connect');
      const update = (() => { const d = new Y.Doc(); d.getText('t').insert(0, 'valid'); return Y.encodeStateAsUpdate(d); })();
      const hostile = [
        Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),  // varUint overflow
        Uint8Array.from([7, 1, 2, 3]),  // unknown message type
        Uint8Array.from([0]),  // sync without a sub-type
        concat([0, SyncStep.Update], hugeLength, [1, 2, 3]),
        concat([0, SyncStep.Step1], hugeLength),
        concat([1], hugeLength, [1]),  // awareness claiming 2 GiB
        ySync(SyncStep.Update, update.slice(0, update.length - 3)),  // a truncated update
        ySync(SyncStep.Update, Uint8Array.from([5, 200, 200, 200, 1])),  // structs that are not there
        concat([1], varUint(4), [1, 1, 1, 1]),  // awareness entries cut short
        new Uint8Array(0),
      ];
      for (const frame of hostile) raw.send(frame);
      raw.ws.send('text is not a y-websocket frame');
      raw.send(ySync(SyncStep.Update, update));
      await waitFor(() => watcher.doc.getText('t').toString() === 'valid', 'the valid update after the hostile frames to arrive');
      assert.equal(raw.closeCode(), null, 'the raw connection stays open');
      const late = track(yWebsocketClient(srv, room, await minter.token(room)));
      await waitConverged([watcher, late], 'a late joiner to get the document');
    });

    test('Hocuspocus: broadcast stateless messages reach the document\'s other sockets, and a flood closes its sender with 1008', async (t) => {
      const room = unique('stateless');
      const readonly = await tokenMinter(srv, 'readonly', 'bob');
      t.after(() => readonly.close());
      const authenticated = async (token) => {
        const raw = await rawSocket(`ws://127.0.0.1:${srv.port}/v1/hocuspocus`);
        t.after(() => raw.ws.terminate());
        raw.send(hpAuth(room, token));
        await waitFor(() => raw.messages.map(decodeHp).some((m) => m.type === Hp.Auth && m.sub === 2), 'Authenticated');
        return raw;
      };
      const listener = await authenticated(await minter.token(room));
      const sender = await authenticated(await readonly.token(room));  // readonly clients may broadcast, as with Hocuspocus
      const stateless = (text) => hpFrame(room, Hp.BroadcastStateless, (e) => encoding.writeVarString(e, text));
      const received = () => listener.messages.map(decodeHp).filter((m) => m.type === Hp.Stateless).map((m) => m.text);
      sender.send(stateless('hello'));
      await waitFor(() => received().includes('hello'), 'the listener to get the broadcast');

      // 6 MiB at once: past the one-message burst (4 MiB) and the 1 MiB/s rate.
      const chunk = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 96; i++) sender.send(stateless(chunk));
      const closedWith = await Promise.race([sender.closed, new Promise((res) => setTimeout(() => res('still open after 5 s'), 5000))]);
      assert.equal(closedWith, 1008, 'the flooding socket is closed with 1008');
      const relayed = received().length - 1;
      assert.ok(relayed > 0 && relayed < 96, `part of the flood was relayed before the close (${relayed} of 96)`);
      assert.equal(listener.closeCode(), null, 'the listener stays connected');
      listener.send(stateless('still here'));
      await waitFor(() => received().includes('still here'), 'the listener\'s own broadcast to come back to it');
    });

    test('y-websocket: a peer flooding awareness has the excess dropped, stays connected, and is heard again after a quiet second', async (t) => {
      const room = unique('awareness-flood');
      const socket = async () => {
        const raw = await rawSocket(`ws://127.0.0.1:${srv.port}/v1/yjs/${room}?token=${await minter.token(room)}`);
        t.after(() => raw.ws.terminate());
        await waitFor(() => raw.messages.length > 0, 'the greeting');
        return raw;
      };
      const listener = await socket();
      const flooder = await socket();
      const client = 424242;
      const awareness = (clock, note) => yFrame(1, (e) => encoding.writeVarUint8Array(e, bytesOf((a) => {
        encoding.writeVarUint(a, 1);
        encoding.writeVarUint(a, client);
        encoding.writeVarUint(a, clock);
        encoding.writeVarString(a, JSON.stringify({ note }));
      })));
      const clocks = () => listener.messages.map(decodeY).filter((m) => m.type === 1)
        .flatMap((m) => awarenessEntries(m.payload)).filter((e) => e.client === client).map((e) => e.clock);
      // 200 states of 60 KiB at once (12 MiB): past the burst (one 4 MiB message) and 1 MiB/s.
      const big = 'n'.repeat(60 * 1024);
      for (let clock = 1; clock <= 200; clock++) flooder.send(awareness(clock, big));
      await waitFor(() => clocks().length > 0, 'the first states to be relayed');
      await new Promise((res) => setTimeout(res, 300));
      const relayed = clocks().length;
      assert.ok(relayed < 150, `most of the flood was dropped (${relayed} of 200 relayed)`);
      assert.equal(flooder.closeCode(), null, 'the flooder stays connected');
      await new Promise((res) => setTimeout(res, 1200));
      flooder.send(awareness(201, 'calm'));
      await waitFor(() => clocks().includes(201), 'a state after a quiet second to be relayed');
    });

    test('Hocuspocus: garbage, truncated and over-long frames leave the connection and document working', async (t) => {
      t.after(destroyAll);
      const room = unique('hostile-hp');
      const raw = await rawSocket(`ws://127.0.0.1:${srv.port}/v1/hocuspocus`);
      t.after(() => raw.ws.terminate());
      raw.send(hpAuth(room, await minter.token(room)));
      await waitFor(() => raw.messages.map(decodeHp).some((m) => m.type === Hp.Auth && m.sub === 2), 'Authenticated');
      const watcher = track(yWebsocketClient(srv, room, await minter.token(room)));
      await waitFor(() => watcher.synced(), 'the watcher to sync');
      const update = (() => { const d = new Y.Doc(); d.getText('t').insert(0, 'valid'); return Y.encodeStateAsUpdate(d); })();
      const name = bytesOf((e) => encoding.writeVarString(e, room));
      const hostile = [
        Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
        concat(hugeLength, [1, 2, 3]),  // a document name claiming 2 GiB
        concat(name),  // a name, no type
        concat(name, [99]),  // unknown type
        concat(name, [Hp.Sync, SyncStep.Update], hugeLength, [1]),
        concat(name, [Hp.Sync, SyncStep.Step1], hugeLength),
        concat(name, [Hp.Awareness], hugeLength),
        concat(name, [Hp.Auth, 0], hugeLength),
        hpSync(room, SyncStep.Update, update.slice(0, update.length - 3)),
        hpSync(room, SyncStep.Update, Uint8Array.from([5, 200, 200, 200, 1])),
        hpFrame(room, Hp.Stateless, (e) => encoding.writeVarUint(e, 2 ** 31)),
        new Uint8Array(0),
      ];
      for (const frame of hostile) raw.send(frame);
      raw.send(hpSync(room, SyncStep.Update, update));
      await waitFor(() => watcher.doc.getText('t').toString() === 'valid', 'the valid update after the hostile frames to arrive');
      const statuses = raw.messages.map(decodeHp).filter((m) => m.type === Hp.SyncStatus);
      assert.equal(statuses.at(-1).applied, true, 'the valid update was acknowledged');
      assert.ok(statuses.slice(0, -1).every((s) => !s.applied), 'no broken update was acknowledged as applied');
      assert.equal(raw.closeCode(), null, 'the raw connection stays open');
      const late = track(hocuspocusClient(srv, room, await minter.token(room)));
      await waitConverged([watcher, late], 'a late joiner to get the document');
    });
  });
});

describe('Yjs durability', () => {
  // Edits every client saw acknowledged, then `interrupt`, then a new client of each protocol.
  async function durable(t, { config = {}, interrupt }) {
    const dataDir = mkdtempSync(join(tmpdir(), 'onair-yjs-durable-'));
    const apiKey = 'APIyjs' + process.pid;
    const apiSecret = randomSecret();
    let srv = await startOnair({ dataDir, apiKey, apiSecret, config });
    t.after(async () => { destroyAll(); await srv.stop(); rmSync(dataDir, { recursive: true, force: true }); });
    let minter = await tokenMinter(srv);
    const room = unique('durable');
    const clients = [track(yWebsocketClient(srv, room, await minter.token(room))), track(hocuspocusClient(srv, room, await minter.token(room)))];
    await waitFor(() => clients.every((c) => c.synced()), 'the clients to sync');
    for (let i = 0; i < 10; i++) clients.forEach((c, k) => editAs(c, i * 2 + k));
    await waitConverged(clients);
    const expected = contentOf(clients[0].doc);
    // The Hocuspocus client's own edits are acknowledged (SyncStatus true: stored).
    assert.equal(clients[1].provider.unsyncedChanges, 0);
    destroyAll();
    minter.close();
    srv = await interrupt(srv, { dataDir, apiKey, apiSecret, config }, room);
    minter = await tokenMinter(srv);
    t.after(() => minter.close());
    for (const make of [hocuspocusClient, yWebsocketClient]) {
      const fresh = track(make(srv, room, await minter.token(room)));
      await waitFor(() => fresh.synced() && JSON.stringify(contentOf(fresh.doc)) === JSON.stringify(expected),
        () => `a new ${make.name} to get everything: ${JSON.stringify(contentOf(fresh.doc))}`);
    }
  }

  test('acknowledged edits survive a SIGTERM and a restart on the same data dir', async (t) => {
    await durable(t, {
      interrupt: async (srv, options) => {
        assert.equal(await srv.stop('SIGTERM'), 0, 'onair exits cleanly on SIGTERM');
        return startOnair(options);
      },
    });
  });

  test('acknowledged edits survive idle eviction and a reopen', async (t) => {
    await durable(t, {
      config: { 'collab.document_idle_ms': 300, 'collab.save_interval_ms': 50 },
      interrupt: async (srv) => {
        await waitFor(async () => (await documentsInMemory(srv)) === 0, 'the document to leave memory (onair_collab_documents 0)');
        return srv;
      },
    });
  });
});

