import type { MoneyJson, OrderStatusName } from '../api/orders.types';

/** `ORDER_STATUS_CONFIRMED` -> `CONFIRMED`. */
export const statusLabel = (status: string): string => status.replace(/^ORDER_STATUS_/, '');

/** Minor units as a decimal amount with its currency (two decimals: the currencies OMS takes). */
export function money(value: MoneyJson | undefined): string {
  if (!value) return '—';
  const minor = BigInt(value.amountMinor || '0');
  const sign = minor < 0n ? '-' : '';
  const absolute = minor < 0n ? -minor : minor;
  const units = absolute / 100n;
  const cents = (absolute % 100n).toString().padStart(2, '0');
  return `${sign}${units.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents} ${value.currency}`;
}

/** Unix seconds (a string, as int64 is in proto3 JSON) as a UTC time. */
export function unixTime(seconds: string | number): string {
  const value = Number(seconds);
  return Number.isFinite(value) && value > 0 ? isoTime(new Date(value * 1000).toISOString()) : '—';
}

/** An ISO-8601 instant, shortened to seconds, in UTC. */
export function isoTime(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A tone per status, for the badge colour (never the only cue: the word is always shown). */
export function statusTone(status: string): 'ok' | 'bad' | 'warn' | 'busy' | 'plain' {
  const name = statusLabel(status) as string;
  if (name === 'CONFIRMED' || name === 'COMPLETED') return 'ok';
  if (name === 'COMPENSATION_FAILED') return 'bad';
  if (name === 'CANCELED' || name === 'REFUNDED' || name === 'COMPENSATED') return 'warn';
  if (name === 'RESERVED' || name === 'PAID' || name === 'RUNNING') return 'busy';
  return 'plain';
}

export type { OrderStatusName };
