import type { PostStatus } from '@omni/contracts/content';
import { postStatusSchema } from '@omni/contracts/content';
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { useSession } from '../../shared/auth/useAuth';
import { formatDateTime } from '../../shared/lib/format';
import { Badge, buttonClasses, EmptyState, Field, Input, PageHeader, Select, Table, TableSkeleton, TBody, Td, Th, THead, Tr } from '../../shared/ui';
import { PlusIcon, ScrollIcon } from '../../shared/ui/icons';
import { ErrorRow } from '../team/TeamPage';
import { contentAccessOf, contentApi } from './contentApi';
import { statusTone } from './contentShared';

/** /content/posts: the account's posts, last changed first, filtered by status and text. */
export function PostsPage() {
  const { t } = useTranslation();
  const { user, scope } = useSession();
  const access = contentAccessOf(scope);
  const [status, setStatus] = useState<PostStatus | ''>('');
  const [search, setSearch] = useState('');
  const posts = useQuery({ queryKey: ['content', 'posts', status, search], queryFn: () => contentApi.posts({ status, q: search.trim() }), enabled: access.canRead && access.hasAccount });
  if (!access.canRead) return <NoAccess />;
  const newButton = access.canWrite && access.hasAccount && (
    <Link to="/content/posts/new" className={buttonClasses('primary')}>
      <PlusIcon /> {t('content.posts.new')}
    </Link>
  );
  return (
    <>
      <PageHeader title={t('content.posts.title')} description={t('content.posts.description')} actions={newButton} />
      {!access.hasAccount ? (
        <EmptyState title={t('content.chooseAccount')} description={t('content.chooseAccountDescription')} />
      ) : (
        <>
          <div className="mb-4 grid gap-4 sm:grid-cols-2">
            <Field label={t('content.posts.status')}>
              <Select value={status} onChange={(event) => setStatus(event.target.value as PostStatus | '')}>
                <option value="">{t('common.all')}</option>
                {postStatusSchema.options.map((option) => (
                  <option key={option} value={option}>
                    {t(`content.statuses.${option}`)}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label={t('content.posts.search')}>
              <Input type="search" value={search} onChange={(event) => setSearch(event.target.value)} />
            </Field>
          </div>
          {posts.isPending ? (
            <TableSkeleton columns={4} rows={4} />
          ) : posts.isError ? (
            <ErrorRow error={posts.error} retry={() => void posts.refetch()} />
          ) : posts.data.items.length === 0 ? (
            <EmptyState icon={<ScrollIcon className="size-6" />} title={t('content.posts.empty')} description={t('content.posts.emptyDescription')} action={newButton || undefined} />
          ) : (
            <Table caption={t('content.posts.title')}>
              <THead>
                <tr>
                  <Th>{t('content.posts.post')}</Th>
                  <Th>{t('content.posts.status')}</Th>
                  <Th>{t('content.posts.networks')}</Th>
                  <Th>{t('content.posts.planned')}</Th>
                </tr>
              </THead>
              <TBody>
                {posts.data.items.map((post) => (
                  <Tr key={post.id} data-testid="post-row">
                    <Td>
                      <Link to="/content/posts/$postId" params={{ postId: post.id }} className="font-medium text-primary hover:underline">
                        {post.title ?? (post.excerpt || t('content.editor.untitled'))}
                      </Link>
                      {post.title && <div className="max-w-md truncate text-xs text-muted">{post.excerpt}</div>}
                    </Td>
                    <Td>
                      <Badge tone={statusTone[post.status]}>{t(`content.statuses.${post.status}`)}</Badge>
                    </Td>
                    <Td className="text-muted">{post.networks.join(', ') || '—'}</Td>
                    <Td className="text-muted">{post.plannedAt ? formatDateTime(post.plannedAt, user.timezone) : '—'}</Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          )}
        </>
      )}
    </>
  );
}
