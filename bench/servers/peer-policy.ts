/**
 * The access policy the peer variants (B graphql-shield, C scope-auth) enforce: the static part of
 * govgate's `deepailab` pack for the roles the bench uses, written the way a team would without a
 * governance layer. Role checks need only the context; owner / tenant checks need the parent.
 * What a peer cannot express without loading per-subject state (restriction, objection, consent,
 * erasure, retention) is not enforced: that is the work only D does.
 */
import type { Role } from '../../src/auth/index.js';
import type { PeerContext } from './common.js';

/** user.unique_id, user.name (support sees identity, not contact details or content). */
export const IDENTITY_ROLES: readonly Role[] = ['service', 'support', 'tenant_admin', 'compliance_officer'];
/** user.contact.* */
export const CONTACT_ROLES: readonly Role[] = ['service', 'tenant_admin', 'compliance_officer'];
/** user.demographic.*, user.location.* */
export const PROFILE_ROLES: readonly Role[] = ['service', 'compliance_officer'];
/** user.content.private.* (conversations, titles, messages). */
export const CONTENT_ROLES: readonly Role[] = ['service', 'compliance_officer'];

export const hasAnyRole = (ctx: PeerContext, roles: readonly Role[]): boolean => ctx.caller.roles.some((r) => roles.includes(r));

/** Values carry their tenant; another tenant's value is never shown (the loaders filter too). */
export const sameTenant = (value: { tenant: string }, ctx: PeerContext): boolean => ctx.caller.authenticated && value.tenant === ctx.caller.tenant;

/** The caller's own data is always theirs to see. */
export const isOwner = (subject: string, value: { tenant: string }, ctx: PeerContext): boolean =>
  sameTenant(value, ctx) && ctx.caller.subject === subject;
