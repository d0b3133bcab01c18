import { complaintIdFor, type ComplaintReceived } from '@klaxon/contracts';
import type { SocialPost } from './social-post';

/** Language codes the network uses for "no language" (X: und, qme media-only, zxx …). */
const NO_LANGUAGE = new Set(['und', 'qme', 'qht', 'qam', 'qct', 'qst', 'zxx', 'art']);

export function sourceIdFor(post: Pick<SocialPost, 'network' | 'postId'>): string {
  return `${post.network}:${post.postId}`;
}

export function socialComplaintId(post: Pick<SocialPost, 'network' | 'postId'>): string {
  return complaintIdFor('social', sourceIdFor(post));
}

/** Every mention becomes a ComplaintReceived on channel `social`; the classifier decides whether it is a complaint. */
export function toComplaintReceived(post: SocialPost, receivedAt: Date): ComplaintReceived {
  const handle = post.author.handle.replace(/^@/, '');
  const lang = post.lang?.toLowerCase();
  return {
    complaintId: socialComplaintId(post),
    channel: 'social',
    sourceId: sourceIdFor(post),
    receivedAt:
      post.createdAt && !Number.isNaN(Date.parse(post.createdAt))
        ? new Date(post.createdAt).toISOString()
        : receivedAt.toISOString(),
    text: post.text,
    ...(lang && !NO_LANGUAGE.has(lang) && /^[a-z]{2,3}(-[a-z0-9]{2,4})?$/.test(lang)
      ? { languageHint: lang }
      : {}),
    customer: {
      ...(post.author.name?.trim() ? { name: post.author.name.trim().slice(0, 300) } : {}),
      handle: handle.toLowerCase(),
    },
    social: {
      network: post.network,
      postId: post.postId,
      ...(post.conversationId ? { conversationId: post.conversationId } : {}),
      authorId: post.author.id,
      handle,
      followers: Math.max(0, Math.trunc(post.author.followers)),
      url: post.url,
      isPublic: post.author.isPublic,
    },
  };
}
