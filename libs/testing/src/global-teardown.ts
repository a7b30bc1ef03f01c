import type { ProvidedInfrastructure } from './infrastructure';

export default async function globalTeardown(): Promise<void> {
  const provided = (globalThis as Record<string, unknown>)['__WEBSHOP_INFRA__'] as ProvidedInfrastructure | undefined;
  await provided?.stop();
}
