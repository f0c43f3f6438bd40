/** "Did you mean" for task ids: the known id closest by edit distance, when it is close enough. */
export function closestId(wanted: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  // Sorted so that equal distances always pick the same id.
  for (const id of [...candidates].sort()) {
    const d = editDistance(wanted, id);
    if (d < bestDistance) {
      best = id;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(wanted.length / 3));
  return bestDistance <= limit ? best : undefined;
}

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}
