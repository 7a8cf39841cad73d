import type { FieldNullability, InputFieldMap, SchemaTypes, TypeParam } from '@pothos/core';
import type { FieldGovernance, TypeGovernance } from '../types.js';
import type { GovernancePlugin } from './plugin.js';

// Declaration merging must repeat Pothos' type parameters even where this plugin does not use them.
/* eslint-disable @typescript-eslint/no-unused-vars, @typescript-eslint/no-namespace */
declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      governance: GovernancePlugin<Types>;
    }

    export interface ObjectTypeOptions<Types extends SchemaTypes = SchemaTypes, Shape = unknown> {
      /** Makes the type governed: every field must then declare `governance`. */
      governance?: TypeGovernance<Shape>;
    }

    export interface ObjectFieldOptions<
      Types extends SchemaTypes,
      ParentShape,
      Type extends TypeParam<Types>,
      Nullable extends FieldNullability<Type>,
      Args extends InputFieldMap,
      ResolveReturnShape,
    > {
      /** Data category, purposes and redaction strategy of this field. */
      governance?: FieldGovernance;
    }
  }
}
