/**
 * Calls to the services through the web server (`/api/<service>/…`). Every failure becomes an
 * ApiError with a sentence a person understands, the service's error code and the HTTP status:
 * a 4xx as the API words it, a 5xx, a service that is down (the proxy's 502 names it), or the web
 * server itself not answering.
 *
 * The operator's calls (deposits, restocks, dispatch, deliver: `operator: true`) carry the operator
 * token the person typed into the admin panel, as `Authorization: Bearer`. The web server holds
 * none of its own and hands none out: a visitor who does not know the token cannot do what only an
 * operator may. It is kept for this tab only (sessionStorage), gone when the tab closes.
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
    case 'unauthorized':
      return "This is the operator's to do: enter the operator token in the admin panel on the Shop page (npm start prints it).";
    case 'forbidden':
      return 'The operator token was not accepted: check the one in the admin panel on the Shop page.';
    default:
      if (said) return `${said}${details}`;
      return status >= 500 ? `The ${service} service failed (HTTP ${status}).` : `The ${service} service refused the request (HTTP ${status}).`;
  }
}

const tokenKey = 'webshop.operatorToken';
/** The operator token typed into the admin panel, for this tab; '' when none. */
export const operatorToken = (): string => globalThis.sessionStorage?.getItem(tokenKey) ?? '';
export const setOperatorToken = (token: string): void => {
  if (token.trim()) globalThis.sessionStorage?.setItem(tokenKey, token.trim());
  else globalThis.sessionStorage?.removeItem(tokenKey);
};

export async function api<T>(
  service: Service,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; operator?: boolean } = {},
): Promise<{ status: number; body: T }> {
  let response: Response;
  const token = init.operator ? operatorToken() : '';
  try {
    response = await fetch(`/api/${service}${path}`, {
      method: init.method ?? 'GET',
      headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
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
