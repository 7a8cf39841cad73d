import { isAsyncIterable } from '@envelop/core';
import type { ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { GovgateError } from '../errors.js';
import { safeError } from '../safe-error.js';

const safeResult = (result: ExecutionResult): ExecutionResult =>
  result.errors?.length ? { ...result, errors: result.errors.map((e) => safeError(e as GraphQLError)) } : result;

/**
 * The one error-formatting step: every error of every response, whichever phase produced it
 * (request parsing, parsing, validation, variables, execution, context), is replaced by its
 * client-safe form just before it is serialised. Yoga runs these hooks for error-only responses too.
 * Streamed results are refused by useGovernance, so they are not rewritten here.
 */
export function useSafeErrors(): Plugin {
  return {
    // Yoga's GET and form parsers JSON.parse `variables` and `extensions` unguarded: a SyntaxError
    // there is the client's input, not an internal error to be masked as a 500.
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (error) {
          if (error instanceof SyntaxError) throw new GovgateError('BAD_USER_INPUT', 'The variables or extensions parameter is not valid JSON.');
          throw error;
        }
      });
    },
    onResultProcess({ result, setResult }) {
      if (isAsyncIterable(result)) return;
      setResult(Array.isArray(result) ? result.map(safeResult) : safeResult(result as ExecutionResult));
    },
  };
}
