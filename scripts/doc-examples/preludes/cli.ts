// The doc comments of @chatcore/cli and its pages: core's prelude, the CLI's
// entry point, and what a command's examples have at hand (the context a
// command runs with, its streams and options, an exit code).
import type { CommandContext, CliIo, GlobalOptions } from '@chatcore/cli';

export * from './core.js';
export * from '@chatcore/cli';
export { EXIT } from '@chatcore/cli';

/** The context a command runs with, its streams and options. */
export declare const ctx: CommandContext;
export declare const io: CliIo;
export declare const options: GlobalOptions;
/** An exit code returned by run(). */
export declare const code: number;
/** The id of a row of the reader's repository. */
export declare const id: string;
