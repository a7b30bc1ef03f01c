import { randomBytes } from 'node:crypto';

/** A name no other test (in this run or any other) uses: topics, groups, databases. */
export function uniqueName(prefix: string): string {
  const safe = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return `${safe}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}
