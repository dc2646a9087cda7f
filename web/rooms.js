// The rooms demo: the onair client SDK in a browser. A demo token comes from the server's
// development endpoint; a real app gets it from its own backend (OnairServer.createToken).
import { connect } from '/sdk/client/index.js';

const $ = (id) => document.getElementById(id);
const members = new Map();  // userId -> member
let client = null;
let room = null;

function setStatus(text, ok = false) {
  $('status').textContent = text;
  $('status').classList.toggle('ok', ok);
}

function renderMembers() {
  const list = $('members');
  list.replaceChildren(...[...members.values()].map((m) => {
    const li = document.createElement('li');
    li.dataset.user = m.userId;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = m.name || m.userId;
    const state = document.createElement('span');
    const status = m.presence?.status ?? 'online';
    state.className = `presence ${status}`;
    state.textContent = status;
    li.append(name, state);
    return li;
  }));
  $('member-count').textContent = `(${members.size})`;
}

function addMessage(m) {
  const li = document.createElement('li');
  if (m.offset) li.dataset.offset = m.offset;
  const who = document.createElement('span');
  who.className = 'who';
  who.textContent = m.publisher ?? 'server';
  const text = document.createElement('span');
  text.className = 'text';
  text.textContent = typeof m.data?.text === 'string' ? m.data.text : JSON.stringify(m.data);
  const when = document.createElement('time');
  when.className = 'when';
  when.textContent = new Date(m.timestamp).toLocaleTimeString();
  li.append(who, text, when);
  const list = $('messages');
  // A message seen twice (history, then the live stream) is shown once.
  if (m.offset && list.querySelector(`li[data-offset="${m.offset}"]`)) return;
  list.append(li);
  list.scrollTop = list.scrollHeight;
}

async function demoToken(user) {
  const res = await fetch('/v1/demo/token', { method: 'POST', body: JSON.stringify({ user }) });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
  return body.token;
}

async function join(user, roomName) {
  setStatus('Connecting…', true);
  client = await connect({ url: location.origin, token: () => demoToken(user) });
  client.on('disconnected', () => setStatus('Connection lost; reconnecting…'));
  client.on('connected', () => setStatus(`Connected as ${user}`, true));
  room = client.room(roomName);
  room.on('memberJoined', (m) => { members.set(m.userId, m); renderMembers(); });
  room.on('memberLeft', (m) => { members.delete(m.userId); renderMembers(); });
  room.on('presence', (p) => {
    const m = members.get(p.userId);
    if (m) { m.presence = p.presence; renderMembers(); }
  });
  room.on('message', (m) => addMessage(m));
  const joined = await room.join({ presence: { status: $('presence').value } });
  members.clear();
  for (const m of joined.members) members.set(m.userId, m);
  renderMembers();
  const history = await room.history({ limit: 50 });
  for (const m of [...history.messages].reverse()) addMessage(m);
  $('room-title').textContent = `# ${roomName}`;
  $('join-form').hidden = true;
  $('room-view').hidden = false;
  setStatus(`Connected as ${user}`, true);
  $('text').focus();
}

$('join-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('join').disabled = true;
  try {
    await join($('user').value.trim(), $('room').value.trim());
  } catch (err) {
    setStatus(`Could not join: ${err.message}`);
    $('join').disabled = false;
  }
});

$('send-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const text = $('text').value.trim();
  if (!text || !room) return;
  $('text').value = '';
  try {
    await room.publish({ type: 'chat', data: { text } });
  } catch (err) {
    setStatus(`Not sent: ${err.message}`);
  }
});

$('presence').addEventListener('change', () => room?.presence({ status: $('presence').value }).catch((err) => setStatus(err.message)));

// Remember the name across reloads, so a reload rejoins the same room as the same user.
const saved = sessionStorage.getItem('onair-demo');
if (saved) {
  const { user, roomName } = JSON.parse(saved);
  $('user').value = user;
  $('room').value = roomName;
}
$('join-form').addEventListener('submit', () => {
  sessionStorage.setItem('onair-demo', JSON.stringify({ user: $('user').value.trim(), roomName: $('room').value.trim() }));
});
const params = new URLSearchParams(location.search);
if (params.get('user')) $('user').value = params.get('user');
if (params.get('room')) $('room').value = params.get('room');
if (params.get('autojoin') === '1' && $('user').value) $('join-form').requestSubmit();
