/**
 * Installs are reproducible: the committed package-lock.json is the one `npm ci` installs (CI and
 * every image use `npm ci`, never `npm install`, which may rewrite the lock), and a package.json
 * that names what the lock lacks is refused. Checked with `npm ci --dry-run` on copies of the two
 * files, so the workspace's own node_modules stays as it is.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

/** `npm ci --dry-run` on a copy of package.json (as `edit` makes it) and the committed lock. */
async function dryRunCi(edit: (pkg: Record<string, Record<string, string>>) => void = () => undefined) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'webshop-lock-'));
  try {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    edit(pkg);
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
    copyFileSync(path.join(root, 'package-lock.json'), path.join(dir, 'package-lock.json'));
    return await run('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir }).then(
      () => ({ ok: true, stderr: '' }),
      (error: { stderr?: string }) => ({ ok: false, stderr: error.stderr ?? '' }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every Dockerfile of the repository (apps/*, infra/*). */
const dockerfiles = ['apps', 'infra'].flatMap((top) =>
  readdirSync(path.join(root, top), { withFileTypes: true })
    .filter((d) => d.isDirectory() && readdirSync(path.join(root, top, d.name)).includes('Dockerfile'))
    .map((d) => `${top}/${d.name}/Dockerfile`),
);

describe('installs', () => {
  it('npm ci accepts the committed lock as it is', async () => {
    expect(await dryRunCi()).toEqual({ ok: true, stderr: '' });
  }, 120_000);

  it('npm ci refuses a package.json that names what the lock lacks', async () => {
    const result = await dryRunCi((pkg) => void (pkg['dependencies']!['left-pad'] = '^1.3.0'));
    expect(result.ok).toBe(false);
    expect(result.stderr).toMatch(/in sync/);
  }, 120_000);

  it('CI and every image install with npm ci, never npm install', () => {
    expect(dockerfiles.length).toBeGreaterThanOrEqual(9);
    for (const file of ['.ci/run', ...dockerfiles]) {
      const text = readFileSync(path.join(root, file), 'utf8');
      const commands = text.split('\n').filter((line) => !line.trimStart().startsWith('#'));
      expect({ file, npmInstall: commands.filter((line) => /npm (install|i)\b/.test(line)) }).toEqual({ file, npmInstall: [] });
      expect({ file, npmCi: commands.some((line) => /npm ci\b/.test(line)) }).toEqual({ file, npmCi: true });
    }
  });
});
