import './profile.schema.js';
import './export.schema.js';
import './access-log.schema.js';

export { EXPORT_SOURCES, NOT_ABOUT_THE_SUBJECT, EXPORT_KEYS, type ExportSource } from './export-sources.js';
export { accessLogPage, type AccessLogEntry } from './access-log.js';
