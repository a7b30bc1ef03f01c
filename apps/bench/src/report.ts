/**
 * What the suite leaves behind: a table on the terminal (figure, the project's value, the
 * baseline's, the ratio), `bench.json` (every row and each section's details) and `bench.html`, a
 * self-contained page (inline SVG and CSS, nothing fetched) with one pair of bars per figure that
 * has a baseline. The ratio is always project ÷ baseline, so below 1 is slower for a rate and
 * above 1 is slower for a time.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface Row {
  section: string;
  figure: string;
  unit: string;
  value: number;
  baseline?: number;
  /** What the baseline is, e.g. "bare kafkajs + pg". */
  baselineName?: string;
}

export const ratioOf = (row: Row): number | undefined =>
  row.baseline === undefined || row.baseline === 0 ? undefined : row.value / row.baseline;

/** Three significant digits, no exponent; whole numbers from 1000 up. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 1000 || Number.isInteger(n)) return Math.round(n).toLocaleString('en-US');
  const digits = n.toPrecision(3);
  return digits.includes('.') ? digits.replace(/\.?0+$/, '') : digits;
}

const cell = (n: number | undefined, unit: string) => (n === undefined ? '—' : `${formatNumber(n)} ${unit}`.trim());

export function formatTable(rows: readonly Row[]): string {
  const lines = [['section', 'figure', 'project', 'baseline', 'ratio']];
  for (const row of rows) {
    const ratio = ratioOf(row);
    lines.push([
      row.section,
      row.figure,
      cell(row.value, row.unit),
      row.baseline === undefined ? '—' : `${cell(row.baseline, row.unit)}${row.baselineName ? ` (${row.baselineName})` : ''}`,
      ratio === undefined ? '—' : ratio.toFixed(2),
    ]);
  }
  const widths = lines[0]!.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  const text = lines.map((l) => l.map((v, c) => v.padEnd(widths[c]!)).join('  ').trimEnd());
  text.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return text.join('\n');
}

const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function reportHtml(rows: readonly Row[], title: string): string {
  const paired = rows.filter((r) => r.baseline !== undefined);
  const barHeight = 14;
  const block = 3 * barHeight + 10;
  const labelWidth = 360;
  const barWidth = 420;
  const bars = paired
    .map((row, i) => {
      const top = i * block;
      const max = Math.max(row.value, row.baseline!) || 1;
      const bar = (y: number, v: number, cls: string, label: string) =>
        `<rect class="${cls}" x="${labelWidth}" y="${y}" width="${((v / max) * barWidth).toFixed(1)}" height="${barHeight - 2}"/>` +
        `<text x="${labelWidth + (v / max) * barWidth + 4}" y="${y + barHeight - 4}">${escape(`${label} ${cell(v, row.unit)}`)}</text>`;
      return (
        `<text x="0" y="${top + barHeight + 6}">${escape(`${row.section}: ${row.figure}`)}</text>` +
        `<text class="ratio" x="0" y="${top + 2 * barHeight + 6}">ratio ${ratioOf(row)!.toFixed(2)}</text>` +
        bar(top, row.value, 'project', 'project') +
        bar(top + barHeight, row.baseline!, 'baseline', row.baselineName ?? 'baseline')
      );
    })
    .join('\n');
  const table = rows
    .map((r) => `<tr><td>${escape(r.section)}</td><td>${escape(r.figure)}</td><td>${escape(cell(r.value, r.unit))}</td><td>${escape(r.baseline === undefined ? '—' : `${cell(r.baseline, r.unit)} (${r.baselineName ?? 'baseline'})`)}</td><td>${ratioOf(r)?.toFixed(2) ?? '—'}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2em; color: #222; }
svg text { font: 12px system-ui, sans-serif; fill: #222; }
svg .ratio { fill: #666; }
rect.project { fill: #3b6fb6; } rect.baseline { fill: #9aa5b1; }
table { border-collapse: collapse; margin-top: 2em; } td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
</style></head><body>
<h1>${escape(title)}</h1>
<p>Each figure beside its baseline, measured in the same run; ratio = project ÷ baseline.</p>
<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + barWidth + 260}" height="${paired.length * block + 10}" role="img" aria-label="figures beside their baselines">
${bars}
</svg>
<table><tr><th>section</th><th>figure</th><th>project</th><th>baseline</th><th>ratio</th></tr>
${table}
</table>
</body></html>
`;
}

export async function writeReport(dir: string, title: string, rows: readonly Row[], details: Record<string, unknown>): Promise<{ json: string; html: string }> {
  await mkdir(dir, { recursive: true });
  const json = path.join(dir, 'bench.json');
  const html = path.join(dir, 'bench.html');
  const withRatios = rows.map((r) => ({ ...r, ratio: ratioOf(r) }));
  await writeFile(json, `${JSON.stringify({ title, rows: withRatios, details }, null, 2)}\n`);
  await writeFile(html, reportHtml(rows, title));
  return { json, html };
}
