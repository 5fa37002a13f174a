export { getOfflineNlp, labelSentiment, type Keyword, type OfflineNlp, type Readability, type Sentiment, type SentimentLabel } from './nlp.js';
export {
  createOfflineHandlerRegistry,
  createOfflineProvider,
  offlineHandlers,
  offlineModel,
  offlineRefusal,
  registerOfflineHandler,
  type OfflineContext,
  type OfflineHandler,
  type OfflineHandlerRegistry,
} from './provider.js';
