/**
 * `npm start`: the whole shop on this machine, without Docker.
 *
 *   1. the local Apache Kafka broker (infra/kafka; reused when it already runs);
 *   2. the five service databases on the local Postgres (created when missing), each owned by the
 *      service's own role, which is all a service connects as (passwords: db-passwords.ts);
 *   3. a mail catcher: SMTP on 127.0.0.1:1025, the caught mail at http://127.0.0.1:8025;
 *   4. the five services, each from source, their lines here for people (time, level, message, the
 *      order: formatLogLine) and as JSON lines in infra/local/.state/logs;
 *   5. the demo data, once (when the catalogue is empty), through the services' own APIs;
 *   6. the web front end (apps/web: its browser app built by Vite, its server from source);
 * then prints the web address first, the other URLs and a curl to place an order. Ctrl-C (or SIGTERM,
 * or SIGHUP) stops the services, the web server and the mail catcher cleanly, and so does the end of the npm process that started it; the broker stays up for the next start (`npm run kafka:stop` stops it).
 *
 * Environment, all optional: KAFKA_BROKERS (a broker you already run: no local one is started),
 * DATABASE_URL or PG* (the Postgres server), DATABASE_PREFIX and TOPIC_PREFIX (a second shop beside
 * the first, e.g. for a test), WEB_PORT (3000), ORDERS_PORT .. EMAIL_PORT, SMTP_PORT, MAIL_UI_PORT,
 * SHOP_STATE_DIR (where the logs and the built web app go), LOG_LEVEL, AUTO_DISPATCH_MS; the services inherit the rest of the environment (OTEL_EXPORTER_OTLP_ENDPOINT, say).
 *
 * Kafka with logins and ACLs, as infra/kafka runs it by default (state infra/kafka/.state-sasl, port
 * 9192), or the broker at KAFKA_BROKERS with its principals' passwords in KAFKA_CREDENTIALS (a file
 * of KAFKA_PASSWORD_<principal>=… lines, as infra/kafka writes them): the shop's ACLs are applied for
 * TOPIC_PREFIX, and every service and the web log in as their own principal. KAFKA_SECURITY=plain
 * asks for the local broker without logins (state infra/kafka/.state, port 9092), for a quick try;
 * so does a KAFKA_BROKERS without KAFKA_CREDENTIALS.
 *
 * The operator's token (deposits, restocks, product changes, dispatch, deliver) is made afresh for
 * each run, given to the services (ADMIN_TOKENS), printed beside the curl examples and written to
 * <state>/admin-token (mode 0600) for the tools; ADMIN_AUTH=off starts the demo mode instead, the
 * operator endpoints open to anyone. The services answer the web's origin across origins (CORS_ORIGIN).
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { serviceNames } from '@webshop/events';
import { applyShopAcls, createQuietKafka, credentialsFromFile } from '@webshop/kafka';
import { formatLogLine } from '@webshop/service-kit';
import { startMailCatcher, startServiceProcess, type MailCatcher, type ServiceProcess } from '@webshop/testing';
import { createServiceDatabases, serverUrlFromEnv } from '../postgres/create-databases';
import { localDatabasePasswords } from './db-passwords';
import { seed } from '../seed/seed';

const root = path.resolve(__dirname, '../..');
const state = process.env['SHOP_STATE_DIR'] ?? path.join(__dirname, '.state');
const databasePrefix = process.env['DATABASE_PREFIX'] ?? '';
/** The services in the registry's order, on ports 3001 (orders) to 3005 (email). */
const services = serviceNames.map((name, i) => ({ name, port: 3001 + i }));
const colours = [36, 32, 33, 35, 34];
const say = (line: string) => process.stdout.write(`\x1b[1m[shop]\x1b[0m ${line}\n`);
/** A service's log line, as a person reads it, after its prefix. */
const readable = (line: string) => formatLogLine(line, { colours: process.stdout.isTTY === true });

/** A small page and JSON list of the caught mail, for people (the SMTP side is the catcher's). */
function serveMail(mail: MailCatcher, port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const messages = [...mail.messages].reverse();
    if (req.url?.startsWith('/messages')) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(messages));
      return;
    }
    const escape = (s: unknown) => String(s ?? '').replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(
      `<!doctype html><meta charset="utf-8"><title>Caught mail</title><style>body{font:14px system-ui;margin:2em}article{border:1px solid #ccc;padding:1em;margin:1em 0}pre{white-space:pre-wrap}</style>` +
        `<h1>Caught mail (${messages.length})</h1>` +
        messages.map((m) => `<article><b>${escape(m.subject)}</b><br>to ${escape(m.to)} · ${escape(m.receivedAt.toISOString())}<pre>${escape(m.text)}</pre></article>`).join(''),
    );
  });
  return new Promise((resolve, reject) => server.listen(port, '127.0.0.1', () => resolve(server)).once('error', reject));
}

const kafkaScript = path.join(root, 'infra/kafka/kafka.sh');
/** As infra/kafka runs it: SASL and ACLs unless KAFKA_SECURITY=plain asks for a broker without logins. */
const kafkaSecurity = process.env['KAFKA_SECURITY'] === 'plain' ? 'plain' : 'sasl';

/** The local broker (reused when it runs): its address, and its principals' passwords file when it has SASL. */
async function startLocalBroker(): Promise<{ brokers: string; credentials?: string }> {
  say(`starting the Kafka broker${kafkaSecurity === 'sasl' ? ' with SASL and ACLs' : ', plain (no logins: KAFKA_SECURITY=plain)'} (first run fetches its jars through Maven)...`);
  const env = { ...process.env, KAFKA_SECURITY: kafkaSecurity };
  const { stdout } = await promisify(execFile)('bash', [kafkaScript, 'start'], { timeout: 300_000, env });
  const credentials = (await promisify(execFile)('bash', [kafkaScript, 'credentials'], { env })).stdout.trim();
  return { brokers: stdout.trim().split('\n').pop()!, credentials: credentials || undefined };
}

/** A broker you run (KAFKA_BROKERS): its passwords file is KAFKA_CREDENTIALS; none means a plain broker. */
function givenBroker(brokers: string): { brokers: string; credentials?: string } {
  const credentials = process.env['KAFKA_CREDENTIALS'] || undefined;
  if (process.env['KAFKA_SECURITY'] === 'sasl' && !credentials) throw new Error('KAFKA_SECURITY=sasl with KAFKA_BROKERS: KAFKA_CREDENTIALS must name the principals\' passwords file');
  if (credentials && !existsSync(credentials)) throw new Error(`KAFKA_CREDENTIALS=${credentials}: no such file`);
  return { brokers, credentials };
}

/** Each principal's login (SASL), from the broker's passwords file, once the shop's ACLs are on it; none for a plain broker. */
async function kafkaLogins({ brokers, credentials: file }: { brokers: string; credentials?: string }): Promise<(principal: string) => Record<string, string>> {
  if (!file) {
    say('Kafka without logins or ACLs (a plain broker): for a quick local try only');
    return () => ({});
  }
  const login = (principal: string) => {
    const { username, password } = credentialsFromFile(file, principal);
    return { KAFKA_USERNAME: username, KAFKA_PASSWORD: password };
  };
  const count = await applyShopAcls(
    createQuietKafka({ clientId: 'shop-acls', brokers: brokers.split(','), credentials: credentialsFromFile(file, 'admin') }),
    process.env['TOPIC_PREFIX'] ?? '',
  );
  say(`Kafka with SASL: ${count} ACLs from the topic registry; each service logs in as its own principal`);
  return login;
}

/**
 * The web's browser app, built by Vite (its server runs from source) into the state directory: not
 * dist/, which a test run of the web may be serving from at the same time. Built again only when a
 * source of it is newer than the last build, and only once the services are up (not competing with
 * their start for the CPU).
 */
const webAppDir = path.join(state, 'web-public');
const newestIn = (target: string): number =>
  statSync(target).isDirectory() ? Math.max(0, ...readdirSync(target).map((entry) => newestIn(path.join(target, entry)))) : statSync(target).mtimeMs;
async function buildWebApp(): Promise<'built' | 'up to date'> {
  const built = path.join(webAppDir, 'index.html');
  const sources = ['apps/web/src/client', 'apps/web/src/shared', 'apps/web/vite.config.mjs', 'package-lock.json'].map((p) => path.join(root, p));
  if (existsSync(built) && statSync(built).mtimeMs > Math.max(...sources.map(newestIn))) return 'up to date';
  const vite = path.join(root, 'node_modules/vite/bin/vite.js');
  await promisify(execFile)(process.execPath, [vite, 'build', '--config', path.join(root, 'apps/web/vite.config.mjs'), '--outDir', webAppDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: root,
    timeout: 300_000,
  });
  return 'built';
}

async function main(): Promise<void> {
  mkdirSync(path.join(state, 'logs'), { recursive: true });
  say(`starting the shop; once it is up, open http://127.0.0.1:${process.env['WEB_PORT'] ?? 3000}`);
  const broker = process.env['KAFKA_BROKERS'] ? givenBroker(process.env['KAFKA_BROKERS']) : await startLocalBroker();
  const brokers = broker.brokers;
  const kafkaLogin = await kafkaLogins(broker);
  const pgServer = serverUrlFromEnv();
  const { created, urls: databaseUrls } = await createServiceDatabases(pgServer, databasePrefix, localDatabasePasswords(state, databasePrefix));
  say(`Kafka at ${brokers}; Postgres databases ready${created.length ? ` (created ${created.join(', ')})` : ''}, each service connects as its own role`);

  // A new operator token for every run: one that leaked from an earlier run no longer works.
  const demoMode = process.env['ADMIN_AUTH'] === 'off';
  const tokenFile = path.join(state, 'admin-token');
  const adminToken = demoMode ? undefined : randomBytes(32).toString('base64url');
  if (adminToken) writeFileSync(tokenFile, `${adminToken}\n`, { mode: 0o600 });
  else rmSync(tokenFile, { force: true });
  const webOrigin = `http://127.0.0.1:${process.env['WEB_PORT'] ?? 3000}`;

  const mail = await startMailCatcher({ port: Number(process.env['SMTP_PORT'] ?? 1025) });
  const mailUi = await serveMail(mail, Number(process.env['MAIL_UI_PORT'] ?? 8025));

  const running: ServiceProcess[] = [];
  const spawned = new Set<ChildProcess>(); // ready or not
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping...');
    const codes = await Promise.all(running.map((s) => s.stop('SIGTERM')));
    // Services still starting when the stop came: stop them too, or they would outlive this process.
    const starting = [...spawned].filter((child) => child.exitCode === null && child.signalCode === null && !running.some((s) => s.child === child));
    await Promise.all(starting.map((child) => new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM'))));
    await mail.stop();
    mailUi.close();
    const stopBroker = kafkaSecurity === 'plain' ? 'KAFKA_SECURITY=plain npm run kafka:stop' : 'npm run kafka:stop';
    say(`stopped (service exit codes: ${codes.join(', ')}); the broker keeps running, '${stopBroker}' stops it`);
    process.exit(code);
  };
  // Ctrl-C (SIGINT), a process manager or an IDE's stop button (SIGTERM, which npm passes on), a
  // closed terminal (SIGHUP): everything this started stops. npm runs this file in node itself (no
  // tsx CLI in between, which would kill a child slow to acknowledge a signal and lose its last lines).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stopAll(0));
  // npm killed outright (SIGKILL) cannot pass anything on: when the parent is gone, stop as well.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && void stopAll(0), 1_000).unref();

  // allSettled: every service that could not start is reported, not only the first.
  const starts = await Promise.allSettled(
    services.map(async ({ name, port }, i) => {
      const prefix = `\x1b[${colours[i]}m${name.padEnd(8)}\x1b[0m|`;
      const service = await startServiceProcess({
        name,
        port: Number(process.env[`${name.toUpperCase()}_PORT`] ?? port),
        logFile: path.join(state, 'logs', `${name}.log`),
        onLine: (line) => process.stdout.write(`${prefix} ${readable(line)}\n`),
        onSpawn: (child) => spawned.add(child),
        env: {
          KAFKA_BROKERS: brokers,
          ...kafkaLogin(name),
          DATABASE_URL: databaseUrls[name],
          TOPIC_PREFIX: process.env['TOPIC_PREFIX'] ?? '',
          SMTP_URL: mail.url,
          LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
          ...(adminToken ? { ADMIN_TOKENS: adminToken } : { ADMIN_AUTH: 'off', ADMIN_TOKENS: '' }),
          CORS_ORIGIN: webOrigin,
          ...(name === 'shipping' && process.env['AUTO_DISPATCH_MS'] ? { AUTO_DISPATCH_MS: process.env['AUTO_DISPATCH_MS'] } : {}),
        },
      });
      running.push(service);
      service.exited.then((code) => {
        if (!stopping) {
          say(`${name} exited unexpectedly (${code}); see ${path.join(state, 'logs', `${name}.log`)}`);
          void stopAll(1);
        }
      });
    }),
  );
  const failed = starts.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed.length > 0) {
    for (const { reason } of failed) say(reason instanceof Error ? reason.message : String(reason));
    await stopAll(1);
    return;
  }

  const url = (name: string) => running.find((s) => s.name === name)!.url;
  const products = (await (await fetch(`${url('stock')}/products`)).json()) as unknown[];
  if (products.length === 0) {
    say('seeding the demo catalogue and accounts...');
    await seed({ stock: url('stock'), payment: url('payment') }, adminToken, (line) => say(`  ${line}`));
  }

  // The web front end last: its pulse reads the topics the services created.
  try {
    say(`the web app: ${await buildWebApp()}`);
    const web = await startServiceProcess({
      name: 'web',
      port: Number(process.env['WEB_PORT'] ?? 3000),
      logFile: path.join(state, 'logs', 'web.log'),
      onLine: (line) => process.stdout.write(`\x1b[1mweb     \x1b[0m| ${readable(line)}\n`),
      onSpawn: (child) => spawned.add(child),
      env: {
        KAFKA_BROKERS: brokers,
        ...kafkaLogin('web'),
        TOPIC_PREFIX: process.env['TOPIC_PREFIX'] ?? '',
        LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
        STATIC_DIR: webAppDir,
        ...Object.fromEntries(services.map(({ name }) => [`${name.toUpperCase()}_URL`, url(name)])),
      },
    });
    running.push(web);
    web.exited.then((code) => {
      if (!stopping) {
        say(`web exited unexpectedly (${code}); see ${path.join(state, 'logs', 'web.log')}`);
        void stopAll(1);
      }
    });
  } catch (error) {
    say(`the web front end could not start: ${error instanceof Error ? error.message : String(error)}`);
    await stopAll(1);
    return;
  }

  say('the shop is ready:');
  say(`  web       ${url('web')}   <- open this: shop, an order's live story, the pulse`);
  for (const s of running.filter((r) => r.name !== 'web')) say(`  ${s.name.padEnd(9)} ${s.url}   (health ${s.url}/readyz, metrics ${s.url}/metrics)`);
  say(`  mail      http://127.0.0.1:${(mailUi.address() as { port: number }).port}   (SMTP ${mail.url})`);
  say(`  logs      ${path.join(state, 'logs')}`);
  say('place an order:');
  say(
    `  curl -s -X POST ${url('orders')}/orders -H 'content-type: application/json' -d '{"customerId":"alice","email":"alice@example.com","items":[{"sku":"TEA-EARLGREY","quantity":2}],"shippingAddress":{"name":"Alice","line1":"1 High St","city":"Leeds","postalCode":"LS1 1AA","country":"GB"}}'`,
  );
  say(`  curl -s '${url('orders')}/orders/<orderId>?until=CONFIRMED,REJECTED&timeoutMs=10000'`);
  if (adminToken) {
    say(`operator token (deposits, restocks, products, dispatch, deliver; the web's admin panel asks for it), new each run, also in ${tokenFile}:`);
    say(`  ${adminToken}`);
    say(`  curl -s -X POST ${url('payment')}/accounts/alice/deposits -H "authorization: Bearer $(cat ${tokenFile})" -H 'content-type: application/json' -d '{"amountCents":1000}'`);
  } else {
    say('ADMIN_AUTH=off: the demo mode, the operator endpoints open to anyone');
  }
  say('Ctrl-C stops it.');
}

main().catch((error: unknown) => {
  say(`could not start the shop: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
