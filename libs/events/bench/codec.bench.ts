/**
 * Codec throughput for PurchaseRequested, against a JSON.stringify / JSON.parse baseline measured
 * in the same run. Not a test (numbers depend on the machine); run it by hand:
 *
 *   npx tsx --tsconfig tsconfig.base.json libs/events/bench/codec.bench.ts
 *
 * encodeEvent and decodeEvent include the zod validation they always do; "avsc only" is the bare
 * Avro body, to show what the validation and the envelope cost.
 */
import { decodeEvent, encodeEvent } from '../src';
import { latestVersionOf } from '../src/schemas';
import { samples } from '../src/testing/samples';

const data = samples.PurchaseRequested;
const type = latestVersionOf('PurchaseRequested').type;

/** Operations per second of `op`, over about `ms` milliseconds after a warm-up. */
function opsPerSecond(op: () => unknown, ms = 1_000): number {
  for (let i = 0; i < 20_000; i++) op();
  let count = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(ms) * 1_000_000n;
  let now = started;
  while (now < deadline) {
    for (let i = 0; i < 1_000; i++) op();
    count += 1_000;
    now = process.hrtime.bigint();
  }
  return count / (Number(now - started) / 1e9);
}

const avro = encodeEvent('PurchaseRequested', data);
const body = type.toBuffer(data);
const json = JSON.stringify(data);
const rows: Array<[string, number]> = [
  ['encodeEvent (zod + Avro single-object)', opsPerSecond(() => encodeEvent('PurchaseRequested', data))],
  ['decodeEvent (bounds check + Avro + zod)', opsPerSecond(() => decodeEvent(avro))],
  ['avsc only: toBuffer', opsPerSecond(() => type.toBuffer(data))],
  ['avsc only: fromBuffer', opsPerSecond(() => type.fromBuffer(body))],
  ['baseline: JSON.stringify', opsPerSecond(() => JSON.stringify(data))],
  ['baseline: JSON.parse', opsPerSecond(() => JSON.parse(json))],
];

console.log(`PurchaseRequested, ${data.items.length} items: Avro ${avro.length} bytes (10 of them header), JSON ${Buffer.byteLength(json)} bytes`);
for (const [name, rate] of rows) console.log(`${name.padEnd(42)} ${Math.round(rate).toLocaleString('en-US').padStart(12)} ops/s`);
