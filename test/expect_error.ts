// Shared by the table-driven bad-argument tests (test/bad_args*.test.ts): a case is a call
// that must throw an error of a given class whose message matches. errors.test.ts uses it too.
import { expect } from "vitest";
import * as torch from "torch-ts";

export type ErrorClass = new (...args: never[]) => Error;
export type Case = [name: string, call: () => unknown, errorClass: ErrorClass, message: RegExp];

/**
 * Runs `call` inside a tidy() scope, so every tensor it made is freed whatever happens, and
 * returns what it threw (undefined if it returned).
 */
export function thrownBy(call: () => unknown): unknown {
  let error: unknown;
  torch.tidy(() => {
    try {
      call();
    } catch (err) {
      error = err;
    }
  });
  return error;
}

export function expectError(call: () => unknown, errorClass: ErrorClass, message: RegExp): void {
  const error = thrownBy(call);
  expect(error, "the call should have thrown").toBeDefined();
  expect(error).toBeInstanceOf(errorClass);
  // A TypeError must not be a TorchError and vice versa: the class says who refused.
  if (errorClass === TypeError) expect(error).not.toBeInstanceOf(torch.TorchError);
  expect((error as Error).message).toMatch(message);
}

/** The same for a call that fails asynchronously (a DataLoader iteration). */
export async function expectRejection(call: () => Promise<unknown>, errorClass: ErrorClass, message: RegExp): Promise<void> {
  let error: unknown;
  try {
    await call();
  } catch (err) {
    error = err;
  }
  expect(error, "the call should have thrown").toBeDefined();
  expect(error).toBeInstanceOf(errorClass);
  expect((error as Error).message).toMatch(message);
}
