/**
 * One place that decides what a client may read of an error: GovgateErrors pass; every other
 * client error becomes a GovgateError with a fixed, value-free message and a stable code; anything
 * not recognised is masked as INTERNAL_SERVER_ERROR. Messages are never scanned with patterns:
 * errors are recognised by their code, their nodes and the fixed prefixes of graphql-js and Yoga
 * templates, and client-chosen names are capped (see safe-text.ts).
 */
import { Kind, type ASTNode, type GraphQLError, type VariableDefinitionNode } from 'graphql';
import { GovgateError, isGovgateError, whereOf, type ErrorCode } from './errors.js';
import { capQuoted, isName, isPrintedPath, MAX_QUOTED_NAME } from './safe-text.js';

/** Codes that only govgate's own configuration gives (e.g. trusted documents): their messages are ours. */
const OWN_CODES: ReadonlySet<string> = new Set<ErrorCode>(['QUERY_LIMIT_EXCEEDED', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_ONLY']);

/** Literal kinds: an error located at one may quote the literal's text. */
const LITERAL_KINDS: ReadonlySet<string> = new Set([Kind.INT, Kind.FLOAT, Kind.STRING, Kind.BOOLEAN, Kind.NULL, Kind.ENUM, Kind.LIST, Kind.OBJECT]);

/** Starts of graphql-js (and Yoga plugin) validation messages that quote only schema and document names. */
const NAME_ONLY_VALIDATION = [
  'Cannot query field "', 'Cannot spread fragment "', 'Unknown argument "', 'Unknown type "', 'Unknown directive "', 'Unknown fragment "',
  'Variable "$', 'Field "', 'Fields "', 'Fragment "', 'Fragment cannot ', 'There can be only one ', 'Directive "@', 'The directive "@',
  'This anonymous operation ', 'Subscription "', 'Anonymous Subscription ', 'OneOf Input Object "', 'Argument "',
  'GraphQL introspection has been disabled', 'Maximum introspection depth exceeded',
];

/** Starts of Yoga's request-level (BAD_REQUEST) messages that interpolate only types, limits or fixed names. */
const NAME_ONLY_REQUEST = [
  'Can only perform a mutation operation from a POST request.', 'Content-Length header is invalid.', 'GraphQL only supports GET and POST requests.',
  'Invalid "params" in the request body', 'Missing multipart form field', 'Multipart form field "', 'Must provide query string.', 'Batching is ',
  'Expected "', 'Expected params to be an object but given ', 'POST body is expected to be object but received ',
];

/** Variable templates of graphql-js that name the variable and its declared type only. */
const NAME_ONLY_VARIABLE = [' of required type "', ' of non-null type "', ' expected value of type "'];

const startsWithAny = (text: string, prefixes: readonly string[], from = 0): boolean => prefixes.some((p) => text.startsWith(p, from));

interface HttpHints {
  status?: number;
  headers?: Record<string, string>;
}

/**
 * Keeps Yoga's `Allow` headers and, with `keepStatus`, a 4xx such as 405 — never the original's
 * other extensions. Yoga's `spec` hint (answer 200 to `application/json` clients) is dropped: a
 * document that cannot run is a 400 whatever the Accept header says.
 */
function rebuild(error: GraphQLError, code: ErrorCode, message: string, keepStatus = false): GovgateError {
  const http = error.extensions?.http as HttpHints | undefined;
  const hints = { ...(http?.headers ? { headers: http.headers } : {}) };
  const status = keepStatus && typeof http?.status === 'number' && http.status >= 400 && http.status < 500 ? http.status : undefined;
  return new GovgateError(code, message, {
    at: whereOf(error),
    ...(status ? { status } : {}),
    ...(Object.keys(hints).length ? { extensions: { http: hints } } : {}),
  });
}

const SYNTAX = 'Syntax Error: the document is not valid GraphQL.';
const NO_OPERATION = 'Could not determine which operation to execute: operationName must name one operation of the document.';

const masked = (error: GraphQLError): GovgateError => rebuild(error, 'INTERNAL_SERVER_ERROR', 'Unexpected error.');

/** `Expected value of type "T", found …` → T, when T is a printed schema type. */
function expectedType(message: string): string | null {
  const prefix = 'Expected value of type "';
  if (message.startsWith(prefix)) {
    const end = message.indexOf('"', prefix.length);
    const type = end === -1 ? '' : message.slice(prefix.length, end);
    return type.length <= MAX_QUOTED_NAME && isName(type.replaceAll('[', '').replaceAll(']', '').replaceAll('!', '')) ? type : null;
  }
  // Scalars (graphql-js and graphql-scalars) word their literal errors "<Scalar> cannot represent …".
  const space = message.indexOf(' ');
  const first = space === -1 ? '' : message.slice(0, Math.min(space, MAX_QUOTED_NAME + 1));
  return isName(first) && message.startsWith(' cannot represent ', space) ? first : null;
}

function literalError(error: GraphQLError): GovgateError {
  const type = expectedType(error.message);
  return rebuild(error, 'BAD_USER_INPUT', type ? `Expected value of type "${type}"; the value given is not valid.` : 'A value in the document is not valid.');
}

function validationError(error: GraphQLError): GovgateError {
  const { message } = error;
  const node: ASTNode | undefined = error.nodes?.[0];
  // Required/non-null input-field errors sit on an object literal but name schema fields only.
  const fieldOfLiteral = message.startsWith('Field "') && (message.endsWith(' was not provided.') || message.endsWith(' must be non-null.'));
  if (node && LITERAL_KINDS.has(node.kind) && !fieldOfLiteral && !message.startsWith('OneOf Input Object "')) return literalError(error);
  // A scalar's parse error may arrive without nodes; only known name-only templates keep their words.
  if (!startsWithAny(message, NAME_ONLY_VALIDATION)) return expectedType(message) ? literalError(error) : rebuild(error, 'GRAPHQL_VALIDATION_FAILED', 'The document is not valid for this schema.');
  return rebuild(error, 'GRAPHQL_VALIDATION_FAILED', capQuoted(message));
}

/**
 * graphql-js words it `Variable "$v" got invalid value <value> at "v.path"; <reason>`, where value
 * and reason may hold client text. The path is kept only when it is exactly the printed-path
 * suffix that precedes `; <reason>` (reason = the original error's message).
 */
function invalidVariablePath(error: GraphQLError, name: string): string | null {
  const reason = error.originalError?.message;
  if (reason === undefined || !error.message.endsWith(`; ${reason}`)) return null;
  const prefix = error.message.slice(0, error.message.length - reason.length - 2);
  // A string value is printed JSON-escaped, so ` at "` followed by the name cannot come from a value.
  const marker = ` at "${name}`;
  const at = prefix.lastIndexOf(marker);
  if (at === -1 || !prefix.endsWith('"')) return null;
  const path = prefix.slice(at + 5, -1);
  return isPrintedPath(path) && (path[name.length] === '.' || path[name.length] === '[') ? path : null;
}

function variableError(error: GraphQLError, definition: VariableDefinitionNode): GovgateError {
  const name = definition.variable.name.value;
  const head = `Variable "$${name}"`;
  if (error.message.startsWith(head) && startsWithAny(error.message, NAME_ONLY_VARIABLE, head.length)) {
    return rebuild(error, 'BAD_USER_INPUT', capQuoted(error.message));
  }
  const path = invalidVariablePath(error, name);
  return rebuild(error, 'BAD_USER_INPUT', capQuoted(path ? `${head} got an invalid value at "${path}".` : `${head} got an invalid value.`));
}

/** Argument errors raised while executing (graphql-js `getArgumentValues`). */
function argumentError(error: GraphQLError): GovgateError {
  const prefix = 'Argument "';
  const end = error.message.indexOf('"', prefix.length);
  const name = error.message.slice(prefix.length, end);
  if (end === -1 || !isName(name)) return masked(error);
  if (startsWithAny(error.message, [' of required type "', ' of non-null type "'], end + 1)) return rebuild(error, 'BAD_USER_INPUT', capQuoted(error.message));
  return rebuild(error, 'BAD_USER_INPUT', capQuoted(`Argument "${name}" has an invalid value.`));
}

/** Yoga's request parsing and checks: the JSON error carries the body's text in extensions.originalError. */
function requestError(error: GraphQLError): GovgateError {
  const { message } = error;
  const safe = message.startsWith('POST body sent invalid JSON')
    ? 'The request body is not valid JSON.'
    : message.startsWith('Unexpected parameter "')
      ? 'The request body has an unexpected parameter (allowed: query, variables, operationName, extensions).'
      : startsWithAny(message, NAME_ONLY_REQUEST)
        ? capQuoted(message)
        : 'The request is not a valid GraphQL request.';
  return rebuild(error, 'BAD_USER_INPUT', safe, true);
}

/** The client-safe form of any error about to leave the gateway. */
export function safeError(error: GraphQLError): GraphQLError {
  // A GovgateError thrown by a resolver arrives wrapped by graphql-js (located at its field).
  if (isGovgateError(error) || isGovgateError(error.originalError)) return error;
  const code = error.extensions?.code;
  const { message } = error;
  if (error.extensions?.unexpected === true || code === 'INTERNAL_SERVER_ERROR') return masked(error);
  if (typeof code === 'string' && OWN_CODES.has(code)) return rebuild(error, code as ErrorCode, capQuoted(message));
  switch (code) {
    case 'BAD_REQUEST':
      return requestError(error);
    case 'GRAPHQL_PARSE_FAILED':
      return rebuild(error, 'GRAPHQL_PARSE_FAILED', SYNTAX);
    case 'GRAPHQL_VALIDATION_FAILED':
      return validationError(error);
    case 'OPERATION_RESOLUTION_FAILURE':
      return rebuild(error, 'BAD_USER_INPUT', NO_OPERATION);
    default:
  }
  const node = error.nodes?.[0];
  if (!error.path && node?.kind === Kind.VARIABLE_DEFINITION) return variableError(error, node);
  if (message.startsWith('Syntax Error: ')) return rebuild(error, 'GRAPHQL_PARSE_FAILED', SYNTAX);
  if (message.startsWith('Unknown operation named "') || message.startsWith('Must provide operation name')) return rebuild(error, 'BAD_USER_INPUT', NO_OPERATION);
  if (message.startsWith('Schema is not configured to execute ')) return rebuild(error, 'BAD_USER_INPUT', capQuoted(message));
  if (message.startsWith('Too many errors processing variables')) return rebuild(error, 'BAD_USER_INPUT', 'Too many invalid variables.');
  if (error.path && message.startsWith('Argument "')) return argumentError(error);
  return masked(error);
}
