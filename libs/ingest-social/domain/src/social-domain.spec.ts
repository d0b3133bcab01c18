import { ComplaintReceivedEvent, complaintIdFor, encodeEvent } from '@klaxon/contracts';
import {
  comparePostIds,
  diffStreamRules,
  newestPostId,
  parseSocialQuery,
  SocialQueryError,
  toComplaintReceived,
  xSearchQuery,
  xStreamRules,
  type SocialPost,
} from './index';

const post: SocialPost = {
  network: 'x',
  postId: '1861234567890123456',
  text: '@KlaxonBank mijn pas is al twee weken geblokkeerd',
  createdAt: '2026-11-25T07:00:00.000Z',
  conversationId: '1861234567890000000',
  lang: 'nl',
  kind: 'reply',
  author: { id: '42', handle: 'AnnaDV', name: ' Anna de Vries ', followers: 15300, isPublic: true },
  url: 'https://x.com/AnnaDV/status/1861234567890123456',
};

describe('social post → ComplaintReceived', () => {
  it('maps author, reach, ids and language, with the stable id from channel + network post id', () => {
    const r = toComplaintReceived(post, new Date('2026-11-25T08:00:00Z'));
    expect(r.complaintId).toBe(complaintIdFor('social', 'x:1861234567890123456'));
    expect(r).toMatchObject({
      channel: 'social',
      sourceId: 'x:1861234567890123456',
      receivedAt: '2026-11-25T07:00:00.000Z',
      languageHint: 'nl',
      customer: { name: 'Anna de Vries', handle: 'annadv' },
      social: {
        network: 'x',
        postId: post.postId,
        conversationId: post.conversationId,
        authorId: '42',
        handle: 'AnnaDV',
        followers: 15300,
        url: post.url,
        isPublic: true,
      },
    });
    expect(() => encodeEvent(ComplaintReceivedEvent, r)).not.toThrow();
  });

  it('leaves out "no language" codes and falls back to the arrival time without a creation time', () => {
    const r = toComplaintReceived(
      {
        ...post,
        lang: 'und',
        createdAt: undefined,
        author: { ...post.author, name: undefined, isPublic: false },
      },
      new Date('2026-11-25T08:00:00Z'),
    );
    expect(r.languageHint).toBeUndefined();
    expect(r.receivedAt).toBe('2026-11-25T08:00:00.000Z');
    expect(r.customer).toEqual({ handle: 'annadv' });
    expect(r.social?.isPublic).toBe(false);
  });
});

describe('post ids', () => {
  it('compares as 64-bit numbers, not as text', () => {
    expect(comparePostIds('99', '100')).toBe(-1);
    expect(comparePostIds('1861234567890123457', '1861234567890123456')).toBe(1);
    expect(comparePostIds('7', '7')).toBe(0);
    expect(newestPostId(['99', undefined, '100', '5'])).toBe('100');
    expect(newestPostId([])).toBeUndefined();
  });
});

describe('query → stream rules and search query', () => {
  it('turns handles into mentions and phrases into quoted terms', () => {
    const q = parseSocialQuery(' @KlaxonBank, klaxon bank ,#klaxonfail, @klaxonbank');
    expect(q).toEqual({ handles: ['KlaxonBank'], keywords: ['klaxon bank', '#klaxonfail'] });
    expect(xStreamRules(q)).toEqual([
      { value: '@KlaxonBank -is:retweet', tag: 'klaxon:@KlaxonBank' },
      { value: '"klaxon bank" -is:retweet', tag: 'klaxon:"klaxon bank"' },
      { value: '#klaxonfail -is:retweet', tag: 'klaxon:#klaxonfail' },
    ]);
    expect(xSearchQuery(q)).toBe('(@KlaxonBank OR "klaxon bank" OR #klaxonfail) -is:retweet');
    expect(xSearchQuery(parseSocialQuery('@a'))).toBe('@a -is:retweet');
  });

  it('rejects an empty query and invalid handles with a clear reason', () => {
    expect(() => parseSocialQuery(' , ')).toThrow(SocialQueryError);
    expect(() => parseSocialQuery('@not-a-handle')).toThrow(/not a valid X handle/);
    expect(() =>
      xSearchQuery({ handles: [], keywords: Array.from({ length: 60 }, (_, i) => `keyword${i}`) }),
    ).toThrow(/512/);
  });

  it('syncs only Klaxon-tagged rules: adds the missing, deletes the stale, keeps foreign ones', () => {
    const wanted = xStreamRules(parseSocialQuery('@a, b'));
    const current = [
      { id: '1', value: '@a -is:retweet', tag: 'klaxon:@a' },
      { id: '2', value: 'old -is:retweet', tag: 'klaxon:old' },
      { id: '3', value: 'someone else', tag: 'other-app' },
    ];
    expect(diffStreamRules(current, wanted)).toEqual({
      add: [{ value: 'b -is:retweet', tag: 'klaxon:b' }],
      deleteIds: ['2'],
    });
    expect(
      diffStreamRules([...current.slice(0, 1), { id: '4', value: 'b -is:retweet', tag: 'klaxon:b' }], wanted),
    ).toEqual({ add: [], deleteIds: [] });
  });
});
