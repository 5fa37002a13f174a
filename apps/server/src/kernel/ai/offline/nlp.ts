import winkNLP, { type ItemToken, type ItsFunction, type ReadabilityStats, type WinkMethods } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

/**
 * The offline agents' text toolkit: wink-nlp with its English lite model, deterministic and local (no
 * network, no downloads at run time). English only; other languages get rough results.
 */
export type SentimentLabel = 'positive' | 'neutral' | 'negative';

export type Sentiment = {
  /** wink-nlp's score in [-1, 1], rounded to 3 decimals. */
  score: number;
  label: SentimentLabel;
};

export type Keyword = { term: string; count: number };

export type Readability = {
  /** Flesch reading ease: 100 very easy, 60–70 plain English, below 30 very hard. */
  fleschReadingEase: number;
  words: number;
  sentences: number;
  /** Words of four syllables or more. */
  complexWords: number;
  readingTimeSeconds: number;
};

export type OfflineNlp = {
  sentiment(text: string): Sentiment;
  /** Content words (nouns, proper nouns, adjectives, verbs; hashtags without "#"), lemmatized, most frequent first. */
  keywords(text: string, limit?: number): Keyword[];
  /**
   * Noun phrases that name what a text is about ("single-origin espresso", "pumpkin spice latte"): runs of
   * nouns and hyphenated compounds, as written, best first (how often their head noun occurs, multi-word
   * phrases before single words, then the order of appearance).
   */
  topics(text: string, limit?: number): string[];
  sentences(text: string): string[];
  readability(text: string): Readability;
};

/** Scores within ±0.05 of zero read as neutral: short factual texts land there. */
const neutralBand = 0.05;
const keywordPartsOfSpeech = new Set(['NOUN', 'PROPN', 'ADJ', 'VERB']);
/** Frequent verbs that carry no topic. */
const weakVerbs = new Set(['be', 'have', 'do', 'get', 'make', 'go', 'say', 'can', 'will', 'would', 'should', 'could', 'may', 'might', 'must']);

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

export function labelSentiment(score: number): SentimentLabel {
  if (score > neutralBand) return 'positive';
  if (score < -neutralBand) return 'negative';
  return 'neutral';
}

function createNlp(): OfflineNlp {
  const nlp: WinkMethods = winkNLP(model);
  const its = nlp.its;
  // wink-nlp's typings give its.lemma a signature out() does not accept; at run time it is a token its.
  const lemma = its.lemma as unknown as ItsFunction<string>;
  /** A hashtag's body lemmatized as a word of its own (#shoes counts with "shoe"). */
  const lemmaOfWord = (word: string) => {
    const [first] = nlp.readDoc(word).tokens().out(lemma) as string[];
    return first ?? word;
  };
  return {
    sentiment(text) {
      const score = text.trim() ? round(Number(nlp.readDoc(text).out(its.sentiment)), 3) : 0;
      return { score, label: labelSentiment(score) };
    },
    keywords(text, limit = 10) {
      const counts = new Map<string, { count: number; first: number }>();
      let position = 0;
      nlp
        .readDoc(text)
        .tokens()
        .each((token: ItemToken) => {
          position += 1;
          const type = token.out(its.type);
          const isWord = type === 'word' && !token.out(its.stopWordFlag) && keywordPartsOfSpeech.has(token.out(its.pos));
          if (type !== 'hashtag' && !isWord) return;
          const term = (type === 'hashtag' ? lemmaOfWord(token.out(its.normal).slice(1)) : token.out(lemma)).toLowerCase();
          if (term.length < 3 || weakVerbs.has(term) || /^\d+$/.test(term)) return;
          const entry = counts.get(term);
          if (entry) entry.count += 1;
          else counts.set(term, { count: 1, first: position });
        });
      return [...counts.entries()]
        .sort(([, left], [, right]) => right.count - left.count || left.first - right.first)
        .slice(0, limit)
        .map(([term, { count }]) => ({ term, count }));
    },
    topics(text, limit = 5) {
      type Unit = { text: string; pos: string; lemma: string; compound: boolean };
      const phrases: Unit[][] = [];
      let current: Unit[] = [];
      let joinNext = false;
      const close = () => {
        // Single-word adjectives in front ("new", "free", "first") say little about the topic; compounds stay.
        while (current.length > 1 && current[0]!.pos === 'ADJ' && !current[0]!.compound) current.shift();
        while (current.length > 0 && current[current.length - 1]!.pos === 'ADJ') current.pop();
        if (current.length > 0) phrases.push(current.slice(-3));
        current = [];
      };
      nlp
        .readDoc(text)
        .tokens()
        .each((token: ItemToken) => {
          const word = token.out();
          const pos = token.out(its.pos);
          const glued = token.out(its.precedingSpaces) === '';
          if (word === '-' && glued && current.length > 0) {
            joinNext = true;
            return;
          }
          if (joinNext && glued && token.out(its.type) === 'word' && current.length > 0) {
            const last = current[current.length - 1]!;
            current[current.length - 1] = { text: `${last.text}-${word}`, pos: pos === 'ADJ' ? 'ADJ' : 'NOUN', lemma: token.out(lemma).toLowerCase(), compound: true };
            joinNext = false;
            return;
          }
          joinNext = false;
          if (token.out(its.type) === 'word' && !token.out(its.stopWordFlag) && (pos === 'NOUN' || pos === 'PROPN' || pos === 'ADJ')) {
            current.push({ text: pos === 'PROPN' ? word : word.toLowerCase(), pos, lemma: token.out(lemma).toLowerCase(), compound: false });
          } else {
            close();
          }
        });
      close();
      const headCounts = new Map<string, number>();
      for (const phrase of phrases) {
        for (const unit of phrase) if (unit.pos !== 'ADJ') headCounts.set(unit.lemma, (headCounts.get(unit.lemma) ?? 0) + 1);
      }
      const scored = new Map<string, { score: number; first: number }>();
      phrases.forEach((phrase, index) => {
        const key = phrase.map((unit) => unit.text).join(' ');
        if (key.length < 3 || scored.has(key.toLowerCase())) return;
        const head = phrase[phrase.length - 1]!;
        scored.set(key, { score: (headCounts.get(head.lemma) ?? 1) + (phrase.length > 1 ? 0.5 : 0), first: index });
      });
      return [...scored.entries()]
        .sort(([, left], [, right]) => right.score - left.score || left.first - right.first)
        .slice(0, limit)
        .map(([phrase]) => phrase);
    },
    sentences(text) {
      if (!text.trim()) return [];
      return nlp
        .readDoc(text)
        .sentences()
        .out()
        .map((sentence) => sentence.trim())
        .filter(Boolean);
    },
    readability(text) {
      const stats = nlp.readDoc(text).out(its.readabilityStats) as ReadabilityStats;
      if (!stats.numOfWords) return { fleschReadingEase: 0, words: 0, sentences: 0, complexWords: 0, readingTimeSeconds: 0 };
      return {
        fleschReadingEase: stats.fres,
        words: stats.numOfWords,
        sentences: stats.numOfSentences,
        complexWords: stats.numOfComplexWords,
        readingTimeSeconds: stats.readingTimeMins * 60 + stats.readingTimeSecs,
      };
    },
  };
}

let shared: OfflineNlp | null = null;

/** The process-wide toolkit, built on first use (building the model's lookup tables takes a moment). */
export function getOfflineNlp(): OfflineNlp {
  shared ??= createNlp();
  return shared;
}
