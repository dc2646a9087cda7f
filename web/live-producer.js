// The live demo, producer side: draws an animated canvas and broadcasts it over the portal relay.
// Every ~100 ms the canvas becomes a JPEG, sent as one chunk flagged `key` (each JPEG decodes on
// its own, so a viewer can start at any chunk). A demo token comes from the server's development
// endpoint; a real app gets its token from its own backend (OnairServer.createToken).
import { connect } from '/sdk/client/index.js';

const $ = (id) => document.getElementById(id);
const FRAME_EVERY_MS = 100;
const REPUBLISH_EVERY_MS = 20_000;
const JPEG_QUALITY = 0.7;
/** Past this many unsent bytes on the socket a frame is skipped instead of queued. */
const MAX_BUFFERED_BYTES = 1 << 20;

let client = null;
let liveId = null;
let timers = [];
let encoding = false;
let framesSent = 0;
let framesSkipped = 0;

function setStatus(text, ok = false) {
  $('status').textContent = text;
  $('status').classList.toggle('ok', ok);
  delete $('status').dataset.code;
}

async function demoToken(user) {
  const res = await fetch('/v1/demo/token', { method: 'POST', body: JSON.stringify({ user }) });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
  return body.token;
}

// ---- the picture ----------------------------------------------------------------------------

const shapes = [
  { kind: 'circle', r: 34, x: 80, y: 90, vx: 2.6, vy: 1.9, color: '#ff6b6b' },
  { kind: 'square', r: 30, x: 300, y: 200, vx: -2.1, vy: 2.4, color: '#ffd166' },
  { kind: 'triangle', r: 38, x: 480, y: 120, vx: 1.7, vy: -2.8, color: '#06d6a0' },
  { kind: 'circle', r: 20, x: 200, y: 280, vx: -3.2, vy: -1.6, color: '#4cc9f0' },
  { kind: 'square', r: 18, x: 560, y: 300, vx: 2.9, vy: 2.2, color: '#c77dff' },
];
let lastDraw = performance.now();

function step(dt, w, h) {
  for (const s of shapes) {
    s.x += s.vx * dt;
    s.y += s.vy * dt;
    if (s.x < s.r || s.x > w - s.r) { s.vx = -s.vx; s.x = Math.min(Math.max(s.x, s.r), w - s.r); }
    if (s.y < s.r || s.y > h - s.r) { s.vy = -s.vy; s.y = Math.min(Math.max(s.y, s.r), h - s.r); }
  }
}

function drawShape(ctx, s, t) {
  ctx.save();
  ctx.translate(s.x, s.y);
  ctx.rotate(t / 900 * (s.vx > 0 ? 1 : -1));
  ctx.fillStyle = s.color;
  ctx.beginPath();
  if (s.kind === 'circle') ctx.arc(0, 0, s.r, 0, Math.PI * 2);
  else if (s.kind === 'square') ctx.rect(-s.r, -s.r, s.r * 2, s.r * 2);
  else {
    for (let i = 0; i < 3; i++) {
      const a = -Math.PI / 2 + i * (Math.PI * 2 / 3);
      ctx.lineTo(Math.cos(a) * s.r, Math.sin(a) * s.r);
    }
    ctx.closePath();
  }
  ctx.fill();
  ctx.restore();
}

function drawClock(ctx, cx, cy, r, now) {
  ctx.save();
  ctx.translate(cx, cy);
  ctx.fillStyle = 'rgba(255,255,255,.92)';
  ctx.beginPath();
  ctx.arc(0, 0, r, 0, Math.PI * 2);
  ctx.fill();
  ctx.strokeStyle = '#1d2433';
  for (let i = 0; i < 12; i++) {
    const a = i * Math.PI / 6;
    ctx.lineWidth = i % 3 === 0 ? 3 : 1.5;
    ctx.beginPath();
    ctx.moveTo(Math.sin(a) * r * 0.8, -Math.cos(a) * r * 0.8);
    ctx.lineTo(Math.sin(a) * r * 0.92, -Math.cos(a) * r * 0.92);
    ctx.stroke();
  }
  const sec = now.getSeconds() + now.getMilliseconds() / 1000;
  const min = now.getMinutes() + sec / 60;
  const hour = (now.getHours() % 12) + min / 60;
  const hand = (turns, length, width, color) => {
    const a = turns * Math.PI * 2;
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.lineCap = 'round';
    ctx.beginPath();
    ctx.moveTo(0, 0);
    ctx.lineTo(Math.sin(a) * length, -Math.cos(a) * length);
    ctx.stroke();
  };
  hand(hour / 12, r * 0.5, 5, '#1d2433');
  hand(min / 60, r * 0.72, 3.5, '#1d2433');
  hand(sec / 60, r * 0.8, 1.5, '#e63946');
  ctx.restore();
}

function draw() {
  const canvas = $('stage');
  const ctx = canvas.getContext('2d');
  const { width: w, height: h } = canvas;
  const t = performance.now();
  step(Math.min((t - lastDraw) / 16.7, 10), w, h);
  lastDraw = t;
  const bg = ctx.createLinearGradient(0, 0, w, h);
  bg.addColorStop(0, '#14213d');
  bg.addColorStop(1, '#2f5bea');
  ctx.fillStyle = bg;
  ctx.fillRect(0, 0, w, h);
  ctx.strokeStyle = 'rgba(255,255,255,.07)';
  ctx.lineWidth = 1;
  const shift = (t / 40) % 40;
  for (let x = -40 + shift; x < w; x += 40) { ctx.beginPath(); ctx.moveTo(x, 0); ctx.lineTo(x, h); ctx.stroke(); }
  for (let y = 0; y < h; y += 40) { ctx.beginPath(); ctx.moveTo(0, y); ctx.lineTo(w, y); ctx.stroke(); }
  for (const s of shapes) drawShape(ctx, s, t);
  const now = new Date();
  drawClock(ctx, w - 80, 80, 56, now);
  ctx.fillStyle = '#fff';
  ctx.font = 'bold 34px ui-monospace, monospace';
  ctx.fillText(now.toLocaleTimeString([], { hour12: false }) + '.' + String(Math.floor(now.getMilliseconds() / 100)), 20, h - 24);
  ctx.font = '15px system-ui, sans-serif';
  ctx.fillText(`${liveId ?? ''} · frame ${framesSent + 1}`, 20, 30);
}

function animate() {
  if (!client) return;
  draw();
  requestAnimationFrame(animate);
}

// ---- broadcasting -----------------------------------------------------------------------------

function sendFrame() {
  if (!client || encoding) return;
  if (client.live.bufferedAmount > MAX_BUFFERED_BYTES) {
    framesSkipped++;
    return;
  }
  draw();  // rAF pauses in background tabs; the timer keeps frames coming
  encoding = true;
  $('stage').toBlob(async (blob) => {
    try {
      if (!blob || !client) return;
      const bytes = new Uint8Array(await blob.arrayBuffer());
      if (client.live.send(liveId, bytes, { key: true })) {
        framesSent++;
        $('frames-sent').textContent = String(framesSent);
        $('frame-bytes').textContent = `${(bytes.length / 1024).toFixed(1)} KiB${framesSkipped ? ` (${framesSkipped} skipped)` : ''}`;
      }
    } finally {
      encoding = false;
    }
  }, 'image/jpeg', JPEG_QUALITY);
}

async function publish() {
  const result = await client.live.publish({ liveId, transports: [{ kind: 'portal-relay' }], meta: { title: 'onair live demo', codec: 'image/jpeg' } });
  if (result.expiresAt) $('published-until').textContent = new Date(result.expiresAt).toLocaleTimeString();
}

function showViewers({ liveId: id, total, byTransport }) {
  if (id !== liveId) return;
  $('viewer-count').textContent = String(total);
  const parts = Object.entries(byTransport ?? {}).filter(([, n]) => n > 0).map(([kind, n]) => `${kind}: ${n}`);
  $('viewer-transports').textContent = parts.length ? parts.join(', ') : '–';
}

async function start(user, id) {
  setStatus('Connecting…', true);
  liveId = id;
  client = await connect({ url: location.origin, token: () => demoToken(user) });
  client.on('disconnected', () => setStatus('Connection lost; reconnecting…'));
  client.on('connected', ({ resumed }) => {
    setStatus(`Broadcasting ${liveId} as ${user}`, true);
    // The entry may have lapsed while the connection was down.
    if (resumed) publish().catch((err) => setStatus(`Publish failed: ${err.message}`));
  });
  client.on('error', (err) => setStatus(`${err.code}: ${err.message}`));
  client.live.on('viewers', showViewers);
  await publish();
  for (const el of document.querySelectorAll('#producer-view .live-name')) el.textContent = liveId;
  const viewerUrl = new URL('/live.html', location.origin);
  viewerUrl.search = new URLSearchParams({ mode: 'viewer', live: liveId, autostart: '1' }).toString();
  $('viewer-link').href = viewerUrl.href;
  $('live-form').hidden = true;
  $('producer-view').hidden = false;
  document.body.dataset.mode = 'producer';
  setStatus(`Broadcasting ${liveId} as ${user}`, true);
  timers = [
    setInterval(sendFrame, FRAME_EVERY_MS),
    setInterval(() => publish().catch((err) => setStatus(`Publish failed: ${err.message}`)), REPUBLISH_EVERY_MS),
  ];
  requestAnimationFrame(animate);
}

async function stop() {
  for (const t of timers) clearInterval(t);
  timers = [];
  const c = client;
  client = null;
  if (c) {
    await c.live.unpublish(liveId).catch(() => {});
    await c.close();
  }
  $('producer-view').hidden = true;
  $('live-form').hidden = false;
  $('produce').disabled = false;
  $('watch').disabled = false;
  setStatus('Stopped broadcasting.', true);
}

$('live-form').addEventListener('submit', async (e) => {
  if (e.submitter?.value !== 'producer') return;
  e.preventDefault();
  $('produce').disabled = true;
  $('watch').disabled = true;
  try {
    await start($('user').value.trim(), $('live-id').value.trim());
  } catch (err) {
    const c = client;
    client = null;
    await c?.close();
    setStatus(`Could not broadcast: ${err.message}`);
    $('produce').disabled = false;
    $('watch').disabled = false;
  }
});

$('stop').addEventListener('click', () => stop());

// Fill the form from the address (?user=…&live=…&mode=producer&autostart=1).
const params = new URLSearchParams(location.search);
if (params.get('user')) $('user').value = params.get('user');
else if (!$('user').value) $('user').value = sessionStorage.getItem('onair-live-user') ?? '';
if (params.get('live')) $('live-id').value = params.get('live');
$('user').addEventListener('change', () => sessionStorage.setItem('onair-live-user', $('user').value.trim()));
if (params.get('mode') === 'producer' && params.get('autostart') === '1' && $('user').value) {
  $('live-form').requestSubmit($('produce'));
}
