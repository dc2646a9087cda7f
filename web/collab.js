// The shared notes demo: a <textarea> bound to the Y.Text "notes" of a Yjs room on onair, opened
// with the SDK's crdtRoom (onair/crdt) on the page's onair connection. A local edit becomes one
// Yjs transaction (the changed span: what the old and new values do not share at either end); a
// remote one rewrites the textarea and puts the caret back where it was in the text, through Yjs
// relative positions. Awareness carries each editor's name and caret (a relative position too),
// shown as the line each one is on.
import * as Y from 'yjs';
import { connect } from '/sdk/client/index.js';
import '/sdk/crdt/index.js';
import { setStatus, postJson } from '/demo-page.js';

const $ = (id) => document.getElementById(id);
const LOCAL = 'collab-demo';  // the origin of this page's own transactions

let client = null;
let room = null;
let text = null;
let shown = '';  // what the textarea showed after the last sync with the Y.Text

// The span that changed between two values, given where the caret is after the change: start,
// how many characters went, what came instead. The text after the caret is what did not change
// at the end, which settles the ambiguous cases (typing "b" after the "a" of "ab").
function changedSpan(before, after, caret) {
  let end = 0;
  const endLimit = Math.min(before.length, after.length - caret);
  while (end < endLimit && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  let start = 0;
  while (start < before.length - end && start < after.length - end && before[start] === after[start]) start++;
  return { start, removed: before.length - start - end, inserted: after.slice(start, after.length - end) };
}

function applyLocalEdit() {
  const area = $('text');
  const value = area.value;
  const { start, removed, inserted } = changedSpan(shown, value, area.selectionEnd);
  shown = value;
  if (removed === 0 && inserted === '') return;
  room.doc.transact(() => {
    if (removed > 0) text.delete(start, removed);
    if (inserted) text.insert(start, inserted);
  }, LOCAL);
  shareCaret();
}

const relative = (index) => Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(text, index));
const absolute = (json) => (json ? Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(json), room.doc)?.index : undefined);

function shareCaret() {
  const area = $('text');
  room.awareness.setLocalStateField('caret', { anchor: relative(area.selectionStart), head: relative(area.selectionEnd) });
}

// Where `index` of the text before a change is after it: `delta` (a Y.Text event's) lists the
// change in the old text's terms. A remote insertion at the caret goes after it (the caret stays
// at the end of what this page typed there).
function mapIndex(index, delta) {
  let at = 0;  // in the old text
  let shift = 0;
  for (const op of delta) {
    if (at >= index) break;
    if (op.retain !== undefined) at += op.retain;
    else if (op.insert !== undefined) shift += op.insert.length;
    else if (op.delete !== undefined) {
      shift -= Math.min(op.delete, Math.max(0, index - at));
      at += op.delete;
    }
  }
  return index + shift;
}

// A remote change (`delta`, or none: show the whole text): the new text, the caret kept on the
// same characters.
function showRemote(delta = []) {
  const area = $('text');
  const focused = document.activeElement === area;
  const [start, end] = [mapIndex(area.selectionStart, delta), mapIndex(area.selectionEnd, delta)];
  shown = text.toString();
  area.value = shown;
  if (focused) area.setSelectionRange(start, end);
  renderEditors();
}

const lineAt = (index) => (index === undefined ? null : shown.slice(0, index).split('\n').length);

function renderEditors() {
  const chips = [];
  for (const [clientId, state] of room.awareness.getStates()) {
    if (!state.user) continue;
    const chip = document.createElement('span');
    chip.className = 'member';
    chip.dataset.user = state.user.name;
    const line = lineAt(absolute(state.caret?.head));
    chip.textContent = `${state.user.name}${clientId === room.doc.clientID ? ' (you)' : ''}${line ? ` · line ${line}` : ''}`;
    chips.push(chip);
  }
  chips.sort((a, b) => a.textContent.localeCompare(b.textContent));
  $('members').replaceChildren(...chips);
}

async function showSnippet(roomName) {
  const { token } = await client.collab.token({ room: roomName, kind: 'workspace' });
  const ws = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
  $('snippet').textContent = [
    `// y-websocket`,
    `new WebsocketProvider('${ws}/v1/yjs', '${roomName}', doc, { params: { token: '${token}' } })`,
    `// @hocuspocus/provider`,
    `new HocuspocusProvider({ url: '${ws}/v1/hocuspocus', name: '${roomName}', document: doc, token: '${token}' })`,
  ].join('\n');
}

async function open(user, docName) {
  setStatus('Connecting…', true);
  const { token } = await postJson('/v1/demo/token', { user });
  client = await connect({ url: location.origin, token });
  const roomName = `demo_${docName}`;
  room = client.crdtRoom(roomName);
  text = room.doc.getText('notes');
  room.on('error', (err) => setStatus(`${err.code}: ${err.message}`));
  room.on('synced', (synced) => setStatus(synced ? `Editing ${docName} as ${user}` : 'Reconnecting…', synced));
  text.observe((event, transaction) => { if (transaction.origin !== LOCAL) showRemote(event.delta); });
  room.awareness.on('change', renderEditors);
  room.awareness.setLocalStateField('user', { name: user });
  await room.whenSynced({ timeoutMs: 10_000 });
  showRemote();
  renderEditors();
  $('doc-title').textContent = docName;
  $('join-form').hidden = true;
  $('editor').hidden = false;
  setStatus(`Editing ${docName} as ${user}`, true);
  showSnippet(roomName).catch((err) => { $('snippet').textContent = `No room token: ${err.message}`; });
}

async function close() {
  await room?.destroy().catch(() => undefined);
  client?.close();
  client = room = text = null;
  shown = '';
  $('text').value = '';
  $('editor').hidden = true;
  $('join-form').hidden = false;
  $('join').disabled = false;
  setStatus('You closed the document.', true);
}

$('text').addEventListener('input', () => applyLocalEdit());
for (const event of ['select', 'keyup', 'click', 'focus']) $('text').addEventListener(event, () => { if (room) shareCaret(); });
$('leave').addEventListener('click', () => close().catch((err) => setStatus(`Close: ${err.message}`)));

$('join-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('join').disabled = true;
  try {
    await open($('user').value.trim(), $('doc').value.trim());
  } catch (err) {
    setStatus(`Could not open: ${err.message}`);
    await room?.destroy().catch(() => undefined);
    client?.close();
    client = room = text = null;
    $('join').disabled = false;
  }
});

// For tests and the curious: the shared text and who is in the document.
window.collab = {
  text: () => text?.toString() ?? null,
  editors: () => (room ? [...room.awareness.getStates().values()].filter((s) => s.user).map((s) => s.user.name).sort() : []),
};

const params = new URLSearchParams(location.search);
if (params.get('user')) $('user').value = params.get('user');
if (params.get('doc')) $('doc').value = params.get('doc');
if (params.get('autostart') === '1' && $('user').value && $('doc').value) $('join-form').requestSubmit();
