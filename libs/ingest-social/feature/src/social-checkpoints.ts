import type { DataSource, EntityManager } from 'typeorm';
import { comparePostIds } from '@klaxon/ingest-social/domain';

/** The newest post id per network and source key up to which every post is on the bus (table social_checkpoints). */
export class SocialCheckpoints {
  constructor(private readonly dataSource: DataSource) {}

  async get(network: string, sourceKey: string): Promise<string | undefined> {
    const rows: Array<{ newest_post_id: string }> = await this.dataSource.query(
      'SELECT newest_post_id FROM social_checkpoints WHERE network = $1 AND source_key = $2',
      [network, sourceKey],
    );
    return rows[0]?.newest_post_id;
  }

  /** Moves the checkpoint forward (never back) in the caller's transaction. */
  async advance(manager: EntityManager, network: string, sourceKey: string, postId: string): Promise<void> {
    const rows: Array<{ newest_post_id: string }> = await manager.query(
      'SELECT newest_post_id FROM social_checkpoints WHERE network = $1 AND source_key = $2 FOR UPDATE',
      [network, sourceKey],
    );
    const current = rows[0]?.newest_post_id;
    if (current !== undefined && comparePostIds(postId, current) <= 0) return;
    await manager.query(
      `INSERT INTO social_checkpoints (network, source_key, newest_post_id, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (network, source_key) DO UPDATE SET newest_post_id = EXCLUDED.newest_post_id, updated_at = now()`,
      [network, sourceKey, postId],
    );
  }
}
