/**
 * Kill the consumer abruptly in the middle of a batch, start another: every event is applied
 * exactly once. The consumer runs in a child process and dies by SIGKILL, so nothing is committed
 * or flushed on the way out.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@webshop/postgres/testing';
import { testKafka } from './testing';
import { uniqueName, waitFor } from '@webshop/testing-core';
import { appliedRows, expectOrderedPerKey, prepareDatabase, produce, productRecord, uniquePrefix } from './testing/fixtures';
import { type KafkaClient } from './kafka-client';

const root = path.resolve(__dirname, '../../..');

function startConsumerProcess(env: Record<string, string>): Promise<ChildProcess> {
  // tsx as a loader in the consumer's own process, so that SIGKILL kills the consumer itself.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'testing/consumer-process.ts')], {
    cwd: root,
    env: { ...process.env, ...env, TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.base.json') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`consumer process exited early with ${code}`)));
  });
}

describe('a consumer killed mid-batch', () => {
  let kafka: KafkaClient;
  let db: TestDatabase;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    kafka = testKafka('crash-test');
    db = await createTestDatabase('crash');
    await prepareDatabase(db.pool);
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await db.drop();
  });

  it('applies every event exactly once after a restart', async () => {
    const prefix = uniquePrefix('crash');
    const env = { DATABASE_URL: db.url, TOPIC_PREFIX: prefix, GROUP_ID: uniqueName('crash-group') };
    const keys = 20;
    const perKey = 100;
    const records = [];
    for (let seq = 1; seq <= perKey; seq++) for (let k = 0; k < keys; k++) records.push(productRecord(`sku-${k}`, seq));

    child = await startConsumerProcess(env);
    await produce(kafka, `${prefix}products`, records);

    // Let it get well into the stream, then pull the plug.
    await waitFor(async () => (await appliedRows(db.pool)).length >= records.length / 4, {
      timeoutMs: 60_000,
      description: 'a quarter of the events applied',
    });
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const atKill = (await appliedRows(db.pool)).length;
    expect(atKill).toBeLessThan(records.length); // it really died mid-stream

    child = await startConsumerProcess(env);
    await waitFor(async () => (await appliedRows(db.pool)).length >= records.length, {
      timeoutMs: 90_000,
      description: 'every event applied after the restart',
    });
    const rows = await appliedRows(db.pool);
    expect(rows).toHaveLength(records.length);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(records.length);
    expectOrderedPerKey(rows, perKey);

    const stopped = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await stopped).toBe(0);
    child = undefined;
  });
});
