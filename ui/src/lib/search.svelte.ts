// What the last search looked for, kept for the article a result opens:
// it marks those words, once.
import type { HighlightWord } from './api';

class SearchHighlight {
  #words = $state<HighlightWord[]>([]);
  #articleId = $state<string | null>(null);

  /** Remembers `words` for the article `articleId` about to open. */
  set(articleId: string, words: HighlightWord[]) {
    this.#articleId = articleId;
    this.#words = words;
  }

  /** The words to mark in `articleId`, forgotten once taken. */
  take(articleId: string): HighlightWord[] {
    if (this.#articleId !== articleId) return [];
    const words = this.#words;
    this.#words = [];
    this.#articleId = null;
    return words;
  }
}

export const searchHighlight = new SearchHighlight();
