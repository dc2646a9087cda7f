// The media of one stream room for the demo pages (streams.html, stage.html), on the SDK's
// stream API: every stream published in the room by someone else gets a tile with its video and
// audio; this page's camera and microphone are published as one stream of its own, turned on and
// off track by track (updateStream), unpublished when both are off. The room must be joined
// (joinStreamRoom) before `start()`.
//
// Tiles: <figure class="tile" data-stream-id data-user data-video="on|off"> with a <video>; this
// page's own camera is the tile with data-local. A remote tile appears on streamPublished (or
// when found at start) and goes on streamUnpublished.

/** Runs async steps one at a time, in order: media changes and the sync never overlap. */
class SerialQueue {
  #tail = Promise.resolve();
  run(step) {
    const result = this.#tail.then(step);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

function tileElement(label) {
  const figure = document.createElement('figure');
  figure.className = 'tile';
  figure.dataset.video = 'off';
  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;
  const caption = document.createElement('figcaption');
  caption.textContent = label;
  figure.append(video, caption);
  return figure;
}

/** Plays `video`; when the browser refuses sound without a click, plays muted and says so. */
function play(video) {
  video.play().catch(() => {
    if (video.muted) return;
    video.muted = true;
    video.play().catch(() => undefined);
    // Any click on the page lets it play sound.
    video.closest('.tile')?.classList.add('sound-blocked');
    document.addEventListener('click', () => {
      video.muted = false;
      video.closest('.tile')?.classList.remove('sound-blocked');
      video.play().catch(() => undefined);
    }, { once: true, capture: true });
  });
}

/** A new camera or microphone track; an Error saying why when the browser gives none. */
async function openDevice(which) {
  const constraints = which === 'camera' ? { video: { width: 640, height: 360 } } : { audio: true };
  try {
    const media = await navigator.mediaDevices.getUserMedia(constraints);
    return media.getTracks()[0];
  } catch (err) {
    throw new Error(`cannot open the ${which}: ${messageOf(err)}`);
  }
}

const messageOf = (err) => (err?.name === 'NotAllowedError' ? 'the browser was not allowed to use it'
  : err?.name === 'NotFoundError' ? 'no such device was found'
    : err?.name === 'NotReadableError' ? 'the device is busy (another application uses it?)'
      : err?.message ?? String(err));

export class MediaRoom {
  /**
   * @param {object} options
   * @param {import('/sdk/client/index.js').OnairClient} options.client a connected client
   * @param {string} options.streamRoomId a room this client joined
   * @param {HTMLElement} options.tiles the container of the tiles
   * @param {string} options.me this page's user, for its own tile's caption
   * @param {(message: string) => void} [options.onError] hears what went wrong (shown on the page)
   * @param {() => void} [options.onChange] hears tiles and this page's media coming and going
   * @param {() => Promise<unknown>} [options.beforeRejoin] runs after a reconnect before the room
   *   is joined again (a stage's media room admits a connection once the stage is open on it)
   * @param {() => boolean} [options.mayPublish] after a reconnect: whether to publish the devices
   *   that are on again (else they turn off)
   */
  constructor({ client, streamRoomId, tiles, me, onError, onChange, beforeRejoin, mayPublish }) {
    this.client = client;
    this.streamRoomId = streamRoomId;
    this.tiles = tiles;
    this.me = me;
    this.onError = onError ?? (() => undefined);
    this.onChange = onChange ?? (() => undefined);
    this.beforeRejoin = beforeRejoin ?? (() => Promise.resolve());
    this.mayPublish = mayPublish ?? (() => true);
    this.queue = new SerialQueue();
    this.handle = null;
    this.published = false;
    this.camera = null;        // MediaStreamTrack while the camera is on
    this.microphone = null;    // MediaStreamTrack while the microphone is on
    this.received = new Map(); // streamId → Set of trackIds received
    this.remote = new Map();   // streamId → {userId, tracks}
    this.cleanups = [];
  }

  /** Shows the streams published now and from now on. */
  async start() {
    const { streams } = this.client;
    const mine = (data) => data?.streamRoomId === this.streamRoomId;
    this.cleanups.push(
      streams.addRemoteStreamListener({ streamRoomId: this.streamRoomId, onRemoteStreamTrack: (e) => this.#onTrack(e) }),
      streams.on('streamPublished', (data) => { if (mine(data)) this.sync(); }),
      streams.on('streamUpdated', (data) => {
        if (!mine(data)) return;
        const kept = new Set(data.tracks.map((t) => t.trackId));
        const had = this.received.get(data.streamId);
        if (had) for (const id of had) if (!kept.has(id)) had.delete(id);
        if (this.remote.has(data.streamId)) this.remote.set(data.streamId, { userId: data.userId, tracks: data.tracks });
        this.#renderTile(data.streamId);
        this.sync();
      }),
      streams.on('streamUnpublished', (data) => {
        if (!mine(data)) return;
        if (this.handle?.streamId && data.streamId === this.handle.streamId) {
          this.#ended().catch((err) => this.onError(`Turning your media off: ${err.message}`));
          return;
        }
        this.#dropTile(data.streamId);
      }),
      // A reconnect closed the peer connections (the SDK joins the room again): publish and
      // receive anew.
      this.client.on('connected', ({ resumed }) => { if (resumed) this.#restart(); }),
    );
    await this.sync();
  }

  /** Reads the room's streams: tiles for new ones, subscriptions for tracks not received yet, old tiles gone. */
  sync() {
    return this.queue.run(async () => {
      const own = this.handle?.streamId;
      const streams = (await this.client.streams.listStreams(this.streamRoomId)).filter((s) => s.streamId !== own);
      const present = new Set(streams.map((s) => s.streamId));
      for (const id of [...this.remote.keys()]) if (!present.has(id)) this.#dropTile(id);
      for (const s of streams) {
        this.remote.set(s.streamId, { userId: s.userId, tracks: s.tracks });
        this.#renderTile(s.streamId);
        const have = this.received.get(s.streamId) ?? new Set();
        if (s.tracks.every((t) => have.has(t.trackId))) continue;
        try {
          await this.client.streams.subscribeToRemoteStreams(this.streamRoomId, [{ streamId: s.streamId }]);
        } catch (err) {
          // Gone meanwhile: its streamUnpublished removes the tile.
          if (err.code !== 'not_found') this.onError(`Receiving ${s.userId}'s stream: ${err.message}`);
        }
      }
    }).catch((err) => this.onError(`Reading the room's streams: ${err.message}`));
  }

  /** Turns the camera on or off; resolves once the change is published. */
  setCamera(on) {
    return this.setMedia({ camera: on });
  }

  /** Turns the microphone on or off; resolves once the change is published. */
  setMicrophone(on) {
    return this.setMedia({ microphone: on });
  }

  /**
   * Turns the camera and the microphone on or off in one renegotiation (`undefined`: unchanged);
   * resolves once the change is published. When it cannot be published, what was turned on is
   * turned off again, so the page shows what the others get.
   */
  setMedia({ camera, microphone }) {
    return this.queue.run(async () => {
      const changes = Object.entries({ camera, microphone }).filter(([which, on]) => on !== undefined && Boolean(this[which]) !== on);
      if (changes.length === 0) return;
      const { streams } = this.client;
      this.handle ??= await streams.createStream(this.streamRoomId);
      const opened = [];
      try {
        for (const [which, on] of changes) {
          if (on) {
            this[which] = await openDevice(which);
            opened.push(which);
            await streams.addStreamTrack(this.handle, { track: this[which] });
          } else {
            await this.#closeDevice(which);
          }
        }
        this.#renderLocal();
        await this.#publishChange();
      } catch (err) {
        for (const which of opened) await this.#closeDevice(which);
        this.#renderLocal();
        throw err;
      }
    });
  }

  /** Stops publishing and receiving; removes the tiles. The room is left by the caller. */
  async stop() {
    for (const undo of this.cleanups.splice(0)) undo();
    await this.queue.run(async () => {
      if (this.published) await this.client.streams.unpublishStream(this.handle).catch(() => undefined);
      this.published = false;
      for (const t of [this.camera, this.microphone]) t?.stop();
      this.camera = this.microphone = null;
      for (const id of [...this.remote.keys()]) this.#dropTile(id);
      this.tiles.querySelector('[data-local]')?.remove();
    });
  }

  async #closeDevice(which) {
    if (!this[which]) return;
    await this.client.streams.removeStreamTrack(this.handle, this[which]);
    this[which].stop();
    this[which] = null;
  }

  /** The server ended this page's stream (kicked off a stage, transport lost): all off. */
  #ended() {
    return this.queue.run(() => this.#allOff());
  }

  async #allOff() {
    await this.#closeDevice('camera');
    await this.#closeDevice('microphone');
    if (this.published) await this.client.streams.unpublishStream(this.handle).catch(() => undefined);
    this.published = false;
    this.#renderLocal();
  }

  /** Publishes the tracks now on: the first one publishes, later changes update, none unpublishes. */
  async #publishChange() {
    const { streams } = this.client;
    const any = Boolean(this.camera || this.microphone);
    if (!any) {
      if (this.published) await streams.unpublishStream(this.handle);
      this.published = false;
      return;
    }
    if (this.published) {
      await streams.updateStream(this.handle);
      return;
    }
    await streams.publishStream(this.handle, (state) => {
      const tile = this.tiles.querySelector('[data-local]');
      if (tile) tile.dataset.state = state;
      if (state === 'failed') this.onError('Your media connection failed: turn the camera or microphone off and on again');
    });
    this.published = true;
  }

  async #restart() {
    for (const id of [...this.remote.keys()]) this.#dropTile(id);
    this.received.clear();
    await this.queue.run(async () => {
      await this.beforeRejoin();
      await this.client.streams.joinStreamRoom(this.streamRoomId);
      this.published = false;
      if (!this.camera && !this.microphone) return;
      if (this.mayPublish()) await this.#publishChange();
      else await this.#allOff();
    }).catch((err) => this.onError(`After the reconnect: ${err.message}`));
    await this.sync();
  }

  #renderLocal() {
    let tile = this.tiles.querySelector('[data-local]');
    if (!this.camera && !this.microphone) {
      tile?.remove();
      this.onChange();
      return;
    }
    if (!tile) {
      tile = tileElement(`${this.me} (you)`);
      tile.dataset.local = '';
      tile.dataset.user = this.me;
      tile.classList.add('local');
      tile.querySelector('video').muted = true;  // never hear yourself
      this.tiles.prepend(tile);
    }
    tile.dataset.video = this.camera ? 'on' : 'off';
    tile.dataset.audio = this.microphone ? 'on' : 'off';
    const video = tile.querySelector('video');
    video.srcObject = this.camera ? new MediaStream([this.camera]) : null;
    if (this.camera) play(video);
    this.onChange();
  }

  #onTrack(e) {
    if (!this.received.has(e.streamId)) this.received.set(e.streamId, new Set());
    this.received.get(e.streamId).add(e.trackId);
    const tile = this.#renderTile(e.streamId);
    if (!tile) return;
    const video = tile.querySelector('video');
    // The SDK's MediaStream per remote stream gains and loses tracks; set again so the element
    // picks up a track that came later.
    video.srcObject = null;
    video.srcObject = e.stream;
    play(video);
  }

  /** The tile of a remote stream, made when missing; null when the stream is not known. */
  #renderTile(streamId) {
    const info = this.remote.get(streamId);
    if (!info) return null;
    let tile = this.tiles.querySelector(`.tile[data-stream-id="${CSS.escape(streamId)}"]`);
    if (!tile) {
      tile = tileElement(info.userId);
      tile.dataset.streamId = streamId;
      tile.dataset.user = info.userId;
      this.tiles.append(tile);
      this.onChange();
    }
    tile.dataset.video = info.tracks.some((t) => t.kind === 'video') ? 'on' : 'off';
    tile.dataset.audio = info.tracks.some((t) => t.kind === 'audio') ? 'on' : 'off';
    return tile;
  }

  #dropTile(streamId) {
    this.remote.delete(streamId);
    this.received.delete(streamId);
    const tile = this.tiles.querySelector(`.tile[data-stream-id="${CSS.escape(streamId)}"]`);
    if (!tile) return;
    tile.querySelector('video').srcObject = null;
    tile.remove();
    this.onChange();
  }
}
