/**
 * Per-request state keyed by the context object: created on first use, collected with the
 * request. Features use it for their DataLoaders so nothing is shared between callers.
 */
export function perRequest<C extends object, T>(create: (context: C) => T): (context: C) => T {
  const store = new WeakMap<C, T>();
  return (context) => {
    let value = store.get(context);
    if (value === undefined) {
      value = create(context);
      store.set(context, value);
    }
    return value;
  };
}
