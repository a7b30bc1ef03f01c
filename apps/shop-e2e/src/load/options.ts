/**
 * Command-line options of the load generator, checked once with zod. Anything wrong is a
 * UsageError whose message names the flag (or the environment variable that fed it).
 */
import path from 'node:path';
import { z } from 'zod';
import { parseFlags, timestampDir, UsageError } from '@webshop/testing';

export const usage = `Usage: npm run load -- --rate <orders/s> --duration <s> [options]

An open-loop load generator for the shop: sends orders at a fixed rate whatever the answers, and
measures each order's latency from its scheduled send time to being seen CONFIRMED.

  --rate <n>             orders per second (required; fractions allowed)
  --duration <s>         seconds to keep sending (required)
  --orders-url <url>     default $ORDERS_URL or http://127.0.0.1:3001
  --stock-url <url>      default $STOCK_URL or http://127.0.0.1:3003
  --payment-url <url>    default $PAYMENT_URL or http://127.0.0.1:3002
  --out <dir>            where results go (default ./load-results/<timestamp>)
  --settle-timeout <s>   how long to wait after the last send for orders to become final (default 60)
  --customers <n>        customer accounts to spread orders over (default 50)
  --skus <n>             products to order from (default 20)
  -h, --help             this text

The set-up (products, restocks, deposits) is the operator's: it sends $ADMIN_TOKEN, or the token
npm start wrote to infra/local/.state/admin-token, as Authorization: Bearer.

Exit code: 0 when every order reached a final status and no HTTP call failed, 1 otherwise,
2 for bad options.`;

export { UsageError };

/** The most orders one run will schedule: every order is kept in memory until the report. */
export const MAX_ORDERS = 5_000_000;

const numberFlag = (flag: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `${flag} is required` : `${flag} takes a value`) })
    .trim()
    .refine((s) => s !== '' && Number.isFinite(Number(s)), `${flag} must be a number`)
    .transform(Number);

const positive = (flag: string, max: number) => numberFlag(flag).pipe(z.number().gt(0, `${flag} must be above 0`).max(max, `${flag} must be at most ${max}`));
const integer = (flag: string, min: number, max: number) =>
  numberFlag(flag).pipe(z.number().int(`${flag} must be a whole number`).min(min, `${flag} must be at least ${min}`).max(max, `${flag} must be at most ${max}`));
const baseUrl = (flag: string) =>
  z
    .string()
    .trim()
    .refine((s) => {
      try {
        return ['http:', 'https:'].includes(new URL(s).protocol);
      } catch {
        return false;
      }
    }, `${flag} must be an http(s) URL`)
    .transform((s) => s.replace(/\/+$/, ''));

const schema = z
  .object({
    rate: positive('--rate', 100_000),
    durationS: positive('--duration', 86_400),
    ordersUrl: baseUrl('--orders-url (or ORDERS_URL)'),
    stockUrl: baseUrl('--stock-url (or STOCK_URL)'),
    paymentUrl: baseUrl('--payment-url (or PAYMENT_URL)'),
    out: z.string().trim().min(1, '--out must not be empty'),
    settleTimeoutS: numberFlag('--settle-timeout').pipe(z.number().min(0, '--settle-timeout must not be negative').max(3_600, '--settle-timeout must be at most 3600')),
    customers: integer('--customers', 1, 10_000),
    skus: integer('--skus', 1, 1_000),
  });

export type LoadOptions = z.output<typeof schema>;

export type ParsedArgs = { help: true } | { help: false; options: LoadOptions };

export function parseOptions(argv: readonly string[], env: Record<string, string | undefined>, { now = new Date(), cwd = process.cwd() } = {}): ParsedArgs {
  const values = parseFlags(argv, {
    rate: { type: 'string' },
    duration: { type: 'string' },
    'orders-url': { type: 'string' },
    'stock-url': { type: 'string' },
    'payment-url': { type: 'string' },
    out: { type: 'string' },
    'settle-timeout': { type: 'string' },
    customers: { type: 'string' },
    skus: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return { help: true };

  const parsed = schema.safeParse({
    rate: values.rate,
    durationS: values.duration,
    ordersUrl: values['orders-url'] ?? env['ORDERS_URL'] ?? 'http://127.0.0.1:3001',
    stockUrl: values['stock-url'] ?? env['STOCK_URL'] ?? 'http://127.0.0.1:3003',
    paymentUrl: values['payment-url'] ?? env['PAYMENT_URL'] ?? 'http://127.0.0.1:3002',
    out: values.out ?? path.join('load-results', timestampDir(now)),
    settleTimeoutS: values['settle-timeout'] ?? '60',
    customers: values.customers ?? '50',
    skus: values.skus ?? '20',
  });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => issue.message).join('\n'));
  const options = parsed.data;
  // Checked once every flag is known to be good (a zod refine would also run on half-bad input).
  const orders = options.rate * options.durationS;
  if (orders < 1) throw new UsageError('--rate × --duration must come to at least one order');
  if (orders > MAX_ORDERS) throw new UsageError(`--rate × --duration must come to at most ${MAX_ORDERS} orders`);
  return { help: false, options: { ...options, out: path.resolve(cwd, options.out) } };
}
