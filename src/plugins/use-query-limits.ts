import type { Plugin } from '@envelop/core';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GraphQLError, ValidationContext } from 'graphql';
import { GovgateError } from '../errors.js';
import { costWithVariablePages, type CostOptions } from './cost-with-variable-pages.js';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxTokens: number;
  maxDirectives: number;
  /** armor's cost model (see README): per leaf field, per object field, multiplier per nesting level. */
  costScalar: number;
  costObject: number;
  costDepthFactor: number;
  /** Hide "did you mean" suggestions (schema probing). */
  blockFieldSuggestions: boolean;
}

/** armor prefixes its own limit messages like this; the rest of the message is armor's, never the client's. */
const ARMOR_PREFIX = 'Syntax Error: ';

/** armor's rejection, coded at the source: its message names the limit and the count found. */
const limitExceeded = (error: GraphQLError): GovgateError =>
  new GovgateError('QUERY_LIMIT_EXCEEDED', error.message.startsWith(ARMOR_PREFIX) ? error.message.slice(ARMOR_PREFIX.length) : error.message);

/** armor prints the cost as a raw float ("found 19119.999999999993."): the client reads it rounded up. */
function costExceeded(maxCost: number, error: GraphQLError): GovgateError {
  const found = Number(error.message.slice(error.message.lastIndexOf(' ') + 1, -1));
  return new GovgateError('QUERY_LIMIT_EXCEEDED', `Query cost limit of ${maxCost} exceeded${Number.isFinite(found) ? `, found ${Math.ceil(found)}` : ''}.`);
}

/**
 * graphql-armor's depth, alias, cost, token and directive limits; each rejection is a GovgateError
 * QUERY_LIMIT_EXCEEDED built in armor's `onReject` callback, so no message is ever classified.
 */
export function useQueryLimits(limits: QueryLimits): Plugin {
  // Validation-time limits report like any validation error (HTTP 400) instead of throwing out of
  // the validator.
  const report = { propagateOnRejection: false, onReject: [(ctx: ValidationContext | null, error: GraphQLError) => ctx?.reportError(limitExceeded(error))] };
  const cost: CostOptions = {
    maxCost: limits.maxCost,
    scalarCost: limits.costScalar,
    objectCost: limits.costObject,
    depthCostFactor: limits.costDepthFactor,
    propagateOnRejection: false,
    onReject: [(ctx, error) => ctx?.reportError(costExceeded(limits.maxCost, error))],
  };
  const armor = EnvelopArmorPlugin({
    maxDepth: { n: limits.maxDepth, flattenFragments: true, ...report },
    maxAliases: { n: limits.maxAliases, ...report },
    // Replaced by costWithVariablePages (armor's rule ignores `first: $n`).
    costLimit: { enabled: false },
    // The token limit runs inside the parser (ctx is null there): throwing is the only way out.
    maxTokens: {
      n: limits.maxTokens,
      onReject: [
        (_ctx: ValidationContext | null, error: GraphQLError) => {
          throw limitExceeded(error);
        },
      ],
    },
    maxDirectives: { n: limits.maxDirectives, ...report },
    blockFieldSuggestion: { enabled: limits.blockFieldSuggestions },
  });
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(armor);
      addPlugin({ onValidate: ({ addValidationRule }) => addValidationRule(costWithVariablePages(cost)) });
    },
  };
}
