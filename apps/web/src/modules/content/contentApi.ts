import type {
  ContentSettings,
  ContentTemplate,
  CreatePostInput,
  Post,
  PostList,
  PostSaveResult,
  RenderedTemplate,
  Revision,
  RevisionDiff,
  UpdateContentSettingsBody,
  ValidationResult,
} from '@omni/contracts/content';
import type { Scope } from '@omni/contracts/identity';
import { api } from '../../shared/api';

const id = (value: string) => encodeURIComponent(value);

export type TemplateInput = Pick<ContentTemplate, 'name' | 'category' | 'tags' | 'description' | 'variables' | 'bodies' | 'options' | 'linkTemplate'>;

/** Typed calls to /api/content (packages/contracts/src/content.ts). */
export const contentApi = {
  posts: (query: { status?: string; q?: string } = {}) => {
    const params = new URLSearchParams(Object.entries(query).filter(([, value]) => Boolean(value)) as Array<[string, string]>);
    return api.get<PostList>(`/api/content/posts${params.size > 0 ? `?${params.toString()}` : ''}`);
  },
  post: (postId: string) => api.get<Post>(`/api/content/posts/${id(postId)}`),
  create: (body: CreatePostInput) => api.post<Post>('/api/content/posts', body),
  update: (postId: string, body: CreatePostInput & { expectedRevision: number; applyToUnpublished?: boolean }) => api.patch<PostSaveResult>(`/api/content/posts/${id(postId)}`, body),
  remove: (postId: string) => api.delete(`/api/content/posts/${id(postId)}`),
  duplicate: (postId: string) => api.post<Post>(`/api/content/posts/${id(postId)}/duplicate`),
  validate: (postId: string) => api.post<ValidationResult>(`/api/content/posts/${id(postId)}/validate`),
  submit: (postId: string) => api.post<Post>(`/api/content/posts/${id(postId)}/submit`),
  schedule: (postId: string, body: { at?: string | null; acknowledgeConflicts?: boolean }) => api.post<Post>(`/api/content/posts/${id(postId)}/schedule`, body),
  unschedule: (postId: string) => api.post<Post>(`/api/content/posts/${id(postId)}/unschedule`, {}),
  revisions: (postId: string) => api.get<{ items: Array<Omit<Revision, 'snapshot'>> }>(`/api/content/posts/${id(postId)}/revisions`),
  diff: (postId: string, revision: number) => api.get<RevisionDiff>(`/api/content/posts/${id(postId)}/revisions/${revision}/diff`),
  restore: (postId: string, revision: number, expectedRevision: number) => api.post<PostSaveResult>(`/api/content/posts/${id(postId)}/revisions/${revision}/restore`, { expectedRevision }),
  templates: () => api.get<{ items: ContentTemplate[] }>('/api/content/templates?includeArchived=true'),
  createTemplate: (body: TemplateInput & { tenantWide?: boolean }) => api.post<ContentTemplate>('/api/content/templates', body),
  updateTemplate: (templateId: string, body: Partial<TemplateInput> & { archived?: boolean }) => api.patch<ContentTemplate>(`/api/content/templates/${id(templateId)}`, body),
  removeTemplate: (templateId: string) => api.delete(`/api/content/templates/${id(templateId)}`),
  duplicateTemplate: (templateId: string) => api.post<ContentTemplate>(`/api/content/templates/${id(templateId)}/duplicate`),
  renderTemplate: (templateId: string, values: Record<string, string>) => api.post<RenderedTemplate>(`/api/content/templates/${id(templateId)}/render`, { values }),
  settings: () => api.get<ContentSettings>('/api/content/settings'),
  updateSettings: (body: UpdateContentSettingsBody) => api.put<ContentSettings>('/api/content/settings', body),
};

const accountRank = ['client', 'viewer', 'contributor', 'editor', 'admin'] as const;

/** Mirrors content.permissions.ts: viewers read, contributors write, editors schedule and manage templates, admins settings. */
export function contentAccessOf(scope: Scope | null): { canRead: boolean; canWrite: boolean; canSchedule: boolean; canManageTemplates: boolean; canManageSettings: boolean; hasAccount: boolean } {
  const tenantAdmin = scope?.tenantRole === 'owner' || scope?.tenantRole === 'admin';
  const accountRole = tenantAdmin ? 'admin' : scope?.accountId ? scope.accountRole : null;
  const rank = accountRole ? accountRank.indexOf(accountRole) : -1;
  const at = (role: (typeof accountRank)[number]) => Boolean(scope?.tenantId) && rank >= accountRank.indexOf(role);
  return {
    canRead: at('viewer'),
    canWrite: at('contributor'),
    canSchedule: at('editor'),
    canManageTemplates: at('editor'),
    canManageSettings: at('admin'),
    hasAccount: Boolean(scope?.accountId),
  };
}
