import { isCategory, isPersonal, isPurpose, unknownCategoryReason } from '../taxonomy/index.js';
import { STRATEGIES, type FieldGovernance } from '../types.js';

/** Build-time checks of one field's classification; every message names the coordinate. */
export function validateFieldGovernance(coordinate: string, governance: FieldGovernance, shape: { nullable: boolean; list: boolean }): void {
  const fail = (why: string): never => {
    throw new Error(`governance: ${coordinate} ${why}`);
  };
  if (!isCategory(governance.category)) fail(`has data category "${governance.category}": ${unknownCategoryReason(governance.category)}`);
  if (governance.purposes.length === 0) fail('declares no purposes');
  for (const purpose of governance.purposes) if (!isPurpose(purpose)) fail(`has unknown purpose "${purpose}"`);
  if (!(STRATEGIES as readonly string[]).includes(governance.strategy)) fail(`has unknown strategy "${governance.strategy}"`);
  // Non-personal fields are never redacted, so their strategy cannot break the schema.
  if (!isPersonal(governance.category)) return;
  if (governance.strategy === 'null' && !shape.nullable) fail('is non-nullable and cannot use the `null` strategy');
  if (governance.strategy === 'drop' && !shape.list) fail('uses `drop`, which only list fields can');
  if (shape.list && governance.strategy !== 'drop' && governance.strategy !== 'null') fail('is a list: use `drop` or `null`');
}
