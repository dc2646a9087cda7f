// Helpers shared by the stream-room node tests: collecting SDK events and waiting for a condition.
import assert from 'node:assert/strict';

/** Collects `name` events on `client.streams` from now on. */
export function collect(client, name) {
  const seen = [];
  client.streams.on(name, (data) => seen.push(data));
  return seen;
}

/** Resolves once `check()` is true; fails the test after `ms`, naming `what`. */
export async function until(check, what, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
