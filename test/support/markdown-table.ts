/**
 * The one output format for measured figures, in the bench (`npm run bench`) and the soak (`npm run soak`): a
 * titled Markdown table, each figure beside its baseline with the ratio `value / baseline` (below 1 is better
 * for costs), and the goal where a row has one (issue #18). Every bench and soak prints through this, so their
 * figures read and diff the same way (issue #14 item 6).
 */

export interface FigureRow {
  /** What was measured, with its unit: `full frame: bytes on the bus`. */
  readonly figure: string;
  /** A number, or a text for figures that are not one number (`1.2 / 3.4`). */
  readonly value: number | string;
  /** The same figure in the baseline run (or the allowed value); shown as '—' when absent. */
  readonly baseline?: number | string;
  /** The most the ratio may be (issue #18's goals); a table with goals prints them beside the ratio. */
  readonly goal?: number;
}

/** The table as text: `### title`, the note (what the baseline is), a blank line, the rows; ends with a newline. */
export function markdownTable(title: string, note: string, rows: readonly FigureRow[]): string {
  const goals = rows.some((row) => row.goal !== undefined);
  const lines = [
    `### ${title}`,
    note,
    '',
    goals ? '| figure | value | baseline | ratio | goal |' : '| figure | value | baseline | ratio |',
    goals ? '| --- | ---: | ---: | ---: | --- |' : '| --- | ---: | ---: | ---: |',
    ...rows.map((row) => `| ${row.figure} | ${shown(row.value)} | ${shown(row.baseline)} | ${ratioText(row)} |${goals ? ` ${goalText(row)} |` : ''}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** Prints the table on stdout after a blank line. */
export function printTable(title: string, note: string, rows: readonly FigureRow[]): void {
  process.stdout.write(`\n${markdownTable(title, note, rows)}`);
}

/** Integers as they are; other numbers with about three significant digits. */
function shown(value: number | string | undefined): string {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
}

/** value / baseline when both are numbers and the baseline is not 0. */
function ratioOf(row: FigureRow): number | undefined {
  return typeof row.value === 'number' && typeof row.baseline === 'number' && row.baseline !== 0 ? row.value / row.baseline : undefined;
}

function ratioText(row: FigureRow): string {
  return ratioOf(row)?.toFixed(3) ?? '—';
}

function goalText(row: FigureRow): string {
  if (row.goal === undefined) return '—';
  const ratio = ratioOf(row);
  return `≤ ${row.goal} ${ratio !== undefined && ratio <= row.goal ? 'met' : 'NOT met'}`;
}
