import type { EntityManager } from 'typeorm';
import {
  CustomerMessageReceivedEvent,
  encodeEvent,
  type CustomerMessageReceived,
  type EncodedEvent,
} from '@klaxon/contracts';
import { sourceIdFor, type SocialPost } from '@klaxon/ingest-social/domain';
import { appendHistory } from '@klaxon/platform/persistence';

export interface ConversationReply {
  post: SocialPost;
  message: CustomerMessageReceived;
  event: EncodedEvent;
  correlationId: string;
}

type Queryable = { query(sql: string, params?: unknown[]): Promise<unknown> };

/**
 * A reply by the customer in the conversation of a post that is already a complaint we answered on X
 * (same conversation, same author) is their answer on that complaint, not a new complaint (before we
 * answered, a further post of theirs is a mention like any other): a
 * CustomerMessageReceived (the sla stage resumes the clocks or reopens) and a message in the thread.
 */
export async function conversationReplies(
  db: Queryable,
  posts: SocialPost[],
  receivedAt: Date,
): Promise<ConversationReply[]> {
  const candidates = posts.filter(
    (p) => p.kind === 'reply' && p.conversationId && p.conversationId !== p.postId,
  );
  if (candidates.length === 0) return [];
  const rows = (await db.query(
    `SELECT id, correlation_id, channel_meta->'social'->>'postId' AS post_id, channel_meta->'social'->>'authorId' AS author_id
       FROM complaints c WHERE channel = 'social' AND channel_meta->'social'->>'postId' = ANY($1::text[])
        AND EXISTS (SELECT 1 FROM customer_messages m WHERE m.complaint_id = c.id AND m.channel = 'x' AND m.status = 'sent')`,
    [[...new Set(candidates.map((p) => p.conversationId!))]],
  )) as Array<{ id: string; correlation_id: string | null; post_id: string; author_id: string }>;
  const byPost = new Map(rows.map((r) => [r.post_id, r]));
  return candidates.flatMap((post) => {
    const c = byPost.get(post.conversationId!);
    if (!c || c.author_id !== post.author.id) return [];
    const handle = post.author.handle.replace(/^@/, '').toLowerCase();
    const message: CustomerMessageReceived = {
      complaintId: c.id,
      messageId: `${post.network}-${post.postId}`,
      channel: 'social',
      sourceId: sourceIdFor(post),
      receivedAt:
        post.createdAt && !Number.isNaN(Date.parse(post.createdAt))
          ? new Date(post.createdAt).toISOString()
          : receivedAt.toISOString(),
      text: post.text,
      customer: { ...(post.author.name?.trim() ? { name: post.author.name.trim() } : {}), handle },
      matchedBy: 'in-reply-to',
    };
    const correlationId = c.correlation_id ?? c.id;
    return [
      {
        post,
        message,
        correlationId,
        event: encodeEvent(CustomerMessageReceivedEvent, message, {
          eventId: `${message.messageId}:message`,
          correlationId,
        }),
      },
    ];
  });
}

/** The answers in their complaints' threads (history), once each. */
export async function storeConversationReplies(
  manager: EntityManager,
  replies: ConversationReply[],
): Promise<void> {
  await appendHistory(
    manager,
    replies.map(({ message: m, post, correlationId }) => ({
      complaintId: m.complaintId,
      at: m.receivedAt,
      kind: 'customer-message',
      actor: 'customer:social',
      reason: `reply by @${post.author.handle} in the conversation on ${post.network}`,
      data: {
        messageId: m.messageId,
        sourceId: m.sourceId,
        subject: null,
        text: m.text,
        customer: m.customer,
        matchedBy: m.matchedBy,
        url: post.url,
      },
      eventId: `${m.messageId}:message`,
      correlationId,
    })),
  );
}
