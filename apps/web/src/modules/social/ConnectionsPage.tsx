import type { PendingSelection, SandboxBehaviour, SandboxPost, SocialConnection, SocialNetwork } from '@omni/contracts/social';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NoAccess } from '../../app/RouteStates';
import { describeError } from '../../shared/api/errors';
import { useSession } from '../../shared/auth/useAuth';
import { formatDateTime, formatNumber } from '../../shared/lib/format';
import { Badge, Button, Checkbox, Dialog, EmptyState, Field, Input, PageHeader, Select, Table, TableSkeleton, TBody, Td, Th, THead, Tr, useToast, type BadgeTone } from '../../shared/ui';
import { LinkIcon, PlusIcon } from '../../shared/ui/icons';
import { publishingAccessOf } from '../publishing/publishingApi';
import { useAccountTimeZone } from '../publishing/publishingShared';
import { RecentTargets } from '../publishing/RecentTargets';
import { ErrorRow } from '../team/TeamPage';
import { socialAccessOf, socialApi } from './socialApi';

const statusTone: Record<SocialConnection['status'], BadgeTone> = { active: 'success', needs_reconnect: 'warning', disconnected: 'neutral' };

/** What the OAuth round trip left in the address bar when the server sent the browser back here. */
function readReturnParameters(): { selection: string | null; error: string | null; reconnected: string | null; reconnect: string | null; sandboxPost: string | null } {
  const search = new URLSearchParams(typeof window === 'undefined' ? '' : window.location.search);
  return {
    selection: search.get('selection'),
    error: search.get('error'),
    reconnected: search.get('reconnected'),
    reconnect: search.get('reconnect'),
    // A published Sandbox post's address (the provider's post URL) picks it out below.
    sandboxPost: search.get('sandboxPost'),
  };
}

export function ConnectionsPage() {
  const { t } = useTranslation();
  const { user, scope } = useSession();
  const access = socialAccessOf(scope);
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const connections = useQuery({ queryKey: ['social', 'connections'], queryFn: socialApi.connections, enabled: access.canRead });
  const networks = useQuery({ queryKey: ['social', 'networks'], queryFn: socialApi.networks, enabled: access.canRead });
  const [returned] = useState(readReturnParameters);
  const [selectionId, setSelectionId] = useState<string | null>(returned.selection);
  const [choosingNetwork, setChoosingNetwork] = useState(false);
  const [namingSandbox, setNamingSandbox] = useState(false);
  const [disconnecting, setDisconnecting] = useState<SocialConnection | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  // Posts belong to the active account: their recent ones show only when one is active.
  const showsPosts = publishingAccessOf(scope).canRead && Boolean(scope?.accountId);
  const timeZone = useAccountTimeZone(showsPosts);

  // The round trip's outcome is announced once (not again on re-renders or a language change).
  const announced = useRef(false);
  useEffect(() => {
    if (announced.current) return;
    announced.current = true;
    if (returned.error) toast.show(t(`connections.returnErrors.${returned.error === 'access_denied' || returned.error === 'destination_missing' ? returned.error : 'connect_failed'}`), 'error');
    if (returned.reconnected) toast.show(t('connections.reconnectedToast'), 'success');
    if (returned.selection || returned.error || returned.reconnected) void navigate({ to: '/connections', replace: true });
  }, [returned, navigate, t, toast]);

  if (!access.canRead) return <NoAccess />;
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['social'] });

  async function startOAuth(run: () => Promise<{ authorizationUrl: string }>, id: string) {
    setBusyId(id);
    try {
      const { authorizationUrl } = await run();
      window.location.assign(authorizationUrl);
    } catch (error) {
      toast.show(describeError(error), 'error');
      setBusyId(null);
    }
  }

  return (
    <>
      <PageHeader
        title={t('connections.title')}
        description={t('connections.description')}
        actions={
          access.canManage && (
            <Button onClick={() => setChoosingNetwork(true)}>
              <PlusIcon /> {t('connections.connect')}
            </Button>
          )
        }
      />
      {connections.isPending ? (
        <TableSkeleton columns={4} rows={3} />
      ) : connections.isError ? (
        <ErrorRow error={connections.error} retry={() => void connections.refetch()} />
      ) : connections.data.items.length === 0 ? (
        <EmptyState
          icon={<LinkIcon className="size-6" />}
          title={t('connections.empty')}
          description={t('connections.emptyDescription')}
          action={access.canManage ? <Button onClick={() => setChoosingNetwork(true)}>{t('connections.connect')}</Button> : undefined}
        />
      ) : (
        <Table caption={t('connections.title')}>
          <THead>
            <tr>
              <Th>{t('connections.destination')}</Th>
              <Th>{t('connections.network')}</Th>
              <Th>{t('connections.status')}</Th>
              <Th>{t('connections.expires')}</Th>
              {showsPosts && <Th>{t('connections.recentPosts')}</Th>}
              {access.canManage && <Th className="text-right">{t('common.actions')}</Th>}
            </tr>
          </THead>
          <TBody>
            {connections.data.items.map((connection) => (
              <Tr key={connection.id} data-testid="connection-row" className={returned.reconnect === connection.id ? 'bg-warning/5' : undefined}>
                <Td>
                  <div className="font-medium">{connection.destination.name}</div>
                  <div className="text-xs text-muted">
                    {t(`connections.kinds.${connection.destination.kind}`)}
                    {connection.sandboxBehaviour && connection.sandboxBehaviour !== 'publish' && ` · ${t(`connections.behaviours.${connection.sandboxBehaviour}`)}`}
                  </div>
                </Td>
                <Td>{connection.networkName}</Td>
                <Td>
                  <Badge tone={statusTone[connection.status]}>{t(`connections.statuses.${connection.status}`)}</Badge>
                  {connection.statusReason && connection.status !== 'active' && <div className="mt-1 max-w-xs text-xs text-muted">{connection.statusReason}</div>}
                </Td>
                <Td className="text-muted">{connection.accessTokenExpiresAt ? formatDateTime(connection.accessTokenExpiresAt, user.timezone) : t('connections.noExpiry')}</Td>
                {showsPosts && (
                  <Td>
                    <RecentTargets connection={connection} timeZone={timeZone} />
                  </Td>
                )}
                {access.canManage && (
                  <Td className="text-right">
                    <div className="flex justify-end gap-2">
                      {connection.network !== 'sandbox' && connection.status !== 'active' && (
                        <Button
                          size="sm"
                          loading={busyId === connection.id}
                          onClick={() => void startOAuth(() => socialApi.reconnect(connection.id), connection.id)}
                          aria-label={t('connections.reconnectFor', { name: connection.destination.name })}
                        >
                          {t('connections.reconnect')}
                        </Button>
                      )}
                      {connection.status !== 'disconnected' && (
                        <Button size="sm" variant="ghost-danger" onClick={() => setDisconnecting(connection)} aria-label={t('connections.disconnectFor', { name: connection.destination.name })}>
                          {t('connections.disconnect')}
                        </Button>
                      )}
                    </div>
                  </Td>
                )}
              </Tr>
            ))}
          </TBody>
        </Table>
      )}

      {connections.data?.items.some((connection) => connection.network === 'sandbox') && (
        <SandboxPosts
          connections={connections.data.items.filter((connection) => connection.network === 'sandbox' && connection.status === 'active')}
          canManage={access.canManage}
          highlighted={returned.sandboxPost}
          timeZone={showsPosts ? timeZone : user.timezone}
        />
      )}

      {choosingNetwork && (
        <NetworkDialog
          networks={networks.data?.items ?? []}
          loading={networks.isPending}
          busyId={busyId}
          onClose={() => setChoosingNetwork(false)}
          onChoose={(network) => {
            if (!network.usesOAuth) {
              setChoosingNetwork(false);
              setNamingSandbox(true);
              return;
            }
            void startOAuth(() => socialApi.startConnect(network.id), network.id);
          }}
        />
      )}
      {namingSandbox && (
        <SandboxDialog
          onClose={() => setNamingSandbox(false)}
          onCreated={async () => {
            setNamingSandbox(false);
            toast.show(t('connections.connectedToast', { count: 1 }), 'success');
            await refresh();
          }}
        />
      )}
      {selectionId && (
        <SelectionDialog
          selectionId={selectionId}
          onClose={() => setSelectionId(null)}
          onConnected={async (count) => {
            setSelectionId(null);
            toast.show(t('connections.connectedToast', { count }), 'success');
            await refresh();
          }}
        />
      )}
      <Dialog
        open={disconnecting !== null}
        onClose={() => setDisconnecting(null)}
        title={t('connections.disconnectTitle')}
        description={disconnecting ? t('connections.disconnectDescription', { name: disconnecting.destination.name }) : undefined}
        footer={
          <>
            <Button variant="secondary" onClick={() => setDisconnecting(null)}>
              {t('common.cancel')}
            </Button>
            <Button
              variant="danger"
              loading={busyId === disconnecting?.id}
              onClick={async () => {
                if (!disconnecting) return;
                setBusyId(disconnecting.id);
                try {
                  await socialApi.disconnect(disconnecting.id);
                  toast.show(t('connections.disconnectedToast', { name: disconnecting.destination.name }), 'success');
                  setDisconnecting(null);
                  await refresh();
                } catch (error) {
                  toast.show(describeError(error), 'error');
                } finally {
                  setBusyId(null);
                }
              }}
            >
              {t('connections.disconnect')}
            </Button>
          </>
        }
      />
    </>
  );
}

function NetworkDialog({
  networks,
  loading,
  busyId,
  onClose,
  onChoose,
}: {
  networks: SocialNetwork[];
  loading: boolean;
  busyId: string | null;
  onClose: () => void;
  onChoose: (network: SocialNetwork) => void;
}) {
  const { t } = useTranslation();
  return (
    <Dialog open onClose={onClose} title={t('connections.chooseNetwork')} description={t('connections.chooseNetworkDescription')} footer={<Button variant="secondary" onClick={onClose}>{t('common.cancel')}</Button>}>
      {loading ? (
        <p className="text-sm text-muted">{t('common.loading')}</p>
      ) : (
        <ul className="flex flex-col gap-2">
          {networks.map((network) => (
            <li key={network.id}>
              <Button variant="secondary" className="w-full justify-between" loading={busyId === network.id} onClick={() => onChoose(network)}>
                <span>{network.displayName}</span>
                <span className="text-xs text-muted">{network.usesOAuth ? t('connections.viaOAuth') : t('connections.noKeysNeeded')}</span>
              </Button>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}

function SandboxDialog({ onClose, onCreated }: { onClose: () => void; onCreated: () => Promise<void> }) {
  const { t } = useTranslation();
  const [name, setName] = useState(t('connections.sandboxDefaultName'));
  const [behaviour, setBehaviour] = useState<SandboxBehaviour>('publish');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Dialog
      open
      onClose={onClose}
      title={t('connections.sandboxTitle')}
      description={t('connections.sandboxDescription')}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" form="sandbox-form" loading={busy}>
            {t('connections.connect')}
          </Button>
        </>
      }
    >
      <form
        id="sandbox-form"
        noValidate
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await socialApi.createSandbox({ name: name.trim(), behaviour });
            await onCreated();
          } catch (caught) {
            setError(describeError(caught));
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field label={t('fields.name')} error={error ?? undefined}>
          <Input autoFocus value={name} onChange={(event) => setName(event.target.value)} maxLength={100} />
        </Field>
        <Field label={t('connections.behaviour')} hint={t('connections.behaviourHint')} className="mt-4">
          <Select value={behaviour} onChange={(event) => setBehaviour(event.target.value as SandboxBehaviour)}>
            {(['publish', 'lose_response', 'reject'] as const).map((value) => (
              <option key={value} value={value}>
                {t(`connections.behaviours.${value}`)}
              </option>
            ))}
          </Select>
        </Field>
      </form>
    </Dialog>
  );
}

function SelectionDialog({ selectionId, onClose, onConnected }: { selectionId: string; onClose: () => void; onConnected: (count: number) => Promise<void> }) {
  const { t } = useTranslation();
  const selection = useQuery({ queryKey: ['social', 'selection', selectionId], queryFn: () => socialApi.selection(selectionId), retry: false });
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const destinations: PendingSelection['destinations'] = selection.data?.destinations ?? [];
  return (
    <Dialog
      open
      onClose={onClose}
      title={t('connections.chooseDestinations')}
      description={t('connections.chooseDestinationsDescription')}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button
            disabled={chosen.length === 0 || !selection.data}
            loading={busy}
            onClick={async () => {
              setBusy(true);
              setError(null);
              try {
                const created = await socialApi.createConnections({ selectionId, destinationIds: chosen });
                await onConnected(created.items.length);
              } catch (caught) {
                setError(describeError(caught));
              } finally {
                setBusy(false);
              }
            }}
          >
            {t('connections.connectChosen', { count: chosen.length })}
          </Button>
        </>
      }
    >
      {selection.isPending ? (
        <p className="text-sm text-muted">{t('common.loading')}</p>
      ) : selection.isError ? (
        <p role="alert" className="text-sm text-danger">
          {describeError(selection.error)}
        </p>
      ) : destinations.length === 0 ? (
        <p className="text-sm text-muted">{t('connections.noDestinations')}</p>
      ) : (
        <fieldset className="flex flex-col gap-2">
          <legend className="sr-only">{t('connections.chooseDestinations')}</legend>
          {destinations.map((destination) => (
            <Checkbox
              key={destination.externalId}
              label={`${destination.name}${destination.isConnected ? ` · ${t('connections.alreadyConnected')}` : ''}`}
              checked={chosen.includes(destination.externalId)}
              onChange={(event) =>
                setChosen((current) => (event.target.checked ? [...current, destination.externalId] : current.filter((id) => id !== destination.externalId)))
              }
            />
          ))}
        </fieldset>
      )}
      {error && (
        <p role="alert" className="mt-3 text-sm text-danger">
          {error}
        </p>
      )}
    </Dialog>
  );
}

function SandboxPosts({
  connections,
  canManage,
  highlighted,
  timeZone,
}: {
  connections: SocialConnection[];
  canManage: boolean;
  highlighted: string | null;
  /** Posts' times read in the account's zone, like on the publishing page. */
  timeZone: string;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const queryClient = useQueryClient();
  const posts = useQuery({ queryKey: ['social', 'sandbox-posts'], queryFn: socialApi.sandboxPosts });
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const target = connections[0];

  async function like(post: SandboxPost) {
    try {
      await socialApi.addEngagement(post.id, { likes: 1, impressions: 10 });
      await queryClient.invalidateQueries({ queryKey: ['social', 'sandbox-posts'] });
    } catch (error) {
      toast.show(describeError(error), 'error');
    }
  }

  return (
    <section id="sandbox-posts" className="mt-10 scroll-mt-6" aria-labelledby="sandbox-posts-title">
      <h2 id="sandbox-posts-title" className="mb-1 text-lg font-semibold">
        {t('connections.sandboxPosts')}
      </h2>
      <p className="mb-4 text-sm text-muted">{t('connections.sandboxPostsDescription')}</p>
      {canManage && target && (
        <form
          className="mb-4 flex flex-wrap items-end gap-2"
          onSubmit={async (event) => {
            event.preventDefault();
            if (!text.trim()) return;
            setBusy(true);
            try {
              await socialApi.sendTestPost(target.id, text.trim());
              setText('');
              await queryClient.invalidateQueries({ queryKey: ['social', 'sandbox-posts'] });
            } catch (error) {
              toast.show(describeError(error), 'error');
            } finally {
              setBusy(false);
            }
          }}
        >
          <Field label={t('connections.testPostLabel', { name: target.destination.name })}>
            <Input value={text} onChange={(event) => setText(event.target.value)} maxLength={5000} className="min-w-72" />
          </Field>
          <Button type="submit" loading={busy} disabled={!text.trim()}>
            {t('connections.sendTestPost')}
          </Button>
        </form>
      )}
      {posts.isPending ? (
        <TableSkeleton columns={3} rows={2} />
      ) : posts.isError ? (
        <ErrorRow error={posts.error} retry={() => void posts.refetch()} />
      ) : posts.data.items.length === 0 ? (
        <p className="text-sm text-muted">{t('connections.noSandboxPosts')}</p>
      ) : (
        <Table caption={t('connections.sandboxPosts')}>
          <THead>
            <tr>
              <Th>{t('connections.post')}</Th>
              <Th>{t('connections.engagement')}</Th>
              <Th>{t('connections.published')}</Th>
              {canManage && <Th className="text-right">{t('common.actions')}</Th>}
            </tr>
          </THead>
          <TBody>
            {posts.data.items.map((post) => (
              <Tr key={post.id} data-testid="sandbox-post-row" className={highlighted === post.externalId ? 'bg-primary/5' : undefined} aria-current={highlighted === post.externalId ? 'true' : undefined}>
                <Td>
                  <div className="max-w-md whitespace-pre-wrap break-words">{post.text}</div>
                  <div className="text-xs text-muted">{post.connectionName}</div>
                </Td>
                <Td className="text-sm text-muted">
                  {t('connections.metrics', {
                    likes: formatNumber(post.metrics.likes),
                    comments: formatNumber(post.metrics.comments),
                    impressions: formatNumber(post.metrics.impressions),
                  })}
                </Td>
                <Td className="text-muted">{formatDateTime(post.createdAt, timeZone)}</Td>
                {canManage && (
                  <Td className="text-right">
                    <Button size="sm" variant="secondary" onClick={() => void like(post)}>
                      {t('connections.simulateLike')}
                    </Button>
                  </Td>
                )}
              </Tr>
            ))}
          </TBody>
        </Table>
      )}
    </section>
  );
}
