import './media.schema.js';

export { MediaKindEnum, MediaUploadRef } from './media.schema.js';
export { mediaLoaders, type MediaLoaders } from './media.loaders.js';
export { MEDIA_KINDS, mediaUploadModel, type MediaKind, type MediaUploadDoc, type MediaUploadModel } from './media-upload.model.js';
