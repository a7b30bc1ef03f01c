/**
 * Command-line options of the chaos tool, checked once with zod. Anything wrong is a UsageError
 * whose message names the flag.
 */
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { parseFlags, timestampDir, UsageError } from '@webshop/testing';

export const usage = `Usage: npm run chaos -- [options]

Sets up a private shop (its own Postgres cluster, Kafka broker or cluster, mail catcher and the
five services as supervised processes), drives an open-loop workload while it injects faults at
seeded random times, then checks every invariant, poisons every topic, fuzzes every endpoint and
proves each check can fail. Tears it all down at the end.

  --minutes <n>      how long the workload runs (default 2; fractions allowed)
  --rate <n>         workload operations per second (default 3)
  --faults <n>       faults to inject during the workload (default 6)
  --no-faults        inject none (same as --faults 0)
  --seed <n>         the seed of the fault schedule and the workload (default: random, printed)
  --replicas <n>     instances of each service (default 1, at most 4)
  --nodes <1|3>      Kafka nodes: one broker or a three-node KRaft cluster (default 1)
  --fuzz <n>         hostile requests in the fuzz step (default 2000; 0 skips it)
  --quiesce <s>      how long to wait for the shop to settle after the workload (default 240)
  --out <dir>        where results.json, report.html and the logs go
                     (default ./chaos-results/<timestamp>)
  -h, --help         this text

Exit code: 0 when every check passed, 1 when one failed, 2 for bad options.`;

export { UsageError };

const numberFlag = (flag: string) =>
  z
    .string({ error: () => `${flag} takes a value` })
    .trim()
    .refine((s) => s !== '' && Number.isFinite(Number(s)), `${flag} must be a number`)
    .transform(Number);
const integer = (flag: string, min: number, max: number) =>
  numberFlag(flag).pipe(z.number().int(`${flag} must be a whole number`).min(min, `${flag} must be at least ${min}`).max(max, `${flag} must be at most ${max}`));
const positive = (flag: string, max: number) => numberFlag(flag).pipe(z.number().gt(0, `${flag} must be above 0`).max(max, `${flag} must be at most ${max}`));

const schema = z.object({
  minutes: positive('--minutes', 24 * 60),
  rate: positive('--rate', 200),
  faults: integer('--faults', 0, 10_000),
  seed: integer('--seed', 0, 2 ** 32 - 1),
  replicas: integer('--replicas', 1, 4),
  nodes: integer('--nodes', 1, 3).refine((n) => n === 1 || n === 3, '--nodes must be 1 or 3'),
  fuzz: integer('--fuzz', 0, 1_000_000),
  quiesceS: integer('--quiesce', 10, 3_600),
  out: z.string().trim().min(1, '--out must not be empty'),
});

export type ChaosOptions = z.output<typeof schema>;
export type ParsedArgs = { help: true } | { help: false; options: ChaosOptions };

export function parseOptions(argv: readonly string[], { now = new Date(), cwd = process.cwd(), randomSeed = () => randomInt(2 ** 31) } = {}): ParsedArgs {
  const values = parseFlags(argv, {
    minutes: { type: 'string' },
    rate: { type: 'string' },
    faults: { type: 'string' },
    'no-faults': { type: 'boolean' },
    seed: { type: 'string' },
    replicas: { type: 'string' },
    nodes: { type: 'string' },
    fuzz: { type: 'string' },
    quiesce: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return { help: true };
  if (values['no-faults'] && values.faults !== undefined && Number(values.faults) !== 0) throw new UsageError('--no-faults and --faults contradict each other');
  const parsed = schema.safeParse({
    minutes: values.minutes ?? '2',
    rate: values.rate ?? '3',
    faults: values['no-faults'] ? '0' : (values.faults ?? '6'),
    seed: values.seed ?? String(randomSeed()),
    replicas: values.replicas ?? '1',
    nodes: values.nodes ?? '1',
    fuzz: values.fuzz ?? '2000',
    quiesceS: values.quiesce ?? '240',
    out: values.out ?? path.join('chaos-results', timestampDir(now)),
  });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => issue.message).join('\n'));
  const options = parsed.data;
  // Each fault needs a slot of its own of at least 5 s (see schedule.ts).
  if (options.faults > 0 && (options.minutes * 60 * 0.8) / options.faults < 5) {
    throw new UsageError(`--faults ${options.faults} do not fit into --minutes ${options.minutes}: at most one fault every 5 s of the middle 80 % of the run`);
  }
  return { help: false, options: { ...options, out: path.resolve(cwd, options.out) } };
}
