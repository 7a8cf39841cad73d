import './gallery.schema.js';

export { GalleryImageRef, VisibilityEnum } from './gallery.schema.js';
export { galleryLoaders, type GalleryLoaders } from './gallery.loaders.js';
export { galleryImageModel, VISIBILITIES, type GalleryImageDoc, type GalleryImageModel, type Visibility } from './gallery-image.model.js';
