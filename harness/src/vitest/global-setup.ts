import type { TestProject } from 'vitest/node';
import { startSharedServices } from '../environment.js';
import './provided-context.js';

/**
 * Vitest global setup of the scenario project: starts the one mock (or attaches to the run's
 * `services.idpUrl`) and the one Chromium every scenario of the run shares, and provides their
 * addresses to the workers (`inject('mockEntraHarness')`).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const run = project.getProvidedContext().mockEntraRun;
  const services = await startSharedServices(run?.services ?? {});
  project.provide('mockEntraHarness', services.info);
  return () => services.close();
}
