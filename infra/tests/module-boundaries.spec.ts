/**
 * The dependency graph is a rule, checked by lint: an app never imports another app, and the
 * events lib depends on nothing. Runs the workspace's own ESLint (as `nx lint` does) on sources
 * placed in one project that import another.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const eslintBin = path.join(root, 'node_modules/eslint/bin/eslint.js');

async function boundaryViolations(filePath: string, source: string): Promise<string[]> {
  const child = run(process.execPath, [eslintBin, '--format', 'json', '--stdin', '--stdin-filename', filePath], {
    cwd: root,
    timeout: 60_000,
  });
  child.child.stdin!.end(source);
  // ESLint exits 1 when it found errors; the report is on stdout either way.
  const { stdout } = await child.catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const [report] = JSON.parse(stdout) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>;
  return report!.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries' || m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('module boundaries', () => {
  it('fails lint when an app imports another app', async () => {
    const violations = await boundaryViolations(
      'apps/orders/src/offender.ts',
      "import { readConfig } from '../../payment/src/config';\nexport const c = readConfig;\n",
    );
    expect(violations.length).toBeGreaterThan(0);
  });

  it('fails lint when a lib imports an app', async () => {
    const violations = await boundaryViolations(
      'libs/kafka/src/offender.ts',
      "import { readConfig } from '../../../apps/stock/src/config';\nexport const c = readConfig;\n",
    );
    expect(violations.length).toBeGreaterThan(0);
  });

  it('fails lint when the events lib imports plumbing', async () => {
    const violations = await boundaryViolations(
      'libs/events/src/offender.ts',
      "import { createPool } from '@webshop/postgres';\nexport const p = createPool;\n",
    );
    expect(violations.join('\n')).toMatch(/type:events/);
  });

  it('fails lint when code outside libs/kafka imports the Kafka client library', async () => {
    const violations = await boundaryViolations('apps/web/src/server/offender.ts', "import { Kafka } from 'kafkajs';\nexport const k = Kafka;\n");
    expect(violations.join('\n')).toMatch(/only libs\/kafka/);
    expect(await boundaryViolations('libs/kafka/src/fine.ts', "import { Kafka } from 'kafkajs';\nexport const k = Kafka;\n")).toEqual([]);
  });

  it('lets an app import the shared libs', async () => {
    const violations = await boundaryViolations(
      'apps/orders/src/fine.ts',
      "import { createLogger } from '@webshop/service-kit';\nexport const l = createLogger;\n",
    );
    expect(violations).toEqual([]);
  });
});
