/** The dashboard's time maths: range presets, the bucket each is charted in, local-time alignment and axis labels. */
import { locale } from '../../ui/format.ts';

export const RANGES = ['1h', '24h', '7d', '30d'] as const;
export type RangePreset = (typeof RANGES)[number];
export type TimeBucket = 'minute' | 'hour' | 'day';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const BUCKET_MS: Record<TimeBucket, number> = { minute: MINUTE, hour: HOUR, day: DAY };

/** Each preset: its words in `common:time.*`, the bucket, how many buckets, and the spacing of the axis ticks. */
const PRESETS: Record<
  RangePreset,
  { label: 'lastHour' | 'last24h' | 'last7d' | 'last30d'; bucket: TimeBucket; buckets: number; tickEvery: number }
> = {
  '1h': { label: 'lastHour', bucket: 'minute', buckets: 60, tickEvery: 10 * MINUTE },
  '24h': { label: 'last24h', bucket: 'hour', buckets: 24, tickEvery: 3 * HOUR },
  '7d': { label: 'last7d', bucket: 'hour', buckets: 7 * 24, tickEvery: DAY },
  '30d': { label: 'last30d', bucket: 'day', buckets: 30, tickEvery: 5 * DAY },
};

export const rangeLabel = (preset: RangePreset) => `common:time.${PRESETS[preset].label}` as const;

export const isRange = (value: string | null): value is RangePreset => RANGES.some((r) => r === value);

/** Minutes east of UTC, as the API's tz_offset wants it: buckets then begin at the viewer's local midnight/hour. */
export const viewerTzOffset = (): number => -new Date().getTimezoneOffset();

/** A range made concrete at one moment: whole local buckets, the last one the current (still filling) one. */
export interface RangeWindow {
  preset: RangePreset;
  bucket: TimeBucket;
  /** One bucket's length in ms. */
  size: number;
  tzOffset: number;
  /** When the window was made: the end of the data so far. */
  now: number;
  /** Unix ms, inclusive: the first bucket's start. */
  from: number;
  /** Unix ms, exclusive: the end of the current bucket. */
  to: number;
  /** Every bucket's start, oldest first: the chart's x values, so the time axis is even even where nothing happened. */
  starts: number[];
}

/** The start of the local bucket a moment falls in. */
function alignDown(time: number, size: number, tzOffset: number): number {
  const offset = tzOffset * MINUTE;
  return Math.floor((time + offset) / size) * size - offset;
}

export function rangeWindow(preset: RangePreset, now = Date.now(), tzOffset = viewerTzOffset()): RangeWindow {
  const { bucket, buckets } = PRESETS[preset];
  const size = BUCKET_MS[bucket];
  const current = alignDown(now, size, tzOffset);
  const from = current - (buckets - 1) * size;
  return {
    preset,
    bucket,
    size,
    tzOffset,
    now,
    from,
    to: current + size,
    starts: Array.from({ length: buckets }, (_, i) => from + i * size),
  };
}

/** Which bucket (by index in `starts`) a bucket start from the API is, or -1 outside the window. */
export function bucketIndex(window: RangeWindow, start: number): number {
  const index = Math.round((alignDown(start, window.size, window.tzOffset) - window.from) / window.size);
  return index >= 0 && index < window.starts.length ? index : -1;
}

/** Bucket starts that get an axis label: on round local times (every 10 min, 3 h, midnight, 5 days). */
export function axisTicks(window: RangeWindow): number[] {
  const every = PRESETS[window.preset].tickEvery;
  return window.starts.filter((start) => alignDown(start, every, window.tzOffset) === start);
}

const formats = {
  time: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  seconds: { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' },
  monthDay: { month: 'short', day: 'numeric' },
  dayTime: { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  weekdayDate: { weekday: 'short', month: 'short', day: 'numeric' },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

/** Charts also ask for labels of nothing (a tooltip with no bucket under the pointer): those are empty. */
function format(ms: number, style: keyof typeof formats): string {
  if (!Number.isFinite(ms)) return '';
  return new Intl.DateTimeFormat(locale(), formats[style]).format(ms);
}

/** An axis tick: the time of day within a day, the date beyond. */
export function tickLabel(window: RangeWindow, start: number): string {
  return format(start, window.preset === '1h' || window.preset === '24h' ? 'time' : 'monthDay');
}

/** A bucket in a tooltip: precise enough to tell it from its neighbours. */
export function bucketLabel(window: RangeWindow, start: number): string {
  if (window.bucket === 'day') return format(start, 'weekdayDate');
  return format(start, window.preset === '7d' ? 'dayTime' : 'time');
}

/** A moment as hh:mm:ss, for the live view's list. */
export const clockTime = (ms: number): string => format(ms, 'seconds');

/** How many one-second slots the live view charts. */
export const LIVE_SECONDS = 60;

/** Requests per second over the last minute (answered, failed), oldest first; `from` is the minute's start. */
export function perSecond(
  logs: readonly { created_at: number; status: number }[],
  from: number,
): { second: number; ok: number; failed: number }[] {
  const slots = Array.from({ length: LIVE_SECONDS }, (_, second) => ({ second, ok: 0, failed: 0 }));
  for (const log of logs) {
    const slot = slots[Math.floor((log.created_at - from) / 1000)];
    if (!slot) continue;
    if (log.status >= 400) slot.failed += 1;
    else slot.ok += 1;
  }
  return slots;
}
