import { requireAuthenticated } from '../../auth/index.js';
import { builder } from '../../builder.js';
import { GovgateError } from '../../errors.js';
import { parseInput } from '../../validate.js';
import { UserRef, userLoaders } from '../users/index.js';
import { galleryLoaders } from './gallery.loaders.js';
import { galleryImageModel, VISIBILITIES, type GalleryImageDoc } from './gallery-image.model.js';
import { createGalleryImageSchema, setVisibilitySchema } from './gallery.inputs.js';
import { setVisibility } from './visibility-writer.js';
import { openContent } from '../../keys/index.js';

export const VisibilityEnum = builder.enumType('Visibility', { values: VISIBILITIES });
export const GalleryImageRef = builder.objectRef<GalleryImageDoc>('GalleryImage');

const OPERATIONAL = { category: 'system.operations', purposes: ['essential', 'analytics.reporting', 'train_ai_system'], strategy: 'null' } as const;
// The prompt is part of the artwork as a gallery shows it: one category for prompt and image, so a
// pack can open public images without opening conversation prompts (user.content.private.ai_prompt).
const ARTWORK = {
  category: 'user.content.private.generated_media',
  purposes: ['essential.service', 'essential.legal_obligation', 'train_ai_system', 'functional.service.improve'],
  strategy: 'null',
} as const;

GalleryImageRef.implement({
  description: "An AI-generated image in its creator's gallery: private until the creator makes it public.",
  governance: {
    subjectOf: (i) => i.owner,
    tenantOf: (i) => i.tenant,
    timestampOf: (i) => i.createdAt,
    optedOutOf: (i) => i.mipOptOut,
    visibilityOf: (i) => i.visibility,
  },
  fields: (t) => ({
    id: t.exposeID('_id', { governance: OPERATIONAL }),
    prompt: t.string({ nullable: true, governance: ARTWORK, resolve: (g, _args, ctx) => openContent(ctx, 'gallery_images', 'prompt', g, g.prompt) }),
    imageUrl: t.string({
      nullable: true,
      description: 'Where the image is stored (https URL or object key).',
      governance: ARTWORK,
      resolve: (g, _args, ctx) => openContent(ctx, 'gallery_images', 'imageUrl', g, g.imageUrl),
    }),
    // Whether the record is shown at all is the rule, not a secret: a private image's content is redacted with reason PRIVATE.
    visibility: t.expose('visibility', { type: VisibilityEnum, governance: OPERATIONAL }),
    owner: t.field({
      type: UserRef,
      nullable: true,
      governance: { category: 'user.unique_id', purposes: ['essential', 'analytics.reporting', 'train_ai_system', 'functional.service.improve'], strategy: 'null' },
      resolve: (i, _args, ctx) => userLoaders(ctx).bySubject.load(i.owner),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', governance: OPERATIONAL }),
  }),
});

builder.queryFields((t) => ({
  galleryImage: t.field({
    type: GalleryImageRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => {
      requireAuthenticated(ctx.caller);
      return galleryLoaders(ctx).byId.load(String(id));
    },
  }),
  myGalleryImages: t.field({
    type: [GalleryImageRef],
    description: "The caller's own gallery, oldest first.",
    resolve: (_root, _args, ctx) => galleryLoaders(ctx).byOwner.load(requireAuthenticated(ctx.caller).subject),
  }),
}));

builder.mutationFields((t) => ({
  createGalleryImage: t.field({
    type: GalleryImageRef,
    description: "Save a generated image to the caller's gallery, PRIVATE until made public (004 §4.4).",
    args: { prompt: t.arg.string({ required: true }), imageUrl: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const caller = requireAuthenticated(ctx.caller);
      const input = parseInput(createGalleryImageSchema, args);
      const created = await galleryImageModel(ctx.connection).create({ tenant: caller.tenant, owner: caller.subject, ...input, visibility: 'PRIVATE', mipOptOut: ctx.mipOptOut });
      return created.toObject();
    },
  }),
  setGalleryImageVisibility: t.field({
    type: GalleryImageRef,
    description: 'Make one of the caller\'s images PUBLIC or PRIVATE again (004 §8.4). Only the owner may.',
    args: { id: t.arg.id({ required: true }), visibility: t.arg({ type: VisibilityEnum, required: true }) },
    resolve: async (_root, args, ctx) => {
      const caller = requireAuthenticated(ctx.caller);
      const input = parseInput(setVisibilitySchema, { id: String(args.id), visibility: args.visibility });
      const updated = await setVisibility(ctx, caller.tenant, caller.subject, input.id, input.visibility);
      // Same answer for another tenant's, another user's and a missing image.
      if (!updated) throw new GovgateError('BAD_USER_INPUT', 'gallery image not found');
      return updated;
    },
  }),
}));
