// The shared notes demo: a <textarea> bound (TextareaBinding) to the Y.Text "notes" of a Yjs room
// on onair, opened with the SDK's crdtRoom (onair/crdt) on the page's onair connection. Awareness
// carries each editor's name and caret (a Yjs relative position), shown as the line each one is on.
import * as Y from 'yjs';
import { connect } from '/sdk/client/index.js';
import '/sdk/crdt/index.js';
import { setStatus, postJson } from '/demo-page.js';
import { TextareaBinding } from '/textarea-binding.js';

const $ = (id) => document.getElementById(id);
const LOCAL = 'collab-demo';  // the origin of this page's own transactions

let client = null;
let room = null;
let text = null;
let binding = null;
let undo = null;  // this page's own edits only: others' stay when you undo

const relative = (index) => Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(text, index));

// Another editor's caret in this document's offsets; undefined when it names no place here (yet),
// or is not a relative position at all (any token holder may publish any awareness state).
function absolute(json) {
  try {
    return json ? Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(json), room.doc)?.index : undefined;
  } catch {
    return undefined;
  }
}

function shareCaret() {
  if (binding) room.awareness.setLocalStateField('caret', { head: relative(binding.caretInDocument()) });
}

function renderEditors() {
  if (!binding) return;
  const chips = [];
  for (const [clientId, state] of room.awareness.getStates()) {
    if (typeof state.user?.name !== 'string') continue;
    const chip = document.createElement('span');
    chip.className = 'member';
    chip.dataset.user = state.user.name;
    const caret = absolute(state.caret?.head);
    const line = caret === undefined ? '' : ` · line ${binding.lineOf(caret)}`;
    chip.textContent = `${state.user.name}${clientId === room.doc.clientID ? ' (you)' : ''}${line}`;
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
  room.awareness.setLocalStateField('user', { name: user });
  await room.whenSynced({ timeoutMs: 10_000 });
  // The caret's relative position survives others' edits: shared again only after this page's.
  binding = new TextareaBinding($('text'), text, { origin: LOCAL, onChange: (local) => { if (local) shareCaret(); renderEditors(); } });
  undo = new Y.UndoManager(text, { trackedOrigins: new Set([LOCAL]) });
  room.awareness.on('change', renderEditors);
  renderEditors();
  $('doc-title').textContent = docName;
  $('join-form').hidden = true;
  $('editor').hidden = false;
  setStatus(`Editing ${docName} as ${user}`, true);
  showSnippet(roomName).catch((err) => { $('snippet').textContent = `No room token: ${err.message}`; });
}

async function close() {
  undo?.destroy();
  binding?.destroy();
  await room?.destroy().catch(() => undefined);
  client?.close();
  client = room = text = binding = undo = null;
  $('text').value = '';
  $('editor').hidden = true;
  $('join-form').hidden = false;
  $('join').disabled = false;
  setStatus('You closed the document.', true);
}

// Undo and redo take back this page's own edits (Y.UndoManager), not the textarea's history, which
// others' edits reset: Ctrl/Cmd+Z, Ctrl/Cmd+Shift+Z or Ctrl+Y, and the browser's Edit menu.
function history(redo) {
  if (undo) (redo ? undo.redo() : undo.undo());
}
$('text').addEventListener('keydown', (e) => {
  const key = e.key.toLowerCase();
  if (!(e.ctrlKey || e.metaKey) || (key !== 'z' && key !== 'y')) return;
  e.preventDefault();
  history(key === 'y' || e.shiftKey);
});
$('text').addEventListener('beforeinput', (e) => {
  if (e.inputType !== 'historyUndo' && e.inputType !== 'historyRedo') return;
  e.preventDefault();
  history(e.inputType === 'historyRedo');
});

// Caret moves without an edit (an edit shares it through the binding's onChange).
for (const event of ['select', 'keyup', 'click', 'focus']) $('text').addEventListener(event, () => shareCaret());
$('leave').addEventListener('click', () => close().catch((err) => setStatus(`Close: ${err.message}`)));

$('join-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('join').disabled = true;
  try {
    await open($('user').value.trim(), $('doc').value.trim());
  } catch (err) {
    setStatus(`Could not open: ${err.message}`);
    undo?.destroy();
    binding?.destroy();
    await room?.destroy().catch(() => undefined);
    client?.close();
    client = room = text = binding = undo = null;
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
