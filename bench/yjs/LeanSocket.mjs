// One raw `ws` socket carrying one or more Hocuspocus documents (the provider's multiplexing):
// incoming frames go to the LeanDoc attached under the frame's document name.
import WebSocket from 'ws';
import { decodeFrame } from './wire.mjs';

/** Thrown by open() when the server answers the upgrade with an HTTP status (no such endpoint). */
export class EndpointMissing extends Error {}

export class LeanSocket {
  #ws;
  #docs = new Map();
  /** Frames that could not be decoded or named no attached document. */
  strayFrames = 0;

  /** Connects to `url` (ws://…); rejects with EndpointMissing on an HTTP answer, else Error. */
  static open(url, timeoutMs = 10000) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      const timer = setTimeout(() => { ws.terminate(); reject(new Error(`no WebSocket open from ${url} in ${timeoutMs} ms`)); }, timeoutMs);
      ws.once('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        ws.terminate();
        reject(new EndpointMissing(`${url} answered HTTP ${res.statusCode}`));
      });
      ws.once('error', (e) => { clearTimeout(timer); reject(e); });
      ws.once('open', () => { clearTimeout(timer); resolve(new LeanSocket(ws)); });
    });
  }

  constructor(ws) {
    this.#ws = ws;
    ws.on('error', () => {});  // a reset after open shows as a close; the counters tell the rest
    ws.on('message', (data) => this.#dispatch(data));
    this.isClosed = false;
    this.closed = new Promise((res) => ws.once('close', () => { this.isClosed = true; res(); }));
  }

  attach(doc) { this.#docs.set(doc.name, doc); }

  send(bytes) { if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(bytes); }

  /** Closes and resolves once the socket is closed (terminates after timeoutMs). */
  async close(timeoutMs = 5000) {
    this.#ws.close(1000);
    const timer = setTimeout(() => this.#ws.terminate(), timeoutMs);
    await this.closed;
    clearTimeout(timer);
  }

  #dispatch(data) {
    let frame;
    try { frame = decodeFrame(data); } catch { this.strayFrames++; return; }
    const doc = this.#docs.get(frame.doc);
    if (doc) doc.receive(frame);
    else this.strayFrames++;
  }
}
