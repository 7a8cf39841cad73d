/**
 * The access policy the peer variants (B graphql-shield, C scope-auth) enforce: the static part of
 * govgate's `deepailab` pack for the roles the bench uses, written the way a team would without a
 * governance layer, plus the consent rule (peer-consent.ts, which A applies in its resolvers).
 * Role checks need only the context; owner / tenant / consent checks need the parent.
 * What a peer cannot express without loading more per-subject state (restriction, objection,
 * erasure, age, retention, opt-outs) is not enforced: that is work only D does.
 */
import type { Role } from '../../src/auth/index.js';
import type { PeerContext } from './common.js';

export { consentAllows } from './peer-consent.js';

/** user.unique_id (the ML engineer's training grant includes it). */
export const UNIQUE_ID_ROLES: readonly Role[] = ['service', 'support', 'tenant_admin', 'compliance_officer', 'ml_engineer'];
/** user.name (support sees identity, not contact details or content). */
export const IDENTITY_ROLES: readonly Role[] = ['service', 'support', 'tenant_admin', 'compliance_officer'];
/** user.contact.* */
export const CONTACT_ROLES: readonly Role[] = ['service', 'tenant_admin', 'compliance_officer'];
/** user.demographic.*, user.location.* */
export const PROFILE_ROLES: readonly Role[] = ['service', 'compliance_officer'];
/** user.content.private.* (conversations, titles, messages); the ML engineer's only with the subject's consent. */
export const CONTENT_ROLES: readonly Role[] = ['service', 'compliance_officer', 'ml_engineer'];

export const hasAnyRole = (ctx: PeerContext, roles: readonly Role[]): boolean => ctx.caller.roles.some((r) => roles.includes(r));

/** Values carry their tenant; another tenant's value is never shown (the loaders filter too). */
export const sameTenant = (value: { tenant: string }, ctx: PeerContext): boolean => ctx.caller.authenticated && value.tenant === ctx.caller.tenant;

/** The caller's own data is always theirs to see. */
export const isOwner = (subject: string, value: { tenant: string }, ctx: PeerContext): boolean =>
  sameTenant(value, ctx) && ctx.caller.subject === subject;
