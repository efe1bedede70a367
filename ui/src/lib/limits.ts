// Mirrors parley-core's limits so the UI can say them before a round trip.
// The backend enforces them regardless.
export const MAX_COMMENT_CHARS = 10_000;
export const MIN_PASSWORD_CHARS = 10;
/** The first account becomes the admin and needs a longer one. */
export const MIN_ADMIN_PASSWORD_CHARS = 15;

/** Length as a person (and the backend) counts it: characters, not UTF-16 units. */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Replies indent up to this depth; deeper ones say whom they answer instead. */
export const MAX_INDENT = 5;
