// The peer mesh demo: every page joins an onair room and makes its own RTCPeerConnection to each
// other member. onair carries the signaling only: SDP descriptions and ICE candidates go to one
// member with room.send (the `direct` event on the other side); TURN credentials come from
// collab.turnCredentials. Glare (both sides offering at once) is settled by "perfect
// negotiation": of two users, the one whose id sorts first is polite (it rolls back its own
// offer), the other ignores the colliding offer; the other also makes the first offer.
import { connect } from '/sdk/client/index.js';
import { setStatus, postJson } from '/demo-page.js';

const $ = (id) => document.getElementById(id);

let client = null;
let room = null;
let me = '';
let localStream = null;
let rtcConfig = {};
/** userId → {pc, polite, makingOffer, ignoreOffer, queue, tile} */
const peers = new Map();

function renderMembers() {
  $('members').replaceChildren(...[me, ...peers.keys()].sort().map((userId) => {
    const chip = document.createElement('span');
    chip.className = 'member';
    chip.dataset.user = userId;
    chip.textContent = userId;
    return chip;
  }));
}

function makeTile(userId, label) {
  const figure = document.createElement('figure');
  figure.className = 'tile';
  figure.dataset.user = userId;
  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;
  const caption = document.createElement('figcaption');
  caption.textContent = label;
  figure.append(video, caption);
  $('tiles').append(figure);
  return figure;
}

function signal(to, type, data) {
  peers.get(to)?.log.push(`> ${type === 'description' ? data.type : type}`);
  room.send({ to, type, data }).catch((err) => setStatus(`Signaling to ${to}: ${err.message}`));
}

// One peer connection per other member, made when either side first hears of the other.
function peerFor(userId) {
  let peer = peers.get(userId);
  if (peer) return peer;
  const pc = new RTCPeerConnection(rtcConfig);
  peer = { pc, polite: me < userId, makingOffer: false, ignoreOffer: false, queue: Promise.resolve(), tile: makeTile(userId, userId), log: [] };
  peers.set(userId, peer);
  pc.onnegotiationneeded = async () => {
    try {
      peer.makingOffer = true;
      await pc.setLocalDescription();
      signal(userId, 'description', pc.localDescription.toJSON());
    } catch (err) {
      setStatus(`Negotiation with ${userId}: ${err.message}`);
    } finally {
      peer.makingOffer = false;
    }
  };
  pc.onicecandidate = ({ candidate }) => { if (candidate) signal(userId, 'candidate', candidate.toJSON()); };
  pc.ontrack = ({ streams: [stream] }) => {
    const video = peer.tile.querySelector('video');
    if (stream && video.srcObject !== stream) video.srcObject = stream;
  };
  pc.onconnectionstatechange = () => { peer.tile.dataset.state = pc.connectionState; };
  for (const track of localStream.getTracks()) pc.addTrack(track, localStream);
  renderMembers();
  return peer;
}

// Of two members, the one whose id sorts last makes the first offer; the other makes its peer
// connection when that offer comes. Offers rarely cross then (Chromium may gather no candidates
// after rolling an offer back while it was still gathering); perfect negotiation settles the rest.
function meet(userId) {
  if (userId !== me && me > userId) peerFor(userId);
}

function dropPeer(userId) {
  const peer = peers.get(userId);
  if (!peer) return;
  peers.delete(userId);
  peer.pc.close();
  peer.tile.remove();
  renderMembers();
}

// Perfect negotiation (W3C WebRTC §10.7): descriptions and candidates of one peer in order.
async function onSignal({ from, type, data }) {
  const peer = peerFor(from);
  const { pc } = peer;
  peer.log.push(`< ${type === 'description' ? data.type : type} in ${pc.signalingState}${peer.makingOffer ? ' making offer' : ''}`);
  if (type === 'description') {
    const collision = data.type === 'offer' && (peer.makingOffer || pc.signalingState !== 'stable');
    peer.ignoreOffer = !peer.polite && collision;
    if (peer.ignoreOffer) return;
    await pc.setRemoteDescription(data);
    if (data.type === 'offer') {
      await pc.setLocalDescription();
      signal(from, 'description', pc.localDescription.toJSON());
    }
  } else if (type === 'candidate') {
    try {
      await pc.addIceCandidate(data);
    } catch (err) {
      if (!peer.ignoreOffer) throw err;
    }
  }
}

async function turnServers(relayOnly) {
  try {
    const turn = await client.collab.turnCredentials();
    return [{ urls: turn.urls, username: turn.username, credential: turn.credential }];
  } catch (err) {
    if (relayOnly) throw new Error(`relay only needs TURN, and the server has none: ${err.message}`);
    return [];
  }
}

async function join(user, roomName, relayOnly) {
  setStatus('Connecting…', true);
  me = user;
  client = await connect({ url: location.origin, token: async () => (await postJson('/v1/demo/token', { user })).token });
  client.on('disconnected', () => setStatus('Connection lost; reconnecting…'));
  rtcConfig = { iceServers: await turnServers(relayOnly), iceTransportPolicy: relayOnly ? 'relay' : 'all' };
  localStream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
  const mine = makeTile(me, `${me} (you)`);
  mine.classList.add('local');
  const video = mine.querySelector('video');
  video.muted = true;
  video.srcObject = localStream;

  room = client.room(`demo_mesh-${roomName}`);
  room.on('direct', (message) => {
    if (message.from === me) return;  // another tab of this user
    const peer = peerFor(message.from);
    peer.queue = peer.queue.then(() => onSignal(message)).catch((err) => setStatus(`Signal from ${message.from}: ${err.message}`));
  });
  room.on('memberJoined', ({ userId }) => meet(userId));
  room.on('memberLeft', ({ userId }) => dropPeer(userId));
  const joined = await room.join();
  for (const { userId } of joined.members) meet(userId);
  renderMembers();

  $('room-title').textContent = roomName;
  $('join-form').hidden = true;
  $('meeting').hidden = false;
  setStatus(`Connected as ${user} in ${roomName}${relayOnly ? ' (relay only)' : ''}`, true);
}

async function leave() {
  await room?.leave().catch(() => undefined);
  for (const userId of [...peers.keys()]) dropPeer(userId);
  for (const track of localStream?.getTracks() ?? []) track.stop();
  client?.close();
  client = room = localStream = null;
  $('tiles').replaceChildren();
  $('meeting').hidden = true;
  $('join-form').hidden = false;
  $('join').disabled = false;
  setStatus('You left the room.', true);
}

$('leave').addEventListener('click', () => leave().catch((err) => setStatus(`Leave: ${err.message}`)));

$('join-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('join').disabled = true;
  try {
    await join($('user').value.trim(), $('room').value.trim(), $('relay').checked);
  } catch (err) {
    setStatus(`Could not join: ${err.message}`);
    client?.close();
    client = null;
    $('join').disabled = false;
  }
});

// For tests and the curious: the peer connections by user id.
window.mesh = {
  peers: () => new Map([...peers].map(([userId, p]) => [userId, p.pc])),
  log: (userId) => peers.get(userId)?.log ?? [],  // signals sent (>) and received (<)
};

const params = new URLSearchParams(location.search);
if (params.get('user')) $('user').value = params.get('user');
if (params.get('room')) $('room').value = params.get('room');
if (params.get('relay') === '1') $('relay').checked = true;
if (params.get('autostart') === '1' && $('user').value && $('room').value) $('join-form').requestSubmit();
