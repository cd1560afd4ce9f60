/**
 * The update planner: which I2C writes turn the frame the panel shows into the next one. Pure: frames in,
 * byte arrays out, so it is tested by table and the driver only sends what it returns.
 *
 * oled-i2c-bus 1.0.12 either resends the whole 1 KiB frame or sends 7 transactions per changed byte
 * (docs/hardware-notes.md). Here each changed stretch of a page costs one window command and one data write,
 * nearby stretches and pages are merged when that is cheaper, and no plan costs more than a full frame.
 */
import { CMD, CONTROL } from './commands.js';
import type { Panel } from './panel.js';

/** One I2C write transaction: a control byte, then commands or display data. */
export type I2cWrite = Uint8Array;

/**
 * What one more transaction costs, counted in byte-times on the bus. On the wire it is START, the address
 * byte and STOP (about 1.2 byte-times); each `i2cWrite` is also a syscall and an interrupt round trip in the
 * Pi's I2C driver. An estimate, not a measurement: it only decides between a few small writes and one
 * larger merged one. The bench reports bytes and transactions separately.
 */
export const TRANSACTION_COST_BYTES = 4;

export interface WriteCost {
  readonly transactions: number;
  /** Bytes written after the address byte, control bytes included. */
  readonly bytes: number;
  /** Display-data bytes (the payload of `0x40` writes). */
  readonly dataBytes: number;
  /** `bytes + transactions * TRANSACTION_COST_BYTES`: what the planner minimises. */
  readonly cost: number;
}

export function costOf(writes: readonly I2cWrite[]): WriteCost {
  let bytes = 0;
  let dataBytes = 0;
  for (const write of writes) {
    bytes += write.length;
    if (write[0] === CONTROL.data) dataBytes += write.length - 1;
  }
  return { transactions: writes.length, bytes, dataBytes, cost: bytes + writes.length * TRANSACTION_COST_BYTES };
}

/** A rectangle of the frame: pages `firstPage..lastPage`, columns `start..end` (inclusive, glass coordinates). */
interface Block {
  readonly firstPage: number;
  readonly lastPage: number;
  readonly start: number;
  readonly end: number;
}

/**
 * The writes that make the panel show `next` when it shows `previous`; all of `next` when `previous` is
 * unknown (after init, or after a failed write). Empty when nothing changed.
 * @see SSD1306 datasheet §10.1.3–10.1.5 (horizontal addressing, column and page windows)
 * @see SH1106 datasheet V2.3, commands 1, 2, 12 (page addressing)
 */
export function planUpdate(previous: Uint8Array | undefined, next: Uint8Array, panel: Panel): I2cWrite[] {
  checkSize(next, panel);
  if (previous === undefined) return planFullFrame(next, panel);
  checkSize(previous, panel);
  const spans = Array.from({ length: panel.pages }, (_, page) => changedSpans(previous, next, panel, page));
  const blocks = panel.addressing === 'window' ? mergePages(spans, panel) : spans.flat();
  const writes = blocks.flatMap((block) => blockWrites(block, next, panel));
  // The planner never picks more than the whole frame; the check states the promise where it is kept.
  const full = planFullFrame(next, panel);
  return costOf(writes).cost <= costOf(full).cost ? writes : full;
}

/** The whole frame: one window and one 1 KiB write on the SSD1306, one write per page on the SH1106. */
export function planFullFrame(frame: Uint8Array, panel: Panel): I2cWrite[] {
  checkSize(frame, panel);
  if (panel.addressing === 'window') {
    return blockWrites({ firstPage: 0, lastPage: panel.pages - 1, start: 0, end: panel.width - 1 }, frame, panel);
  }
  return Array.from({ length: panel.pages }, (_, page) =>
    blockWrites({ firstPage: page, lastPage: page, start: 0, end: panel.width - 1 }, frame, panel),
  ).flat();
}

/** Fixed bytes of one block's writes: the addressing command and the data control byte, plus two transactions. */
function blockOverhead(panel: Panel): number {
  const commandWrite = panel.addressing === 'window' ? 7 : 4;
  return commandWrite + 1 + 2 * TRANSACTION_COST_BYTES;
}

/**
 * The changed stretches of one page. Two stretches are sent as one when the unchanged gap between them costs
 * no more than starting a new write; that choice is independent for each gap, so merging greedily is optimal.
 */
function changedSpans(previous: Uint8Array, next: Uint8Array, panel: Panel, page: number): Block[] {
  const maxGap = blockOverhead(panel);
  const spans: Block[] = [];
  let start = -1;
  let end = -1;
  for (let x = 0, i = page * panel.width; x < panel.width; x++, i++) {
    if (previous[i] === next[i]) continue;
    if (start >= 0 && x - end - 1 > maxGap) {
      spans.push({ firstPage: page, lastPage: page, start, end });
      start = -1;
    }
    if (start < 0) start = x;
    end = x;
  }
  if (start >= 0) spans.push({ firstPage: page, lastPage: page, start, end });
  return spans;
}

/**
 * SSD1306 only: a window may span several pages, so runs of changed pages can be sent as one rectangle
 * (unchanged bytes inside it are resent). Picks, over the 8 pages, the cheapest mix of per-page stretches
 * and rectangles: a small dynamic programme, `best[j]` = cheapest cover of pages `0..j-1`.
 */
function mergePages(spans: readonly Block[][], panel: Panel): Block[] {
  const overhead = blockOverhead(panel);
  const best: number[] = [0];
  const choice: Block[][] = [[]];
  for (let j = 1; j <= panel.pages; j++) {
    const pageSpans = spans[j - 1] ?? [];
    const before = best[j - 1] ?? 0;
    if (pageSpans.length === 0) {
      best[j] = before;
      choice[j] = [];
      continue;
    }
    best[j] = before + pageSpans.reduce((sum, span) => sum + overhead + span.end - span.start + 1, 0);
    choice[j] = pageSpans;
    let start = Number.POSITIVE_INFINITY;
    let end = -1;
    for (let i = j; i >= 1; i--) {
      const first = spans[i - 1] ?? [];
      for (const span of first) {
        start = Math.min(start, span.start);
        end = Math.max(end, span.end);
      }
      if (first.length === 0) continue;
      const cost = (best[i - 1] ?? 0) + overhead + (end - start + 1) * (j - i + 1);
      if (cost < (best[j] ?? 0)) {
        best[j] = cost;
        choice[j] = [{ firstPage: i - 1, lastPage: j - 1, start, end }];
      }
    }
  }
  // Walk back from the last page: each choice covers pages up to its own last one.
  const blocks: Block[] = [];
  for (let j = panel.pages; j >= 1; ) {
    const picked = choice[j] ?? [];
    blocks.unshift(...picked);
    j = picked.length === 0 ? j - 1 : (picked[0]?.firstPage ?? j - 1);
  }
  return blocks;
}

/** The two writes for one block: where it goes, then its bytes row by row. */
function blockWrites(block: Block, frame: Uint8Array, panel: Panel): I2cWrite[] {
  const columns = block.end - block.start + 1;
  const data = new Uint8Array(1 + columns * (block.lastPage - block.firstPage + 1));
  data[0] = CONTROL.data;
  for (let page = block.firstPage, at = 1; page <= block.lastPage; page++, at += columns) {
    const from = page * panel.width + block.start;
    data.set(frame.subarray(from, from + columns), at);
  }
  const column = block.start + panel.columnOffset;
  const address =
    panel.addressing === 'window'
      ? [CMD.setColumnWindow, column, block.end + panel.columnOffset, CMD.setPageWindow, block.firstPage, block.lastPage]
      : [CMD.setPage | block.firstPage, CMD.setColumnHigh | (column >> 4), CMD.setColumnLow | (column & 0x0f)];
  return [Uint8Array.of(CONTROL.commands, ...address), data];
}

function checkSize(frame: Uint8Array, panel: Panel): void {
  const expected = panel.width * panel.pages;
  if (frame.length !== expected) {
    throw new RangeError(`frame has ${frame.length} bytes, a ${panel.width}x${panel.height} panel needs ${expected}`);
  }
}
