// The shared notes demo (/collab.html) in Chromium: two pages open one document through the SDK's
// crdtRoom (yjs loaded in the page from /vendor/ through its import map), type into the textarea
// at once, and converge; each sees the other in the editors line, with its caret's line; an
// unmodified y-websocket client in Node, with the room token the page shows, edits the same
// document and its edit appears on both pages; a closed page leaves the others' editors line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { startOnair } from '../support/onair.mjs';
import { launchBrowser, waitFor } from '../support/browser.mjs';
import { yWebsocketClient } from '../support/yjs-clients.mjs';

let srv;
let browser;
const live = [];

before(async () => {
  srv = await startOnair({ args: ['--dev-demo-tokens', 'on'] });
  browser = await launchBrowser();
});

after(async () => {
  for (const client of live) client.destroy();
  await browser?.close();
  await srv?.stop();
});

async function openAs(user, doc) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) errors.push(m.text()); });
  await page.goto(`${srv.url}/collab.html?user=${user}&doc=${doc}&autostart=1`);
  await page.locator('#editor').waitFor({ state: 'visible', timeout: 10_000 });
  return { user, page, context, errors };
}

const textOf = (page) => page.evaluate(() => window.collab.text());
const areaOf = (page) => page.locator('#text').inputValue();

test('two pages and a y-websocket client edit one document together through the demo', { timeout: 60_000 }, async () => {
  const doc = `notes${process.pid}`;
  const ana = await openAs('ana', doc);
  const ben = await openAs('ben', doc);

  // Both type at once, each at the start of its own (empty or not) text.
  await Promise.all([
    ana.page.locator('#text').pressSequentially('hello from ana. ', { delay: 5 }),
    ben.page.locator('#text').pressSequentially('hi from ben. ', { delay: 5 }),
  ]);
  await waitFor('both pages hold the same text, with both edits', 10_000, async () => {
    const [a, b] = await Promise.all([textOf(ana.page), textOf(ben.page)]);
    return (a === b && a.includes('hello from ana. ') && a.includes('hi from ben. ')) || { a, b };
  });
  assert.equal(await areaOf(ana.page), await textOf(ana.page), 'the textarea shows the document');
  assert.equal(await areaOf(ben.page), await textOf(ben.page), 'the textarea shows the document');

  // Each sees the other in the editors line, with the line of its caret.
  for (const [{ page }, other] of [[ana, 'ben'], [ben, 'ana']]) {
    await waitFor(`${other} in the editors line`, 10_000, async () => {
      const chip = await page.locator(`#members .member[data-user="${other}"]`).textContent().catch(() => null);
      return /line 1/.test(chip ?? '') || chip;
    });
  }

  // An unmodified y-websocket client joins with the room token the page shows.
  const snippet = await ana.page.locator('#snippet').textContent();
  const token = snippet.match(/token: '([^']+)'/)?.[1];
  assert.ok(token, `a room token in the snippet: ${snippet}`);
  const outside = yWebsocketClient(srv, `demo_${doc}`, token, new Y.Doc());
  live.push(outside);
  await waitFor('the y-websocket client syncs', 10_000, async () => outside.synced() && outside.doc.getText('notes').toString() === (await textOf(ana.page)));
  outside.doc.getText('notes').insert(0, '[node] ');
  for (const { page, user } of [ana, ben]) {
    await waitFor(`${user}'s textarea shows the y-websocket edit`, 10_000, async () => (await areaOf(page)).startsWith('[node] ') || areaOf(page));
  }

  // A closed page leaves the other's editors line.
  await ben.page.locator('#leave').click();
  await waitFor('ben leaves ana\'s editors line', 10_000, async () => (await ana.page.evaluate(() => window.collab.editors())).join() === 'ana');
  for (const { errors } of [ana, ben]) assert.deepEqual(errors, []);
});
