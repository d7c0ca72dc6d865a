// The bench's answering process (answering.ts): reads its input from argv, logs progress to
// stderr and prints its figures as one JSON object on stdout.
import { answer, type AnsweringInput } from './answering';

const input = JSON.parse(process.argv[2] ?? '') as AnsweringInput;
answer(input, (line) => process.stderr.write(`${line}\n`)).then(
  (figures) => {
    process.stdout.write(JSON.stringify(figures), () => process.exit(0));
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
