// The shared notes demo (/collab.html) in Chromium: two pages open one document through the SDK's
// crdtRoom (yjs loaded in the page from /vendor/ through its import map), type into the textarea
// at once, and converge with each one's line whole; each sees the other in the editors line, with
// its caret's line; replacing an emoji replaces the whole character; Ctrl+Z undoes and Ctrl+Shift+Z
// redoes the page's own last edit everywhere; an unmodified y-websocket
// client in Node, with the room token the page shows, edits the same document (a "\r\n" too) and
// its edit appears on both pages; a closed page leaves the others' editors line.
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

  // Both type at once, each at the start of its own (empty or not) text, a line each.
  await Promise.all([
    ana.page.locator('#text').pressSequentially('hello from ana.\n', { delay: 5 }),
    ben.page.locator('#text').pressSequentially('hi from ben.\n', { delay: 5 }),
  ]);
  await waitFor('both pages hold the same text, with both lines whole', 10_000, async () => {
    const [a, b] = await Promise.all([textOf(ana.page), textOf(ben.page)]);
    return (a === b && a.includes('hello from ana.\n') && a.includes('hi from ben.\n')) || { a, b };
  });
  assert.equal(await areaOf(ana.page), await textOf(ana.page), 'the textarea shows the document');
  assert.equal(await areaOf(ben.page), await textOf(ben.page), 'the textarea shows the document');

  // Ben goes to the end (line 3): ana sees him there, and herself on the line after her text.
  await ben.page.locator('#text').press('Control+End');
  await waitFor('ben on line 3 in ana\'s editors line', 10_000, async () => {
    const chip = await ana.page.locator('#members .member[data-user="ben"]').textContent().catch(() => null);
    return chip === 'ben · line 3' || chip;
  });

  // Ana replaces an emoji she typed by another: the whole character changes, on both pages.
  await ana.page.locator('#text').press('Control+End');
  await ana.page.locator('#text').pressSequentially('mood 😀');
  await ana.page.locator('#text').press('Shift+ArrowLeft');
  await ana.page.locator('#text').pressSequentially('😃');
  await waitFor('the new emoji whole on ben\'s page', 10_000, async () => {
    const b = await textOf(ben.page);
    return (b.endsWith('mood 😃') && !b.includes('\ufffd')) || b;
  });

  // Ctrl+Z takes back ana's own last edit (Yjs's undo manager), on both pages; Ctrl+Shift+Z
  // brings it back. Ben's line is not hers to undo.
  await new Promise((r) => setTimeout(r, 700));  // a new undo step: edits within 500 ms merge
  await ana.page.locator('#text').pressSequentially('!!');
  await waitFor('ben sees the !!', 10_000, async () => (await textOf(ben.page)).endsWith('mood 😃!!'));
  // Ben edits the first line meanwhile: ana's textarea is rewritten, which empties the browser's
  // own undo history — only the undo manager can still take back her !!.
  await ben.page.locator('#text').press('Control+Home');
  await ben.page.locator('#text').press('End');
  await ben.page.locator('#text').pressSequentially(' ok');
  await waitFor('ana sees ben\'s " ok"', 10_000, async () => (await areaOf(ana.page)).includes('. ok\n') || areaOf(ana.page));
  await ana.page.locator('#text').press('Control+z');
  for (const { page, user } of [ana, ben]) {
    await waitFor(`the !! undone on ${user}'s page, ben's " ok" kept`, 10_000, async () => {
      const t = await areaOf(page);
      return (t.endsWith('mood 😃') && t.includes('. ok\n')) || t;
    });
  }
  await ana.page.locator('#text').press('Control+Shift+z');
  await waitFor('the !! back on ben\'s page', 10_000, async () => (await areaOf(ben.page)).endsWith('mood 😃!!') || areaOf(ben.page));

  // An unmodified y-websocket client joins with the room token the page shows, and writes a
  // Windows line end: the pages show it as one line break and keep it in the document.
  const snippet = await ana.page.locator('#snippet').textContent();
  const token = snippet.match(/token: '([^']+)'/)?.[1];
  assert.ok(token, `a room token in the snippet: ${snippet}`);
  const outside = yWebsocketClient(srv, `demo_${doc}`, token, new Y.Doc());
  live.push(outside);
  await waitFor('the y-websocket client syncs', 10_000, async () => outside.synced() && outside.doc.getText('notes').toString() === (await textOf(ana.page)));
  outside.doc.getText('notes').insert(0, '[node]\r\n');
  for (const { page, user } of [ana, ben]) {
    await waitFor(`${user}'s textarea shows the y-websocket edit`, 10_000, async () => (await areaOf(page)).startsWith('[node]\n') || areaOf(page));
  }
  // Ana types at the end: her edit lands there, and the "\r\n" stays as the other client wrote it.
  await ana.page.locator('#text').press('Control+End');
  await ana.page.locator('#text').pressSequentially('!');
  await waitFor('ana\'s edit reaches the y-websocket client', 10_000, () => outside.doc.getText('notes').toString().endsWith('mood 😃!!!'));
  assert.ok(outside.doc.getText('notes').toString().startsWith('[node]\r\n'), 'the \\r\\n is kept');

  // A closed page leaves the other's editors line.
  await ben.page.locator('#leave').click();
  await waitFor('ben leaves ana\'s editors line', 10_000, async () => (await ana.page.evaluate(() => window.collab.editors())).join() === 'ana');
  for (const { errors } of [ana, ben]) assert.deepEqual(errors, []);
});
