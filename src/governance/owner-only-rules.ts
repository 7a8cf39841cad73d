import type { Role } from '../auth/index.js';
import type { PolicyPack } from './packs/index.js';
import { anyCovers } from './taxonomy/index.js';
import type { SubjectState } from './types.js';

/** The static part of the owner-only rules (pack `developerData`, `privateContent`) for one field. */
export interface OwnerOnlyVerdict {
  readonly developerData: boolean;
  readonly supportAccess: boolean;
  readonly ownerOnlyWhenPrivate: boolean;
}

/** True when a developer's support grant can lift DEVELOPER_DATA for these roles under this purpose. */
export function supportGrantsConcern(roles: readonly Role[], purpose: string, pack: PolicyPack): boolean {
  const support = pack.file.developerData?.support;
  return support !== undefined && roles.includes('support') && anyCovers(support.purposes, purpose);
}

/** Computed once per plan (field × roles × purpose), never per value. */
export function ownerOnlyVerdict(category: string, roles: readonly Role[], purpose: string, pack: PolicyPack): OwnerOnlyVerdict {
  const { developerData, privateContent } = pack.file;
  const isDeveloperData = developerData !== undefined && anyCovers(developerData.categories, category);
  return {
    developerData: isDeveloperData,
    supportAccess: isDeveloperData && supportGrantsConcern(roles, purpose, pack),
    ownerOnlyWhenPrivate: privateContent !== undefined && anyCovers(privateContent.categories, category),
  };
}

/** The subject's grant for this agent runs past `now` (per value: a map lookup, nothing allocated). */
export function supportGrantLive(state: SubjectState, agent: string, now: Date): boolean {
  const until = state.supportGrants?.get(agent);
  return until !== undefined && until.getTime() > now.getTime();
}
