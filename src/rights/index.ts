export { subjectStates, type SubjectStates } from './subject-state.js';
