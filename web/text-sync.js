// Pure helpers that keep a <textarea> and a Y.Text in step (web/textarea-binding.js uses them; no
// DOM, no Yjs here, so Node tests them directly).
//
// Two coordinate systems: offsets in the document's text, and offsets in what the textarea shows.
// They differ only by line ends: a textarea turns "\r\n" and a lone "\r" into "\n", while a Y.Text
// keeps what any client (y-websocket, Hocuspocus) wrote.

const isHighSurrogate = (code) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code) => code >= 0xdc00 && code <= 0xdfff;

/**
 * The span that changed between two values, given where the caret is after the change: {start,
 * removed, inserted}. The text after the caret is what did not change at the end, which settles
 * the ambiguous cases (typing "b" after the "a" of "ab"). Neither end splits a surrogate pair, so
 * replacing one emoji by another replaces the whole character.
 */
export function changedSpan(before, after, caret) {
  let end = 0;
  const endLimit = Math.min(before.length, after.length - caret);
  while (end < endLimit && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  let start = 0;
  while (start < before.length - end && start < after.length - end && before[start] === after[start]) start++;
  if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) start--;
  if (end > 0 && isLowSurrogate(before.charCodeAt(before.length - end))) end--;
  return { start, removed: before.length - start - end, inserted: after.slice(start, after.length - end) };
}

/**
 * Where `index` of a text is after a change: `delta` (a Y.Text event's) lists it in the old
 * text's terms. An insertion exactly at `index` goes after it (the index stays put), unless
 * `insertBefore` (then the index moves past it: the start of a selection, so that remote text
 * typed where the selection starts stays out of it). An embed counts as one.
 */
export function mapIndex(index, delta, insertBefore = false) {
  let at = 0;  // in the old text
  let shift = 0;
  for (const op of delta) {
    if (at > index || (at === index && !(insertBefore && op.insert !== undefined))) break;
    if (op.retain !== undefined) at += op.retain;
    else if (op.insert !== undefined) shift += typeof op.insert === 'string' ? op.insert.length : 1;
    else if (op.delete !== undefined) {
      shift -= Math.min(op.delete, index - at);
      at += op.delete;
    }
  }
  return index + shift;
}

/** What a textarea shows for `docText`: its line ends as "\n". */
export const shownText = (docText) => docText.replace(/\r\n?/g, '\n');

/** The offset in `docText` of offset `shownOffset` in shownText(docText). */
export function docOffset(docText, shownOffset) {
  if (!docText.includes('\r')) return shownOffset;
  let i = 0;
  for (let shown = 0; shown < shownOffset && i < docText.length; shown++) i += docText.startsWith('\r\n', i) ? 2 : 1;
  return i;
}

/** The offset in shownText(docText) of offset `offset` in `docText` (inside a "\r\n": after it). */
export function shownOffset(docText, offset) {
  if (!docText.includes('\r')) return offset;
  let shown = 0;
  for (let i = 0; i < offset && i < docText.length; shown++) i += docText.startsWith('\r\n', i) ? 2 : 1;
  return shown;
}
