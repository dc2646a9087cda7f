// A <textarea> kept in step with a Y.Text, both ways.
//
// Local: each input event becomes one Yjs transaction (origin `origin`), the span changedSpan
// finds between what the textarea showed and what it shows now, translated to the document's
// offsets (its "\r\n" show as "\n"). While an input method composes (compositionstart to
// compositionend) nothing is sent and remote changes wait: rewriting the textarea would end the
// composition; the composed text goes as one edit at its end.
// Remote: the textarea shows the new text and the caret (or selection) stays on the same
// characters, mapped through each change's delta. Rewriting the value resets the browser's own
// undo history; a demo can live with that.
import { changedSpan, mapIndex, shownText, docOffset, shownOffset } from '/text-sync.js';

export class TextareaBinding {
  /** `onChange(local)` runs after every change, this page's (true) or another's (false). */
  constructor(area, ytext, { origin, onChange = () => {} }) {
    this.area = area;
    this.ytext = ytext;
    this.origin = origin;
    this.onChange = onChange;
    this.composing = false;
    this.pending = [];  // remote deltas not shown yet, in order
    this.docShown = ytext.toString();  // the document's text the textarea shows
    this.shown = shownText(this.docShown);
    area.value = this.shown;
    this.listeners = {
      input: (e) => { if (!this.composing && !e.isComposing) this.applyLocal(); },
      compositionstart: () => { this.composing = true; },
      compositionend: () => { this.composing = false; this.applyLocal(); },
    };
    for (const [name, listener] of Object.entries(this.listeners)) area.addEventListener(name, listener);
    this.observer = (event, transaction) => {
      if (transaction.origin === origin) return;
      this.pending.push(event.delta);
      if (!this.composing) this.showDocument();
    };
    ytext.observe(this.observer);
  }

  /** The document's offset of the textarea's caret end (for awareness). */
  caretInDocument() {
    return docOffset(this.docShown, this.area.selectionEnd);
  }

  /** The line (from 1) of document offset `offset` as the textarea shows it. */
  lineOf(offset) {
    return this.shown.slice(0, shownOffset(this.docShown, offset)).split('\n').length;
  }

  destroy() {
    this.ytext.unobserve(this.observer);
    for (const [name, listener] of Object.entries(this.listeners)) this.area.removeEventListener(name, listener);
  }

  // The textarea changed: the same change, in the document (past remote changes held meanwhile).
  applyLocal() {
    const value = this.area.value;
    const { start, removed, inserted } = changedSpan(this.shown, value, this.area.selectionEnd);
    if (removed === 0 && inserted === '') return;
    let from = docOffset(this.docShown, start);
    let to = docOffset(this.docShown, start + removed);
    for (const delta of this.pending) [from, to] = [mapIndex(from, delta), mapIndex(to, delta)];
    const caret = from + inserted.length;
    this.ytext.doc.transact(() => {
      if (to > from) this.ytext.delete(from, to - from);
      if (inserted) this.ytext.insert(from, inserted);
    }, this.origin);
    if (this.pending.length > 0) return this.showDocument(caret, caret, true);
    this.docShown = this.ytext.toString();
    this.shown = value;
    this.onChange(true);
  }

  // Shows the document's text; the selection goes to the given document offsets, or stays on the
  // characters it was on before the pending remote changes. `local`: for onChange.
  showDocument(selectionStart, selectionEnd, local = false) {
    const area = this.area;
    const focused = document.activeElement === area;
    if (selectionStart === undefined) {
      selectionStart = docOffset(this.docShown, area.selectionStart);
      selectionEnd = docOffset(this.docShown, area.selectionEnd);
      const collapsed = selectionStart === selectionEnd;
      for (const delta of this.pending) {
        selectionStart = mapIndex(selectionStart, delta, !collapsed);
        selectionEnd = mapIndex(selectionEnd, delta);
      }
    }
    this.pending = [];
    this.docShown = this.ytext.toString();
    this.shown = shownText(this.docShown);
    area.value = this.shown;
    if (focused) area.setSelectionRange(shownOffset(this.docShown, selectionStart), shownOffset(this.docShown, selectionEnd));
    this.onChange(local);
  }
}
