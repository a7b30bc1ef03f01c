/**
 * infra/kafka/kafka.sh against a broker of its own (other ports, other state directory), so the
 * broker the other suites use is never touched: start is idempotent, stop really stops.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = path.resolve(__dirname, '../kafka/kafka.sh');

describe('the local Kafka broker script', () => {
  const state = mkdtempSync(path.join(os.tmpdir(), 'kafka-script-test-'));
  const env = { ...process.env, KAFKA_PORT: '19392', KAFKA_CONTROLLER_PORT: '19393', KAFKA_STATE_DIR: state };
  const brokersOfThisState = () => {
    try {
      return execFileSync('pgrep', ['-f', `${state}/server.properties`]).toString().trim().split('\n').filter(Boolean);
    } catch {
      return []; // pgrep exits 1 when nothing matches
    }
  };

  afterAll(async () => {
    await run('bash', [script, 'stop'], { env }).catch(() => undefined);
    rmSync(state, { recursive: true, force: true });
  });

  it('starts a broker, reuses it on a second start, and stops it cleanly', async () => {
    const first = await run('bash', [script, 'start'], { env, timeout: 180_000 });
    expect(first.stdout.trim()).toBe('127.0.0.1:19392');
    expect(first.stderr).toMatch(/broker ready at 127\.0\.0\.1:19392/);
    expect(brokersOfThisState()).toHaveLength(1);

    const second = await run('bash', [script, 'start'], { env, timeout: 60_000 });
    expect(second.stdout.trim()).toBe('127.0.0.1:19392');
    expect(second.stderr).toMatch(/reusing the broker/);
    expect(brokersOfThisState()).toHaveLength(1);

    await run('bash', [script, 'stop'], { env, timeout: 90_000 });
    expect(brokersOfThisState()).toHaveLength(0);
    await expect(run('bash', [script, 'status'], { env })).rejects.toMatchObject({ code: 1 });
  });
});
