/**
 * Message ids: `<ms since epoch, 13 digits>-<sequence, 6 digits>`, e.g.
 * `1764100000000-000003`. They are unique per log, and plain string comparison
 * sorts them in the order the server accepted the messages. The shape matches a
 * Redis stream id (`ms-seq`) zero-padded, so a cluster can use stream ids as is.
 */
export const ID_PATTERN = /^\d{13}-\d{6}$/;

export function formatId(ms: number, seq: number): string {
  return msPart(ms) + seqPart(seq);
}

function msPart(ms: number): string {
  return `${String(ms).padStart(13, "0")}-`;
}

function seqPart(seq: number): string {
  return String(seq).padStart(6, "0");
}

export function parseId(id: string): { ms: number; seq: number } | undefined {
  if (!ID_PATTERN.test(id)) return undefined;
  return { ms: Number(id.slice(0, 13)), seq: Number(id.slice(14)) };
}

/**
 * Returns a generator of strictly increasing ids. A clock that steps back (NTP)
 * never produces an id below the last one: the sequence keeps counting instead.
 */
export function createIdGenerator(after?: string, now: () => number = Date.now): () => { id: string; ts: number } {
  const last = after ? parseId(after) : undefined;
  let lastMs = last?.ms ?? 0;
  let seq = last?.seq ?? 0;
  // Many ids share a millisecond: format its half once (same text as formatId).
  let prefix = msPart(lastMs);
  return () => {
    const ts = now();
    if (ts > lastMs) {
      lastMs = ts;
      seq = 0;
      prefix = msPart(lastMs);
    } else {
      seq += 1;
      if (seq > 999_999) {
        lastMs += 1;
        seq = 0;
        prefix = msPart(lastMs);
      }
    }
    return { id: prefix + seqPart(seq), ts: lastMs };
  };
}
