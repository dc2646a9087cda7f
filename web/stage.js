// The stage demo: hosts and viewers of one stage with the onair client SDK in a browser. The
// stage is a demo stage (id demo_…, made by the server's development endpoint POST /v1/demo/stages),
// and a demo token with a grant for it comes from POST /v1/demo/token; demo tokens reach no other
// stage. A real app mints participant tokens with POST /v1/stages/{id}/participant-tokens.
//
// Media: every participant joins the stage's media room (`stage.streamRoomId`) with the SDK's
// stream API and gets a tile per stream published there; a participant ON_STAGE whose token has
// PUBLISH may go on camera (camera and microphone, published into that room). Leaving the stage
// or being kicked ends the stream on the server; the page then turns its devices off.
import { connect } from '/sdk/client/index.js';
import { MediaRoom } from '/media-room.js';

const $ = (id) => document.getElementById(id);
const LABELS = {
  OFF_STAGE: 'Off stage',
  REQUESTED_TO_JOIN_STAGE: 'Requested to join',
  ACCEPTED_TO_JOIN_STAGE: 'Accepted to join',
  ON_STAGE: 'On stage',
};
// Participant statuses change without an event to the others (a viewer joining, for one), so the
// list is also read again now and then.
const PARTICIPANTS_POLL_MS = 1000;

let client = null;
let stage = null;
let me = '';
let role = 'viewer';
let participants = [];
/** The stage's media room on this page, once joined. */
let media = null;
/** Whether this participant's token has PUBLISH (from the participant list). */
let canPublish = false;
/** Set while this page itself leaves or cancels, so that is not reported as a kick. */
let ownExit = false;

function setStatus(text, ok = false) {
  $('status').textContent = text;
  $('status').classList.toggle('ok', ok);
}

function showMessage(text, kind) {
  const el = $('stage-message');
  el.textContent = text;
  el.dataset.kind = kind;
  el.hidden = !text;
}

function button(text, className, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.className = className;
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      await onClick();
    } catch (err) {
      setStatus(`${text}: ${err.message}`);
    } finally {
      b.disabled = false;
    }
  });
  return b;
}

function statusPill(status) {
  const pill = document.createElement('span');
  pill.className = 'stage-status';
  pill.dataset.status = status;
  pill.textContent = LABELS[status] ?? status;
  return pill;
}

function renderMe() {
  const status = stage?.status ?? 'OFF_STAGE';
  const el = $('my-status');
  el.dataset.status = status;
  el.textContent = LABELS[status] ?? status;
  el.title = status;
  $('request').hidden = status !== 'OFF_STAGE';
  $('cancel').hidden = status !== 'REQUESTED_TO_JOIN_STAGE' && status !== 'ACCEPTED_TO_JOIN_STAGE';
  $('cancel').textContent = status === 'ACCEPTED_TO_JOIN_STAGE' ? 'Not now' : 'Cancel request';
  $('join-stage').hidden = status !== 'ACCEPTED_TO_JOIN_STAGE';
  $('leave').hidden = status !== 'ON_STAGE';
  const onCamera = Boolean(media?.camera || media?.microphone);
  $('camera-on').hidden = !media || status !== 'ON_STAGE' || !canPublish || onCamera;
  $('camera-off').hidden = !media || !onCamera;
}

function renderVideo() {
  $('no-video').hidden = $('stage-tiles').children.length > 0;
  renderMe();
}

function renderRequests() {
  if (role !== 'host') return;
  const requests = stage.requests ?? [];
  $('requests').replaceChildren(...requests.map((r) => {
    const li = document.createElement('li');
    li.dataset.user = r.userId;
    const who = document.createElement('span');
    who.className = 'name';
    who.textContent = r.userId;
    const when = document.createElement('time');
    when.className = 'when';
    when.dateTime = r.requestedAt;
    when.textContent = new Date(r.requestedAt).toLocaleTimeString();
    const actions = document.createElement('span');
    actions.className = 'row-actions';
    actions.append(
      button('Grant', 'grant', () => stage.grantAccess([r.userId]).then(refreshParticipants)),
      button('Deny', 'deny danger', () => stage.denyAccess([r.userId]).then(refreshParticipants)),
    );
    li.append(who, when, actions);
    return li;
  }));
  const badge = $('request-count');
  badge.textContent = String(requests.length);
  badge.dataset.count = String(requests.length);
  $('no-requests').hidden = requests.length > 0;
}

function renderParticipants() {
  const mine = participants.find((p) => p.participantId === stage?.participantId) ?? participants.find((p) => p.userId === me);
  const couldPublish = canPublish;
  if (mine) canPublish = (mine.capabilities ?? []).includes('PUBLISH');
  if (canPublish !== couldPublish) renderMe();
  const order = { ON_STAGE: 0, ACCEPTED_TO_JOIN_STAGE: 1, REQUESTED_TO_JOIN_STAGE: 2, OFF_STAGE: 3 };
  const sorted = [...participants].sort((a, b) => (order[a.status] - order[b.status]) || a.userId.localeCompare(b.userId));
  $('participants').replaceChildren(...sorted.map((p) => {
    const li = document.createElement('li');
    li.dataset.user = p.userId;
    li.dataset.status = p.status;
    li.dataset.streams = String(p.streams?.length ?? 0);
    li.classList.toggle('offline', p.connected === false);
    const who = document.createElement('span');
    who.className = 'name';
    who.textContent = p.userId + (p.userId === me ? ' (you)' : '');
    const tag = document.createElement('span');
    tag.className = 'role-tag';
    tag.textContent = p.role;
    const badges = [];
    if (p.streams?.length) {
      const live = document.createElement('span');
      live.className = 'on-camera';
      live.textContent = 'on camera';
      badges.push(live);
    }
    const actions = document.createElement('span');
    actions.className = 'row-actions';
    actions.append(statusPill(p.status));
    if (role === 'host' && p.userId !== me && (p.status === 'ON_STAGE' || p.status === 'ACCEPTED_TO_JOIN_STAGE')) {
      actions.append(button('Kick', 'kick danger', () => stage.kick([p.userId]).then(refreshParticipants)));
    }
    li.append(who, ...badges, tag, actions);
    return li;
  }));
  const connected = participants.filter((p) => p.connected !== false).length;
  $('participant-count').textContent = `(${connected} here)`;
}

let refreshing = null;
let refreshAgain = false;
/** Reads the participant list; calls made while one is running are folded into one more. */
async function refreshParticipants() {
  if (!stage) return;
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      refreshAgain = false;
      try {
        participants = await stage.participants();
        renderParticipants();
      } catch (err) {
        if (err.code !== 'disconnected' && err.code !== 'timeout') setStatus(`Participants: ${err.message}`);
      }
    } while (refreshAgain);
  })();
  try {
    await refreshing;
  } finally {
    refreshing = null;
  }
}

async function demoToken(user, stageId, asRole) {
  const res = await fetch('/v1/demo/token', { method: 'POST', body: JSON.stringify({ user, stageId, role: asRole }) });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
  return body.token;
}

async function newDemoStage(name) {
  const res = await fetch('/v1/demo/stages', { method: 'POST', body: JSON.stringify({ name }) });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
  return body.id;
}

async function ownStep(fn) {
  ownExit = true;
  try {
    await fn();
  } finally {
    ownExit = false;
  }
}

async function start(user, stageId, asRole) {
  me = user;
  role = asRole;
  setStatus('Connecting…', true);
  client = await connect({ url: location.origin, token: () => demoToken(user, stageId, asRole) });
  client.on('disconnected', () => setStatus('Connection lost; reconnecting…'));
  client.on('connected', () => {
    setStatus(`Connected as ${user}`, true);
    refreshParticipants();
  });
  stage = client.stage(stageId);

  let previous = null;
  stage.on('stageStatusUpdate', ({ status }) => {
    if (status === 'ON_STAGE') showMessage('You are on stage.', 'ok');
    else if (status === 'OFF_STAGE' && !ownExit && (previous === 'ON_STAGE' || previous === 'ACCEPTED_TO_JOIN_STAGE')) {
      showMessage('A host took you off the stage.', 'warn');
    } else if (status === 'REQUESTED_TO_JOIN_STAGE') showMessage('Waiting for a host to answer…', 'info');
    else if (status === 'OFF_STAGE' && ownExit) showMessage('', 'info');
    previous = status;
    // Off stage, the server has ended this page's stream: turn the devices off too.
    if (status !== 'ON_STAGE' && (media?.camera || media?.microphone)) {
      media.setMedia({ camera: false, microphone: false }).catch((err) => setStatus(`Leave camera: ${err.message}`)).finally(renderMe);
    }
    renderMe();
    refreshParticipants();
  });
  stage.on('stageRequestApproved', () => showMessage('A host approved your request: join the stage when you are ready.', 'ok'));
  stage.on('stageRequestRejected', () => showMessage('A host declined your request to join the stage.', 'warn'));
  stage.on('stageAccessRequestUpdate', () => {
    renderRequests();
    refreshParticipants();
  });
  stage.on('newStageRequest', ({ count }) => {
    const badge = $('request-count');
    badge.classList.remove('pulse');
    void badge.offsetWidth;  // restart the animation
    if (count > 0) badge.classList.add('pulse');
  });
  for (const event of ['participantJoined', 'participantLeft', 'participantStreamsAdded', 'participantStreamsRemoved']) {
    stage.on(event, () => refreshParticipants());
  }

  const opened = await stage.open();
  previous = opened.status;
  $('stage-title').textContent = opened.stage?.name ?? stageId;
  $('stage-title').title = stageId;
  $('my-role').textContent = asRole;
  $('host-panel').hidden = asRole !== 'host';
  participants = opened.participants ?? [];
  await joinMedia(user, opened);
  renderMe();
  renderRequests();
  renderParticipants();
  $('stage-form').hidden = true;
  $('stage-view').hidden = false;
  $('stage-view').classList.toggle('as-host', asRole === 'host');
  setStatus(`Connected as ${user}`, true);
  setInterval(() => {
    if (document.visibilityState === 'visible') refreshParticipants();
  }, PARTICIPANTS_POLL_MS);
}

/** Joins the stage's media room: tiles for whoever is on camera. The stage stays usable without. */
async function joinMedia(user, opened) {
  const streamRoomId = stage.streamRoomId ?? opened.stage?.streamRoomId;
  if (!streamRoomId) return;
  try {
    await client.streams.joinStreamRoom(streamRoomId);
    media = new MediaRoom({
      client, streamRoomId, tiles: $('stage-tiles'), me: user, onError: (text) => setStatus(text), onChange: renderVideo,
      // After a reconnect the media room admits this connection once the stage is open on it.
      beforeRejoin: () => stage.open(),
      mayPublish: () => stage.status === 'ON_STAGE' && canPublish,
    });
    await media.start();
    renderVideo();
  } catch (err) {
    media = null;
    setStatus(`Stage video is off: ${err.message}`);
  }
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
      renderMe();
    }
  });
}
wire('request', 'Request to join', () => stage.requestAccess());
wire('cancel', 'Cancel request', () => ownStep(() => stage.cancelRequestAccess()));
wire('join-stage', 'Join stage', () => stage.join());
wire('leave', 'Leave', () => ownStep(() => stage.leave()));
wire('camera-on', 'Go on camera', () => media.setMedia({ camera: true, microphone: true }));
wire('camera-off', 'Leave camera', () => media.setMedia({ camera: false, microphone: false }));

$('stage-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('start').disabled = true;
  try {
    await start($('user').value.trim(), $('stage-id').value.trim(), $('role').value);
  } catch (err) {
    setStatus(`Could not open the stage: ${err.message}`);
    $('start').disabled = false;
  }
});

$('new-stage').addEventListener('click', async () => {
  $('new-stage').disabled = true;
  try {
    $('stage-id').value = await newDemoStage('Demo stage');
    setStatus(`Demo stage ${$('stage-id').value} is ready: open it as host, share its link with viewers.`, true);
  } catch (err) {
    setStatus(`Could not make a demo stage: ${err.message}`);
  } finally {
    $('new-stage').disabled = false;
  }
});

const params = new URLSearchParams(location.search);
if (params.get('user')) $('user').value = params.get('user');
if (params.get('stage')) $('stage-id').value = params.get('stage');
if (params.get('role') === 'host' || params.get('role') === 'viewer') $('role').value = params.get('role');
if (params.get('autostart') === '1' && $('user').value && $('stage-id').value) $('stage-form').requestSubmit();
