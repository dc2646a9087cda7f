// crdtRoom (onair/crdt) through a real `onair serve` (build/onair, or $ONAIR_BIN): Yjs rooms over
// the client's own connection (docs/protocol.md, "Yjs over the onair connection"). A server
// without `collab.open` fails each case at once with unknown_op.
import { test as baseTest, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startOnair, onairBinary } from '../../../tests/support/onair.mjs';
import { OnairServer } from '../dist/server/index.js';
import { defineCrdtScenarios, destroyRooms, gatedClient } from './crdt-scenarios.mjs';

const test = (name, fn) => baseTest(name, { timeout: 20_000 }, fn);
const GRANTS = {
  'read-write': ['collab:*:read-write'],
  readonly: ['collab:*:readonly'],
  none: ['room:*:subscribe'],
};
let srv;
let api;
const clients = [];

before(async () => {
  assert.ok(existsSync(onairBinary), `${onairBinary} is missing: build the server first`);
  srv = await startOnair();
  api = new OnairServer({ url: srv.url, apiKey: srv.apiKey, apiSecret: srv.apiSecret });
});

afterEach(() => destroyRooms());

after(async () => {
  for (const c of clients) await c.close();
  if (srv) await srv.stop();
});

async function open(userId, { scope = 'read-write', reconnect = false } = {}) {
  const { token } = await api.createToken({ userId, ttl: 600, grants: GRANTS[scope] });
  const client = await gatedClient(srv.url, token, reconnect);
  clients.push(client);
  return client;
}

defineCrdtScenarios(test, { open });
