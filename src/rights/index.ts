export { subjectStates } from './subject-state.js';
