// crdtRoom (onair/crdt) through a real `onair serve` (build/onair, or $ONAIR_BIN): Yjs rooms over
// the client's own connection (docs/protocol.md, "Yjs over the onair connection"). A server
// without `collab.open` fails each case at once with unknown_op.
import { test as baseTest, afterEach } from 'node:test';
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
