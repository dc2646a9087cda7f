// Helpers shared by the stream-room node tests: collecting SDK events, waiting for a condition,
// expecting an error, and offers from the SDP fixtures (no browser needed).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

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

/** Asserts that `promise` rejects with an OnairError of `code` (and a message matching `message`). */
export async function rejects(promise, code, message) {
  await assert.rejects(promise, (e) => {
    assert.equal(e?.name, 'OnairError', String(e));
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

const fixture = (name) => readFileSync(new URL(`../unit/rtc/sdp/fixtures/${name}`, import.meta.url), 'utf8');
/** Chromium's publishing offer (audio mid 0 with an ssrc, simulcast video mid 1, data mid 2). */
export const publisherOffer = fixture('chromium_unified_plan.sdp');
/** The same sections as a receiving peer offers them: recvonly, no ssrcs or msid. */
export const subscriberOffer = publisherOffer.split(/\r?\n/)
  .filter((l) => !/^a=(ssrc|ssrc-group|msid|rid|simulcast):/.test(l))
  .map((l) => (l === 'a=sendonly' ? 'a=recvonly' : l))
  .join('\r\n');

/** Resolves with the first `name` event on `emitter` (an SDK object with `on`) whose payload passes `predicate`. */
export function nextEvent(emitter, name, predicate = () => true, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no ${name} within ${ms} ms`)); }, ms);
    const off = emitter.on(name, (data) => {
      if (!predicate(data)) return;
      clearTimeout(timer);
      off();
      resolve(data);
    });
  });
}
