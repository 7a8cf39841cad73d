import { anyCovers, covers } from './taxonomy/index.js';

/** Training an AI system: the purpose an objection to "training" names (Art. 21). */
export const TRAIN_AI_SYSTEM = 'train_ai_system';

/**
 * Purposes that are model training whatever they are called: `functional.service.improve` is
 * model improvement, i.e. training on the subject's content. A pack may add more
 * (`trainingPurposes`). Training-like purposes get the opt-out, the objection-to-training rule,
 * and (checked when a pack loads) consent and the minors rule.
 */
export const BUILT_IN_TRAINING_PURPOSES: readonly string[] = Object.freeze([TRAIN_AI_SYSTEM, 'functional.service.improve']);

/** The built-in training-like purposes plus the ones a pack declares, without duplicates. */
export function trainingPurposesOf(declared: readonly { readonly purpose: string }[] = []): readonly string[] {
  return Object.freeze([...new Set([...BUILT_IN_TRAINING_PURPOSES, ...declared.map((d) => d.purpose)])]);
}

/** True when the purpose is (a child of) a training-like purpose. */
export const isTrainingUse = (training: readonly string[], purpose: string): boolean => anyCovers(training, purpose);

/**
 * Whether the subject's objections stop the purpose: an objection covers its purpose and that
 * purpose's children, and an objection to `train_ai_system` covers every training-like purpose
 * (`trainingUse`: the purpose is one). A loop, not `some`: this runs per value.
 */
export function objectionCovers(objections: readonly string[], purpose: string, trainingUse: boolean): boolean {
  for (const objected of objections) {
    if (covers(objected, purpose) || (trainingUse && covers(objected, TRAIN_AI_SYSTEM))) return true;
  }
  return false;
}
