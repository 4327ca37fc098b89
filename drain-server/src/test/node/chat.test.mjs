// The npm `openai` client (6.x) against a running drain-server. NodeClientTest (JUnit) starts the server and
// runs `node --test` here with DRAIN_SERVER_URL and DRAIN_API_KEY set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const baseURL = process.env.DRAIN_SERVER_URL;
assert.ok(baseURL, 'DRAIN_SERVER_URL is not set: run this through NodeClientTest');
const client = new OpenAI({ baseURL: `${baseURL}/v1`, apiKey: process.env.DRAIN_API_KEY, maxRetries: 0, timeout: 60_000 });

const base = {
  model: 'stories260K',
  messages: [{ role: 'system', content: 'Once upon a time' }, { role: 'user', content: ', there was a bird' }],
  max_tokens: 30,
  temperature: 0,
};

async function streamed(params) {
  const stream = await client.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } });
  let text = '';
  const ids = new Set();
  let usage = null;
  let finish = null;
  let first = null;
  for await (const chunk of stream) {
    ids.add(chunk.id);
    if (first === null) first = chunk;
    for (const choice of chunk.choices) {
      text += choice.delta.content ?? '';
      if (choice.finish_reason) finish = choice.finish_reason;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  return { text, ids, usage, finish, first };
}

test('non-streamed and streamed chat agree, with usage', async () => {
  const whole = await client.chat.completions.create(base);
  const text = whole.choices[0].message.content;
  assert.ok(text.trim().length > 0);
  assert.equal(whole.choices[0].finish_reason, 'length');
  assert.equal(whole.usage.completion_tokens, 30);
  assert.equal(whole.usage.total_tokens, whole.usage.prompt_tokens + 30);

  const s = await streamed(base);
  assert.equal(s.text, text);
  assert.equal(s.ids.size, 1);
  assert.deepEqual(s.first.choices[0].delta, { role: 'assistant' });
  assert.equal(s.finish, 'length');
  assert.equal(s.usage.prompt_tokens, whole.usage.prompt_tokens);
  assert.equal(s.usage.completion_tokens, 30);
});

test('stop strings end the answer', async () => {
  const text = (await client.chat.completions.create(base)).choices[0].message.content;
  const stop = text.slice(9, 12);
  const expected = text.slice(0, text.indexOf(stop));
  const stopped = await client.chat.completions.create({ ...base, stop: [stop] });
  assert.equal(stopped.choices[0].message.content, expected);
  assert.equal(stopped.choices[0].finish_reason, 'stop');
  assert.equal((await streamed({ ...base, stop })).text, expected);
});

test('seeds reproduce sampled answers', async () => {
  const sampled = { ...base, temperature: 1, top_p: 0.9 };
  const a = (await client.chat.completions.create({ ...sampled, seed: 11 })).choices[0].message.content;
  const b = (await client.chat.completions.create({ ...sampled, seed: 11 })).choices[0].message.content;
  const c = (await client.chat.completions.create({ ...sampled, seed: 12 })).choices[0].message.content;
  assert.equal(a, b);
  assert.notEqual(a, c);
  assert.equal((await streamed({ ...sampled, seed: 11 })).text, a);
});

test('errors arrive as the client\'s typed errors', async () => {
  await assert.rejects(client.chat.completions.create({ ...base, n: 3 }), (e) => e instanceof OpenAI.BadRequestError
    && e.status === 400 && e.param === 'n');
  await assert.rejects(client.chat.completions.create({ ...base, model: 'nope' }), (e) => e instanceof OpenAI.NotFoundError);
  const wrong = new OpenAI({ baseURL: `${baseURL}/v1`, apiKey: 'wrong', maxRetries: 0 });
  await assert.rejects(wrong.chat.completions.create(base), (e) => e instanceof OpenAI.AuthenticationError);
});

test('models and text completions', async () => {
  const models = await client.models.list();
  assert.equal(models.data[0].id, 'stories260K');
  const c = await client.completions.create({ model: 'stories260K', prompt: 'Once upon a time', max_tokens: 6, temperature: 0 });
  assert.equal(c.usage.completion_tokens, 6);
  assert.ok(c.choices[0].text.length > 0);
});
