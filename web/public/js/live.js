// The board's live view of a tour: how each reported stop compares with
// the plan, and when the stops still to come should now be reached. The
// estimate starts from the last stop reported (its departure as the driver
// sent it) and follows the plan's own legs and service times; a stop where
// the plan waited for the site to open still starts no earlier than the
// plan said. Plan times are local wall-clock times, as the browser reads them.

import { t } from './i18n.js';

const MINUTE = 60000;
/** Closer than this to the plan is on time. */
const ON_TIME_MIN = 5;

const when = (s) => new Date(s);
const clock = (d) => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;

/** When the driver left the stop, as reported. */
const leftAt = (reported) => when(reported.departed_at || reported.at);

/** `en retard de 12 min` / `en avance de 5 min` / `à l'heure`: the
 *  driver's report against the planned departure. */
export function lateness(stop, reported) {
  const minutes = Math.round((leftAt(reported) - when(stop.departure)) / MINUTE);
  if (Number.isNaN(minutes)) return '';
  if (Math.abs(minutes) < ON_TIME_MIN) return t('board.on_time');
  return minutes > 0 ? t('board.late', { min: minutes }) : t('board.early', { min: -minutes });
}

/**
 * The re-estimated arrival (a Date) of each stop after the last one
 * reported, by stop number (1-based); empty when nothing is reported or
 * the estimate is within a few minutes of the plan everywhere.
 */
export function reestimate(tour, reportedOf) {
  const stops = tour.stops;
  let last = -1;
  stops.forEach((_, k) => { if (reportedOf(k + 1)) last = k; });
  if (last < 0) return new Map();
  let clockAt = leftAt(reportedOf(last + 1));
  if (Number.isNaN(clockAt.getTime())) return new Map();
  const out = new Map();
  for (let k = last + 1; k < stops.length; k += 1) {
    const s = stops[k];
    const previous = stops[k - 1];
    const leg = when(s.arrival) - when(previous.departure);
    const arrive = new Date(clockAt.getTime() + leg);
    const waited = when(s.start) > when(s.arrival);
    const begin = waited && when(s.start) > arrive ? when(s.start) : arrive;
    clockAt = new Date(begin.getTime() + (when(s.departure) - when(s.start)));
    if (Math.abs(arrive - when(s.arrival)) >= ON_TIME_MIN * MINUTE) out.set(k + 1, arrive);
  }
  return out;
}

/** `≈ 10:42`: a re-estimated arrival as the board shows it. */
export const estimated = (d) => t('board.estimated', { time: clock(d) });
