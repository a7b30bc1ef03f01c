/**
 * Runs one service as a real process, from source (tsx), the way `npm start` and the end-to-end
 * tests do: its output goes to a log file and, optionally, to a sink (prefixed lines on a console);
 * ready once GET /readyz answers 200.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { testOperatorToken } from '@webshop/testing-core';
import type { KafkaAccess } from '@webshop/kafka/testing';
import { waitFor } from '@webshop/testing-core';

const root = path.resolve(__dirname, '../../..');

export interface ServiceProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Resolves once GET /readyz answers 200; SIGKILLs it and rejects when it exits or times out first. */
  untilReady(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface ServiceProcessOptions {
  name: string;
  port: number;
  /** The service's environment; a service (not the web) gets the test run's operator token as ADMIN_TOKENS unless this names its own. */
  env: Record<string, string>;
  /** The broker: KAFKA_BROKERS, and on a broker with SASL the login of the principal `name` (its ACLs are the caller's to grant). */
  kafka?: KafkaAccess;
  logFile: string;
  /** Each line of the service's output, e.g. to print it prefixed. */
  onLine?: (line: string) => void;
  /** The process, as soon as it is spawned (before it is ready), e.g. to stop it if the caller must give up. */
  onSpawn?: (child: ChildProcess) => void;
  readyTimeoutMs?: number;
  /** false: answer as soon as the process is spawned (a test of its start-up waits itself). */
  waitUntilReady?: boolean;
}

export async function startServiceProcess({ name, port, env, kafka, logFile, onLine, onSpawn, readyTimeoutMs = 60_000, waitUntilReady = true }: ServiceProcessOptions): Promise<ServiceProcess> {
  const log = createWriteStream(logFile, { flags: 'a' });
  // tsx as a loader inside the service's own node process (not the tsx CLI, which runs the script in
  // a child of its own): a signal sent to `child` reaches the service itself, SIGKILL included.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, `apps/${name}/src/main.ts`)], {
    cwd: root,
    env: { ...process.env, ...(name === 'web' ? {} : { ADMIN_TOKENS: testOperatorToken }), ...kafka?.env(name), ...env, PORT: String(port), TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.base.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onSpawn?.(child);
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.pipe(log, { end: false });
    if (onLine) readline.createInterface({ input: stream }).on('line', onLine);
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  exited.then(() => log.end());
  const url = `http://127.0.0.1:${port}`;
  const failedToStart = exited.then((code) => {
    throw new Error(`${name} exited with ${code} during start-up; see ${logFile}`);
  });
  failedToStart.catch(() => undefined);
  if (waitUntilReady) await untilReady();
  async function untilReady(): Promise<void> {
    await Promise.race([
      failedToStart,
      waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, {
        timeoutMs: readyTimeoutMs,
        intervalMs: 100,
        description: `${name} ready (log: ${logFile})`,
      }),
    ]).catch(async (error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    });
  }
  return {
    name,
    url,
    child,
    exited,
    untilReady,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
