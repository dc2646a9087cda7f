// A raw WebSocket client over a TCP socket, for sending frames a well-behaved library never
// would (unmasked, bad opcodes, broken UTF-8, oversize) and reading exactly what comes back.
import net from 'node:net';
import { randomBytes } from 'node:crypto';

/** Encodes one client frame. */
export function frame(opcode, payload = Buffer.alloc(0), { fin = true, mask = true, rsv = 0 } = {}) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const n = data.length;
  const head = [((fin ? 0x80 : 0) | rsv | opcode) & 0xff];
  const maskBit = mask ? 0x80 : 0;
  if (n < 126) head.push(maskBit | n);
  else if (n <= 0xffff) head.push(maskBit | 126, n >> 8, n & 0xff);
  else {
    head.push(maskBit | 127);
    const len = Buffer.alloc(8);
    len.writeBigUInt64BE(BigInt(n));
    head.push(...len);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), data]);
  const key = randomBytes(4);
  const body = Buffer.from(data);
  for (let i = 0; i < n; i++) body[i] ^= key[i & 3];
  return Buffer.concat([Buffer.from(head), key, body]);
}

export const text = (s, opts) => frame(1, Buffer.from(s), opts);

/** Parses server frames from a buffer; returns {frames, rest}. */
export function parseFrames(buf) {
  const frames = [];
  let pos = 0;
  while (buf.length - pos >= 2) {
    const b0 = buf[pos], b1 = buf[pos + 1];
    let len = b1 & 0x7f, off = 2;
    if (len === 126) { if (buf.length - pos < 4) break; len = buf.readUInt16BE(pos + 2); off = 4; }
    else if (len === 127) { if (buf.length - pos < 10) break; len = Number(buf.readBigUInt64BE(pos + 2)); off = 10; }
    if (buf.length - pos < off + len) break;
    const payload = buf.subarray(pos + off, pos + off + len);
    const f = { fin: !!(b0 & 0x80), opcode: b0 & 0x0f, payload };
    if (f.opcode === 8 && len >= 2) { f.code = payload.readUInt16BE(0); f.reason = payload.subarray(2).toString(); }
    frames.push(f);
    pos += off + len;
  }
  return { frames, rest: buf.subarray(pos) };
}

/** Opens a raw WebSocket on `port` and completes the HTTP upgrade. */
export async function openRaw(port, path = '/v1/connect', { localAddress } = {}) {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress });
  await new Promise((res, rej) => { socket.once('connect', res); socket.once('error', rej); });
  const key = randomBytes(16).toString('base64');
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  let buf = Buffer.alloc(0);
  const frames = [];
  const waiters = [];
  let ended = false;
  let status = 0;
  let headerDone = false;
  const wake = () => { for (const w of waiters.splice(0)) w(); };
  socket.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    if (!headerDone) {
      const i = buf.indexOf('\r\n\r\n');
      if (i < 0) return;
      status = Number(buf.subarray(0, i).toString().split(' ')[1]);
      buf = buf.subarray(i + 4);
      headerDone = true;
    }
    const parsed = parseFrames(buf);
    frames.push(...parsed.frames);
    buf = parsed.rest;
    wake();
  });
  socket.on('close', () => { ended = true; wake(); });
  socket.on('error', () => {});
  const client = {
    socket,
    frames,
    get ended() { return ended; },
    get status() { return status; },
    send(bytes) { socket.write(bytes); },
    sendJson(obj) { socket.write(text(JSON.stringify(obj))); },
    /** Waits for a frame matching `pred` (or the socket closing), up to `ms`. */
    async next(pred = () => true, ms = 5000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const i = frames.findIndex(pred);
        if (i >= 0) return frames.splice(i, 1)[0];
        if (ended) return null;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('timed out waiting for a frame');
        await new Promise((r) => { waiters.push(r); setTimeout(r, left); });
      }
    },
    nextJson(ms) { return client.next((f) => f.opcode === 1, ms).then((f) => f && JSON.parse(f.payload.toString())); },
    nextClose(ms) { return client.next((f) => f.opcode === 8, ms); },
    async waitEnd(ms = 5000) {
      const deadline = Date.now() + ms;
      while (!ended && Date.now() < deadline) await new Promise((r) => { waiters.push(r); setTimeout(r, 50); });
      return ended;
    },
    destroy() { socket.destroy(); },
  };
  const t0 = Date.now();
  while (!headerDone && !ended && Date.now() - t0 < 5000) await new Promise((r) => { waiters.push(r); setTimeout(r, 20); });
  return client;
}
