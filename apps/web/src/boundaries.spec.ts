/**
 * The web app is tagged `type:app`: like any app it may use the libs and never a service's code,
 * in its components (.tsx) as much as in its server. Runs the workspace's own ESLint on offenders.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.resolve(__dirname, '../../..');

async function boundaryViolations(filePath: string, source: string): Promise<string[]> {
  const child = promisify(execFile)(process.execPath, [path.join(root, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', '--stdin', '--stdin-filename', filePath], { cwd: root, timeout: 60_000 });
  child.child.stdin!.end(source);
  const { stdout } = await child.catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const [report] = JSON.parse(stdout) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>;
  return report!.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

describe("the web app's module boundaries", () => {
  it('fails lint when a component imports a service', async () => {
    expect(await boundaryViolations('apps/web/src/client/offender.tsx', "import { readConfig } from '../../../orders/src/config';\nexport const c = readConfig;\n")).not.toEqual([]);
  });

  it('fails lint when the server imports a service', async () => {
    expect(await boundaryViolations('apps/web/src/server/offender.ts', "import { readConfig } from '../../../stock/src/config';\nexport const c = readConfig;\n")).not.toEqual([]);
  });

  it('lets it use the shared libs', async () => {
    expect(await boundaryViolations('apps/web/src/server/fine.ts', "import { topics } from '@webshop/events';\nexport const t = topics;\n")).toEqual([]);
  });
});
