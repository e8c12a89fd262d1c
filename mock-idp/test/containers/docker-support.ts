import { execFileSync } from 'node:child_process';
import { describe, it } from 'vitest';

/**
 * Whether the container tests run: when a Docker daemon answers. Without one they are skipped and
 * say "skipped: no Docker" (a laptop without Docker still passes `npm test`), unless
 * MOCK_ENTRA_REQUIRE_DOCKER=1 (.ci/run sets it): then a missing daemon fails them.
 */

export const REQUIRE_DOCKER = process.env.MOCK_ENTRA_REQUIRE_DOCKER === '1';

function dockerAnswers(): boolean {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 15_000 });
    return true;
  } catch {
    return false;
  }
}

export const DOCKER = dockerAnswers();

// Offline machines (no image can be pulled): testcontainers' Ryuk reaper image and the `alpine`
// it pulls to find the Docker host are out of reach. Both are harmless with a local daemon, where
// the tests stop their containers themselves; a value set outside wins.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost';

/** A `describe` of tests that need a Docker daemon (see above). */
export function describeWithDocker(name: string, body: () => void): void {
  if (DOCKER) {
    describe(name, body);
  } else if (REQUIRE_DOCKER) {
    describe(name, () => {
      it('needs a Docker daemon (MOCK_ENTRA_REQUIRE_DOCKER=1)', () => {
        throw new Error('no Docker daemon answers `docker info`, and MOCK_ENTRA_REQUIRE_DOCKER=1 says the container tests must run');
      });
    });
  } else {
    console.log(`skipped: no Docker (${name})`);
    describe.skip(name, body);
  }
}

/** `docker …`, its stdout; throws with its stderr. */
export function docker(args: string[], options: { timeout?: number; input?: string } = {}): string {
  return execFileSync('docker', args, {
    encoding: 'utf8',
    stdio: 'pipe',
    maxBuffer: 64 * 1024 * 1024,
    timeout: options.timeout ?? 120_000,
    input: options.input,
  });
}
