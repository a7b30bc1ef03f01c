/**
 * Nx's project graph comes from the code: every `@webshop/<lib>` import of a project is an edge
 * (the @nx/js source analysis, nx.json's pluginsConfig), so `nx affected` after a change to a lib
 * names exactly the projects that use it, directly or through other libs, and the cache never
 * serves a stale result over a changed dependency. Checked here against an independent reading of
 * the sources: the imports found by a scan of every project's files, plus the declared implicit
 * dependencies (the end-to-end tools run the services without importing them).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
/** Nx of its own (no daemon, a data folder of its own): `npm test` runs this inside an Nx task. */
const nxData = mkdtempSync(path.join(os.tmpdir(), 'webshop-nx-'));
const nxWith = (env: NodeJS.ProcessEnv, ...args: string[]) =>
  run(process.execPath, [path.join(root, 'node_modules/.bin/nx'), ...args], {
    cwd: root,
    env: { ...process.env, ...env, NX_DAEMON: 'false', NX_WORKSPACE_DATA_DIRECTORY: path.join(nxData, 'workspace-data'), NX_CACHE_DIRECTORY: path.join(nxData, 'cache') },
    maxBuffer: 64 * 1024 * 1024,
  });
const nx = (...args: string[]) => nxWith({}, ...args);

interface Project {
  name: string;
  root: string;
  implicitDependencies: string[];
}
const projectDirs = ['apps', 'libs'].flatMap((dir) => readdirSync(path.join(root, dir)).map((name) => `${dir}/${name}`)).concat('infra');
const projects: Project[] = projectDirs
  .filter((dir) => statSync(path.join(root, dir, 'project.json'), { throwIfNoEntry: false }))
  .map((dir) => {
    const json = JSON.parse(readFileSync(path.join(root, dir, 'project.json'), 'utf8')) as { name: string; implicitDependencies?: string[] };
    return { name: json.name, root: dir, implicitDependencies: json.implicitDependencies ?? [] };
  });
/** `@webshop/<alias>` → the project whose folder the alias points into (tsconfig.base.json's paths). */
const aliases = Object.entries((JSON.parse(readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } }).compilerOptions.paths).map(
  ([alias, [target]]) => ({ alias, project: projects.find((p) => target!.startsWith(`${p.root}/`))!.name }),
);

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return ['node_modules', 'dist', '.state'].includes(entry.name) || entry.name.startsWith('.') ? [] : sourceFiles(rel);
    return /\.tsx?$/.test(entry.name) ? [rel] : [];
  });
}

/** Each project's direct dependencies on other projects, read from its sources and project.json. */
const scanned = new Map(
  projects.map((p) => {
    const deps = new Set(p.implicitDependencies);
    // Another project's folder inside this one (libs/ holds none; infra holds no project).
    const own = sourceFiles(p.root).filter((file) => !projects.some((q) => q !== p && q.root.startsWith(`${p.root}/`) && file.startsWith(`${q.root}/`)));
    for (const file of own) {
      for (const [, spec] of readFileSync(path.join(root, file), 'utf8').matchAll(/(?:from|import|require\()\s*\(?\s*'(@webshop\/[^']+)'/g)) {
        const target = aliases.find((a) => a.alias === spec)?.project;
        if (!target) throw new Error(`${file}: ${spec} is no path of tsconfig.base.json`);
        if (target !== p.name) deps.add(target);
      }
    }
    return [p.name, deps] as const;
  }),
);
/** `lib` and every project that depends on it, directly or not. */
function dependantsOf(lib: string): string[] {
  const found = new Set([lib]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, deps] of scanned) if (!found.has(name) && [...deps].some((d) => found.has(d))) grew = found.add(name).size > 0;
  }
  return [...found].sort();
}

afterAll(() => rmSync(nxData, { recursive: true, force: true }));

describe("Nx's project graph", () => {
  let graph: Record<string, Array<{ target: string }>>;
  beforeAll(async () => {
    const file = path.join(nxData, 'graph.json');
    await nx('graph', `--file=${file}`);
    graph = (JSON.parse(readFileSync(file, 'utf8')) as { graph: { dependencies: Record<string, Array<{ target: string }>> } }).graph.dependencies;
  }, 120_000);

  it("has an edge for every project's imports of another, and no other", () => {
    for (const p of projects) {
      const edges = [...new Set(graph[p.name]!.map((d) => d.target).filter((t) => !t.startsWith('npm:')))].sort();
      expect({ project: p.name, edges }).toEqual({ project: p.name, edges: [...scanned.get(p.name)!].sort() });
    }
  });

  it('has no cycle', () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string, trail: string[]) => {
      if (done.has(name)) return;
      if (visiting.has(name)) throw new Error(`a cycle: ${[...trail, name].join(' → ')}`);
      visiting.add(name);
      for (const dep of scanned.get(name) ?? []) visit(dep, [...trail, name]);
      visiting.delete(name);
      done.add(name);
    };
    for (const p of projects) visit(p.name, []);
  });

  const libs = projects.filter((p) => p.root.startsWith('libs/'));
  it.each(libs.map((l) => [l.name, l.root]))('marks exactly the dependants of %s affected by a change to it', async (name, dir) => {
    const { stdout } = await nx('show', 'projects', '--affected', `--files=${dir}/src/index.ts`, '--json');
    expect((JSON.parse(stdout) as string[]).sort()).toEqual(dependantsOf(name));
  }, 60_000);
});

describe('nx run <service>:serve', () => {
  // From source, with the workspace's path aliases: the service's modules all load and its
  // configuration check answers (a service's real start is the local stack's test).
  const env = { KAFKA_BROKERS: '127.0.0.1:9', DATABASE_URL: 'postgres://nobody@127.0.0.1:5432/nothing', ADMIN_TOKENS: 'a-token-of-the-serve-test', SMTP_URL: 'smtp://127.0.0.1:1025' };
  it.each(['orders', 'payment', 'stock', 'shipping', 'email'])('runs %s', async (service) => {
    const { stdout } = await nxWith(env, 'run', `${service}:serve`, '--outputStyle=stream', '--', '--check-config');
    // eslint-disable-next-line no-control-regex
    expect(stdout.replace(/\x1b\[[0-9;]*m/g, '')).toContain(`${service}: configuration ok`); // Nx colours its prefix under a parent Nx
  }, 60_000);
});

describe('nx run <service>:build', () => {
  it('makes a package of its own: dist/apps/payment installs with npm ci from its own lock and runs alone', async () => {
    await nx('run', 'payment:build', '--skip-nx-cache');
    const dist = path.join(root, 'dist/apps/payment');
    const built = JSON.parse(readFileSync(path.join(dist, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string> };
    const rootPackage = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(built.main).toBe('./main.js');
    expect(Object.keys(built.dependencies)).toEqual(expect.arrayContaining(['express', 'kafkajs', 'pg', 'avsc', 'zod', 'prom-client']));
    for (const name of Object.keys(built.dependencies)) expect({ name, production: name in rootPackage.dependencies }).toEqual({ name, production: true });

    // Alone: a folder of its own, nothing of the workspace beside it.
    const alone = mkdtempSync(path.join(os.tmpdir(), 'webshop-payment-'));
    try {
      await run('cp', ['-r', `${dist}/.`, alone]);
      await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: alone, timeout: 180_000 });
      const { stdout } = await run(process.execPath, ['main.js', '--check-config'], {
        cwd: alone,
        env: { PATH: process.env['PATH'], KAFKA_BROKERS: '127.0.0.1:9', DATABASE_URL: 'postgres://payment@127.0.0.1:5432/payment', ADMIN_TOKENS: 'a-token-of-the-build-test' },
      });
      expect(stdout).toContain('configuration ok');
    } finally {
      rmSync(alone, { recursive: true, force: true });
    }
  }, 240_000);
});

describe('nx affected -t docker-build', () => {
  const images = ['email', 'orders', 'payment', 'shipping', 'stock', 'web'];
  const affected = async (file: string) => (JSON.parse((await nx('show', 'projects', '--affected', '--withTarget=docker-build', `--files=${file}`, '--json')).stdout) as string[]).sort();

  it("gives each image its own target, which builds its project's Dockerfile from the repository root", async () => {
    for (const name of images) {
      const { stdout } = await nx('show', 'project', name, '--json');
      const target = (JSON.parse(stdout) as { root: string; targets: Record<string, { options: { command: string } }> }).targets['docker-build']!;
      expect(target.options.command).toBe(`docker build -f apps/${name}/Dockerfile -t webshop-${name} .`);
    }
  }, 60_000);

  it('builds only the image a change to one service touches, and every image a change to a lib they share', async () => {
    expect(await affected('apps/payment/src/main.ts')).toEqual(['payment']);
    expect(await affected('libs/kafka/src/index.ts')).toEqual(images);
    expect(await affected('libs/domain/src/index.ts')).toEqual(dependantsOf('domain').filter((name) => images.includes(name)));
  }, 60_000);
});
