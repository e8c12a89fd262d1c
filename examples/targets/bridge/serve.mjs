// Starts the reference bridge on $PORT from the MOCK_ENTRA_* variables (target.yaml's managed
// command). Needs the built package: an installed mock-entra, or `npm run build` in a clone.
import { serveBridgeTarget } from 'mock-entra/harness';

serveBridgeTarget().catch((e) => {
  process.stderr.write(`${e.message}\n`);
  process.exit(2);
});
