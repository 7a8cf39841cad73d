import { DirectiveLocation, GraphQLDirective, GraphQLList, GraphQLNonNull, GraphQLString } from 'graphql';

/** `@governed(category:, purposes:, strategy:)` documents each classified field in the printed SDL. */
export const governedDirective = new GraphQLDirective({
  name: 'governed',
  description: 'The data category of a field, the purposes it may serve, and how it is redacted when it may not leave.',
  locations: [DirectiveLocation.FIELD_DEFINITION],
  args: {
    category: { type: new GraphQLNonNull(GraphQLString) },
    purposes: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(GraphQLString))) },
    strategy: { type: new GraphQLNonNull(GraphQLString) },
  },
});
