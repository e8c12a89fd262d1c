/** One problem in a fixture, named by file and JSON path (`tenants[0].applications[1].appId`). */
export interface FixtureIssue {
  file: string;
  path: string;
  message: string;
}

export const formatIssue = (i: FixtureIssue): string => `${i.file}: ${i.path || '(root)'}: ${i.message}`;

/** Thrown when a fixture is invalid; carries every issue, not just the first. */
export class FixtureError extends Error {
  constructor(readonly issues: FixtureIssue[]) {
    super(`invalid fixture (${issues.length} error${issues.length === 1 ? '' : 's'}):\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
    this.name = 'FixtureError';
  }
}
