/**
 * What a running service really answers against what its `/openapi.json` says, for the per-service
 * document tests: the routes of the express app (walked from its router stack) and the operations
 * of the document, both as `METHOD /path/:param`, and the validator's verdict on the document.
 */
import { compileErrors, validate } from '@readme/openapi-parser';
import type { Express } from 'express';

/** An express 5 router layer, as far as the walk reads it (the `router` package's Layer and Route). */
interface Layer {
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  handle: { stack?: Layer[] };
  /** Mounted at the root (`use(fn)` without a path). */
  slash?: boolean;
}

function walk(stack: readonly Layer[], found: string[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const { path, methods } = layer.route;
      if (typeof path !== 'string') throw new Error(`a route whose path is not a string (${String(path)}): the walk cannot compare it`);
      for (const [method, on] of Object.entries(methods)) if (on) found.push(`${method.toUpperCase()} ${path}`);
    } else if (layer.handle.stack) {
      // Every router of a service is mounted at the root; one under a path would need its prefix.
      if (!layer.slash) throw new Error('a router mounted under a path: the walk does not know its prefix');
      walk(layer.handle.stack, found);
    }
  }
}

/** Every route the app has, nested routers included, sorted: `GET /orders/:orderId`. */
export function expressRoutes(app: Express): string[] {
  const found: string[] = [];
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, found);
  return found.sort();
}

interface Document {
  paths?: Record<string, Record<string, { security?: unknown[] }>>;
}

const expressPath = (templated: string) => templated.replace(/\{(\w+)\}/g, ':$1');

/** Every operation of the document, sorted, in express syntax: `GET /orders/:orderId`. */
export function documentedRoutes(document: Document): string[] {
  return Object.entries(document.paths ?? {})
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${expressPath(path)}`))
    .sort();
}

/** The operations that ask for a token (`security`), sorted, in express syntax. */
export function securedRoutes(document: Document): string[] {
  return Object.entries(document.paths ?? {})
    .flatMap(([path, item]) => Object.entries(item).filter(([, operation]) => (operation.security ?? []).length > 0).map(([method]) => `${method.toUpperCase()} ${expressPath(path)}`))
    .sort();
}

/** What @readme/openapi-parser finds wrong with the document (an OpenAPI 3.1 one too); `valid` when nothing. */
export async function openApiVerdict(document: unknown): Promise<string> {
  // The parser dereferences in place: give it a copy.
  const result = await validate(structuredClone(document) as Parameters<typeof validate>[0]);
  return result.valid ? 'valid' : compileErrors(result);
}
