import { campaignStrategistAgent } from './campaign-strategist.js';
import { copywriterAgent } from './copywriter.js';
import type { AgentDefinition } from './define.js';
import { insightsAnalystAgent } from './insights-analyst.js';
import { leadScorerAgent } from './lead-scorer.js';
import { moderatorAgent } from './moderator.js';
import { performancePredictorAgent } from './performance-predictor.js';
import { sentimentAnalystAgent } from './sentiment-analyst.js';
import { translatorAgent } from './translator.js';

/** Every agent runAgent knows, by id (docs/design/ai-agents.md §4). */
export const agentCatalogue: AgentDefinition[] = [
  campaignStrategistAgent,
  copywriterAgent,
  sentimentAnalystAgent,
  leadScorerAgent,
  translatorAgent,
  moderatorAgent,
  performancePredictorAgent,
  insightsAnalystAgent,
];

const byId = new Map(agentCatalogue.map((agent) => [agent.id, agent]));

export function findAgent(agentId: string): AgentDefinition | undefined {
  return byId.get(agentId);
}
