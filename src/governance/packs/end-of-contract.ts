import { z } from 'zod';
import { ROLES, type Role } from '../../auth/caller.js';

/**
 * The field that carries a tenant's records at the end of its contract (`exportTenantData`'s
 * `TenantExport.data`). Only the end-of-contract grant below opens it, and it opens nothing else.
 */
export const TENANT_EXPORT_COORDINATE = 'TenantExport.data';

/**
 * Pack field `endOfContract` (001 §5.3(h), GDPR Art. 28(3)(g)): at the end of the contract the
 * processor deletes or returns all personal data, as the customer decides. The listed roles (the
 * customer's tenant admins) may `exportTenantData` (every record of their tenant, content
 * decrypted) and `deleteTenantData` (every record deleted or, under a legal hold, anonymised, then
 * every data key destroyed). Default (no field): neither operation is offered (`FORBIDDEN`).
 */
export const endOfContractSchema = z
  .object({
    roles: z.array(z.enum(ROLES)).min(1),
    source: z.string().min(3),
  })
  .strict();

export type EndOfContractRule = z.infer<typeof endOfContractSchema>;

/**
 * The grant the rule implies: the roles read the whole tenant's records through the one export
 * field, on the contract (Art. 6(1)(b)) the clause rests on. Scoped to that field alone, so the
 * same roles' reads of any other field are decided by the pack's ordinary grants.
 */
export function endOfContractGrants(rule: EndOfContractRule | undefined) {
  if (!rule) return [];
  return rule.roles.map((role: Role) => ({
    role,
    scope: 'tenant' as const,
    categories: ['user'],
    purposes: ['essential'],
    source: rule.source,
    legalBasis: { basis: 'contract' as const, source: rule.source },
    coordinates: [TENANT_EXPORT_COORDINATE],
  }));
}
