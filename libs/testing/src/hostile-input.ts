/**
 * Hostile HTTP requests for the services' API tests: strings Postgres cannot store put into every
 * field of a valid body, and a bounded, deterministic fuzz over a service's endpoints. Every
 * generated request is one the service must refuse (or, for a read, may answer however it likes)
 * without a 5xx and without changing what it stores.
 */
import { operatorHeaders } from '@webshop/testing-core';
import type { Pool } from '@webshop/postgres';

/** A small deterministic random source (mulberry32): the same seed, the same requests. */
export interface Random {
  (): number;
  int(below: number): number;
  pick<T>(from: readonly T[]): T;
  chance(p: number): boolean;
}

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (() => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }) as Random;
  next.int = (below) => Math.floor(next() * below);
  next.pick = (from) => from[next.int(from.length)]!;
  next.chance = (p) => next() < p;
  return next;
}

/** Strings Postgres cannot store: `text` and `jsonb` refuse a NUL, `jsonb` an unpaired surrogate. */
export const unstorableStrings = ['\u0000', 'a\u0000b', '\u0000\u0000\u0000', 'x\ud800', '\udc00y', '\ud83d'] as const;

/** Strings that are awkward but storable: some are valid input, some are not. */
export const awkwardStrings = [
  '',
  ' ',
  '\t\n\r',
  '   padded   ',
  "'; DROP TABLE orders; --",
  '" OR 1=1 --',
  '%00',
  '\\u0000',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  'null',
  '__proto__',
  'constructor',
  '😀'.repeat(40),
  '\u202eevil\u202c',
  '\u0001\u0002\u001f\u007f',
  'ÿþ',
  'x'.repeat(65),
  'x'.repeat(101),
  'é'.repeat(300),
  'x'.repeat(3_000),
  'x'.repeat(10_000),
] as const;

/** Values of the wrong kind or out of any range a column holds. */
export const hostileValues: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  -0,
  1.5,
  2 ** 31,
  2 ** 53,
  -(2 ** 63),
  1e308,
  '12',
  [],
  {},
  ['a'],
  { a: 1 },
  { __proto__: null, constructor: 'x' },
];

/** Raw JSON texts for numbers JavaScript cannot hold exactly (they parse to Infinity or lose digits). */
export const hostileNumberTexts = ['1e400', '-1e400', '9223372036854775808', '18446744073709551616', '1e-400', '-0'] as const;

type Path = Array<string | number>;

/** The path of every string in `value` (an object or array from JSON), e.g. ['items', 0, 'sku']. */
export function stringPaths(value: unknown, path: Path = []): Path[] {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringPaths(v, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => stringPaths(v, [...path, k]));
  return [];
}

/** The path of every leaf (string, number, boolean, null) in `value`. */
export function leafPaths(value: unknown, path: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leafPaths(v, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...path, k]));
  return [path];
}

/** The path of every object in `value`, the value itself included when it is one. */
export function objectPaths(value: unknown, path: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => objectPaths(v, [...path, i]));
  if (value && typeof value === 'object') return [path, ...Object.entries(value).flatMap(([k, v]) => objectPaths(v, [...path, k]))];
  return [];
}

export const at = (value: unknown, path: Path): unknown => path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], value);

/** A deep copy of `value` with the value at `path` replaced. */
export function replaceAt<T>(value: T, path: Path, replacement: unknown): T {
  if (path.length === 0) return replacement as T;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[head!] = replaceAt(copy[head!], rest, replacement);
  return copy as T;
}

/** For every string field of `body`: the body with a NUL, and with an unpaired surrogate, in it. */
export function unstorableVariants(body: unknown): Array<{ field: string; body: unknown; what: string }> {
  return stringPaths(body).flatMap((path) => {
    const value = String(at(body, path));
    const field = path.join('.');
    return [
      { field, what: 'a NUL', body: replaceAt(body, path, `${value.slice(0, 1)}\u0000${value.slice(1)}`) },
      { field, what: 'an unpaired surrogate', body: replaceAt(body, path, `${value}\ud800`) },
    ];
  });
}

/** An endpoint to fuzz: how to build a valid request, which the fuzz then breaks. */
export interface FuzzEndpoint {
  method: 'GET' | 'POST' | 'PUT';
  /** The path; each `{name}` is a parameter, filled with `params[name]` when valid. */
  path: string;
  params?: Record<string, string>;
  /** Valid query parameters. */
  query?: Record<string, string>;
  /** A valid JSON body: a write endpoint's request is always broken so that it must be refused. */
  body?: unknown;
  /** Optional headers the endpoint reads, with valid values. */
  headers?: Record<string, string>;
  /** True when a valid request changes nothing (a read, or a write to something that cannot exist). */
  readOnly?: boolean;
}

export interface HostileRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** What was done to the valid request, for the failure message. */
  what: string[];
}

const encodeSegment = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '')) + '%ED%A0%80'; // an unpaired surrogate as UTF-8 would carry it
  }
};
const encodeQuery = (pairs: Array<[string, string]>) => pairs.map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(v)}`).join('&');
/** A header value fetch can send: Latin-1, no control characters. */
const headerSafe = (s: string) => s.replace(/[^\u0020-\u007e\u00a0-\u00ff]/g, '?');

/**
 * `count` hostile requests over `endpoints`, the same ones for the same seed. A request to a write
 * endpoint is always broken in at least one way the service must refuse (a string it cannot store,
 * a value of the wrong kind or range, an unknown or `__proto__` key, a body that is no JSON object,
 * too large, or of the wrong type or encoding, a path parameter it cannot take), with random
 * awkward noise on top; a read gets anything in its path, query and headers.
 */
export function hostileRequests(endpoints: readonly FuzzEndpoint[], { seed, count }: { seed: number; count: number }): HostileRequest[] {
  const random = seededRandom(seed);
  const requests: HostileRequest[] = [];
  for (let n = 0; n < count; n++) {
    const endpoint = endpoints[n % endpoints.length]!;
    const what: string[] = [];
    const params = { ...endpoint.params };
    let query: Array<[string, string]> = Object.entries(endpoint.query ?? {});
    const headers: Record<string, string> = { 'content-type': 'application/json', ...endpoint.headers };
    let body: unknown = endpoint.body;
    let rawBody: string | undefined;
    let broken = false;

    // Noise: awkward, not necessarily invalid.
    const paramNames = Object.keys(params);
    if (paramNames.length && random.chance(0.3)) {
      const name = random.pick(paramNames);
      params[name] = random.pick([...awkwardStrings.filter((s) => s.length < 2_000 && s.trim()), ...unstorableStrings]);
      what.push(`path ${name} ${JSON.stringify(params[name]).slice(0, 40)}`);
      broken ||= unstorableStrings.includes(params[name] as (typeof unstorableStrings)[number]);
    }
    if (random.chance(0.3)) {
      const pick = random.int(4);
      if (pick === 0 && query.length) query = [...query, ...query]; // every parameter twice
      else if (pick === 1) query.push([random.pick(['unknown', '__proto__', 'constructor', 'a[b]']), random.pick(awkwardStrings.filter((s) => s.length < 2_000))]);
      else if (query.length) {
        const i = random.int(query.length);
        query[i] = [query[i]![0], random.pick([...awkwardStrings.filter((s) => s.length < 2_000), ...unstorableStrings])];
      } else query.push(['q', random.pick(unstorableStrings)]);
      what.push(`query ${encodeQuery(query).slice(0, 60)}`);
    }
    if (random.chance(0.2)) {
      const name = random.pick(['idempotency-key', 'last-event-id', 'x-forwarded-for', 'accept']);
      headers[name] = headerSafe(random.pick(awkwardStrings.filter((s) => s.length < 4_000)));
      what.push(`header ${name}`);
    }
    if (body !== undefined && random.chance(0.4)) {
      const leaves = stringPaths(body);
      if (leaves.length) {
        const path = random.pick(leaves);
        body = replaceAt(body, path, random.pick(awkwardStrings));
        what.push(`noise at ${path.join('.')}`);
      }
    }

    // The break: the request must be refused. A read may stay unbroken.
    if (body !== undefined && !endpoint.readOnly && !broken) {
      const kind = random.int(9);
      const leaves = leafPaths(body);
      const path = random.pick(leaves);
      const leaf = at(body, path);
      if (kind === 0 || kind === 1) {
        const bad = random.pick(unstorableStrings);
        body = replaceAt(body, path, typeof leaf === 'string' ? `${leaf}${bad}` : bad);
        what.push(`unstorable at ${path.join('.')}`);
      } else if (kind === 2) {
        const candidates = hostileValues.filter((v) => (typeof leaf === 'string' ? typeof v !== 'string' : !Number.isSafeInteger(v) || (v as number) < 0));
        body = replaceAt(body, path, random.pick(candidates));
        what.push(`wrong kind at ${path.join('.')}`);
      } else if (kind === 3) {
        body = replaceAt(body, path, typeof leaf === 'string' ? 'x'.repeat(random.pick([1_000, 3_000, 20_000])) : Number.MAX_SAFE_INTEGER);
        what.push(`out of range at ${path.join('.')}`);
      } else if (kind === 4) {
        const target = random.pick(objectPaths(body));
        const key = random.pick(['__proto__', 'constructor', 'unknownField', 'a\u0000b']);
        // Put in as JSON text, so that `__proto__` arrives as a key of its own.
        rawBody = JSON.stringify(replaceAt(body, [...target, '@@KEY@@'], { polluted: true })).replace('"@@KEY@@"', JSON.stringify(key));
        what.push(`key ${JSON.stringify(key)} at ${target.join('.') || '(body)'}`);
      } else if (kind === 5) {
        if (typeof leaf === 'number') {
          rawBody = JSON.stringify(replaceAt(body, path, '@@NUMBER@@')).replace('"@@NUMBER@@"', random.pick(hostileNumberTexts.slice(0, 4)));
          what.push(`number text at ${path.join('.')}`);
        } else {
          body = replaceAt(body, path, random.pick([[at(body, path)], { value: at(body, path) }, null]));
          what.push(`wrapped at ${path.join('.')}`);
        }
      } else if (kind === 6) {
        rawBody = random.pick(['', '[]', '"text"', '42', 'null', '{', '{"a":}', `[${JSON.stringify(body)}]`, '['.repeat(5_000) + ']'.repeat(5_000), '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000)]);
        what.push(`body ${rawBody.slice(0, 20)}`);
      } else if (kind === 7) {
        rawBody = JSON.stringify({ ...(body as object), padding: 'x'.repeat(70 * 1024) });
        what.push('body over 64 KiB');
      } else {
        const variant = random.int(4);
        rawBody = JSON.stringify(body);
        if (variant === 0) headers['content-type'] = 'text/plain';
        else if (variant === 1) headers['content-type'] = 'application/json; charset=latin-9';
        else if (variant === 2) headers['content-encoding'] = 'gzip';
        else headers['content-encoding'] = 'br2';
        what.push(`content ${headers['content-type']} ${headers['content-encoding'] ?? ''}`);
      }
    }

    let path = endpoint.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeSegment(params[name] ?? ''));
    if (paramNames.length && random.chance(0.05)) {
      path = path.replace(encodeSegment(params[paramNames[0]!]!), '%E0%A4%A'); // not valid percent-encoding
      what.push('bad percent-encoding in the path');
    }
    const search = encodeQuery(query);
    requests.push({
      method: endpoint.method,
      path: search ? `${path}?${search}` : path,
      headers,
      body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
      what,
    });
  }
  return requests;
}

export interface FuzzResult {
  request: HostileRequest;
  status: number;
  body: unknown;
}

/**
 * Sends each request in turn, as the operator (`token`, the test run's by default), so that a write
 * reaches the checks of what it carries; answers each status and parsed body (the text when it is no JSON).
 */
export async function sendHostileRequests(base: string, requests: readonly HostileRequest[], { token }: { token?: string } = {}): Promise<FuzzResult[]> {
  const results: FuzzResult[] = [];
  for (const request of requests) {
    const headers = { ...operatorHeaders(token), ...request.headers };
    const response = await fetch(`${base}${request.path}`, { method: request.method, headers, body: request.body });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: kept as text, the test says what it expects
    }
    results.push({ request, status: response.status, body });
  }
  return results;
}

/**
 * A fingerprint of what the tables hold, each by the columns named (`'*'` for whole rows; name only
 * the columns a request could change when a background worker updates others, e.g. the outbox's
 * `published_at`): equal before and after means the requests changed nothing.
 */
export async function tableFingerprint(pool: Pool, tables: Readonly<Record<string, string>>): Promise<Record<string, string>> {
  const fingerprint: Record<string, string> = {};
  for (const [table, columns] of Object.entries(tables)) {
    const { rows } = await pool.query<{ n: number; digest: string | null }>(
      `SELECT count(*)::int AS n, md5(string_agg(r::text, '|' ORDER BY r::text)) AS digest FROM (SELECT ${columns} FROM ${table}) r`,
    );
    fingerprint[table] = `${rows[0]!.n}:${rows[0]!.digest ?? ''}`;
  }
  return fingerprint;
}
