// --env NAME=VALUE (repeatable): settings every app of the bench topology starts with, for an
// experiment measured against the defaults (e.g. --env OMS_KAFKA_CONSUMER_FETCH_MAX_WAIT=20ms).
// The report's command line records them, as it records every option.

/** The variables of `pairs` (each NAME=VALUE); a malformed pair throws, naming it. */
export function envOverrides(pairs) {
  const env = {};
  for (const pair of pairs) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/s.exec(pair);
    if (!match) throw new Error(`--env takes NAME=VALUE (an upper-case variable name), got "${pair}"`);
    env[match[1]] = match[2];
  }
  return env;
}

/** Whether the overrides make the relay delete published rows (OMS_OUTBOX_RETENTION of 0 in any unit). */
export function deletesSentRows(env) {
  return /^0+(\.0+)?(ns|us|µs|ms|s|m|h)?$/.test(env.OMS_OUTBOX_RETENTION ?? '');
}
