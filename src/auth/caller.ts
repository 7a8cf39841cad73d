/** Roles named in API.md; unknown role strings in a token are ignored, never trusted. */
export const ROLES = ['user', 'developer', 'support', 'ml_engineer', 'analyst', 'compliance_officer', 'tenant_admin', 'service'] as const;
export type Role = (typeof ROLES)[number];
const roleSet: ReadonlySet<string> = new Set(ROLES);
export const isRole = (value: string): value is Role => roleSet.has(value);

/** Who is asking. Anonymous callers have no subject or tenant and see public fields only. */
export interface Caller {
  readonly authenticated: boolean;
  readonly subject: string | null;
  readonly tenant: string | null;
  readonly roles: readonly Role[];
  /** Purposes the token allows this client to declare; null = any its roles are granted. */
  readonly purposes: readonly string[] | null;
}

export interface AuthenticatedCaller extends Caller {
  readonly authenticated: true;
  readonly subject: string;
  readonly tenant: string;
}

export const ANONYMOUS: Caller = Object.freeze({ authenticated: false, subject: null, tenant: null, roles: [], purposes: null });

export const isAuthenticated = (caller: Caller): caller is AuthenticatedCaller => caller.authenticated;
