// The live demo, viewer side: claims a slot on the broadcast with the portal-relay transport and
// shows each JPEG chunk as it arrives. The slot is held until "Stop watching", or released by the
// SDK's pagehide beacon when the page goes away; a heartbeat keeps it alive meanwhile.
import { connect } from '/sdk/client/index.js';

const $ = (id) => document.getElementById(id);
const HEARTBEAT_EVERY_MS = 20_000;

let client = null;
let clientUser = null;
let handle = null;
let heartbeat = null;
let received = 0;
let shown = 0;
/** The object URL on screen, the one loading, and the newest chunk waiting for the load. */
let shownUrl = null;
let loadingUrl = null;
let waiting = null;

function setStatus(text, ok = false, code = null) {
  $('status').textContent = text;
  $('status').classList.toggle('ok', ok);
  if (code) $('status').dataset.code = code;
  else delete $('status').dataset.code;
}

async function demoToken(user) {
  const res = await fetch('/v1/demo/token', { method: 'POST', body: JSON.stringify({ user }) });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
  return body.token;
}

/** What to tell the person for an attach error code (see the host.live error table). */
function explain(err, liveId, user) {
  switch (err.code) {
    case 'cap_exceeded':
      return `Viewer limit reached: ${user} already holds the most slots allowed for content broadcasts (8 per user). Close another viewer, then retry. (${err.message})`;
    case 'not_found':
      return `Nobody is broadcasting ${liveId} right now. Start a producer, then retry.`;
    case 'expired':
      return `The broadcast ${liveId} stopped refreshing. Retry once the producer is back.`;
    case 'rate_limited':
      return `Too many attaches a minute; retry in ${Math.ceil((err.retryAfterMs ?? 1000) / 1000)} s.`;
    case 'permission':
      return `This demo token cannot watch ${liveId}: use a name starting with content:demo-.`;
    default:
      return `Could not watch: ${err.code ? `${err.code}: ` : ''}${err.message}`;
  }
}

// A frame goes on screen once the previous one has loaded; frames arriving meanwhile replace
// each other, so a slow page shows the newest picture instead of falling behind.
function show(chunk) {
  const url = URL.createObjectURL(new Blob([chunk.data], { type: 'image/jpeg' }));
  if (loadingUrl) {
    if (waiting) URL.revokeObjectURL(waiting);
    waiting = url;
    return;
  }
  loadingUrl = url;
  $('screen').src = url;
}

function onLoaded() {
  const img = $('screen');
  if (shownUrl && shownUrl !== img.src) URL.revokeObjectURL(shownUrl);
  shownUrl = loadingUrl;
  loadingUrl = null;
  shown++;
  $('frames-shown').textContent = String(shown);
  $('frame-size').textContent = `${img.naturalWidth} × ${img.naturalHeight}`;
  $('screen-note').hidden = true;
  img.classList.add('has-frame');
  if (waiting) {
    const next = waiting;
    waiting = null;
    loadingUrl = next;
    img.src = next;
  }
}

function onLoadFailed() {
  // A chunk that is not a JPEG: drop it and go on with the next one.
  if (loadingUrl) URL.revokeObjectURL(loadingUrl);
  loadingUrl = null;
  if (waiting) {
    const next = waiting;
    waiting = null;
    loadingUrl = next;
    $('screen').src = next;
  }
}

async function watch(user, liveId) {
  setStatus('Connecting…', true);
  if (client && clientUser !== user) {
    await client.close();
    client = null;
  }
  if (!client) {
    client = await connect({ url: location.origin, token: () => demoToken(user) });
    clientUser = user;
    client.on('disconnected', () => setStatus('Connection lost; reconnecting…'));
    client.on('connected', () => { if (handle) setStatus(`Watching ${liveId} as ${user}`, true); });
  }
  setStatus(`Claiming a slot on ${liveId}…`, true);
  const h = await client.live.attach(liveId, { transports: ['portal-relay'] });
  handle = h;
  received = 0;
  h.on('chunk', (chunk) => {
    if (handle !== h) return;
    received++;
    $('frames-received').textContent = String(received);
    show(chunk);
  });
  const gone = (why) => () => {
    if (handle !== h) return;
    stopHeartbeat();
    handle = null;
    setStatus(why);
    $('live-form').hidden = false;
    $('watch').disabled = false;
    $('produce').disabled = false;
  };
  h.on('ended', gone(`The producer ended ${liveId}. The last frame stays on screen.`));
  h.on('expired', gone(`${liveId} stopped refreshing (the producer went away). The last frame stays on screen.`));
  stopHeartbeat();
  heartbeat = setInterval(() => client?.live.heartbeat(h.attachId).catch(() => {}), HEARTBEAT_EVERY_MS);
  for (const el of document.querySelectorAll('#viewer-view .live-name')) el.textContent = liveId;
  $('attach-id').textContent = h.attachId;
  $('live-form').hidden = true;
  $('viewer-view').hidden = false;
  document.body.dataset.mode = 'viewer';
  setStatus(`Watching ${liveId} as ${user}`, true);
}

function stopHeartbeat() {
  if (heartbeat) clearInterval(heartbeat);
  heartbeat = null;
}

async function leave() {
  stopHeartbeat();
  const h = handle;
  handle = null;
  await h?.release().catch(() => {});
  const c = client;
  client = null;
  await c?.close();
  $('viewer-view').hidden = true;
  $('live-form').hidden = false;
  $('watch').disabled = false;
  $('produce').disabled = false;
  setStatus('Stopped watching; the slot is released.', true);
}

$('screen').addEventListener('load', onLoaded);
$('screen').addEventListener('error', onLoadFailed);

$('live-form').addEventListener('submit', async (e) => {
  if (e.submitter?.value !== 'viewer') return;
  e.preventDefault();
  $('watch').disabled = true;
  $('produce').disabled = true;
  const user = $('user').value.trim();
  const liveId = $('live-id').value.trim();
  try {
    await watch(user, liveId);
  } catch (err) {
    setStatus(explain(err, liveId, user), false, err.code ?? 'error');
    $('watch').textContent = 'Retry';
    $('watch').disabled = false;
    $('produce').disabled = false;
  }
});

$('leave').addEventListener('click', () => leave());

// Fill the form from the address (?user=…&live=…&mode=viewer&autostart=1). A viewer link opened
// without a name gets a random one, so it can start at once.
const params = new URLSearchParams(location.search);
if (params.get('user')) $('user').value = params.get('user');
if (params.get('live')) $('live-id').value = params.get('live');
if (params.get('mode') === 'viewer' && params.get('autostart') === '1') {
  if (!$('user').value) $('user').value = `viewer-${Math.random().toString(36).slice(2, 8)}`;
  $('live-form').requestSubmit($('watch'));
}
