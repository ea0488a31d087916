// Runs before every test file. Long synchronous tests (native work, spawnSync of the Python
// oracle) starve the worker's event loop, and vitest then fails the run with "Timeout calling
// onTaskUpdate" although every test passed: yield one turn of the loop after each test.
import { afterEach } from "vitest";

afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
