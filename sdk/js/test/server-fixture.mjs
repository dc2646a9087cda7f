// One `onair serve` (build/onair, or $ONAIR_BIN) per test file: useOnair() registers the
// before/after hooks and returns {srv, api, clients}; clients pushed there are closed at the end.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startOnair, onairBinary } from '../../../tests/support/onair.mjs';
import { OnairServer } from '../dist/server/index.js';

export function useOnair(options) {
  const fixture = { srv: undefined, api: undefined, clients: [] };
  before(async () => {
    assert.ok(existsSync(onairBinary), `${onairBinary} is missing: build the server first`);
    fixture.srv = await startOnair(options);
    const { url, apiKey, apiSecret } = fixture.srv;
    fixture.api = new OnairServer({ url, apiKey, apiSecret });
  });
  after(async () => {
    for (const c of fixture.clients) await c.close();
    if (fixture.srv) await fixture.srv.stop();
  });
  return fixture;
}
