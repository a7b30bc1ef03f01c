import { Router } from 'express';
import type { AddressInfo } from 'node:net';
import { ConfigError } from './config';
import { createHttpApp } from './http-app';
import { createLogger } from './logger';
import { operatorAccess } from './operator-access';

/** An app with one operator route, served on a free port; answers the status and error code of a POST to it. */
async function serve(access: ReturnType<typeof operatorAccess>) {
  const routes = Router().post('/restock', access.operatorOnly, (_req, res) => void res.json({ done: true }));
  const server = createHttpApp({ logger: createLogger({ service: 'stock' }, 'silent'), routes }).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  const post = async (authorization?: string) => {
    const answer = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/restock`, { method: 'POST', headers: authorization ? { authorization } : {} });
    return [answer.status, ((await answer.json()) as { error?: string }).error ?? 'done'];
  };
  return { post, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('operator access', () => {
  it('refuses to be made without a token for a service with operator routes, naming ADMIN_TOKENS and the demo mode', () => {
    expect(() => operatorAccess({ ADMIN_TOKENS: [] })).toThrow(ConfigError);
    expect(() => operatorAccess({})).toThrow(/ADMIN_TOKENS: is required.*ADMIN_AUTH=off/s);
  });

  it('accepts any of several tokens (a rotation), and no other', async () => {
    const app = await serve(operatorAccess({ ADMIN_TOKENS: ['first-token-0123456789', 'second-token-0123456789'] }));
    try {
      expect(await app.post('Bearer first-token-0123456789')).toEqual([200, 'done']);
      expect(await app.post('Bearer second-token-0123456789')).toEqual([200, 'done']);
      expect(await app.post('Bearer first-token-0123456789,second-token-0123456789')).toEqual([403, 'forbidden']);
      expect(await app.post('Bearer  ')).toEqual([401, 'unauthorized']);
      expect(await app.post()).toEqual([401, 'unauthorized']);
    } finally {
      await app.close();
    }
  });

  it('in a service without operator routes and no token, is closed: an operator route asked for anyway is 403', async () => {
    const app = await serve(operatorAccess({}, { hasOperatorRoutes: false }));
    try {
      expect(await app.post('Bearer anything-at-all-0123456789')).toEqual([403, 'forbidden']);
    } finally {
      await app.close();
    }
  });

  it('in the demo mode (ADMIN_AUTH=off) is open, with or without tokens', async () => {
    const app = await serve(operatorAccess({ ADMIN_AUTH: 'off' }));
    try {
      expect(await app.post()).toEqual([200, 'done']);
    } finally {
      await app.close();
    }
  });
});
