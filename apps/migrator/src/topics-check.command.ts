import type { OmsConfig } from '@oms/config';
import { checkOmsKafkaTopics, settingDrifts, settingUnknown, type TopicCheck } from '@oms/messaging';

export interface TopicsCheckResult {
  readonly lines: string[];
  /** A topic is missing or a setting differs (with `strict`, also: a setting is unknown). */
  readonly failed: boolean;
}

/**
 * `topics check`: each OMS topic's partitions, replication factor, retention.ms and
 * min.insync.replicas as configured against what the cluster reports. What the cluster does
 * not report is listed as unknown with the reason, and counts as a failure only with --strict.
 */
export async function checkTopics(
  config: Pick<OmsConfig, 'broker'>,
  strict: boolean,
  check: typeof checkOmsKafkaTopics = checkOmsKafkaTopics,
): Promise<TopicsCheckResult> {
  return reportTopicChecks(await check(config), strict);
}

export function reportTopicChecks(checks: readonly TopicCheck[], strict: boolean): TopicsCheckResult {
  const lines: string[] = [];
  let drifts = 0;
  let unknown = 0;
  const missing = checks.filter((check) => check.missing).length;
  for (const check of checks) {
    if (check.missing) {
      lines.push(`${check.topic}: MISSING`);
      continue;
    }
    lines.push(`${check.topic}:`);
    for (const setting of check.settings) {
      const label = setting.setting.padEnd(19);
      if (settingUnknown(setting)) {
        unknown++;
        lines.push(`  ${label} unknown, declared ${setting.declared} (${setting.unknownBecause ?? 'not reported'})`);
      } else if (settingDrifts(setting)) {
        drifts++;
        lines.push(`  ${label} DRIFT: ${setting.actual}, declared ${setting.declared}`);
      } else {
        lines.push(`  ${label} ok (${setting.actual})`);
      }
    }
  }
  const unverified = unknown > 0 ? `; ${unknown} setting(s) unknown: not verified${strict ? ' (--strict: fails)' : ''}` : '';
  lines.push(`${missing} missing topic(s), ${drifts} setting(s) drifted${unverified}`);
  return { lines, failed: missing > 0 || drifts > 0 || (strict && unknown > 0) };
}
