/**
 * One key of the taxonomy as data: what a compliance officer reads next to the bare key. fideslang
 * keys carry fideslang's own name and description and the fideslang version that added them;
 * govgate's extensions (AI content, API usage, face data) say so and carry no fideslang version.
 */
export interface TaxonomyRecord {
  readonly key: string;
  /** The dotted parent (`user.contact` of `user.contact.email`), null at a root. */
  readonly parent: string | null;
  readonly name: string;
  readonly description: string;
  /** The fideslang version the key was added in; null for a govgate extension. */
  readonly fideslangVersion: string | null;
  /** `fideslang`: Ethyca's default taxonomy; `govgate`: an extension fideslang has no key for. */
  readonly origin: 'fideslang' | 'govgate';
}

/** A key fideslang deprecated (or govgate renamed onto a fideslang key): refused, naming its successor. */
export interface ReplacedKey {
  readonly key: string;
  readonly replacedBy: string;
  /** Where the replacement comes from, e.g. "fideslang 3.2.0". */
  readonly since: string;
}

const parentOf = (key: string): string | null => (key.includes('.') ? key.slice(0, key.lastIndexOf('.')) : null);

/** A key of fideslang's default taxonomy, with fideslang's name and description. */
export const fideslang = (key: string, name: string, description: string, version: string): TaxonomyRecord =>
  Object.freeze({ key, parent: parentOf(key), name, description, fideslangVersion: version, origin: 'fideslang' });

/** A govgate extension: a key fideslang has no equivalent for. */
export const extension = (key: string, name: string, description: string): TaxonomyRecord =>
  Object.freeze({ key, parent: parentOf(key), name, description, fideslangVersion: null, origin: 'govgate' });
