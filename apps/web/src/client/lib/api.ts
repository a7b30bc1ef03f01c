/**
 * Calls to the services through the web server (`/api/<service>/…`). Every failure becomes an
 * ApiError with a sentence a person understands, the service's error code and the HTTP status:
 * a 4xx as the API words it, a 5xx, a service that is down (the proxy's 502 names it), or the web
 * server itself not answering.
 */
export type Service = 'orders' | 'payment' | 'stock' | 'shipping' | 'email';

interface ErrorBody {
  error?: string;
  message?: string;
  details?: Array<{ path: string; message: string }>;
}

export class ApiError extends Error {
  constructor(
    readonly service: Service | 'web',
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What a person reads for an error body: the API's own words, with a sentence around the codes that need one. */
export function explain(service: Service | 'web', status: number, body: ErrorBody | null): string {
  const said = body?.message ?? '';
  const details = body?.details?.length ? ` (${body.details.map((d) => `${d.path}: ${d.message}`).join('; ')})` : '';
  switch (body?.error) {
    case 'service_unavailable':
      return said || `The ${service} service is not answering right now.`;
    case 'not_ready':
      return `The ${service} service is still starting. ${said}`;
    case 'unavailable':
      return `The ${service} service cannot reach its database at the moment; try again shortly. ${said}`;
    case 'validation_failed':
      return `The ${service} service refused the request: ${said}${details}`;
    case 'not_found':
      return `Not found (${service}): ${said}`;
    default:
      if (said) return `${said}${details}`;
      return status >= 500 ? `The ${service} service failed (HTTP ${status}).` : `The ${service} service refused the request (HTTP ${status}).`;
  }
}

export async function api<T>(service: Service, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: T }> {
  let response: Response;
  try {
    response = await fetch(`/api/${service}${path}`, {
      method: init.method ?? 'GET',
      headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    throw new ApiError('web', 0, 'network_error', 'The web server is not answering. Is it running?');
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const body = (parsed && typeof parsed === 'object' ? parsed : null) as ErrorBody | null;
    throw new ApiError(service, response.status, body?.error ?? `http_${response.status}`, explain(service, response.status, body));
  }
  return { status: response.status, body: parsed as T };
}

export const money = (cents: number) => new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' }).format(cents / 100);

export const knownCustomers = ['alice', 'bob', 'carol', 'dave'];
