import { costLimitRule, type CostLimitOptions } from '@escape.tech/graphql-armor-cost-limit';
import { Kind, TypeInfo, ValidationContext, visit, type ASTVisitor, type DocumentNode } from 'graphql';

export type CostOptions = CostLimitOptions;

/** What a page size given by a variable counts as: the default largest page (db/paginate.ts). */
export const VARIABLE_PAGE_SIZE = 100;

const PAGE_ARGUMENTS: ReadonlySet<string> = new Set(['first', 'last']);

/** The document with every `first: $v` / `last: $v` read as the largest page. */
function withVariablePages(document: DocumentNode, size: number): DocumentNode {
  return visit(document, {
    Argument: (node) =>
      PAGE_ARGUMENTS.has(node.name.value) && node.value.kind === Kind.VARIABLE ? { ...node, value: { kind: Kind.INT, value: String(size) } } : undefined,
  });
}

/**
 * graphql-armor's cost rule, which multiplies a list's cost by a literal `first`/`last` only: a
 * variable would make a 100-item page cost as much as one item. Validation runs (and is cached)
 * before variables are known, so a variable page counts as the largest page.
 */
export function costWithVariablePages(options: CostOptions, pageSize = VARIABLE_PAGE_SIZE): (context: ValidationContext) => ASTVisitor {
  const rule = costLimitRule(options);
  return (context) => ({
    Document(document) {
      const schema = context.getSchema();
      const priced = withVariablePages(document, pageSize);
      const pricing = new ValidationContext(schema, priced, new TypeInfo(schema), (error) => context.reportError(error));
      visit(priced, rule(pricing) as unknown as ASTVisitor);
      // Nothing else to visit for this rule.
      return false;
    },
  });
}
