import { v7 } from 'uuid';

/**
 * Time-ordered string ids (UUIDv7): sortable, so cursors are plain id comparisons, and random
 * beyond the millisecond — unlike an ObjectId's process-wide counter, the gap between two ids says
 * nothing about how much other tenants did in between.
 */
export const newId = (): string => v7();

/** The shape of `newId()`'s ids, for validating ids that come back from clients. */
export const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
