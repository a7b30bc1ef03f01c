import { formatNumber, formatTable, ratioOf, reportHtml, type Row } from './report';

const rows: Row[] = [
  { section: 'hop', figure: 'events/s', unit: '/s', value: 1300, baseline: 7400, baselineName: 'bare kafkajs + pg' },
  { section: 'hop', figure: 'latency p50', unit: 'ms', value: 24.5, baseline: 7 },
  { section: 'shop', figure: 'highest sustainable rate', unit: 'orders/s', value: 15 },
];

describe('the bench report', () => {
  it('gives project ÷ baseline, and none without a baseline', () => {
    expect(ratioOf(rows[0]!)).toBeCloseTo(0.1757, 3);
    expect(ratioOf(rows[1]!)).toBe(3.5);
    expect(ratioOf(rows[2]!)).toBeUndefined();
  });

  it('writes numbers to three significant digits, large ones whole', () => {
    expect([7602.4, 24.56, 0.0612, 15, 1.5, 239.615].map(formatNumber)).toEqual(['7,602', '24.6', '0.0612', '15', '1.5', '240']);
  });

  it('prints each figure beside its baseline and the ratio, in aligned columns', () => {
    expect(formatTable(rows).split('\n')).toEqual([
      'section  figure                    project      baseline                      ratio',
      '-------  ------------------------  -----------  ----------------------------  -----',
      'hop      events/s                  1,300 /s     7,400 /s (bare kafkajs + pg)  0.18',
      'hop      latency p50               24.5 ms      7 ms                          3.50',
      'shop     highest sustainable rate  15 orders/s  —                             —',
    ]);
  });

  it('draws a self-contained page: inline SVG, nothing fetched, names escaped', () => {
    const html = reportHtml([...rows, { section: 'post', figure: '<req/s>', unit: '/s', value: 1, baseline: 2 }], 'bench & co');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/src=|href=|<script/);
    expect(html).toContain('&#60;req/s&#62;');
    expect(html).toContain('bench &#38; co');
    expect(html.match(/class="project"/g)).toHaveLength(3);
  });
});
