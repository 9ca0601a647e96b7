/**
 * The reasoning virtual model (o1-api): one underlying model works in steps, each a call answering the step's title,
 * content and whether to go on (JSON), then answers. A failed step is tried again (o1-api's error retry); with
 * `status_feedback` a stream carries a short line per step as reasoning text before the answer. The answer goes
 * through the configured output rules, also when streamed.
 */
import { z } from 'zod';
import { contentText } from '../core/content.ts';
import type { ChatRequest, ChatResponse, Message, StreamEvent, Usage } from '../core/types.ts';
import type { CallContext, ModelCaller, VirtualAnswer, VirtualModel } from './caller.ts';
import { addUsage } from './ensemble.ts';
import { applyRules, type OutputRule, StreamRewriter } from './output-rules.ts';
import { progress } from './progress.ts';

/** The step instructions unless the config gives its own (the same contract as o1-api's, in words of our own). */
export const STEPS_PROMPT = `You are an expert who reasons step by step before answering. Answer each time with one step of your reasoning as a JSON object with the keys "title" (what this step does), "content" (the reasoning of the step) and "next_action" ("continue" for another step, or "final_answer" when you are ready to answer). Use at least three steps. Question your own conclusions, try more than one method, and look for where you could be wrong.

Example: {"title": "Understanding the question", "content": "The question asks ...", "next_action": "continue"}`;

export const FINAL_PROMPT = 'Please provide the final answer based on the above reasoning.';

export interface ReasoningConfig {
  name: string;
  model: string;
  statusFeedback: boolean;
  maxSteps: number;
  stepRetries: number;
  stepMaxTokens: number;
  stepsPrompt: string;
  finalPrompt: string;
  /** Fixed steps, each with its own instruction, instead of the JSON loop. */
  stages?: { title: string; prompt: string }[] | undefined;
  rules: OutputRule[];
}

const stepSchema = z.object({
  title: z.string(),
  content: z.string(),
  next_action: z.string().optional(),
});

interface Step {
  title: string;
  content: string;
  final: boolean;
}

/** A step's JSON, also when the model wrapped it in a code fence. */
function parseStep(text: string): Step | undefined {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start === -1 || end <= start) return undefined;
  try {
    const step = stepSchema.parse(JSON.parse(text.slice(start, end + 1)));
    return { title: step.title, content: step.content, final: step.next_action === 'final_answer' };
  } catch {
    return undefined;
  }
}

export class Reasoning implements VirtualModel {
  readonly config: ReasoningConfig;
  private readonly caller: ModelCaller;

  constructor(config: ReasoningConfig, caller: ModelCaller) {
    this.config = config;
    this.caller = caller;
  }

  /** Held before it runs: every step and the answer, at the model's price. */
  get estimate(): { model: string; calls: number } {
    return { model: this.config.model, calls: (this.config.stages?.length ?? this.config.maxSteps) + 1 };
  }

  /**
   * One step: `request` asked (again, up to `step_retries` more times, when the call fails or `read` finds no step in
   * the answer); the usage of every try counts.
   */
  private async ask(
    request: ChatRequest,
    ctx: CallContext,
    read: (raw: string) => Step | undefined,
  ): Promise<{ step?: Step; raw?: string; usage?: Usage; error?: string }> {
    let usage: Usage | undefined;
    let error = 'no answer';
    for (let attempt = 0; attempt <= this.config.stepRetries; attempt++) {
      try {
        const res = await this.caller.complete(request, ctx);
        usage = addUsage(usage, res.usage);
        const raw = contentText(res.message.content);
        const step = read(raw);
        if (step) return { step, raw, ...(usage ? { usage } : {}) };
        error = 'the answer was not a step in JSON';
      } catch (err) {
        if (ctx.cancel.aborted) throw err;
        error = (err as Error).message;
      }
    }
    return { error, ...(usage ? { usage } : {}) };
  }

  /** A step of the model-led loop: the conversation so far, answered as step JSON. */
  private step(messages: Message[], req: ChatRequest, ctx: CallContext) {
    const request: ChatRequest = {
      model: this.config.model,
      messages,
      stream: false,
      includeUsage: false,
      maxTokens: this.config.stepMaxTokens,
      temperature: req.temperature ?? 0.2,
      responseFormat: { type: 'json_object' },
    };
    return this.ask(request, ctx, parseStep);
  }

  /** A fixed stage: its instruction asked as the next user turn, the answer taken as it is. */
  private stage(messages: Message[], stage: { title: string; prompt: string }, req: ChatRequest, ctx: CallContext) {
    const request: ChatRequest = {
      model: this.config.model,
      messages: [...messages, { role: 'user', content: stage.prompt }],
      stream: false,
      includeUsage: false,
      maxTokens: this.config.stepMaxTokens,
      ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
    };
    return this.ask(request, ctx, (raw) => ({ title: stage.title, content: raw, final: false }));
  }

  /** Runs the steps, telling `onStep` of each; returns the conversation for the final answer and the steps' usage. */
  private async work(
    req: ChatRequest,
    ctx: CallContext,
    onStep: (line: string, step?: Step) => void,
  ): Promise<{ messages: Message[]; usage: Usage | undefined }> {
    const { stages } = this.config;
    const messages: Message[] = stages
      ? [...req.messages]
      : [{ role: 'system', content: this.config.stepsPrompt }, ...req.messages];
    let usage: Usage | undefined;
    const steps = stages?.length ?? this.config.maxSteps;
    for (let n = 1; n <= steps; n++) {
      const done = stages ? await this.stage(messages, stages[n - 1]!, req, ctx) : await this.step(messages, req, ctx);
      usage = addUsage(usage, done.usage);
      if (!done.step) {
        onStep(`Step ${n} failed: ${done.error}\n`);
        break;
      }
      if (stages) messages.push({ role: 'user', content: stages[n - 1]!.prompt });
      messages.push({ role: 'assistant', content: done.raw! });
      onStep(`Step ${n}: ${done.step.title}\n`, done.step);
      if (done.step.final) break;
    }
    messages.push({ role: 'user', content: this.config.finalPrompt });
    return { messages, usage };
  }

  private finalRequest(req: ChatRequest, messages: Message[], stream: boolean): ChatRequest {
    const { responseFormat: _format, tools: _tools, toolChoice: _choice, raw: _raw, native: _native, ...rest } = req;
    return { ...rest, model: this.config.model, messages, stream, includeUsage: true };
  }

  async complete(req: ChatRequest, ctx: CallContext): Promise<VirtualAnswer<ChatResponse>> {
    let reasoning = '';
    const { messages, usage } = await this.work(req, ctx, (line, step) => {
      reasoning += step ? `${line}${step.content}\n\n` : line;
    });
    const answer = await this.caller.complete(this.finalRequest(req, messages, false), ctx);
    const total = addUsage(usage, answer.usage);
    const response: ChatResponse = {
      ...answer,
      model: this.config.name,
      message: {
        ...answer.message,
        content: applyRules(contentText(answer.message.content), this.config.rules),
        reasoning: reasoning + (answer.message.reasoning ?? ''),
      },
      ...(total ? { usage: total } : {}),
    };
    return { answer: response };
  }

  async stream(req: ChatRequest, ctx: CallContext): Promise<VirtualAnswer<AsyncIterable<StreamEvent>>> {
    const self = this;
    const events = (async function* (): AsyncGenerator<StreamEvent> {
      const outcome = yield* progress((say) =>
        self.work(req, ctx, (line) => {
          if (self.config.statusFeedback) say(line);
        }),
      );
      const rewriter = new StreamRewriter(self.config.rules);
      const answer = await self.caller.stream(self.finalRequest(req, outcome.messages, true), ctx);
      for await (const event of answer) {
        if (event.type === 'text') {
          const text = rewriter.push(event.text);
          if (text) yield { type: 'text', text } as StreamEvent;
        } else if (event.type === 'usage') yield { type: 'usage', usage: addUsage(outcome.usage, event.usage)! };
        else if (event.type === 'finish') {
          const rest = rewriter.flush();
          if (rest) yield { type: 'text', text: rest } as StreamEvent;
          yield event;
        } else yield event;
      }
    })();
    return { answer: events };
  }
}
