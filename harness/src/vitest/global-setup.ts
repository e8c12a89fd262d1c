import type { TestProject } from 'vitest/node';
import { sharedServicesOptionsFromEnv, startSharedServices } from '../environment.js';
import './provided-context.js';

/**
 * Vitest global setup of the scenario project: starts the one mock (or attaches to
 * MOCK_ENTRA_IDP_URL) and the one Chromium every scenario of the run shares, and provides their
 * addresses to the workers (`inject('mockEntraHarness')`).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const services = await startSharedServices(sharedServicesOptionsFromEnv());
  project.provide('mockEntraHarness', services.info);
  return () => services.close();
}
