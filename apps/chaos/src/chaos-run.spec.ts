/**
 * The tool itself, end to end: a short fixed-seed run (one minute of workload, four faults) of the
 * real CLI, on its own private Postgres, broker and services. It must pass every check.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');

describe('npm run chaos', () => {
  it('passes every check on a short run with faults (seed 1)', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'chaos-spec-'));
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'apps/chaos/src/cli.ts'), '--minutes', '1', '--rate', '3', '--faults', '4', '--seed', '1', '--fuzz', '1000', '--out', out], {
      cwd: root,
      env: { ...process.env, TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.base.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const lines = output.trim().split('\n');
    if (code !== 0) console.log(output.slice(-8_000));
    expect(lines.at(-1)).toMatch(/^\d+ passed, 0 failed$/);
    expect(code).toBe(0);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as { failed: number; figures: { ordersAccepted: number } };
    expect(results.failed).toBe(0);
    expect(results.figures.ordersAccepted).toBeGreaterThan(50);
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('<svg');
  }, 600_000);
});
