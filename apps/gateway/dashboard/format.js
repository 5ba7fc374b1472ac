// Numbers as people read them at a glance.

/**
 * Seconds as ms or s, with two or three significant digits; an em dash when unknown.
 * @param {number | null | undefined} seconds
 */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 1) {
    const ms = seconds * 1000;
    return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0)} ms`;
  }
  return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
}

/**
 * A rate per second.
 * @param {number | undefined} perSecond
 */
export function rate(perSecond) {
  if (perSecond === undefined || perSecond === 0) return '0/s';
  if (perSecond < 10) return `${perSecond.toFixed(1)}/s`;
  return `${Math.round(perSecond)}/s`;
}

/**
 * A count with thousands separated.
 * @param {number} count
 */
export function count(count) {
  return Math.round(count).toLocaleString('en-US');
}

/**
 * A time of day (and the date when not today).
 * @param {string | number} time
 */
export function clock(time) {
  const date = new Date(time);
  const today = new Date().toDateString() === date.toDateString();
  return today ? date.toLocaleTimeString() : date.toLocaleString();
}

/**
 * The class of a status code (2xx ...).
 * @param {string} code
 */
export function codeClass(code) {
  return /^[1-5]\d\d$/.test(code) ? `${code[0]}xx` : 'other';
}
