// Preloaded into the test runner and into each test file's process (scripts/test.mjs).
// With --test-force-exit a test file's process exits as soon as its tests are done,
// and its results go to the runner over a pipe that Node writes asynchronously: the
// last results could be cut off, and the runner then reported fewer tests than ran,
// with no failure (nodejs/node#64833; seen here with 72 of 81 tests of one file).
// A blocking stdout writes every result before the process exits.
process.stdout._handle?.setBlocking?.(true);
