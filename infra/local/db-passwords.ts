/**
 * The service roles' passwords of `npm start`: `<NAME>_DB_PASSWORD` when set, else the one kept in
 * the state folder (`db-passwords.json`, readable by its owner only, git-ignored with the folder),
 * generated there on first use. Keyed by database name, so a prefixed second shop keeps its own.
 * The local server trusts 127.0.0.1, so they are checked only on a server that asks for one; the
 * roles' privileges (no CONNECT on another's database) hold either way.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { passwordsFromEnv, SERVICE_DATABASES, type ServiceDatabaseName } from '../postgres/create-databases';

type Passwords = Partial<Record<ServiceDatabaseName, string>>;

const fileIn = (state: string) => path.join(state, 'db-passwords.json');
const read = (file: string): Record<string, string> => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {});

/** The passwords as kept (nothing generated): for tools that use a shop `npm start` made, e.g. npm run rebuild. */
export function keptDatabasePasswords(state: string, prefix: string, env: NodeJS.ProcessEnv = process.env): Passwords {
  const kept = read(fileIn(state));
  const given = passwordsFromEnv(env);
  return Object.fromEntries(SERVICE_DATABASES.flatMap((name) => {
    const password = given[name] ?? kept[prefix + name];
    return password ? [[name, password]] : [];
  }));
}

/** Every service's password: given, kept, or generated now and kept. */
export function localDatabasePasswords(state: string, prefix: string, env: NodeJS.ProcessEnv = process.env): Record<ServiceDatabaseName, string> {
  const file = fileIn(state);
  const kept = read(file);
  const missing = SERVICE_DATABASES.filter((name) => !kept[prefix + name]);
  if (missing.length) {
    for (const name of missing) kept[prefix + name] = randomBytes(24).toString('hex');
    writeFileSync(file, `${JSON.stringify(kept, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return { ...(Object.fromEntries(SERVICE_DATABASES.map((name) => [name, kept[prefix + name]!])) as Record<ServiceDatabaseName, string>), ...passwordsFromEnv(env) };
}
