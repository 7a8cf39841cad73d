import { isAsyncIterable } from '@envelop/core';
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { whereOf } from '../errors.js';

interface Http {
  status?: number;
  headers?: Record<string, string>;
  spec?: boolean;
}

/** The same error without an HTTP status (its code, locations, path and headers stay). */
function withoutStatus(error: GraphQLError): GraphQLError {
  const http = error.extensions?.http as Http | undefined;
  if (http?.status === undefined) return error;
  const { status: _status, ...rest } = http;
  return new GraphQLError(error.message, { ...whereOf(error), extensions: { ...error.extensions, http: rest } });
}

/** Every root field is null because of an error at that field: the operation resolved nothing. */
function nothingResolved(data: Record<string, unknown>, errors: readonly GraphQLError[]): boolean {
  const keys = Object.keys(data);
  if (keys.length === 0) return false;
  const failedRoots = new Set(errors.map((e) => e.path?.[0]));
  return keys.every((key) => data[key] === null && failedRoots.has(key));
}

function statusFollowsData(result: ExecutionResult): ExecutionResult {
  const { data, errors } = result;
  if (!errors?.length || data === null || data === undefined) return result;
  // `{ me }` refused: answered as a refusal (data: null, the error's status), not as partial data.
  if (nothingResolved(data, errors)) return { ...result, data: null };
  return { ...result, errors: errors.map(withoutStatus) };
}

/**
 * GraphQL over HTTP (API.md): a response whose `data` is not null is HTTP 200 whatever its field
 * errors, so errors beside data lose their `extensions.http.status`. A response in which no root
 * field resolved carries `data: null` and keeps its errors' status (401, 403, 503 ...).
 * Registered after useSafeErrors, which sets statuses from codes.
 */
export function useStatusFollowsData(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (isAsyncIterable(result)) return;
      setResult(Array.isArray(result) ? result.map(statusFollowsData) : statusFollowsData(result as ExecutionResult));
    },
  };
}
