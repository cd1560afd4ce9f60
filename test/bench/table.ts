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
  /** The most the ratio may be (issue #18's goals); a table with goals prints them beside the ratio. */
  readonly goal?: number;
}

export function formatTable(title: string, baseline: string, rows: readonly BenchRow[]): string {
  const goals = rows.some((row) => row.goal !== undefined);
  const lines = [
    `### ${title}`,
    `baseline: ${baseline}`,
    '',
    goals ? '| figure | value | baseline | ratio | goal |' : '| figure | value | baseline | ratio |',
    goals ? '| --- | ---: | ---: | ---: | --- |' : '| --- | ---: | ---: | ---: |',
    ...rows.map(
      (row) =>
        `| ${row.figure} | ${number(row.value)} | ${number(row.baseline)} | ${ratio(row.value, row.baseline)} |${goals ? ` ${goal(row)} |` : ''}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

export function printTable(title: string, baseline: string, rows: readonly BenchRow[]): void {
  process.stdout.write(`\n${formatTable(title, baseline, rows)}`);
}

function number(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function goal(row: BenchRow): string {
  if (row.goal === undefined) return '—';
  const met = row.baseline !== 0 && row.value / row.baseline <= row.goal;
  return `≤ ${row.goal} ${met ? 'met' : 'NOT met'}`;
}

function ratio(value: number, baseline: number): string {
  return baseline === 0 ? '—' : (value / baseline).toFixed(3);
}
