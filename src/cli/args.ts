// The CLI's errors: every problem is one line on stderr with an exit code (main.ts prints them). Flag parsing and
// checking is command.ts's, from each command's option table.

/** A failure the command reports as one line, exiting with exitCode. */
export class CommandError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

/** Bad input from the user: exit code 2. */
export class UsageError extends CommandError {
  constructor(message: string) {
    super(message, 2);
  }
}
