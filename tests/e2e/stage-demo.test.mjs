// The stage demo page in a real browser: a viewer asks to join, a host grants, the viewer joins
// and is kicked; then a host denies a second request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startOnair } from '../support/onair.mjs';
import { launchBrowser } from '../support/browser.mjs';
import { apiCredential } from '../support/tokens.mjs';

let srv;
let browser;
before(async () => {
  srv = await startOnair({ args: ['--dev-demo-tokens', 'on'] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

// A demo stage, as the page's "New demo stage" button makes it: demo tokens reach no other stage.
async function createStage(name) {
  const res = await fetch(`${srv.url}/v1/demo/stages`, { method: 'POST', body: JSON.stringify({ name }) });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.match(body.id, /^demo_/);
  return body.id;
}

async function openAs(user, stageId, role) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${srv.url}/stage.html?stage=${stageId}&user=${user}&role=${role}&autostart=1`);
  await page.locator('#stage-view').waitFor({ state: 'visible', timeout: 10_000 });
  return { page, context, errors };
}

const myStatus = (page, status) => page.locator(`#my-status[data-status="${status}"]`).waitFor({ timeout: 5000 });

test('demo tokens for a stage: role checked, stage id checked, demo stages only', async () => {
  const post = (body) => fetch(`${srv.url}/v1/demo/token`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal((await post({ user: 'x', stageId: 'demo_ok', role: 'host' })).status, 200);
  assert.equal((await post({ user: 'x', stageId: 'demo_ok' })).status, 200);
  assert.equal((await post({ user: 'x', stageId: 'demo_ok', role: 'admin' })).status, 400);
  assert.equal((await post({ user: 'x', stageId: 'st:*' })).status, 400);
  assert.equal((await post({ user: 'x', stageId: 'x'.repeat(65) })).status, 400);
  // A stage of the app (server API) is no demo resource.
  const apiStage = await fetch(`${srv.url}/v1/stages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiCredential(srv)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Real show' }),
  }).then((r) => r.json());
  const refused = await post({ user: 'x', stageId: apiStage.id, role: 'host' });
  assert.equal(refused.status, 403);
  assert.equal((await refused.json()).error.code, 'permission');
});

test('the page makes a demo stage with its own button', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${srv.url}/stage.html?user=nina&role=host`);
  await page.locator('#new-stage').click();
  await page.waitForFunction(() => /^demo_/.test(document.getElementById('stage-id').value), null, { timeout: 5000 });
  await page.locator('#start').click();
  await page.locator('#stage-view').waitFor({ state: 'visible', timeout: 10_000 });
  await context.close();
});

test('request, grant, join, kick; then request and deny', async () => {
  const stageId = await createStage('E2E show');
  const host = await openAs('hana', stageId, 'host');
  const viewer = await openAs('vic', stageId, 'viewer');

  // Both see the stage; the host has the request panel, the viewer does not.
  assert.equal(await host.page.locator('#host-panel').isVisible(), true);
  assert.equal(await viewer.page.locator('#host-panel').isVisible(), false);
  await myStatus(viewer.page, 'OFF_STAGE');
  await host.page.locator('#participants li[data-user="vic"]').waitFor({ timeout: 5000 });

  // Request → the host sees it with a count → Grant.
  await viewer.page.click('#request');
  await myStatus(viewer.page, 'REQUESTED_TO_JOIN_STAGE');
  await host.page.locator('#requests li[data-user="vic"]').waitFor({ timeout: 5000 });
  assert.equal(await host.page.locator('#request-count').textContent(), '1');
  await host.page.locator('#requests li[data-user="vic"] button.grant').click();
  await myStatus(viewer.page, 'ACCEPTED_TO_JOIN_STAGE');
  await viewer.page.locator('#stage-message[data-kind="ok"]', { hasText: 'approved' }).waitFor({ timeout: 5000 });
  await host.page.locator('#requests li[data-user="vic"]').waitFor({ state: 'detached', timeout: 5000 });
  assert.equal(await host.page.locator('#request-count').textContent(), '0');
  if (process.env.STAGE_SCREENSHOT) await viewer.page.screenshot({ path: process.env.STAGE_SCREENSHOT.replace(/\.png$/, '-viewer.png'), fullPage: true });

  // Join → ON_STAGE, which the host's participant list shows.
  await viewer.page.click('#join-stage');
  await myStatus(viewer.page, 'ON_STAGE');
  await host.page.locator('#participants li[data-user="vic"][data-status="ON_STAGE"]').waitFor({ timeout: 5000 });
  if (process.env.STAGE_SCREENSHOT) await host.page.screenshot({ path: process.env.STAGE_SCREENSHOT, fullPage: true });

  // Kick → OFF_STAGE, with a message.
  await host.page.locator('#participants li[data-user="vic"] button.kick').click();
  await myStatus(viewer.page, 'OFF_STAGE');
  await viewer.page.locator('#stage-message[data-kind="warn"]', { hasText: 'took you off' }).waitFor({ timeout: 5000 });
  assert.equal(await viewer.page.locator('#request').isVisible(), true);

  // Deny path.
  await viewer.page.click('#request');
  await host.page.locator('#requests li[data-user="vic"]').waitFor({ timeout: 5000 });
  if (process.env.STAGE_SCREENSHOT) await host.page.screenshot({ path: process.env.STAGE_SCREENSHOT.replace(/\.png$/, '-request.png'), fullPage: true });
  await host.page.locator('#requests li[data-user="vic"] button.deny').click();
  await viewer.page.locator('#stage-message[data-kind="warn"]', { hasText: 'declined' }).waitFor({ timeout: 5000 });
  await myStatus(viewer.page, 'OFF_STAGE');
  await host.page.locator('#requests li[data-user="vic"]').waitFor({ state: 'detached', timeout: 5000 });

  // Cancelling one's own request is not reported as a kick.
  await viewer.page.click('#request');
  await myStatus(viewer.page, 'REQUESTED_TO_JOIN_STAGE');
  await viewer.page.click('#cancel');
  await myStatus(viewer.page, 'OFF_STAGE');
  assert.equal(await viewer.page.locator('#stage-message[data-kind="warn"]', { hasText: 'took you off' }).count(), 0);

  assert.deepEqual([...host.errors, ...viewer.errors], []);
  await host.context.close();
  await viewer.context.close();
});
