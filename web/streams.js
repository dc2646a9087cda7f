// The meetings demo: a stream room joined by name, camera and microphone on and off, a tile per
// stream someone else publishes. The room comes from the server's development endpoint
// POST /v1/demo/streams (a room of the context "demo", this user added to its users) and the
// token from POST /v1/demo/token (it may join, publish and subscribe in the context "demo" only).
// A real app makes rooms with POST /v1/streams/rooms and mints tokens in its own backend.
import { connect } from '/sdk/client/index.js';
import { MediaRoom } from '/media-room.js';
import { setStatus, postJson } from '/demo-page.js';

const $ = (id) => document.getElementById(id);

let client = null;
let media = null;
let roomId = '';
const members = new Set();

function renderMembers() {
  $('members').replaceChildren(...[...members].sort().map((userId) => {
    const chip = document.createElement('span');
    chip.className = 'member';
    chip.dataset.user = userId;
    chip.textContent = userId;
    return chip;
  }));
}

function renderToggles() {
  const camera = Boolean(media?.camera);
  const microphone = Boolean(media?.microphone);
  $('camera').setAttribute('aria-pressed', String(camera));
  $('camera').textContent = camera ? 'Stop camera' : 'Start camera';
  $('microphone').setAttribute('aria-pressed', String(microphone));
  $('microphone').textContent = microphone ? 'Mute' : 'Unmute';
}

function renderEmpty() {
  $('empty').hidden = $('tiles').children.length > 0;
}

async function join(user, roomName) {
  setStatus('Connecting…', true);
  const room = await postJson('/v1/demo/streams', { name: roomName, user });
  roomId = room.streamRoomId;
  client = await connect({ url: location.origin, token: async () => (await postJson('/v1/demo/token', { user })).token });
  client.on('disconnected', () => setStatus('Connection lost; reconnecting…'));
  client.on('connected', ({ resumed }) => { if (resumed) setStatus(`Connected again as ${user}`, true); });
  const mine = (data) => data?.streamRoomId === roomId;
  client.streams.on('streamMemberJoined', (data) => { if (mine(data)) { members.add(data.userId); renderMembers(); } });
  client.streams.on('streamMemberLeft', (data) => { if (mine(data)) { members.delete(data.userId); renderMembers(); } });

  const joined = await client.streams.joinStreamRoom(roomId);
  for (const userId of joined.members) members.add(userId);
  members.add(user);
  renderMembers();
  media = new MediaRoom({
    client, streamRoomId: roomId, tiles: $('tiles'), me: user, onError: (text) => setStatus(text),
    onChange: () => { renderEmpty(); renderToggles(); },
  });
  await media.start();

  $('room-title').textContent = roomName;
  $('room-title').title = roomId;
  $('join-form').hidden = true;
  $('meeting').hidden = false;
  renderToggles();
  renderEmpty();
  setStatus(`Connected as ${user} in ${roomName}`, true);
}

async function leave() {
  await media?.stop();
  await client?.streams.leaveStreamRoom(roomId).catch(() => undefined);
  client?.close();
  client = media = null;
  members.clear();
  $('meeting').hidden = true;
  $('join-form').hidden = false;
  $('join').disabled = false;
  setStatus('You left the room.', true);
}

function wire(id, label, fn) {
  $(id).addEventListener('click', async () => {
    $(id).disabled = true;
    try {
      await fn();
    } catch (err) {
      setStatus(`${label}: ${err.message}`);
    } finally {
      $(id).disabled = false;
      renderToggles();
    }
  });
}
wire('camera', 'Camera', () => media.setCamera(!media.camera));
wire('microphone', 'Microphone', () => media.setMicrophone(!media.microphone));
wire('leave', 'Leave', leave);

$('join-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('join').disabled = true;
  try {
    await join($('user').value.trim(), $('room').value.trim());
  } catch (err) {
    setStatus(`Could not join: ${err.message}`);
    client?.close();
    client = null;
    $('join').disabled = false;
  }
});

const params = new URLSearchParams(location.search);
if (params.get('user')) $('user').value = params.get('user');
if (params.get('room')) $('room').value = params.get('room');
if (params.get('autostart') === '1' && $('user').value && $('room').value) $('join-form').requestSubmit();
