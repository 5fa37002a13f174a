import '@xyflow/react/dist/style.css';
import { triggerNodeId, type DefinitionIssue, type StepKind, type WorkflowDefinition } from '@omni/contracts/workflows';
import {
  applyNodeChanges,
  Background,
  Controls,
  Handle,
  Panel,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Edge,
  type EdgeChange,
  type Node,
  type NodeChange,
  type NodeProps,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useColorScheme } from '../../../shared/theme/colorScheme';
import { Button, cn } from '../../../shared/ui';
import { addStepNode, connectNodes, defaultPort, issuesByNode, removeElements, runStatusTone, type StepKindInfo } from '../workflowsApi';

/** The drag payload type of palette items (the palette sets it, the canvas reads it). */
export const stepKindDragType = 'application/x-omni-step-kind';

export type WorkflowCanvasHighlight = { nodeIds: string[]; edgeIds: string[]; statusByNode?: Record<string, string> };

export type WorkflowCanvasProps = {
  definition: WorkflowDefinition;
  stepKinds: StepKindInfo[];
  /** Inspector mode: nothing moves, connects or deletes; nodes can still be selected. */
  readOnly?: boolean;
  /** A run's path: these nodes and edges stand out; statusByNode shows each step's status. */
  highlight?: WorkflowCanvasHighlight;
  issues?: DefinitionIssue[];
  onChange?: (definition: WorkflowDefinition) => void;
  onSelect?: (nodeId: string | null) => void;
  /** The node selected from outside (e.g. a click on an issue in a list). */
  selectedNodeId?: string | null;
  className?: string;
};

type StepNodeData = {
  nodeId: string;
  kind: StepKind | 'trigger';
  label: string;
  subtitle: string;
  ports: string[];
  issues: DefinitionIssue[];
  status: string | null;
  highlighted: boolean;
  dimmed: boolean;
  vertical: boolean;
};
type StepFlowNode = Node<StepNodeData, 'step'>;

const tones: Record<ReturnType<typeof runStatusTone>, string> = {
  success: 'bg-success/15 text-success border-success/40',
  danger: 'bg-danger/15 text-danger border-danger/40',
  warning: 'bg-warning/15 text-warning border-warning/40',
  primary: 'bg-primary/15 text-primary border-primary/40',
  neutral: 'bg-surface-2 text-muted border-border',
};

function KindGlyph({ kind }: { kind: StepKind | 'trigger' }) {
  const paths: Record<StepKind | 'trigger', ReactNode> = {
    trigger: <path d="M13 2 4 14h7l-1 8 9-12h-7z" />,
    ai_agent: <path d="M12 3v3M12 18v3M3 12h3M18 12h3M6 6l2 2M16 16l2 2M18 6l-2 2M8 16l-2 2M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8Z" />,
    condition: <path d="M12 3 21 12 12 21 3 12z" />,
    approval: <path d="m5 12 4 4 10-10M4 20h16" />,
    delay: <path d="M12 7v5l3 2M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18Z" />,
    wait_until: <path d="M4 6h16v14H4zM4 10h16M8 3v4M16 3v4M12 13v3l2 1" />,
    wait_event: <path d="M12 3a6 6 0 0 1 6 6v4l2 3H4l2-3V9a6 6 0 0 1 6-6ZM10 20h4" />,
    notify: <path d="M4 5h16v11H8l-4 4zM8 9h8M8 12h5" />,
    send_email: <path d="M3 5h18v14H3zM3 7l9 6 9-6" />,
    create_post: <path d="M4 4h12l4 4v12H4zM8 12h8M8 16h5M8 8h4" />,
    update_record: <path d="M4 20h4L19 9l-4-4L4 16zM13 7l4 4" />,
    http_request: <path d="M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18ZM3 12h18M12 3c2.5 2.5 3.8 5.5 3.8 9s-1.3 6.5-3.8 9c-2.5-2.5-3.8-5.5-3.8-9S9.5 5.5 12 3Z" />,
  };
  return (
    <svg viewBox="0 0 24 24" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      {paths[kind]}
    </svg>
  );
}

/** The icon of a step kind (or the trigger), for the palette and the side panel too. */
export const StepKindIcon = KindGlyph;

const portColor = (port: string) =>
  port === 'error' || port === 'false' || port === 'rejected' || port === 'review_rejected' ? '!bg-danger' : port === 'timeout' ? '!bg-warning' : '!bg-primary';

/** Port rows start below the node's header (about 37 px) and are 22 px apart. */
const headerHeight = 37;
const portRow = 22;

function StepNode({ data, selected }: NodeProps<StepFlowNode>) {
  const { t } = useTranslation();
  const labelled = data.ports.length > 1;
  const portLabel = (port: string) => t(`workflows.ports.${port}`, { defaultValue: port });
  return (
    <div
      data-testid="workflow-node"
      data-node-id={data.nodeId}
      className={cn(
        'w-56 rounded-lg border bg-surface text-fg shadow-sm transition-opacity',
        selected ? 'border-primary ring-2 ring-primary/40' : data.issues.length > 0 ? 'border-danger/60' : 'border-border',
        data.highlighted && 'ring-2 ring-primary',
        data.dimmed && 'opacity-50',
      )}
    >
      {data.kind !== 'trigger' && <Handle type="target" position={data.vertical ? Position.Top : Position.Left} className="!size-3 !border-2 !border-surface !bg-muted" />}
      <div className={cn('flex items-center gap-2 rounded-t-lg border-b border-border px-3 py-2', data.kind === 'trigger' ? 'bg-primary/10' : 'bg-surface-2')}>
        <span className="text-primary">
          <KindGlyph kind={data.kind} />
        </span>
        <span className="min-w-0 flex-1 truncate text-xs font-medium uppercase tracking-wide text-muted">{data.kind === 'trigger' ? t('workflows.trigger') : t(`workflows.kinds.${data.kind}`)}</span>
        {data.issues.length > 0 && (
          <span data-testid="node-issue-badge" title={data.issues.map((issue) => issue.message).join('\n')} className="rounded-full bg-danger px-1.5 text-xs font-semibold text-white">
            {data.issues.length}
          </span>
        )}
        {data.status && (
          <span data-testid="node-status" className={cn('rounded-full border px-1.5 text-xs font-medium', tones[runStatusTone(data.status)])}>
            {t(`workflows.runStatuses.${data.status}`, { defaultValue: data.status })}
          </span>
        )}
      </div>
      <div className={cn('py-2 pl-3', !data.vertical && labelled ? 'pr-20' : 'pr-3')} style={{ minHeight: data.vertical ? undefined : `${data.ports.length * portRow + 8}px` }}>
        <div className="truncate text-sm font-medium">{data.label}</div>
        <div className="truncate font-mono text-xs text-muted">{data.subtitle}</div>
      </div>
      {data.vertical && labelled && (
        <div className="grid border-t border-border" style={{ gridTemplateColumns: `repeat(${data.ports.length}, minmax(0, 1fr))` }}>
          {data.ports.map((port) => (
            <span key={port} className="truncate px-1 pb-1.5 pt-0.5 text-center text-[10px] font-medium text-muted">
              {portLabel(port)}
            </span>
          ))}
        </div>
      )}
      {data.ports.map((port, index) => {
        const style = data.vertical ? { left: `${((index + 0.5) / data.ports.length) * 100}%` } : { top: `${headerHeight + 4 + index * portRow + portRow / 2}px` };
        return (
          <div key={port}>
            <Handle type="source" id={port} position={data.vertical ? Position.Bottom : Position.Right} style={style} data-testid={`port-${data.nodeId}-${port}`} className={cn('!size-3 !border-2 !border-surface', portColor(port))} />
            {!data.vertical && labelled && (
              <span className="pointer-events-none absolute right-3 -translate-y-1/2 text-[10px] font-medium text-muted" style={style}>
                {portLabel(port)}
              </span>
            )}
          </div>
        );
      })}
    </div>
  );
}

/** Top to bottom when the graph's edges mostly run downwards (as templates are laid out), else left to right. */
function isVertical(definition: WorkflowDefinition): boolean {
  const positions = new Map([[triggerNodeId, definition.triggerPosition], ...definition.nodes.map((node) => [node.id, node.position] as const)]);
  let across = 0;
  let down = 0;
  for (const edge of definition.edges) {
    const from = positions.get(edge.source);
    const to = positions.get(edge.target);
    if (!from || !to) continue;
    across += Math.abs(to.x - from.x);
    down += Math.abs(to.y - from.y);
  }
  return down > across;
}

const nodeTypes = { step: StepNode };

function triggerSubtitle(definition: WorkflowDefinition): string {
  const trigger = definition.trigger;
  if (trigger.kind === 'event') return trigger.eventType;
  if (trigger.kind === 'schedule') return `${trigger.cron} (${trigger.timezone})`;
  return trigger.kind;
}

/** One empty list for every render without issues (a fresh [] each time would re-run the memos below forever). */
const noIssues: DefinitionIssue[] = [];

function CanvasInner({ definition, stepKinds, readOnly = false, highlight, issues = noIssues, onChange, onSelect, selectedNodeId, className }: WorkflowCanvasProps) {
  const { t } = useTranslation();
  const colorMode = useColorScheme();
  const flow = useReactFlow();
  const [selectedEdges, setSelectedEdges] = useState<string[]>([]);
  const [selectedNodes, setSelectedNodes] = useState<string[]>([]);
  const portsOf = useMemo(() => new Map(stepKinds.map((info) => [info.kind, info.ports])), [stepKinds]);
  const byNode = useMemo(() => issuesByNode(issues), [issues]);
  const edgeIssues = useMemo(() => new Set(issues.map((issue) => issue.edgeId).filter(Boolean)), [issues]);

  const built = useMemo((): StepFlowNode[] => {
    const highlighted = new Set(highlight?.nodeIds ?? []);
    const vertical = isVertical(definition);
    const node = (nodeId: string, kind: StepKind | 'trigger', label: string, subtitle: string, ports: string[], position: { x: number; y: number }): StepFlowNode => ({
      id: nodeId,
      type: 'step',
      position,
      deletable: !readOnly && nodeId !== triggerNodeId,
      selected: selectedNodeId === nodeId,
      data: {
        nodeId,
        kind,
        label,
        subtitle,
        ports,
        issues: byNode.get(nodeId) ?? [],
        status: highlight?.statusByNode?.[nodeId] ?? null,
        highlighted: highlighted.has(nodeId),
        dimmed: Boolean(highlight) && !highlighted.has(nodeId),
        vertical,
      },
    });
    return [
      node(triggerNodeId, 'trigger', t(`workflows.triggerKinds.${definition.trigger.kind}`), triggerSubtitle(definition), [defaultPort], definition.triggerPosition),
      ...definition.nodes.map((step) => node(step.id, step.kind, step.label || t(`workflows.kinds.${step.kind}`), step.id, portsOf.get(step.kind) ?? [defaultPort], step.position)),
    ];
  }, [definition, portsOf, byNode, highlight, readOnly, selectedNodeId, t]);

  // React Flow measures nodes into its own copy; keep the measurements across rebuilds from the definition.
  const [nodes, setNodes] = useState<StepFlowNode[]>(built);
  useEffect(() => {
    setNodes((previous) => {
      const measured = new Map(previous.map((node) => [node.id, node.measured]));
      return built.map((node) => ({ ...node, measured: measured.get(node.id) }));
    });
  }, [built]);

  const edges = useMemo((): Edge[] => {
    const highlighted = new Set(highlight?.edgeIds ?? []);
    return definition.edges.map((edge) => {
      const port = edge.sourceHandle ?? defaultPort;
      const isHighlighted = highlighted.has(edge.id);
      const broken = edgeIssues.has(edge.id);
      return {
        id: edge.id,
        type: 'smoothstep',
        source: edge.source,
        sourceHandle: port,
        target: edge.target,
        deletable: !readOnly,
        selected: selectedEdges.includes(edge.id),
        animated: isHighlighted,
        label: port === defaultPort ? undefined : t(`workflows.ports.${port}`, { defaultValue: port }),
        style: { strokeWidth: isHighlighted ? 3 : 1.5, stroke: broken ? 'var(--color-danger)' : isHighlighted ? 'var(--color-primary)' : undefined, opacity: highlight && !isHighlighted ? 0.4 : 1 },
      };
    });
  }, [definition.edges, highlight, edgeIssues, readOnly, selectedEdges, t]);

  const positionsChanged = useCallback(
    (moved: Map<string, { x: number; y: number }>) => {
      if (!onChange || moved.size === 0) return;
      onChange({
        ...definition,
        triggerPosition: moved.get(triggerNodeId) ?? definition.triggerPosition,
        nodes: definition.nodes.map((node) => {
          const position = moved.get(node.id);
          return position ? { ...node, position } : node;
        }),
      });
    },
    [definition, onChange],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<StepFlowNode>[]) => {
      setNodes((current) => applyNodeChanges(changes, current));
      const moved = new Map<string, { x: number; y: number }>();
      const removed: string[] = [];
      for (const change of changes) {
        if (change.type === 'position' && change.dragging === false && change.position) moved.set(change.id, change.position);
        if (change.type === 'position' && change.dragging === false && !change.position) {
          const current = flow.getNode(change.id);
          if (current) moved.set(change.id, current.position);
        }
        if (change.type === 'remove') removed.push(change.id);
        if (change.type === 'select') {
          setSelectedNodes((selected) => (change.selected ? [...selected.filter((id) => id !== change.id), change.id] : selected.filter((id) => id !== change.id)));
          if (change.selected) onSelect?.(change.id);
        }
      }
      if (removed.length > 0 && onChange && !readOnly) {
        onChange(removeElements(definition, removed, []));
        onSelect?.(null);
      } else positionsChanged(moved);
    },
    [definition, flow, onChange, onSelect, positionsChanged, readOnly],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const removed: string[] = [];
      for (const change of changes) {
        if (change.type === 'remove') removed.push(change.id);
        if (change.type === 'select') setSelectedEdges((selected) => (change.selected ? [...selected, change.id] : selected.filter((id) => id !== change.id)));
      }
      if (removed.length > 0 && onChange && !readOnly) onChange(removeElements(definition, [], removed));
    },
    [definition, onChange, readOnly],
  );

  const onDrop = useCallback(
    (event: DragEvent) => {
      const kind = event.dataTransfer.getData(stepKindDragType) as StepKind;
      if (!kind || readOnly || !onChange || !portsOf.has(kind)) return;
      event.preventDefault();
      const position = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      const added = addStepNode(definition, kind, position);
      onChange(added.definition);
      onSelect?.(added.nodeId);
    },
    [definition, flow, onChange, onSelect, portsOf, readOnly],
  );

  // A step added from the palette may land outside the view: bring the whole graph back into it.
  const count = definition.nodes.length;
  const previousCount = useRef(count);
  useEffect(() => {
    const grew = count > previousCount.current;
    previousCount.current = count;
    if (!grew) return;
    const timer = setTimeout(() => void flow.fitView({ maxZoom: 1, padding: 0.2, duration: 200 }), 50);
    return () => clearTimeout(timer);
  }, [count, flow]);

  const nodesToDelete = [...new Set([...selectedNodes, ...(selectedNodeId ? [selectedNodeId] : [])])].filter((id) => id !== triggerNodeId);
  const deletable = !readOnly && (selectedEdges.length > 0 || nodesToDelete.length > 0);

  return (
    <div className={cn('h-full min-h-[420px] w-full rounded-lg border border-border bg-bg', className)} data-testid="workflow-canvas">
      <ReactFlow<StepFlowNode, Edge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        colorMode={colorMode}
        style={{ backgroundColor: 'transparent' }}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={(connection) => {
          if (readOnly || !onChange) return;
          onChange(connectNodes(definition, connection.source, connection.sourceHandle ?? null, connection.target));
        }}
        onPaneClick={() => onSelect?.(null)}
        onDragOver={(event) => {
          if (readOnly) return;
          event.preventDefault();
          event.dataTransfer.dropEffect = 'move';
        }}
        onDrop={onDrop}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        deleteKeyCode={readOnly ? null : ['Backspace', 'Delete']}
        fitView
        fitViewOptions={{ maxZoom: 1, padding: 0.2 }}
        minZoom={0.2}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={16} />
        <Controls showInteractive={false} />
        {deletable && (
          <Panel position="top-right">
            <Button
              size="sm"
              variant="danger"
              onClick={() => {
                onChange?.(removeElements(definition, nodesToDelete, selectedEdges));
                setSelectedEdges([]);
                setSelectedNodes([]);
                onSelect?.(null);
              }}
            >
              {t('workflows.deleteSelection')}
            </Button>
          </Panel>
        )}
      </ReactFlow>
    </div>
  );
}

/**
 * The workflow graph on a React Flow canvas: the trigger and the steps with their kind, label, issue badge
 * and one labelled source handle per port. Editable (drag, connect ports to steps, drop palette kinds,
 * delete with the keyboard or the button) unless readOnly; the run inspector passes `highlight`.
 */
export function WorkflowCanvas(props: WorkflowCanvasProps) {
  return (
    <ReactFlowProvider>
      <CanvasInner {...props} />
    </ReactFlowProvider>
  );
}
