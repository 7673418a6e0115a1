/** One invalid variable and why it was refused. */
export interface ConfigIssue {
  readonly variable: string;
  readonly reason: string;
}

/**
 * Thrown when the environment does not describe a valid OmsConfig. The message lists every
 * invalid variable at once, so an operator fixes a deployment in one round instead of many.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `invalid configuration (${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}):\n` +
        issues.map((issue) => `  - ${issue.variable}: ${issue.reason}`).join('\n'),
    );
  }
}
