// `npm run fake-mistral`: the test suite's fake Mistral API on a fixed port, for local UI work without Mistral.
import { startFakeMistral } from './fake-mistral.ts';

const port = Number(process.env.FAKE_MISTRAL_PORT ?? 8787);
const fake = await startFakeMistral({ port });
fake.state.defaultScenario = {
  kind: 'stream', delayMs: 40,
  pieces: 'Here is a **streamed** answer from the fake upstream.\n\n```js\nconsole.log("hello");\n```\n\nAnd some math: $e^{i\\pi} + 1 = 0$.'
    .match(/.{1,6}/gs)!.map((text) => ({ text })),
};
console.log(`Fake Mistral listening. Start the app with:\n  MISTRAL_SERVER_URL=${fake.url} MISTRAL_API_KEY=any-key npm run dev`);
process.on('SIGINT', () => { void fake.close().then(() => process.exit(0)); });
