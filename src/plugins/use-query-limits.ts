import type { Plugin } from '@envelop/core';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, type ValidationContext } from 'graphql';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxTokens: number;
  maxDirectives: number;
  /** Hide "did you mean" suggestions (schema probing). */
  blockFieldSuggestions: boolean;
}

const LIMIT_MESSAGE = /\b(depth|alias(es)?|cost|tokens?|directives?)\b.*\b(limit|exceeded)\b/i;

const withCode = <E extends Error>(error: E): E | GraphQLError =>
  error instanceof GraphQLError && LIMIT_MESSAGE.test(error.message) && error.extensions?.code === undefined
    ? new GraphQLError(error.message.replace(/^Syntax Error: /, ''), {
        nodes: error.nodes ?? null,
        extensions: { ...error.extensions, code: 'QUERY_LIMIT_EXCEEDED', http: { status: 400 } },
      })
    : error;

/**
 * graphql-armor's depth, alias, cost, token and directive limits, with their rejections carrying
 * the stable code QUERY_LIMIT_EXCEEDED (armor reports them as plain validation/syntax errors).
 */
export function useQueryLimits(limits: QueryLimits): Plugin {
  // Validation-time limits report like any validation error (HTTP 400) instead of throwing out of
  // the validator; the token limit runs in the parser, where throwing is the only way.
  const report = { propagateOnRejection: false, onReject: [(ctx: ValidationContext | null, error: GraphQLError) => ctx?.reportError(withCode(error) as GraphQLError)] };
  const armor = EnvelopArmorPlugin({
    maxDepth: { n: limits.maxDepth, flattenFragments: true, ...report },
    maxAliases: { n: limits.maxAliases, ...report },
    costLimit: { maxCost: limits.maxCost, ...report },
    maxTokens: { n: limits.maxTokens },
    maxDirectives: { n: limits.maxDirectives, ...report },
    blockFieldSuggestion: { enabled: limits.blockFieldSuggestions },
  });
  const codes: Plugin = {
    // Registered after armor, so this parser wraps armor's token-limited one.
    onParse({ parseFn, setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parseFn(source, options);
        } catch (error) {
          throw withCode(error as Error);
        }
      });
    },
    onValidate() {
      return ({ result, setResult }) => {
        if (result.some((e) => LIMIT_MESSAGE.test(e.message))) setResult(result.map((e) => withCode(e) as GraphQLError));
      };
    },
  };
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(armor);
      addPlugin(codes);
    },
  };
}
