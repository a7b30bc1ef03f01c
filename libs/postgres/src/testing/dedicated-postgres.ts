/**
 * A Postgres server of a test's own, for tests that stop and start the database: a private cluster
 * made with the machine's own PostgreSQL binaries (initdb, pg_ctl; `pg_config --bindir` says where)
 * on a free port, its state in a temporary folder. The shared server of the other suites is never
 * touched. initdb refuses to run as root, so as root the cluster belongs to the `postgres` user.
 *
 * `stop('immediate')` is a crash as far as clients can tell (every connection cut, no checkpoint,
 * crash recovery at the next start), which is what `pg_ctl stop -m immediate` does to a real server.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@webshop/testing-core';

const run = promisify(execFile);

export interface DedicatedPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (with the superuser's password when the server asks for one): a server URL, as DATABASE_URL takes it. */
  url: string;
  port: number;
  /** Starts (or restarts, keeping its data) the server; resolves once it accepts connections. */
  start(): Promise<void>;
  /** `fast`: a clean shutdown; `immediate`: a crash, as far as clients can tell. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}

function binDir(): string {
  return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
}

/** Who runs the server: the current user, or `postgres` when we are root. */
function owner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * `passwords: true`: connections over TCP must give their role's password (scram-sha-256), as a
 * production server asks; by default the server trusts them, as the shared test server does.
 */
export async function createDedicatedPostgres({ passwords = false }: { passwords?: boolean } = {}): Promise<DedicatedPostgres> {
  const bin = binDir();
  const runAs = owner();
  const state = mkdtempSync(path.join(os.tmpdir(), 'webshop-pg-'));
  if (runAs) chownSync(state, runAs.uid, runAs.gid);
  const data = path.join(state, 'data');
  const port = await freePort();
  const pg = (tool: string, args: string[]) =>
    run(path.join(bin, tool), args, { ...(runAs ?? {}), cwd: state, env: { ...process.env, LC_ALL: 'C' }, timeout: 120_000 });
  const superuserPassword = passwords ? randomBytes(18).toString('base64url') : undefined;
  const pwfile = path.join(state, 'superuser-password');
  if (superuserPassword) writeFileSync(pwfile, superuserPassword, { mode: 0o644 }); // read by initdb as the cluster's owner
  const auth = superuserPassword ? ['--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${pwfile}`] : ['--auth=trust'];
  await pg('initdb', ['-D', data, '-U', 'postgres', ...auth, '--no-sync', '-E', 'UTF8']);
  if (superuserPassword) rmSync(pwfile);
  // fsync off: a test cluster never outlives its machine; a stop -m immediate is still a real crash
  // for the server (crash recovery from the WAL at the next start).
  const options = `-p ${port} -k ${state} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  /** pg_ctl status: exit 0 while a server runs on the data directory, 3 when none does. */
  const running = () => pg('pg_ctl', ['status', '-D', data]).then(
    () => true,
    (error: { code?: number }) => error.code !== 3,
  );
  return {
    url: `postgres://postgres${superuserPassword ? `:${superuserPassword}` : ''}@127.0.0.1:${port}/postgres`,
    port,
    start: async () => void (await pg('pg_ctl', ['start', '-w', '-t', '60', '-D', data, '-l', path.join(state, 'server.log'), '-o', options])),
    async stop(mode = 'fast') {
      // pg_ctl stop sends the postmaster one signal and waits. On a machine loaded to the full, a
      // postmaster was seen to leave that one signal unanswered for a minute (a second one, sent by
      // hand, stopped it at once): so ask again every few seconds, for a minute in all.
      for (let attempt = 1; ; attempt++) {
        try {
          await pg('pg_ctl', ['stop', '-w', '-t', '5', '-D', data, '-m', mode]);
          return;
        } catch (error) {
          // The server may have gone down after the last try gave up waiting: then it is stopped,
          // and asking again would only fail ("is server running?") until the tries run out.
          if (!(await running())) return;
          if (attempt === 12) throw error;
        }
      }
    },
    async destroy() {
      await pg('pg_ctl', ['stop', '-w', '-t', '60', '-D', data, '-m', 'immediate']).catch(() => undefined);
      rmSync(state, { recursive: true, force: true });
    },
  };
}
