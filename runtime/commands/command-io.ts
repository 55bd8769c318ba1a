// Where a command writes its output; tests pass string collectors instead of the process streams.
export type Writer = { write(text: string): unknown };
export type CommandIo = { readonly stdout: Writer; readonly stderr: Writer };

export const processIo: CommandIo = { stdout: process.stdout, stderr: process.stderr };
