// crdtRoom (onair/crdt) through a real `onair serve` (build/onair, or $ONAIR_BIN): Yjs rooms over
// the client's own connection (docs/protocol.md, "Yjs over the onair connection"). A server
// without `collab.open` fails each case at once with unknown_op.
import { test as baseTest, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { defineCrdtScenarios, destroyRooms, gatedClient } from './crdt-scenarios.mjs';
import { useOnair } from './server-fixture.mjs';

const test = (name, fn) => baseTest(name, { timeout: 20_000 }, fn);
const GRANTS = {
  'read-write': ['collab:*:read-write'],
  readonly: ['collab:*:readonly'],
  none: ['room:*:subscribe'],
};
const onair = useOnair();
afterEach(() => destroyRooms());

async function open(userId, { scope = 'read-write', reconnect = false } = {}) {
  const { token } = await onair.api.createToken({ userId, ttl: 600, grants: GRANTS[scope] });
  const client = await gatedClient(onair.srv.url, token, reconnect);
  onair.clients.push(client);
  return client;
}

defineCrdtScenarios(test, { open });

test('importing onair/crdt gives every client crdtRoom(name), bound like crdtRoom(client, name)', async () => {
  const [a, b] = [await open('method-a'), await open('method-b')];
  assert.equal(typeof a.crdtRoom, 'function', 'the entry installed the method');
  const ra = a.crdtRoom('method-room');
  const rb = b.crdtRoom('method-room');
  try {
    await Promise.all([ra.whenSynced({ timeoutMs: 10_000 }), rb.whenSynced({ timeoutMs: 10_000 })]);
    assert.equal(ra.scope, 'read-write');
    ra.doc.getText('t').insert(0, 'through the method');
    const deadline = Date.now() + 10_000;
    while (rb.doc.getText('t').toString() !== 'through the method') {
      assert.ok(Date.now() < deadline, `b never saw a's edit: "${rb.doc.getText('t').toString()}"`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await ra.destroy();
    await rb.destroy();
  }
});
