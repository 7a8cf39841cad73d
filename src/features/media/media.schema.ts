import { requireAuthenticated } from '../../auth/index.js';
import { builder } from '../../builder.js';
import { parseInput } from '../../validate.js';
import { UserRef, userLoaders } from '../users/index.js';
import { mediaUploadInputSchema } from './media.inputs.js';
import { mediaLoaders } from './media.loaders.js';
import { MEDIA_KINDS, mediaUploadModel, type MediaKind, type MediaUploadDoc } from './media-upload.model.js';
import type { GatewayContext } from '../../context.js';
import { openContent } from '../../keys/index.js';

export const MediaKindEnum = builder.enumType('MediaKind', { values: MEDIA_KINDS });
export const MediaUploadRef = builder.objectRef<MediaUploadDoc>('MediaUpload');

// File metadata (kind, MIME type, length) says nothing about the person; the file and its transcript do.
const OPERATIONAL = { category: 'system.operations', purposes: ['essential', 'analytics.reporting', 'train_ai_system'], strategy: 'null' } as const;
// 001 §5.1.7: media assets are stored for debugging and for training where the user opted in.
const MEDIA_PURPOSES = ['essential.service', 'essential.legal_obligation', 'train_ai_system', 'functional.service.improve'];
const fileOf = (kind: MediaKind) => (u: MediaUploadDoc, _args: object, ctx: GatewayContext) => (u.kind === kind ? openContent(ctx, 'media_uploads', 'location', u, u.location) : null);

MediaUploadRef.implement({
  description: 'A voice, video or image file the user uploaded: metadata and where it is stored, never the bytes.',
  governance: { subjectOf: (u) => u.owner, tenantOf: (u) => u.tenant, timestampOf: (u) => u.createdAt, optedOutOf: (u) => u.mipOptOut },
  fields: (t) => ({
    id: t.exposeID('_id', { governance: OPERATIONAL }),
    kind: t.expose('kind', { type: MediaKindEnum, governance: OPERATIONAL }),
    contentType: t.exposeString('contentType', { governance: OPERATIONAL }),
    durationSeconds: t.exposeFloat('durationSeconds', { nullable: true, governance: OPERATIONAL }),
    // One field per kind, so each file carries its own category: a voice is biometric (001 §7.8),
    // a video carries face and voice, an uploaded photo is (usually) of the user (000: human-like AI employees).
    voiceRecording: t.string({
      nullable: true,
      description: 'For VOICE: where the recording is stored (https URL or object key).',
      governance: { category: 'user.biometrics.voice', purposes: MEDIA_PURPOSES, strategy: 'null' },
      resolve: fileOf('VOICE'),
    }),
    videoRecording: t.string({
      nullable: true,
      description: 'For VIDEO: where the recording is stored.',
      governance: { category: 'user.biometrics', purposes: MEDIA_PURPOSES, strategy: 'null' },
      resolve: fileOf('VIDEO'),
    }),
    image: t.string({
      nullable: true,
      description: 'For IMAGE: where the image is stored.',
      governance: { category: 'user.content.self_image', purposes: MEDIA_PURPOSES, strategy: 'null' },
      resolve: fileOf('IMAGE'),
    }),
    transcript: t.string({
      nullable: true,
      governance: { category: 'user.content.private.upload', purposes: MEDIA_PURPOSES, strategy: 'null' },
      resolve: (u, _args, ctx) => openContent(ctx, 'media_uploads', 'transcript', u, u.transcript),
    }),
    owner: t.field({
      type: UserRef,
      nullable: true,
      governance: { category: 'user.unique_id', purposes: ['essential', 'analytics.reporting', 'train_ai_system', 'functional.service.improve'], strategy: 'null' },
      resolve: (u, _args, ctx) => userLoaders(ctx).bySubject.load(u.owner),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', governance: OPERATIONAL }),
  }),
});

const MediaUploadInput = builder.inputType('MediaUploadInput', {
  fields: (t) => ({
    kind: t.field({ type: MediaKindEnum, required: true }),
    contentType: t.string({ required: true, description: 'MIME type matching the kind: audio/*, video/* or image/*.' }),
    location: t.string({ required: true, description: 'https URL or object key of the stored file.' }),
    durationSeconds: t.float({ description: 'VOICE and VIDEO only.' }),
    transcript: t.string({ description: 'VOICE and VIDEO only.' }),
  }),
});

builder.queryFields((t) => ({
  mediaUpload: t.field({
    type: MediaUploadRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => {
      requireAuthenticated(ctx.caller);
      return mediaLoaders(ctx).byId.load(String(id));
    },
  }),
  myMediaUploads: t.field({
    type: [MediaUploadRef],
    description: "The caller's own uploads, oldest first.",
    resolve: (_root, _args, ctx) => mediaLoaders(ctx).byOwner.load(requireAuthenticated(ctx.caller).subject),
  }),
}));

builder.mutationFields((t) => ({
  createMediaUpload: t.field({
    type: MediaUploadRef,
    description: 'Record a file the caller uploaded; `X-MIP-Opt-Out` keeps it out of model training for good.',
    args: { input: t.arg({ type: MediaUploadInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const caller = requireAuthenticated(ctx.caller);
      const data = parseInput(mediaUploadInputSchema, input);
      const created = await mediaUploadModel(ctx.connection).create({
        tenant: caller.tenant,
        owner: caller.subject,
        kind: data.kind,
        contentType: data.contentType,
        location: data.location,
        durationSeconds: data.durationSeconds ?? null,
        transcript: data.transcript ?? null,
        mipOptOut: ctx.mipOptOut,
      });
      return created.toObject();
    },
  }),
}));
