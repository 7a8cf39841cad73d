// The bearer token lives in this tab's sessionStorage only (gone when the tab closes, never shared
// with other tabs, never in localStorage). Its claims are read for display; the gateway verifies it.

const KEY = 'govgate.console.token';

export interface Claims {
  readonly subject: string;
  readonly tenant: string;
  readonly roles: readonly string[];
  /** Seconds since the epoch, if the token says. */
  readonly expiresAt: number | null;
}

export interface Session {
  readonly token: string;
  readonly claims: Claims;
}

const strings = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

/** The claims of a compact JWT, or null when it is not one govgate would read. Not a verification. */
export function claimsOf(token: string): Claims | null {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(parts[1].length / 4) * 4, '='));
    const payload = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
    if (typeof payload.sub !== 'string' || typeof payload.tenant !== 'string' || !strings(payload.roles)) return null;
    return { subject: payload.sub, tenant: payload.tenant, roles: payload.roles, expiresAt: typeof payload.exp === 'number' ? payload.exp : null };
  } catch {
    return null;
  }
}

export function loadSession(): Session | null {
  const token = sessionStorage.getItem(KEY);
  const claims = token ? claimsOf(token) : null;
  return token && claims ? { token, claims } : null;
}

export function saveSession(token: string): Session | null {
  const claims = claimsOf(token);
  if (!claims) return null;
  sessionStorage.setItem(KEY, token);
  return { token, claims };
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}

export const isComplianceOfficer = (session: Session | null): boolean => session?.claims.roles.includes('compliance_officer') ?? false;

export const isExpired = (session: Session): boolean => session.claims.expiresAt !== null && session.claims.expiresAt * 1000 <= Date.now();
