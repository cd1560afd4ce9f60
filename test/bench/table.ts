/**
 * The bench's one output format: a titled Markdown table of figures, each beside its baseline with the
 * ratio `value / baseline` (below 1 is better for costs). Every bench file prints through this, so the
 * figures of all benches read and diff the same way.
 */

export interface BenchRow {
  /** What was measured, with its unit: `full frame: bytes on the bus`. */
  readonly figure: string;
  readonly value: number;
  readonly baseline: number;
}

export function formatTable(title: string, baseline: string, rows: readonly BenchRow[]): string {
  const lines = [
    `### ${title}`,
    `baseline: ${baseline}`,
    '',
    '| figure | value | baseline | ratio |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map((row) => `| ${row.figure} | ${number(row.value)} | ${number(row.baseline)} | ${ratio(row.value, row.baseline)} |`),
  ];
  return `${lines.join('\n')}\n`;
}

export function printTable(title: string, baseline: string, rows: readonly BenchRow[]): void {
  process.stdout.write(`\n${formatTable(title, baseline, rows)}`);
}

function number(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function ratio(value: number, baseline: number): string {
  return baseline === 0 ? '—' : (value / baseline).toFixed(3);
}
