// The meetings demo page (/streams.html) in Chromium with fake camera and microphone: two pages
// join one room by name, turn their cameras on and each shows the other's tile with video
// frames decoding; the microphone marks a tile with audio; camera off leaves an audio-only tile,
// both off (or leaving) removes it on the other page; a page whose connection drops publishes
// and receives again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOnair } from '../support/onair.mjs';
import { launchBrowser, WEBRTC_ARGS } from '../support/browser.mjs';

let srv;
let browser;
const pages = {};

before(async () => {
  srv = await startOnair({ args: ['--dev-demo-tokens', 'on'] });
  browser = await launchBrowser(WEBRTC_ARGS);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function openAs(user, room) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The page's WebSockets, so a test can drop its connection.
  await page.addInitScript(() => {
    const Native = window.WebSocket;
    window.sockets = [];
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        window.sockets.push(this);
      }
    };
  });
  await page.goto(`${srv.url}/streams.html?room=${encodeURIComponent(room)}&user=${user}&autostart=1`);
  await page.locator('#meeting').waitFor({ state: 'visible', timeout: 10_000 });
  pages[user] = { page, context, errors };
  return page;
}

const remoteTile = (page, user) => page.locator(`#tiles .tile[data-user="${user}"]:not([data-local])`);

/** The video of `user`'s tile: its size and frames shown so far (0s when there is no tile). */
const videoOf = (page, user) => page.evaluate((u) => {
  const video = document.querySelector(`#tiles .tile[data-user="${u}"]:not([data-local]) video`);
  if (!video) return { width: 0, frames: 0 };
  return { width: video.videoWidth, frames: video.getVideoPlaybackQuality().totalVideoFrames };
}, user);

async function waitFor(what, ms, check) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last === true) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  assert.fail(`not within ${ms} ms: ${what} (last: ${JSON.stringify(last)})`);
}

/** Waits until `page` shows `user`'s video with a size and more frames over time. */
async function decodes(page, user) {
  await waitFor(`${user}'s video decoding`, 15_000, async () => {
    const first = await videoOf(page, user);
    await new Promise((r) => setTimeout(r, 300));
    const second = await videoOf(page, user);
    return (second.width > 0 && second.frames > first.frames) || second;
  });
}

test('two pages join one room by name; with cameras on, each decodes the other\'s video', async () => {
  const ana = await openAs('ana', 'design review');
  const ben = await openAs('ben', 'design review');
  assert.equal(await ana.locator('#room-title').textContent(), 'design review');
  // Each sees the other among the members, and no tiles before anyone sends.
  await ana.locator('#members .member[data-user="ben"]').waitFor({ timeout: 5000 });
  await ben.locator('#members .member[data-user="ana"]').waitFor({ timeout: 5000 });
  assert.equal(await ana.locator('#empty').isVisible(), true);

  await ana.click('#camera');
  await ana.locator('#camera[aria-pressed="true"]').waitFor({ timeout: 10_000 });
  await ana.locator('#tiles .tile[data-local][data-video="on"]').waitFor({ timeout: 5000 });
  await ben.click('#camera');
  await ben.locator('#camera[aria-pressed="true"]').waitFor({ timeout: 10_000 });

  await remoteTile(ben, 'ana').waitFor({ timeout: 10_000 });
  await remoteTile(ana, 'ben').waitFor({ timeout: 10_000 });
  await decodes(ben, 'ana');
  await decodes(ana, 'ben');
  assert.equal(await remoteTile(ben, 'ana').count(), 1);
  assert.equal(await ana.locator('#empty').isVisible(), false);
  if (process.env.STREAMS_SCREENSHOT) await ana.screenshot({ path: process.env.STREAMS_SCREENSHOT, fullPage: true });
});

test('microphone on marks the tile; camera off leaves audio only; both off remove the tile on the other page', async () => {
  const { page: ana } = pages.ana;
  const { page: ben } = pages.ben;
  await ana.click('#microphone');
  await ana.locator('#microphone[aria-pressed="true"]').waitFor({ timeout: 10_000 });
  await ben.locator('#tiles .tile[data-user="ana"][data-audio="on"][data-video="on"]').waitFor({ timeout: 10_000 });
  await decodes(ben, 'ana');  // the video went on through the renegotiation

  await ana.click('#camera');
  await ana.locator('#camera[aria-pressed="false"]').waitFor({ timeout: 10_000 });
  await ben.locator('#tiles .tile[data-user="ana"][data-audio="on"][data-video="off"]').waitFor({ timeout: 10_000 });
  await waitFor('ana\'s video track ended at ben', 10_000, () => ben.evaluate(() => {
    const video = document.querySelector('#tiles .tile[data-user="ana"] video');
    return video.srcObject.getVideoTracks().every((t) => t.readyState === 'ended') || video.srcObject.getTracks().map((t) => [t.kind, t.readyState]);
  }));

  await ana.click('#microphone');
  await ana.locator('#microphone[aria-pressed="false"]').waitFor({ timeout: 10_000 });
  await remoteTile(ben, 'ana').waitFor({ state: 'detached', timeout: 10_000 });
  assert.equal(await ana.locator('#tiles .tile[data-local]').count(), 0);
  // Ben's camera is still on: ana keeps decoding it.
  await decodes(ana, 'ben');

  // On again: a new stream, a new tile at ben's.
  await ana.click('#camera');
  await remoteTile(ben, 'ana').waitFor({ timeout: 10_000 });
  await decodes(ben, 'ana');
});

test('after its connection drops, a page publishes and receives again', async () => {
  const { page: ana } = pages.ana;
  const { page: ben } = pages.ben;
  const before = await remoteTile(ben, 'ana').getAttribute('data-stream-id');
  await ana.evaluate(() => window.sockets.forEach((ws) => ws.close()));
  await ana.locator('#status', { hasText: 'Connected again as ana' }).waitFor({ timeout: 15_000 });
  // Ana's old stream ended with her connection; the new one gets a new tile at ben's.
  await ben.locator(`#tiles .tile[data-user="ana"]:not([data-stream-id="${before}"])`).waitFor({ timeout: 15_000 });
  assert.equal(await remoteTile(ben, 'ana').count(), 1);
  await decodes(ben, 'ana');
  await decodes(ana, 'ben');
  assert.equal(await ana.locator('#camera').getAttribute('aria-pressed'), 'true');
});

test('leaving the room removes the tile and the member on the other page', async () => {
  const { page: ana } = pages.ana;
  const { page: ben } = pages.ben;
  await ben.click('#leave');
  await ben.locator('#join-form').waitFor({ state: 'visible', timeout: 10_000 });
  await remoteTile(ana, 'ben').waitFor({ state: 'detached', timeout: 10_000 });
  await ana.locator('#members .member[data-user="ben"]').waitFor({ state: 'detached', timeout: 10_000 });
  assert.deepEqual([...pages.ana.errors, ...pages.ben.errors], []);
  assert.match(await ana.locator('#status').textContent(), /Connected (again )?as ana/, 'no error shown');
});

test('a camera the browser refuses is reported on the page, and the toggle stays off', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
  await page.goto(`${srv.url}/streams.html?room=refusals&user=rita&autostart=1`);
  await page.locator('#meeting').waitFor({ state: 'visible', timeout: 10_000 });
  await page.click('#camera');
  await page.locator('#status', { hasText: 'cannot open the camera: the browser was not allowed to use it' }).waitFor({ timeout: 5000 });
  assert.equal(await page.locator('#camera').getAttribute('aria-pressed'), 'false');
  assert.equal(await page.locator('#tiles .tile').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});
