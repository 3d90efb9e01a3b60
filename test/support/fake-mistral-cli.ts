// `npm run fake-mistral`: a local fake upstream for UI work. Answers stream slowly, with markdown, code and math,
// so the streaming UI can be watched. Options: PORT (default 8787), TOKEN_DELAY_MS (default 40), SCENARIO
// (default | thinking | 401 | 429 | 500 | cut | nodone | hang).
import { FakeMistral, type Scenario } from './fake-mistral.ts';

const SAMPLE = `Here is an answer with **markdown**.

\`\`\`js
function add(a, b) {
  return a + b;
}
\`\`\`

Some math: $e^{i\\pi} + 1 = 0$ and

$$\\int_0^1 x^2\\,dx = \\frac{1}{3}$$

| a | b |
|---|---|
| 1 | 2 |

Done — ünïcödé ✓ 🚀.`;

const delay = Number(process.env.TOKEN_DELAY_MS ?? 40);
const tokens = SAMPLE.match(/\S+\s*|\s+/g) ?? [SAMPLE];
const scenarios: Record<string, Scenario> = {
  default: { tokens, tokenDelayMs: delay },
  thinking: { thinking: ['Let me think', ' about this', ' carefully.'], tokens, tokenDelayMs: delay },
  401: { status: 401 }, 429: { status: 429 }, 500: { status: 500 },
  cut: { tokens, tokenDelayMs: delay, cutAfter: 10 },
  nodone: { tokens, tokenDelayMs: delay, noDone: true },
  hang: { tokens: tokens.slice(0, 10), tokenDelayMs: delay, hang: true },
};

const fake = new FakeMistral();
fake.defaultScenario = scenarios[process.env.SCENARIO ?? 'default'] ?? scenarios.default;
const url = await fake.start(Number(process.env.PORT ?? 8787));
console.log(`Fake Mistral listening. Use:\n  MISTRAL_SERVER_URL=${url} MISTRAL_API_KEY=fake-key npm run dev`);
