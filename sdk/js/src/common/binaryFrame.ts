/**
 * onair's binary WebSocket frames (docs/protocol.md, "Binary frames"; src/api/BinaryFrame.hpp):
 * [version = 1][flags][target length, u16 BE][target, UTF-8, 1–255 bytes][payload].
 * Flags: bit 0 = init, bit 1 = key (portal-relay chunks); frames of Yjs rooms carry 0.
 * Pure and browser-safe: part of the client's import graph.
 */
import { OnairError } from './OnairError.js';

export const BINARY_FRAME_VERSION = 1;
/** The longest target a binary frame carries, in UTF-8 bytes. */
export const MAX_BINARY_TARGET_BYTES = 255;
const KNOWN_FLAGS = 0b11;
const HEADER_BYTES = 4;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** A decoded binary frame. `payload` is a view into the received bytes. */
export interface BinaryFrame {
  flags: number;
  target: string;
  payload: Uint8Array;
}

/**
 * Encodes one frame. Throws `invalid_argument` (naming `what`, e.g. "live.send: liveId") when
 * the target is empty or longer than 255 UTF-8 bytes.
 */
export function encodeBinaryFrame(target: string, payload: Uint8Array, flags = 0, what = 'binary frame target'): Uint8Array {
  const name = utf8Encoder.encode(target);
  if (name.length === 0 || name.length > MAX_BINARY_TARGET_BYTES) {
    throw new OnairError('invalid_argument', `${what} must be 1 to ${MAX_BINARY_TARGET_BYTES} UTF-8 bytes`);
  }
  const frame = new Uint8Array(HEADER_BYTES + name.length + payload.length);
  frame[0] = BINARY_FRAME_VERSION;
  frame[1] = flags;
  frame[2] = (name.length >> 8) & 0xff;
  frame[3] = name.length & 0xff;
  frame.set(name, HEADER_BYTES);
  frame.set(payload, HEADER_BYTES + name.length);
  return frame;
}

/** Decodes one frame; throws `internal` when the bytes are not one. */
export function decodeBinaryFrame(frame: Uint8Array): BinaryFrame {
  if (frame.length < HEADER_BYTES) throw new OnairError('internal', 'binary frame shorter than its 4-byte header');
  if (frame[0] !== BINARY_FRAME_VERSION) throw new OnairError('internal', `binary frame version ${frame[0]} is not 1`);
  const flags = frame[1]!;
  if (flags & ~KNOWN_FLAGS) throw new OnairError('internal', 'binary frame has unknown flags');
  const length = (frame[2]! << 8) | frame[3]!;
  if (length === 0 || HEADER_BYTES + length > frame.length) {
    throw new OnairError('internal', 'binary frame target length is 0 or past the end');
  }
  return {
    flags,
    target: utf8Decoder.decode(frame.subarray(HEADER_BYTES, HEADER_BYTES + length)),
    payload: frame.subarray(HEADER_BYTES + length),
  };
}
