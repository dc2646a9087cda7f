// The peer mesh demo (/mesh.html) in Chromium: three pages in one room, each with its own
// RTCPeerConnection to each other page, signaling over room.send, media through TURN only
// (relay=1: iceTransportPolicy "relay", a real coturn started with onair's turn.secret, the
// credentials from collab.turnCredentials). Every page decodes audio and video from both others.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOnair } from '../support/onair.mjs';
import { startCoturn, coturnAvailable } from '../support/coturn.mjs';
import { launchBrowser, WEBRTC_ARGS, waitFor } from '../support/browser.mjs';

let turn;
let srv;
let browser;

before(async () => {
  if (!coturnAvailable()) return;
  turn = await startCoturn();
  srv = await startOnair({
    args: ['--dev-demo-tokens', 'on', '--turn-urls', `turn:127.0.0.1:${turn.port}?transport=udp`, '--turn-secret', turn.secret],
  });
  browser = await launchBrowser(WEBRTC_ARGS);
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  await turn?.stop();
});

async function openAs(user, room) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${srv.url}/mesh.html?user=${user}&room=${room}&relay=1&autostart=1`);
  await page.locator('#meeting').waitFor({ state: 'visible', timeout: 10_000 });
  return { user, page, context, errors };
}

// Per remote user: frames (video) and samples (audio) decoded so far, the candidate types of the
// transports' selected pairs, and (for failure messages) states, the page's status and signal log.
const received = (page) => page.evaluate(async () => {
  const out = {};
  for (const [userId, pc] of window.mesh.peers()) {
    const r = { frames: 0, audio: 0, pairs: [], state: `${pc.signalingState}/${pc.iceConnectionState}/${pc.connectionState}`, status: document.getElementById('status').textContent, log: window.mesh.log(userId).join(', ') };
    const stats = await pc.getStats();
    stats.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') r.frames += s.framesDecoded ?? 0;
      if (s.type === 'inbound-rtp' && s.kind === 'audio') r.audio += s.totalSamplesReceived ?? 0;
      const pair = s.type === 'transport' && s.selectedCandidatePairId && stats.get(s.selectedCandidatePairId);
      if (pair) r.pairs.push(`${stats.get(pair.localCandidateId).candidateType}->${stats.get(pair.remoteCandidateId).candidateType}`);
    });
    out[userId] = r;
  }
  return out;
});

test('three pages call each other through TURN only, with signaling over room.send', { skip: !coturnAvailable() && 'coturn is not installed', timeout: 90_000 }, async () => {
  const room = `m${process.pid}`;
  const pages = [];
  // ana first, then ben and cai at once (they meet in a join result or by memberJoined).
  pages.push(await openAs('ana', room));
  pages.push(...await Promise.all([openAs('ben', room), openAs('cai', room)]));
  const users = pages.map((p) => p.user);

  const before = {};
  for (const { user, page } of pages) {
    const others = users.filter((u) => u !== user);
    await waitFor(`${user} decodes video and audio from ${others.join(' and ')}`, 30_000, async () => {
      const r = await received(page);
      before[user] = r;
      const ok = others.every((o) => r[o] && r[o].frames > 3 && r[o].audio > 0);
      return ok || r;
    });
  }
  // Frames keep coming from each remote (decoding is live, not a burst), over relayed pairs only.
  for (const { user, page } of pages) {
    const others = users.filter((u) => u !== user);
    await waitFor(`${user}'s frame counts rise`, 15_000, async () => {
      const r = await received(page);
      return others.every((o) => r[o].frames > before[user][o].frames) || r;
    });
    const r = await received(page);
    assert.deepEqual(Object.keys(r).sort(), others, `${user} has one peer connection per other member`);
    for (const o of others) {
      assert.ok(r[o].pairs.length > 0 && r[o].pairs.every((t) => t === 'relay->relay'), `${user}→${o} selected pairs ${JSON.stringify(r[o].pairs)}`);
    }
  }
  assert.match(turn.output(), /ALLOCATE processed, success/);

  // One leaves: the others drop its connection and tile.
  await pages[2].context.close();
  for (const { user, page } of pages.slice(0, 2)) {
    await waitFor(`${user} drops cai`, 10_000, async () => (await page.locator('#tiles figure[data-user="cai"]').count()) === 0);
  }
  for (const { errors } of pages) assert.deepEqual(errors, []);
  for (const { context } of pages.slice(0, 2)) await context.close();
});
