// The stage demo page's media in Chromium with fake camera and microphone: a host on stage goes
// on camera and a viewer decodes it; the viewer, accepted and on stage, goes on camera and the
// host decodes it; a kick ends the viewer's stream everywhere (its tile goes, its devices turn
// off); the host leaving the camera removes its tile at the viewer; a host whose connection
// drops comes back off camera.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOnair } from '../support/onair.mjs';
import { launchBrowser, WEBRTC_ARGS } from '../support/browser.mjs';

let srv;
let browser;
before(async () => {
  srv = await startOnair({ args: ['--dev-demo-tokens', 'on'] });
  browser = await launchBrowser(WEBRTC_ARGS);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function createStage(name) {
  const res = await fetch(`${srv.url}/v1/demo/stages`, { method: 'POST', body: JSON.stringify({ name }) });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body.id;
}

async function openAs(user, stageId, role) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The page's WebSockets, so the test can drop its connection.
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
  await page.goto(`${srv.url}/stage.html?stage=${stageId}&user=${user}&role=${role}&autostart=1`);
  await page.locator('#stage-view').waitFor({ state: 'visible', timeout: 10_000 });
  return { page, context, errors };
}

const myStatus = (page, status) => page.locator(`#my-status[data-status="${status}"]`).waitFor({ timeout: 5000 });
const remoteTile = (page, user) => page.locator(`#stage-tiles .tile[data-user="${user}"]:not([data-local])`);

const videoOf = (page, user) => page.evaluate((u) => {
  const video = document.querySelector(`#stage-tiles .tile[data-user="${u}"]:not([data-local]) video`);
  if (!video) return { width: 0, frames: 0 };
  return { width: video.videoWidth, frames: video.getVideoPlaybackQuality().totalVideoFrames };
}, user);

async function decodes(page, user) {
  const deadline = Date.now() + 15_000;
  let last;
  while (Date.now() < deadline) {
    const first = await videoOf(page, user);
    await new Promise((r) => setTimeout(r, 300));
    last = await videoOf(page, user);
    if (last.width > 0 && last.frames > first.frames) return;
  }
  assert.fail(`${user}'s video is not decoding (last: ${JSON.stringify(last)})`);
}

test('host on camera → viewer decodes; accepted viewer on camera → host decodes; kick and leave camera end the tiles', async () => {
  const stageId = await createStage('Video show');
  const host = await openAs('hana', stageId, 'host');
  const viewer = await openAs('vic', stageId, 'viewer');
  await viewer.page.locator('#no-video').waitFor({ state: 'visible', timeout: 5000 });
  assert.equal(await viewer.page.locator('#camera-on').isVisible(), false, 'off stage: no camera button');

  // The host goes on stage (hosts are accepted at once), then on camera.
  assert.equal(await host.page.locator('#camera-on').isVisible(), false, 'not on stage yet');
  await host.page.click('#request');
  await myStatus(host.page, 'ACCEPTED_TO_JOIN_STAGE');
  await host.page.click('#join-stage');
  await myStatus(host.page, 'ON_STAGE');
  await host.page.click('#camera-on');
  await host.page.locator('#camera-off').waitFor({ state: 'visible', timeout: 10_000 });
  await host.page.locator('#stage-tiles .tile[data-local][data-video="on"][data-audio="on"]').waitFor({ timeout: 5000 });

  await remoteTile(viewer.page, 'hana').waitFor({ timeout: 10_000 });
  await decodes(viewer.page, 'hana');
  assert.equal(await viewer.page.locator('#no-video').isVisible(), false);
  await viewer.page.locator('#participants li[data-user="hana"] .on-camera').waitFor({ timeout: 5000 });

  // The viewer asks, is accepted, joins the stage and goes on camera: the host decodes it.
  await viewer.page.click('#request');
  await host.page.locator('#requests li[data-user="vic"] button.grant').click();
  await myStatus(viewer.page, 'ACCEPTED_TO_JOIN_STAGE');
  assert.equal(await viewer.page.locator('#camera-on').isVisible(), false, 'accepted, not on stage yet');
  await viewer.page.click('#join-stage');
  await myStatus(viewer.page, 'ON_STAGE');
  await viewer.page.click('#camera-on');
  await viewer.page.locator('#camera-off').waitFor({ state: 'visible', timeout: 10_000 });
  await remoteTile(host.page, 'vic').waitFor({ timeout: 10_000 });
  await decodes(host.page, 'vic');
  await host.page.locator('#participants li[data-user="vic"][data-streams="1"]').waitFor({ timeout: 5000 });
  if (process.env.STAGE_SCREENSHOT) await viewer.page.screenshot({ path: process.env.STAGE_SCREENSHOT, fullPage: true });

  // Kicked: the viewer's stream ends at the host, and the viewer's devices turn off.
  await host.page.locator('#participants li[data-user="vic"] button.kick').click();
  await myStatus(viewer.page, 'OFF_STAGE');
  await remoteTile(host.page, 'vic').waitFor({ state: 'detached', timeout: 10_000 });
  await viewer.page.locator('#stage-tiles .tile[data-local]').waitFor({ state: 'detached', timeout: 10_000 });
  assert.equal(await viewer.page.locator('#camera-off').isVisible(), false);
  assert.equal(await viewer.page.locator('#camera-on').isVisible(), false);
  await decodes(viewer.page, 'hana');  // still watching the host

  // The host leaves the camera: its tile goes at the viewer.
  await host.page.click('#camera-off');
  await remoteTile(viewer.page, 'hana').waitFor({ state: 'detached', timeout: 10_000 });
  await viewer.page.locator('#no-video').waitFor({ state: 'visible', timeout: 5000 });
  assert.equal(await host.page.locator('#camera-on').isVisible(), true, 'still on stage: may go on camera again');

  // On camera again, then the host's connection drops: the server takes it off the stage and
  // ends its stream, so after the reconnect the page is off camera (not publishing), with no error.
  await host.page.click('#camera-on');
  await remoteTile(viewer.page, 'hana').waitFor({ timeout: 10_000 });
  await host.page.evaluate(() => window.sockets.forEach((ws) => ws.close()));
  await host.page.locator('#status', { hasText: 'Connected as hana' }).waitFor({ timeout: 15_000 });
  await remoteTile(viewer.page, 'hana').waitFor({ state: 'detached', timeout: 10_000 });
  await host.page.locator('#stage-tiles .tile[data-local]').waitFor({ state: 'detached', timeout: 10_000 });
  const hostStatus = await host.page.locator('#my-status').getAttribute('data-status');
  assert.equal(await host.page.locator('#camera-on').isVisible(), hostStatus === 'ON_STAGE');
  assert.equal(await host.page.locator('#camera-off').isVisible(), false);
  assert.match(await host.page.locator('#status').textContent(), /^Connected as hana$/);

  assert.deepEqual([...host.errors, ...viewer.errors], []);
  await host.context.close();
  await viewer.context.close();
});
