/** Tenant ID validation as done by dskit's `tenant.TenantID` (vendor/github.com/grafana/dskit/tenant). */

const MAX_TENANT_ID_BYTES = 150;

function isSupported(c: string): boolean {
  return /^[A-Za-z0-9!\-_.*'()]$/.test(c);
}

function validateTenantId(id: string): string | undefined {
  for (const c of id) {
    if (!isSupported(c)) return `tenant ID '${id}' contains unsupported character '${c}'`;
  }
  if (Buffer.byteLength(id, 'utf8') > MAX_TENANT_ID_BYTES)
    return `tenant ID is too long: max ${MAX_TENANT_ID_BYTES} characters`;
  if (id === '.' || id === '..') return "tenant ID is '.' or '..'";
  return undefined;
}

/** Result of {@link resolveTenant}: the tenant, or an HTTP status and message. */
export type TenantResult = { tenant: string } | { status: number; message: string };

/**
 * Resolves the tenant of a request. With auth off every request belongs to `fake`; with auth on the
 * `X-Scope-OrgID` header is required (401 `no org id`), every `|`-separated ID must be valid and only one
 * distinct ID may be given (400 otherwise).
 */
export function resolveTenant(header: string | string[] | undefined, authEnabled: boolean): TenantResult {
  if (!authEnabled) return { tenant: 'fake' };
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return { status: 401, message: 'no org id' };
  const ids = value.split('|');
  for (const id of ids) {
    const err = validateTenantId(id);
    if (err) return { status: 400, message: err };
  }
  const distinct = new Set(ids);
  if (distinct.size > 1) return { status: 400, message: 'multiple org IDs present' };
  return { tenant: ids[0]! };
}
