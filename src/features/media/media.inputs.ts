import { z } from 'zod';
import { objectLocationSchema } from '../../object-location.js';
import { MEDIA_KINDS, type MediaKind } from './media-upload.model.js';

/** The MIME top-level type each kind must have. */
const MIME_TYPE: Readonly<Record<MediaKind, string>> = { VOICE: 'audio', VIDEO: 'video', IMAGE: 'image' };
const MIME = /^(audio|video|image)\/[a-z0-9][a-z0-9.+-]{0,100}$/;
const DAY_SECONDS = 86_400;

export const mediaUploadInputSchema = z
  .object({
    kind: z.enum(MEDIA_KINDS),
    contentType: z.string().toLowerCase().regex(MIME, 'not an audio, video or image MIME type'),
    location: objectLocationSchema,
    durationSeconds: z.number().positive().max(DAY_SECONDS).nullish(),
    transcript: z.string().min(1).max(100_000).nullish(),
  })
  .superRefine((input, issues) => {
    if (!input.contentType.startsWith(`${MIME_TYPE[input.kind]}/`)) issues.addIssue({ code: 'custom', path: ['contentType'], message: 'does not match kind' });
    if (input.kind === 'IMAGE' && (input.durationSeconds ?? null) !== null) issues.addIssue({ code: 'custom', path: ['durationSeconds'], message: 'an image has no duration' });
    if (input.kind === 'IMAGE' && (input.transcript ?? null) !== null) issues.addIssue({ code: 'custom', path: ['transcript'], message: 'an image has no transcript' });
  });
