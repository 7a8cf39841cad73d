import { Types } from 'mongoose';

/** Time-ordered string ids (ObjectId hex): sortable, so cursors are plain id comparisons. */
export const newId = (): string => new Types.ObjectId().toHexString();
