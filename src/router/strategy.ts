/** Load-balancing strategies: which of the available deployments of one priority tier gets the next request. */
import type { Strategy } from '../config/schema.ts';

export interface Balanced {
  weight: number;
  inFlight: number;
}

function weightedPick<T extends Balanced>(items: T[]): T {
  let total = 0;
  for (const item of items) total += item.weight;
  let r = Math.random() * total;
  for (const item of items) {
    r -= item.weight;
    if (r < 0) return item;
  }
  return items[items.length - 1]!;
}

function leastBusy<T extends Balanced>(items: T[]): T {
  let best: T[] = [];
  let min = Number.POSITIVE_INFINITY;
  for (const item of items) {
    if (item.inFlight < min) {
      min = item.inFlight;
      best = [item];
    } else if (item.inFlight === min) best.push(item);
  }
  return best[Math.floor(Math.random() * best.length)]!;
}

/** Picks one of `items` (non-empty, all of the same priority). `turn` is the group's round-robin counter. */
export function choose<T extends Balanced>(strategy: Strategy, items: T[], turn: number): T {
  if (items.length === 1) return items[0]!;
  switch (strategy) {
    case 'random':
      return items[Math.floor(Math.random() * items.length)]!;
    case 'weighted':
    case 'priority':
      return weightedPick(items);
    case 'round-robin':
      return items[turn % items.length]!;
    case 'least-busy':
      return leastBusy(items);
  }
}
