import './audit.schema.js';
import './decision-stats.schema.js';
import './record-of-processing.schema.js';

export { recordOfProcessing, recordAsMarkdown, type RecordOfProcessing } from './record-of-processing.js';
import './explain.schema.js';
import './dry-run.schema.js';
